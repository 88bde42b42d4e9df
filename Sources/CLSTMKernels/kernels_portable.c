// The kernels for any x86-64 CPU (SSE2, 4 lanes; fused multiply-adds emulated exactly).
#define LANES 4
#define EMULATE_FMA 1
#define MR 4
#define NV 2
#define KERNEL(name) name##_portable
#include "kernels_body.h"
