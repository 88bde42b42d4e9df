// The kernels for AVX2 + FMA (8 lanes; 6 × 16 tiles of C in twelve of the 16 registers).
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#endif
#define LANES 8
#define MR 6
#define NV 2
#define PACK_LONG_K 1
#define KERNEL(name) name##_avx2
#include "kernels_body.h"
#if defined(__x86_64__)
#pragma clang attribute pop
#endif
