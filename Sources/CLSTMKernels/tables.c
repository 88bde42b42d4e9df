// The function table of each path, built without the paths' target attributes, so choosing a
// table runs no instruction beyond the x86-64 baseline.

#include "CLSTMKernels.h"

enum { LANES_portable = 4, LANES_avx2 = 8, LANES_avx512 = 16 };
// NV · LANES of each path (kernels_*.c).
enum { PANEL_portable = 8, PANEL_avx2 = 16, PANEL_avx512 = 32 };

#define DECLARE(suffix)                                                                      \
  void clk_gemm_##suffix(long, long, long, const float *, long, long, const float *, long,  \
                         float *, long);                                                     \
  void clk_gate_forward_##suffix(float *, const float *, float *, float *, float *, long,   \
                                 long);                                                      \
  void clk_gate_inference_##suffix(const float *, const float *, float *, float *, long,     \
                                   long);                                                    \
  void clk_gate_backward_##suffix(float *, const float *, const float *, const float *,     \
                                  float *, long, long);                                      \
  void clk_lstm_pack_##suffix(long, long, long, const float *, const float *, float *);      \
  void clk_lstm_preactivations_##suffix(long, long, long, long, const float *, const float *, \
                                        long, const float *, long, const float *, float *,   \
                                        long);                                               \
  clk_kernel_table clk_kernels_##suffix(void) {                                              \
    clk_kernel_table table = {clk_gemm_##suffix,           clk_gate_forward_##suffix,        \
                              clk_gate_inference_##suffix, clk_gate_backward_##suffix,       \
                              clk_lstm_pack_##suffix,                                        \
                              clk_lstm_preactivations_##suffix, LANES_##suffix,              \
                              PANEL_##suffix};                                               \
    return table;                                                                            \
  }

DECLARE(portable)
DECLARE(avx2)
DECLARE(avx512)
