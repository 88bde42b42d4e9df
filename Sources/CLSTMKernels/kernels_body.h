// The body of every kernel path, included once by each kernels_*.c with LANES (floats per
// vector), MR and NV (rows and vectors of C per register tile) and KERNEL(name) (the path's
// suffix) defined.
//
// Only fused multiply-adds written out (`fma`, `fmaf`) fuse: contraction is off, so a separate
// multiply and add round twice on every path. Each lane of a vector computes what the scalar
// code computes for that element, so the vector width changes the speed, never the bits.

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "CLSTMKernels.h"

#pragma clang fp contract(off)

typedef float vfloat __attribute__((ext_vector_type(LANES)));
typedef unsigned int vuint __attribute__((ext_vector_type(LANES)));

#define INLINE static inline __attribute__((always_inline))

INLINE vfloat load(const float *p) {
  vfloat v;
  memcpy(&v, p, sizeof v);
  return v;
}

INLINE void store(vfloat v, float *p) { memcpy(p, &v, sizeof v); }

INLINE vfloat splat(float x) { return (vfloat)(x); }

#if EMULATE_FMA
// Without FMA instructions: a·b is exact in double (24 + 24 bits ≤ 53), and a + c rounded to
// 53 bits *to odd* (round to nearest, then the error term of the addition picks the odd
// neighbour when the sum is inexact) rounds to float exactly as the fused multiply-add would
// (53 ≥ 24 + 2). The same function as `fmaf`, in a few SSE2 operations instead of a call.
typedef double vdouble __attribute__((ext_vector_type(LANES)));
typedef long vlong __attribute__((ext_vector_type(LANES)));

INLINE vfloat vfma(vfloat a, vfloat b, vfloat c) {
  vdouble product = __builtin_convertvector(a, vdouble) * __builtin_convertvector(b, vdouble);
  vdouble addend = __builtin_convertvector(c, vdouble);
  vdouble sum = product + addend;
  vdouble back = sum - product;
  vdouble error = (product - (sum - back)) + (addend - back);
  vlong sumBits = (vlong)sum;
  vlong inexact = error != 0.0;
  vlong opposite = (sumBits ^ (vlong)error) < 0;
  vlong odd = (sumBits + (opposite & inexact)) | (inexact & 1);
  return __builtin_convertvector((vdouble)odd, vfloat);
}

INLINE float sfma(float a, float b, float c) {
  double product = (double)a * (double)b;
  double addend = c;
  double sum = product + addend;
  double back = sum - product;
  double error = (product - (sum - back)) + (addend - back);
  long long sumBits, errorBits;
  memcpy(&sumBits, &sum, sizeof sum);
  memcpy(&errorBits, &error, sizeof error);
  if (error != 0.0) sumBits = (sumBits + ((sumBits ^ errorBits) < 0 ? -1 : 0)) | 1;
  double odd;
  memcpy(&odd, &sumBits, sizeof odd);
  return (float)odd;
}
#else
INLINE vfloat vfma(vfloat a, vfloat b, vfloat c) { return __builtin_elementwise_fma(a, b, c); }
INLINE float sfma(float a, float b, float c) { return fmaf(a, b, c); }
#endif

// MARK: - Products

/// R rows (≤ MR) × V·LANES columns (V ≤ NV) of C at (i, j): C stays in R·V registers while k
/// runs, each one an independent chain of fused multiply-adds (enough of them, R·V ≥ 12, to
/// hide the multiply-add latency on the full tiles).
INLINE void tile(const int R, const int V, long i, long j, long k, const float *a,
                 long rowStride, long kStride, const float *b, long ldb, float *c, long ldc) {
  vfloat acc[MR][NV];
#pragma clang loop unroll(full)
  for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
    for (int v = 0; v < V; v++) acc[r][v] = load(c + (i + r) * ldc + j + v * LANES);
  }
  const float *a0 = a + i * rowStride;
  const float *bp = b + j;
  for (long p = 0; p < k; p++) {
    vfloat bv[NV];
#pragma clang loop unroll(full)
    for (int v = 0; v < V; v++) bv[v] = load(bp + v * LANES);
    const float *ap = a0 + p * kStride;
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
      vfloat x = splat(ap[r * rowStride]);
#pragma clang loop unroll(full)
      for (int v = 0; v < V; v++) acc[r][v] = vfma(x, bv[v], acc[r][v]);
    }
    bp += ldb;
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
    for (int v = 0; v < V; v++) store(acc[r][v], c + (i + r) * ldc + j + v * LANES);
  }
}

/// The last columns (fewer than LANES), one element at a time.
static void edge(long i0, long i1, long j0, long n, long k, const float *a, long rowStride,
                 long kStride, const float *b, long ldb, float *c, long ldc) {
  for (long i = i0; i < i1; i++) {
    for (long j = j0; j < n; j++) {
      float sum = c[i * ldc + j];
      for (long p = 0; p < k; p++) sum = sfma(a[i * rowStride + p * kStride], b[p * ldb + j], sum);
      c[i * ldc + j] = sum;
    }
  }
}

/// The rows `i0..<i1` of one column panel V vectors wide, MR rows at a time, then 4, 2, 1.
INLINE void panelRows(const int V, long i0, long i1, long j, long k, const float *a,
                      long rowStride, long kStride, const float *b, long ldb, float *c,
                      long ldc) {
  long i = i0;
  for (; i + MR <= i1; i += MR) tile(MR, V, i, j, k, a, rowStride, kStride, b, ldb, c, ldc);
#if MR > 4
  for (; i + 4 <= i1; i += 4) tile(4, V, i, j, k, a, rowStride, kStride, b, ldb, c, ldc);
#endif
  for (; i + 2 <= i1; i += 2) tile(2, V, i, j, k, a, rowStride, kStride, b, ldb, c, ldc);
  for (; i < i1; i++) tile(1, V, i, j, k, a, rowStride, kStride, b, ldb, c, ldc);
}

/// Columns of k per pass over C (the rows of B a pass reads stay in cache). Splitting k only
/// stores and reloads C between passes: each element's chain of multiply-adds is unchanged.
enum { kBlock = 256, mBlock = 128 };

static void KERNEL(gemmInPlace)(long m, long n, long k, const float *a, long rowStride,
                                long kStride, const float *b, long ldb, float *c, long ldc) {
  const long tileWidth = NV * LANES;
  const long fullColumns = n - n % tileWidth;
  const long vectorColumns = n - n % LANES;
  for (long p0 = 0; p0 < k; p0 += kBlock) {
    const long kc = k - p0 < kBlock ? k - p0 : kBlock;
    const float *ak = a + p0 * kStride;
    const float *bk = b + p0 * ldb;
    // Wide B (n > 512): blocks of mBlock rows, so each column panel of B stays in L1 while
    // every row tile of the block passes over it. Narrower B fits L2: row tiles outermost.
    const long rowBlock = n > 512 ? mBlock : MR;
    for (long i0 = 0; i0 < m; i0 += rowBlock) {
      const long i1 = m < i0 + rowBlock ? m : i0 + rowBlock;
      long j = 0;
      for (; j < fullColumns; j += tileWidth)
        panelRows(NV, i0, i1, j, kc, ak, rowStride, kStride, bk, ldb, c, ldc);
#if NV > 2
      for (; j + 2 * LANES <= vectorColumns; j += 2 * LANES)
        panelRows(2, i0, i1, j, kc, ak, rowStride, kStride, bk, ldb, c, ldc);
#endif
      for (; j < vectorColumns; j += LANES)
        panelRows(1, i0, i1, j, kc, ak, rowStride, kStride, bk, ldb, c, ldc);
      if (j < n) edge(i0, i1, j, n, kc, ak, rowStride, kStride, bk, ldb, c, ldc);
    }
  }
}

/// Long reductions (the weight gradients, k = T·B) with both operands first copied into
/// contiguous blocks, as BLAS libraries do. In place, each k step of a tile reads a new row of
/// A and of B, lines kilobytes apart that alias in L1 and come from L2 every time; packed, a
/// column panel of B (kPack rows) stays in L1 while every row tile of the block passes over it,
/// and each row tile of A is one contiguous run. Copying moves values without rounding them, and
/// each element of C is still one chain of fused multiply-adds in ascending k (stored and
/// reloaded between k blocks), so the bits are those of the in-place product.
///
/// Only where it pays (PACK_LONG_K: the AVX2 path, for m ≥ 4·MR rows). Its 6 × 16 tile reads
/// a line of A and one of B every six cycles, so L2 limits it in place (dW at T·B = 12288: 72
/// → 79 GFLOP/s on one Zen 4 core); the AVX-512 tile reads them half as often and loses to the
/// copying (91 → 81), as do products of a few rows.
#if PACK_LONG_K
enum {
  packWidth = NV * LANES,
  kPack = packWidth >= 32 ? 128 : 256,
  mPack = 96,
  packFromK = 2048
};

/// R rows × one packed panel: A `[k][R]`, B `[k][packWidth]`, both contiguous.
INLINE void packedTile(const int R, long k, const float *a, const float *b, float *c, long ldc) {
  tile(R, NV, 0, 0, k, a, 1, R, b, packWidth, c, ldc);
}

static void KERNEL(gemmPacked)(long m, long n, long k, const float *a, long rowStride,
                               long kStride, const float *b, long ldb, float *c, long ldc) {
  // On the heap (112 KB): the caller may be a thread with a small stack.
  float *aPack = aligned_alloc(64, sizeof(float) * (mPack * kPack + kPack * packWidth));
  if (!aPack) {
    KERNEL(gemmInPlace)(m, n, k, a, rowStride, kStride, b, ldb, c, ldc);
    return;
  }
  float *bPack = aPack + mPack * kPack;
  const long fullColumns = n - n % packWidth;
  for (long p0 = 0; p0 < k; p0 += kPack) {
    const long kc = k - p0 < kPack ? k - p0 : kPack;
    for (long i0 = 0; i0 < m; i0 += mPack) {
      const long mc = m - i0 < mPack ? m - i0 : mPack;
      // A's rows i0..<i0+mc as tiles of MR rows, each [kc][MR] (a short last tile [kc][rest]).
      for (long t = 0; t < mc; t += MR) {
        const long rows = mc - t < MR ? mc - t : MR;
        float *dst = aPack + t * kc;
        const float *src = a + (i0 + t) * rowStride + p0 * kStride;
        for (long p = 0; p < kc; p++)
          for (long r = 0; r < rows; r++) dst[p * rows + r] = src[r * rowStride + p * kStride];
      }
      for (long j = 0; j < fullColumns; j += packWidth) {
        for (long p = 0; p < kc; p++)
          memcpy(bPack + p * packWidth, b + (p0 + p) * ldb + j, sizeof(float) * packWidth);
        long t = 0;
        for (; t + MR <= mc; t += MR)
          packedTile(MR, kc, aPack + t * kc, bPack, c + (i0 + t) * ldc + j, ldc);
        const float *at = aPack + t * kc;
        float *ct = c + (i0 + t) * ldc + j;
        switch (mc - t) {
#if MR > 7
        case 7: packedTile(7, kc, at, bPack, ct, ldc); break;
        case 6: packedTile(6, kc, at, bPack, ct, ldc); break;
#endif
#if MR > 5
        case 5: packedTile(5, kc, at, bPack, ct, ldc); break;
        case 4: packedTile(4, kc, at, bPack, ct, ldc); break;
#endif
        case 3: packedTile(3, kc, at, bPack, ct, ldc); break;
        case 2: packedTile(2, kc, at, bPack, ct, ldc); break;
        case 1: packedTile(1, kc, at, bPack, ct, ldc); break;
        default: break;
        }
      }
    }
  }
  free(aPack);
  if (fullColumns < n)
    KERNEL(gemmInPlace)(m, n - fullColumns, k, a, rowStride, kStride, b + fullColumns, ldb,
                        c + fullColumns, ldc);
}
#endif

void KERNEL(clk_gemm)(long m, long n, long k, const float *a, long rowStride, long kStride,
                      const float *b, long ldb, float *c, long ldc) {
#if PACK_LONG_K
  if (k >= packFromK && n >= packWidth && m >= 4 * MR) {
    KERNEL(gemmPacked)(m, n, k, a, rowStride, kStride, b, ldb, c, ldc);
    return;
  }
#endif
  KERNEL(gemmInPlace)(m, n, k, a, rowStride, kStride, b, ldb, c, ldc);
}

// MARK: - The forward step's pre-activations

/// Columns per panel of the packed weights: one register tile's width.
enum { panelWidth = NV * LANES };

void KERNEL(clk_lstm_pack)(long n, long kx, long kh, const float *wih, const float *whh,
                           float *packed) {
  const long k = kx + kh;
  for (long j0 = 0; j0 < n; j0 += panelWidth) {
    float *panel = packed + j0 * k;
    for (long l = 0; l < panelWidth; l++) {
      const float *rowIH = wih + (j0 + l) * kx;
      const float *rowHH = whh + (j0 + l) * kh;
      for (long p = 0; p < kx; p++) panel[p * panelWidth + l] = rowIH[p];
      for (long p = 0; p < kh; p++) panel[(kx + p) * panelWidth + l] = rowHH[p];
    }
  }
}

/// R rows × one panel of z: the bias, then the chain over x's kx columns, then over h's kh
/// columns (when h is given), in registers throughout.
INLINE void stepTile(const int R, long kx, long kh, const float *bias, const float *x, long ldx,
                     const float *h, long ldh, const float *panel, float *z, long ldz) {
  vfloat acc[MR][NV];
#pragma clang loop unroll(full)
  for (int v = 0; v < NV; v++) {
    vfloat b0 = load(bias + v * LANES);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) acc[r][v] = b0;
  }
  const float *bp = panel;
  for (long p = 0; p < kx; p++) {
    vfloat bv[NV];
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) bv[v] = load(bp + v * LANES);
#pragma clang loop unroll(full)
    for (int r = 0; r < R; r++) {
      vfloat xv = splat(x[r * ldx + p]);
#pragma clang loop unroll(full)
      for (int v = 0; v < NV; v++) acc[r][v] = vfma(xv, bv[v], acc[r][v]);
    }
    bp += panelWidth;
  }
  if (h) {
    for (long p = 0; p < kh; p++) {
      vfloat bv[NV];
#pragma clang loop unroll(full)
      for (int v = 0; v < NV; v++) bv[v] = load(bp + v * LANES);
#pragma clang loop unroll(full)
      for (int r = 0; r < R; r++) {
        vfloat hv = splat(h[r * ldh + p]);
#pragma clang loop unroll(full)
        for (int v = 0; v < NV; v++) acc[r][v] = vfma(hv, bv[v], acc[r][v]);
      }
      bp += panelWidth;
    }
  }
#pragma clang loop unroll(full)
  for (int r = 0; r < R; r++) {
#pragma clang loop unroll(full)
    for (int v = 0; v < NV; v++) store(acc[r][v], z + r * ldz + v * LANES);
  }
}

INLINE void stepRows(const int R, long i, long n, long kx, long kh, const float *bias,
                     const float *x, long ldx, const float *h, long ldh, const float *packed,
                     float *z, long ldz) {
  const long k = kx + kh;
  const float *hi = h ? h + i * ldh : 0;
  for (long j = 0; j < n; j += panelWidth)
    stepTile(R, kx, kh, bias + j, x + i * ldx, ldx, hi, ldh, packed + j * k, z + i * ldz + j,
             ldz);
}

/// The row tiles of `rows` rows: full tiles, except that a remainder of 2 rows after them
/// (32 = 5·6 + 2 on AVX2) is taken as 6 + 2 = 4 + 4: a 2-row tile has too few chains to hide
/// the multiply-add latency.
INLINE long fullTileEnd(long rows) {
  long fullEnd = rows - rows % MR;
  if (MR == 6 && rows % MR == 2 && fullEnd >= MR) fullEnd -= MR;
  return fullEnd;
}

/// Bytes of packed weights a group of panels takes in `stepGrouped` (half of a 1 MB L2).
enum { stepGroupBytes = 512 * 1024 };

/// The step for weights larger than half of L2 (e.g. H = 512, whose packed weights take 8 MB;
/// (c)'s H = 128 layers take at most 512 KB): the panels in groups that fit L2, and every row
/// tile passes over one group before the next. Row tiles outermost, as for short rows, every
/// row tile would stream all the packed weights from L3, and the two threads' streams together
/// slow both; here each thread reads them from L3 once per step, each row tile's rows of x and
/// h stay in L1 across the group, and each tile of z stays in registers for all of k. The same
/// tiles as the unblocked kernel, in another order, so the same bits.
static void KERNEL(stepGrouped)(long rows, long n, long kx, long kh, const float *bias,
                                const float *x, long ldx, const float *h, long ldh,
                                const float *packed, float *z, long ldz) {
  const long k = kx + kh;
  const long panelBytes = (long)sizeof(float) * panelWidth * k;
  const long panels = stepGroupBytes / panelBytes > 1 ? stepGroupBytes / panelBytes : 1;
  const long group = panelWidth * panels;
  const long fullEnd = fullTileEnd(rows);
  for (long j0 = 0; j0 < n; j0 += group) {
    const long j1 = n - j0 < group ? n : j0 + group;
#define ROWS(R)                                                                                 \
  for (long j = j0; j < j1; j += panelWidth)                                                    \
  stepTile(R, kx, kh, bias + j, x + i * ldx, ldx, h ? h + i * ldh : 0, ldh, packed + j * k,     \
           z + i * ldz + j, ldz)
    long i = 0;
    for (; i < fullEnd; i += MR) ROWS(MR);
#if MR > 4
    for (; i + 4 <= rows; i += 4) ROWS(4);
#endif
    for (; i + 2 <= rows; i += 2) ROWS(2);
    for (; i < rows; i++) ROWS(1);
#undef ROWS
  }
}

void KERNEL(clk_lstm_preactivations)(long rows, long n, long kx, long kh, const float *bias,
                                     const float *x, long ldx, const float *h, long ldh,
                                     const float *packed, float *z, long ldz) {
  if ((long)sizeof(float) * n * (h ? kx + kh : kx) > stepGroupBytes) {
    KERNEL(stepGrouped)(rows, n, kx, kh, bias, x, ldx, h, ldh, packed, z, ldz);
    return;
  }
  const long fullEnd = fullTileEnd(rows);
  long i = 0;
  for (; i < fullEnd; i += MR) stepRows(MR, i, n, kx, kh, bias, x, ldx, h, ldh, packed, z, ldz);
#if MR > 4
  for (; i + 4 <= rows; i += 4) stepRows(4, i, n, kx, kh, bias, x, ldx, h, ldh, packed, z, ldz);
#endif
  for (; i + 2 <= rows; i += 2) stepRows(2, i, n, kx, kh, bias, x, ldx, h, ldh, packed, z, ldz);
  for (; i < rows; i++) stepRows(1, i, n, kx, kh, bias, x, ldx, h, ldh, packed, z, ldz);
}

// MARK: - Gate math

/// e^x as 2^n · 2^f (Cody–Waite split, |f| ≤ 0.5, a degree-7 polynomial for 2^f by fused
/// Horner steps; relative error below 2e-7), x clamped to [-87, 88]. `expScalar` is the same
/// function for one element.
INLINE vfloat expLanes(vfloat x) {
  const vfloat low = splat(-87.0f), high = splat(88.0f);
  vfloat clamped = x < low ? low : x;
  clamped = clamped > high ? high : clamped;
  vfloat t = clamped * 1.44269504f;
  // Adding 1.5·2^23 rounds t to the nearest integer in the low mantissa bits.
  vfloat shifted = t + 12582912.0f;
  vfloat n = shifted - 12582912.0f;
  vfloat f = t - n;
  vfloat p = splat(1.5252734e-5f);
  p = vfma(p, f, splat(1.5403530e-4f));
  p = vfma(p, f, splat(1.3333558e-3f));
  p = vfma(p, f, splat(9.6181291e-3f));
  p = vfma(p, f, splat(5.5504109e-2f));
  p = vfma(p, f, splat(2.4022651e-1f));
  p = vfma(p, f, splat(6.9314718e-1f));
  p = vfma(p, f, splat(1.0f));
  vuint bits = ((vuint)shifted - 0x4B400000u + 127u) << 23;
  return p * (vfloat)bits;
}

INLINE float expScalar(float x) {
  float clamped = x < -87.0f ? -87.0f : x;
  clamped = clamped > 88.0f ? 88.0f : clamped;
  float t = clamped * 1.44269504f;
  float shifted = t + 12582912.0f;
  float n = shifted - 12582912.0f;
  float f = t - n;
  float p = 1.5252734e-5f;
  p = sfma(p, f, 1.5403530e-4f);
  p = sfma(p, f, 1.3333558e-3f);
  p = sfma(p, f, 9.6181291e-3f);
  p = sfma(p, f, 5.5504109e-2f);
  p = sfma(p, f, 2.4022651e-1f);
  p = sfma(p, f, 6.9314718e-1f);
  p = sfma(p, f, 1.0f);
  unsigned int bits;
  memcpy(&bits, &shifted, sizeof bits);
  bits = (bits - 0x4B400000u + 127u) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

INLINE vfloat sigmoidLanes(vfloat x) { return 1.0f / (1.0f + expLanes(-x)); }
/// tanh(x) = 2·sigmoid(2x) − 1 (absolute error below 3e-7).
INLINE vfloat tanhLanes(vfloat x) { return 2.0f / (1.0f + expLanes(-2.0f * x)) - 1.0f; }
INLINE float sigmoidScalar(float x) { return 1.0f / (1.0f + expScalar(-x)); }
INLINE float tanhScalar(float x) { return 2.0f / (1.0f + expScalar(-2.0f * x)) - 1.0f; }

/// `expLanes` of U vectors at once, step by step across them: the same operations on every
/// lane, but U independent chains side by side, so the out-of-order core finds work while each
/// chain waits on its multiply-add latency (its scheduler cannot hold enough of one chain at a
/// time to do that by itself).
INLINE void expGroup(const int U, vfloat *x) {
  vfloat t[8], shifted[8], f[8], p[8];
#pragma clang loop unroll(full)
  for (int u = 0; u < U; u++) {
    vfloat clamped = x[u] < -87.0f ? splat(-87.0f) : x[u];
    clamped = clamped > 88.0f ? splat(88.0f) : clamped;
    t[u] = clamped * 1.44269504f;
    shifted[u] = t[u] + 12582912.0f;
    vfloat n = shifted[u] - 12582912.0f;
    f[u] = t[u] - n;
    p[u] = splat(1.5252734e-5f);
  }
  const float coefficients[7] = {1.5403530e-4f, 1.3333558e-3f, 9.6181291e-3f, 5.5504109e-2f,
                                 2.4022651e-1f, 6.9314718e-1f, 1.0f};
#pragma clang loop unroll(full)
  for (int step = 0; step < 7; step++) {
#pragma clang loop unroll(full)
    for (int u = 0; u < U; u++) p[u] = vfma(p[u], f[u], splat(coefficients[step]));
  }
#pragma clang loop unroll(full)
  for (int u = 0; u < U; u++) {
    vuint bits = ((vuint)shifted[u] - 0x4B400000u + 127u) << 23;
    x[u] = p[u] * (vfloat)bits;
  }
}

/// sigmoid (or tanh) of one vector in each of U rows `ld` floats apart, in place: the
/// operations of `sigmoidLanes` (`tanhLanes`).
INLINE void activateGroup(const int U, float *z, long ld, int isTanh) {
  vfloat v[8];
#pragma clang loop unroll(full)
  for (int u = 0; u < U; u++) {
    vfloat x = load(z + u * ld);
    v[u] = isTanh ? -2.0f * x : -x;
  }
  expGroup(U, v);
#pragma clang loop unroll(full)
  for (int u = 0; u < U; u++)
    store(isTanh ? 2.0f / (1.0f + v[u]) - 1.0f : 1.0f / (1.0f + v[u]), z + u * ld);
}

/// The gate forward of U rows: first the four gates of every row (all independent), then the
/// cells (whose tanh waits for the gates), U rows side by side at each column.
INLINE void gateForwardRows(const int U, float *z, const float *cPrev, float *c, float *tanhC,
                            float *h, long hidden) {
  const long vectorEnd = hidden - hidden % LANES;
  const long ld = 4 * hidden;
  for (int gate = 0; gate < 4; gate++) {
    float *zg = z + gate * hidden;
    for (long j = 0; j < vectorEnd; j += LANES) activateGroup(U, zg + j, ld, gate == 2);
    for (int u = 0; u < U; u++) {
      for (long j = vectorEnd; j < hidden; j++) {
        float *e = zg + u * ld + j;
        *e = gate == 2 ? tanhScalar(*e) : sigmoidScalar(*e);
      }
    }
  }
  for (long j = 0; j < vectorEnd; j += LANES) {
    vfloat cn[8], o[8];
#pragma clang loop unroll(full)
    for (int u = 0; u < U; u++) {
      const float *zu = z + u * ld;
      vfloat i = load(zu + j);
      vfloat f = load(zu + hidden + j);
      vfloat g = load(zu + 2 * hidden + j);
      o[u] = load(zu + 3 * hidden + j);
      cn[u] = vfma(f, load(cPrev + u * hidden + j), i * g);
      store(cn[u], c + u * hidden + j);
    }
    vfloat e[8];
#pragma clang loop unroll(full)
    for (int u = 0; u < U; u++) e[u] = -2.0f * cn[u];
    expGroup(U, e);
#pragma clang loop unroll(full)
    for (int u = 0; u < U; u++) {
      vfloat tc = 2.0f / (1.0f + e[u]) - 1.0f;
      store(tc, tanhC + u * hidden + j);
      store(o[u] * tc, h + u * hidden + j);
    }
  }
  for (int u = 0; u < U; u++) {
    const float *zu = z + u * ld;
    for (long j = vectorEnd; j < hidden; j++) {
      float i = zu[j], f = zu[hidden + j], g = zu[2 * hidden + j], o = zu[3 * hidden + j];
      float cn = sfma(f, cPrev[u * hidden + j], i * g);
      float tc = tanhScalar(cn);
      c[u * hidden + j] = cn;
      tanhC[u * hidden + j] = tc;
      h[u * hidden + j] = o * tc;
    }
  }
}

/// i, f, o = sigmoid(z_i, z_f, z_o); g = tanh(z_g); c = fma(f, cPrev, i·g); h = o · tanh(c).
///
/// Eight rows at a time (then 4, 2, 1), each column of them side by side, the gates before the
/// cells: the same operations on every element as one element at a time, but chains of the
/// exponential's multiply-adds that overlap (AVX2, H = 128: 92 cycles per vector of 8 units one
/// row at a time, 62 with the gates before the cells, fewer again eight rows side by side).
void KERNEL(clk_gate_forward)(float *gates, const float *cPrev, float *c, float *tanhC,
                              float *h, long batch, long hidden) {
  long b = 0;
#define ROWS(U)                                                                                \
  gateForwardRows(U, gates + b * 4 * hidden, cPrev + b * hidden, c + b * hidden,               \
                  tanhC + b * hidden, h + b * hidden, hidden)
  for (; b + 8 <= batch; b += 8) ROWS(8);
  for (; b + 4 <= batch; b += 4) ROWS(4);
  for (; b + 2 <= batch; b += 2) ROWS(2);
  for (; b < batch; b++) ROWS(1);
#undef ROWS
}

/// Inference's gate forward of U rows (U ≤ 8), a block of columns at a time: each gate's
/// activations of the U rows (U chains of the exponential side by side, as `gateForwardRows`
/// runs them) into a block of stack (L1), then the U cells. The operations on every element are
/// `gateForwardRows`'s (the same c and h, bit for bit), without writing the activations back
/// into `z` or tanh(c) anywhere: at H = 512 a thread's z is 1 MB a step, and writing it back
/// cost more than the activations. Gate by gate through a block keeps a dozen vectors live;
/// the four gates and the cell of one column at once (the kernel before this one) kept 32
/// activations live and spilled them, at 25 ns per vector of eight units where this takes
/// 16 (AVX2, 64 rows, H = 128; 28 → 18 at 128 rows, H = 512).
INLINE void gateInferenceRows(const int U, const float *z, const float *cPrev, float *c,
                              float *h, long hidden) {
  const long vectorEnd = hidden - hidden % LANES;
  const long ld = 4 * hidden;
  enum { BLOCK = 8 * LANES };  // columns per block: 4 gates × 8 rows × 8 vectors in L1
  float act[4][8][BLOCK] __attribute__((aligned(64)));
  for (long j0 = 0; j0 < vectorEnd; j0 += BLOCK) {
    const long width = vectorEnd - j0 < BLOCK ? vectorEnd - j0 : BLOCK;
    for (int gate = 0; gate < 4; gate++) {
      for (long jj = 0; jj < width; jj += LANES) {
        vfloat v[8];
#pragma clang loop unroll(full)
        for (int u = 0; u < U; u++) {
          vfloat x = load(z + u * ld + gate * hidden + j0 + jj);
          v[u] = gate == 2 ? -2.0f * x : -x;
        }
        expGroup(U, v);
#pragma clang loop unroll(full)
        for (int u = 0; u < U; u++)
          store(gate == 2 ? 2.0f / (1.0f + v[u]) - 1.0f : 1.0f / (1.0f + v[u]),
                act[gate][u] + jj);
      }
    }
    for (long jj = 0; jj < width; jj += LANES) {
      const long j = j0 + jj;
      vfloat e[8];
#pragma clang loop unroll(full)
      for (int u = 0; u < U; u++) {
        vfloat cn = vfma(load(act[1][u] + jj), load(cPrev + u * hidden + j),
                         load(act[0][u] + jj) * load(act[2][u] + jj));
        store(cn, c + u * hidden + j);
        e[u] = -2.0f * cn;
      }
      expGroup(U, e);
#pragma clang loop unroll(full)
      for (int u = 0; u < U; u++)
        store(load(act[3][u] + jj) * (2.0f / (1.0f + e[u]) - 1.0f), h + u * hidden + j);
    }
  }
  for (int u = 0; u < U; u++) {
    const float *zu = z + u * ld;
    for (long j = vectorEnd; j < hidden; j++) {
      float i = sigmoidScalar(zu[j]), f = sigmoidScalar(zu[hidden + j]);
      float g = tanhScalar(zu[2 * hidden + j]), o = sigmoidScalar(zu[3 * hidden + j]);
      float cn = sfma(f, cPrev[u * hidden + j], i * g);
      c[u * hidden + j] = cn;
      h[u * hidden + j] = o * tanhScalar(cn);
    }
  }
}

/// `clk_gate_forward` for inference: c and h only, `gates` left as they were.
void KERNEL(clk_gate_inference)(const float *gates, const float *cPrev, float *c, float *h,
                                long batch, long hidden) {
  long b = 0;
#define ROWS(U)                                                                                \
  gateInferenceRows(U, gates + b * 4 * hidden, cPrev + b * hidden, c + b * hidden,             \
                    h + b * hidden, hidden)
  for (; b + 8 <= batch; b += 8) ROWS(8);
  for (; b + 4 <= batch; b += 4) ROWS(4);
  for (; b + 2 <= batch; b += 2) ROWS(2);
  for (; b < batch; b++) ROWS(1);
#undef ROWS
}

/// dc = dcCarry + dh·o·(1 − tanhC²); do = dh·tanhC·o·(1 − o); di = dc·g·i·(1 − i);
/// df = dc·cPrev·f·(1 − f); dg = dc·i·(1 − g²); dcCarry ← dc·f (products left to right).
void KERNEL(clk_gate_backward)(float *gates, const float *cPrev, const float *tanhC,
                               const float *dh, float *dcCarry, long batch, long hidden) {
  const long vectorEnd = hidden - hidden % LANES;
  for (long b = 0; b < batch; b++) {
    float *z = gates + b * 4 * hidden;
    const long row = b * hidden;
    long j = 0;
    for (; j < vectorEnd; j += LANES) {
      vfloat i = load(z + j);
      vfloat f = load(z + hidden + j);
      vfloat g = load(z + 2 * hidden + j);
      vfloat o = load(z + 3 * hidden + j);
      vfloat tc = load(tanhC + row + j);
      vfloat dhv = load(dh + row + j);
      vfloat dc = load(dcCarry + row + j) + dhv * o * (1.0f - tc * tc);
      store(dhv * tc * o * (1.0f - o), z + 3 * hidden + j);
      store(dc * g * i * (1.0f - i), z + j);
      store(dc * load(cPrev + row + j) * f * (1.0f - f), z + hidden + j);
      store(dc * i * (1.0f - g * g), z + 2 * hidden + j);
      store(dc * f, dcCarry + row + j);
    }
    for (; j < hidden; j++) {
      float i = z[j], f = z[hidden + j], g = z[2 * hidden + j], o = z[3 * hidden + j];
      float tc = tanhC[row + j], dhv = dh[row + j];
      float dc = dcCarry[row + j] + dhv * o * (1.0f - tc * tc);
      z[3 * hidden + j] = dhv * tc * o * (1.0f - o);
      z[j] = dc * g * i * (1.0f - i);
      z[hidden + j] = dc * cPrev[row + j] * f * (1.0f - f);
      z[2 * hidden + j] = dc * i * (1.0f - g * g);
      dcCarry[row + j] = dc * f;
    }
  }
}
