// The kernels for any x86-64 CPU (SSE2, 4 lanes; fused multiply-adds through `fmaf`).
#define LANES 4
#define MR 4
#define KERNEL(name) name##_portable
#include "kernels_body.h"
