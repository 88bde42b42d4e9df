// The LSTM's Float products, `C += A · B` row-major, through the active kernel path's
// register-tiled GEMM (`KernelPath`, C source in `CLSTMKernels`): the recurrent step's small
// products and (split across the two threads) the batched products of the layers it serves, so
// a training step of a small model never wakes OpenBLAS's worker threads, whose spinning after
// each call would take the second core from the time loop.
//
// Per time step the LSTM multiplies a [B, H] state by a [H, 4H] matrix (forward) or a [B, 4H]
// gradient by a [4H, H] matrix (backward). For H ≤ 128 these take a few microseconds, and
// OpenBLAS spends a large share of that packing both operands and deciding on threads, every
// step. These kernels pack once per call at most: the forward step (`StepPreactivations`)
// reads `[W_ih | W_hh]` packed once per layer and pass, the backward product reads W_hh in
// place, the long weight-gradient products (k = T·B) pack blocks on the AVX2 path; a tile of C
// (6 × 16 with AVX2, 8 × 32 with AVX-512) stays in registers while k runs.
//
// Every element of C is one chain of fused multiply-adds in ascending k, whichever path, tile or
// thread computes it, so these products give the same bits on every x86-64 CPU (OpenBLAS's sums
// depend on its kernel family and blocking).

import Tensor

enum SmallGemm {
  /// `C[m, n] += A[m, k] · B[k, n]`, all row-major with row strides `lda`, `ldb`, `ldc`.
  static func multiplyAdd(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    multiplyAdd(
      m: m, n: n, k: k, a: a, rowStride: lda, kStride: 1, b: b, ldb: ldb, c: c, ldc: ldc)
  }

  /// `C[m, n] += op(A)[m, k] · B[k, n]` where op(A)[i, p] = `a[i·rowStride + p·kStride]`:
  /// `(lda, 1)` for A itself, `(1, lda)` for Aᵀ of an A stored `[k, m]`.
  @inline(__always)
  static func multiplyAdd(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, kStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    if m == 0 || n == 0 || k == 0 { return }
    KernelTable.current.gemm(m, n, k, a, rowStride, kStride, b, ldb, c, ldc)
  }

  /// `out[H, 4H] = w[4H, H]ᵀ`.
  static func transpose(
    _ w: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows {
      for col in 0..<columns { out[col * rows + r] = w[r * columns + col] }
    }
  }
}

extension SmallGemm {
  /// `multiplyAdd` with the rows of C split into chunks run on this thread and the helper
  /// (`RowParallel`; one chunk when BLAS has one thread or m is small). Each chunk's result is
  /// the same whichever thread runs it.
  static func parallelMultiplyAdd(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, kStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let chunks = RowParallel.chunkCount(rows: m, threads: BLASRuntime.threads)
    RowParallel.shared.run(chunks: chunks) { chunk in
      let rows = RowParallel.rows(chunk: chunk, of: chunks, count: m)
      if rows.isEmpty { return }
      multiplyAdd(
        m: rows.count, n: n, k: k, a: a + rows.lowerBound * rowStride, rowStride: rowStride,
        kStride: kStride, b: b, ldb: ldb, c: c + rows.lowerBound * ldc, ldc: ldc)
    }
  }

  /// `multiplyAdd` with the columns of C split into chunks run on this thread and the helper,
  /// for the weight gradients (m = H or I rows, k = T·B): split by rows, every chunk would read
  /// all of B (`[T·B, 4H]`, megabytes) once per row tile; split by columns, each chunk reads
  /// only its own columns of B and they stay in cache across its row tiles. Each element's
  /// chain of multiply-adds is the same whichever chunk or thread computes it.
  static func columnParallelMultiplyAdd(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, kStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let chunks = RowParallel.chunkCount(rows: n / 4, threads: BLASRuntime.threads)
    RowParallel.shared.run(chunks: chunks) { chunk in
      let columns = columnRange(chunk: chunk, of: chunks, count: n)
      if columns.isEmpty { return }
      multiplyAdd(
        m: m, n: columns.count, k: k, a: a, rowStride: rowStride, kStride: kStride,
        b: b + columns.lowerBound, ldb: ldb, c: c + columns.lowerBound, ldc: ldc)
    }
  }

  /// The columns of chunk `c` of `chunks` out of `count`: equal shares rounded up to a multiple
  /// of 32 (a whole number of register tiles on every path), the last chunk taking the rest.
  static func columnRange(chunk c: Int, of chunks: Int, count: Int) -> Range<Int> {
    RowParallel.share(chunk: c, of: chunks, count: count, multiple: 32)
  }

  /// `dst[c, r] += src[r, c]` for `src` `[rows, columns]`, `dst` `[columns, rows]`.
  static func addTransposed(
    _ src: UnsafePointer<Float>, rows: Int, columns: Int, into dst: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows {
      for col in 0..<columns { dst[col * rows + r] += src[r * columns + col] }
    }
  }
}

/// One forward step's pre-activations `z = b_ih + b_hh + x_t · W_ihᵀ + h_{t-1} · W_hhᵀ` for a
/// chunk of rows in one pass of the active path's kernel (`clk_lstm_preactivations`), from a copy
/// of `[W_ih | W_hh]` packed once per layer and pass into contiguous column panels.
///
/// It replaces the batched input projection (which wrote all T·B rows of z, megabytes, before
/// the time loop read them back one step at a time) and the per-step recurrent product over a
/// W_hhᵀ whose rows lie two kilobytes apart. The bits are the same: each z element starts from
/// the same rounded bias sum and runs one chain of fused multiply-adds over x's columns then
/// h's, ascending, as the projection followed by the recurrent product did.
struct StepPreactivations {
  let packed: UnsafePointer<Float>  // [4H / panel][I + H][panel]
  let bias: UnsafePointer<Float>  // [4H] b_ih + b_hh
  let inputSize: Int
  let hiddenSize: Int

  /// The floats `init` needs in `scratch`: 4H·(I + H) for the weights and 4H for the bias.
  static func scratchCount(inputSize: Int, hiddenSize: Int) -> Int {
    4 * hiddenSize * (inputSize + hiddenSize + 1)
  }

  /// Whether a layer's forward steps take this kernel: Float, 4H a whole number of the active
  /// path's panels (the kernel has no partial panel), and either a small recurrent product
  /// (`RecurrentProduct.isSmall`, the sizes whose bits are the same on every path) or a path
  /// with fused multiply-add instructions (AVX2, AVX-512). There, for larger steps, the kernel
  /// (panels grouped to fit L2 when the packed weights exceed 512 KB) runs each thread's half
  /// of the batch through all T steps with no synchronisation per step, and beats OpenBLAS's
  /// per-step products (H = 512, B = 256 inference on a Zen 4: 490–520 → 384–399 ms with
  /// AVX-512, 455–490 → 423–505 ms with AVX2). The portable path leaves them to OpenBLAS, whose
  /// SSE kernels outrun its emulated multiply-adds. Otherwise the layer uses the batched
  /// projection and the recurrent product.
  static func applies<S>(scalar: S.Type, batch: Int, hiddenSize: Int) -> Bool {
    guard S.self == Float.self, (4 * hiddenSize) % KernelTable.current.panelWidth == 0 else {
      return false
    }
    return KernelTable.current.path != .portable
      || batch * 4 * hiddenSize * hiddenSize <= RecurrentProduct<Float>.smallLimit
  }

  /// The chunks of the batch the time loop runs in when the steps take this kernel.
  static func parts(batch: Int) -> Int {
    RowParallel.chunkCount(rows: batch, threads: BLASRuntime.threads)
  }

  /// Packs W_ih `[4H, I]` and W_hh `[4H, H]` and sums the biases into `scratch`.
  init(
    weightIH: UnsafePointer<Float>, weightHH: UnsafePointer<Float>, biasIH: UnsafePointer<Float>,
    biasHH: UnsafePointer<Float>, inputSize: Int, hiddenSize: Int,
    scratch: UnsafeMutablePointer<Float>
  ) {
    let columns = 4 * hiddenSize
    KernelTable.current.pack(columns, inputSize, hiddenSize, weightIH, weightHH, scratch)
    let bias = scratch + columns * (inputSize + hiddenSize)
    VectorKernels.broadcastSum(biasIH, biasHH, into: bias, rows: 1, columns: columns)
    self.packed = UnsafePointer(scratch)
    self.bias = UnsafePointer(bias)
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
  }

  /// `z[rows, 4H] = bias + x[rows, I] · W_ihᵀ + h[rows, H] · W_hhᵀ` (no h term when h is nil).
  func callAsFunction(
    x: UnsafePointer<Float>, h: UnsafePointer<Float>?, into z: UnsafeMutablePointer<Float>,
    rows: Int
  ) {
    if rows == 0 { return }
    let columns = 4 * hiddenSize
    KernelTable.current.preactivations(
      rows, columns, inputSize, hiddenSize, bias, x, inputSize, h, hiddenSize, packed, z, columns)
  }
}
