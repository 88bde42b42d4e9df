// The kernels for AVX-512 (16 lanes; 8 × 32 tiles of C in sixteen of the 32 registers).
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma"))), apply_to = function)
#endif
#define LANES 16
#define MR 8
#define NV 2
#define KERNEL(name) name##_avx512
#include "kernels_body.h"
#if defined(__x86_64__)
#pragma clang attribute pop
#endif
