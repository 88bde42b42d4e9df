// The LSTM's hot Float kernels, compiled three times into the same binary (x86-64 baseline,
// AVX2 + FMA, AVX-512) and chosen once at start-up by the LSTM module (`KernelPath`).
//
// Every path computes the same bits: each output element of a product is one chain of fused
// multiply-adds in ascending k, and each gate element the same sequence of operations (the same
// exp approximation, fused multiply-adds in the same places), whatever the vector width. The
// portable path gets its fused multiply-adds from the C library's `fmaf`, which is exact on
// every x86-64.

#ifndef CLSTMKERNELS_H
#define CLSTMKERNELS_H

/// `C[m, n] += op(A)[m, k] · B[k, n]`, op(A)[i, p] = `a[i·rowStride + p·kStride]`, B and C
/// row-major with row strides `ldb`, `ldc`. Each C[i, j] becomes
/// `fma(op(A)[i, k−1], B[k−1, j], … fma(op(A)[i, 0], B[0, j], C[i, j]))`.
typedef void (*clk_gemm_fn)(long m, long n, long k, const float *a, long rowStride,
                            long kStride, const float *b, long ldb, float *c, long ldc);

/// One LSTM step's gate activations and cell update for `batch` rows of `hidden` units
/// (`gates` [B, 4H] pre-activations in, activations out; the others [B, H]).
typedef void (*clk_gate_forward_fn)(float *gates, const float *cPrev, float *c, float *tanhC,
                                    float *h, long batch, long hidden);

/// `clk_gate_forward_fn` for inference: the same c and h (bit for bit), without writing the
/// activations back into `gates` or tanh(c) anywhere.
typedef void (*clk_gate_inference_fn)(const float *gates, const float *cPrev, float *c, float *h,
                                      long batch, long hidden);

/// One step of backpropagation through the cell: activations in `gates` become the
/// pre-activation gradient in place; `dcCarry` advances from dc_{t+1}·f_{t+1} to dc_t·f_t.
typedef void (*clk_gate_backward_fn)(float *gates, const float *cPrev, const float *tanhC,
                                     const float *dh, float *dcCarry, long batch, long hidden);

/// Packs the rows of `[W_ih | W_hh]` (`wih` `[n, kx]`, `whh` `[n, kh]`, n = 4H a multiple of
/// `panelWidth`) transposed, as panels of `panelWidth` columns: `packed` `[n / panelWidth][kx +
/// kh][panelWidth]`, the layout `preactivations` streams through.
typedef void (*clk_lstm_pack_fn)(long n, long kx, long kh, const float *wih, const float *whh,
                                 float *packed);

/// One forward step's pre-activations for `rows` rows: `z[rows, n] = bias + x · W_ihᵀ + h ·
/// W_hhᵀ` (h nil: no recurrent term) with `x` `[rows, kx]`, `h` `[rows, kh]` row-major (row
/// strides `ldx`, `ldh`). Each z[i, j] is `bias[j]` followed by one chain of fused
/// multiply-adds over x's columns then h's, ascending: the bits of `gemm` adding x · W_ihᵀ to
/// the bias and then h · W_hhᵀ, without the round trip through memory.
typedef void (*clk_lstm_preactivations_fn)(long rows, long n, long kx, long kh,
                                           const float *bias, const float *x, long ldx,
                                           const float *h, long ldh, const float *packed,
                                           float *z, long ldz);

/// One kernel path's functions.
typedef struct {
  clk_gemm_fn gemm;
  clk_gate_forward_fn gateForward;
  clk_gate_inference_fn gateInference;
  clk_gate_backward_fn gateBackward;
  clk_lstm_pack_fn pack;
  clk_lstm_preactivations_fn preactivations;
  /// Floats per vector register on this path (4, 8 or 16).
  long lanes;
  /// Columns per panel of the packed weights on this path.
  long panelWidth;
} clk_kernel_table;

clk_kernel_table clk_kernels_portable(void);
clk_kernel_table clk_kernels_avx2(void);
clk_kernel_table clk_kernels_avx512(void);

/// 1 when the CPU reports AVX2 and FMA and the OS saves the YMM registers, else 0.
int clk_cpu_runs_avx2(void);
/// 1 when the CPU reports AVX-512 F, CD, BW, DQ and VL (and AVX2, FMA) and the OS saves the
/// ZMM and mask registers, else 0.
int clk_cpu_runs_avx512(void);

#endif
