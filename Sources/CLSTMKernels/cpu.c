// CPU feature detection from CPUID and XGETBV (the OS must save the wide registers too).

#include "CLSTMKernels.h"

#if defined(__x86_64__)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return ((unsigned long long)edx << 32) | eax;
}

/// Leaf 1 ECX: FMA (bit 12), OSXSAVE (27), AVX (28); leaf 7 EBX: AVX2 (5), AVX-512 F (16),
/// DQ (17), CD (28), BW (30), VL (31); XCR0: SSE + YMM state (bits 1, 2), opmask + ZMM (5–7).
static int features(int wantAVX512) {
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  const unsigned int leaf1 = (1u << 12) | (1u << 27) | (1u << 28);
  if ((ecx & leaf1) != leaf1) return 0;
  unsigned long long xcr0 = read_xcr0();
  if ((xcr0 & 0x6) != 0x6) return 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
  if (!(ebx & (1u << 5))) return 0;
  if (!wantAVX512) return 1;
  const unsigned int leaf7 =
      (1u << 16) | (1u << 17) | (1u << 28) | (1u << 30) | (1u << 31);
  if ((ebx & leaf7) != leaf7) return 0;
  return (xcr0 & 0xE6) == 0xE6;
}

int clk_cpu_runs_avx2(void) { return features(0); }
int clk_cpu_runs_avx512(void) { return features(1); }
#else
int clk_cpu_runs_avx2(void) { return 0; }
int clk_cpu_runs_avx512(void) { return 0; }
#endif
