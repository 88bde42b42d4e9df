// A register-tiled Float GEMM for the recurrent step's small products, `C += A · B` row-major,
// also used (split across the two threads) for the batched products of the layers it serves, so
// a training step of a small model never wakes OpenBLAS's worker threads, whose spinning after
// each call would take the second core from the time loop.
//
// Per time step the LSTM multiplies a [B, H] state by a [H, 4H] matrix (forward) or a [B, 4H]
// gradient by a [4H, H] matrix (backward). For H ≤ 128 these take a few microseconds, and
// OpenBLAS spends a large share of that packing both operands and deciding on threads, every
// step. This kernel packs nothing: B is read in place (the forward pass transposes W_hh once
// per call), and a 4 × 2·lanes tile of C (4 × 16 with AVX2, 4 × 32 with AVX-512) stays in
// eight vector registers while k runs.

import Tensor

enum SmallGemm {
  /// Columns of k handled per pass over C, so the rows of B a pass reads stay in cache.
  static let kBlock = 256
  /// Rows of C per block (a multiple of 8).
  static let mBlock = 128

  /// Whether this kernel beats OpenBLAS at every size: with AVX-512 (8 × 32 tiles) it runs the
  /// large LSTM shapes at 160–200 GFLOP/s per core, where OpenBLAS's Haswell kernels reach about
  /// 115; but OpenBLAS's AVX-512 kernels (which `BLASKernels.selectFastest()` loads on such a
  /// CPU) reach 450 GFLOP/s on two threads at the large shapes, so then the large products go
  /// back to OpenBLAS (measured on config (d) of `forecast-bench lstm`, inference 373 → see the
  /// LSTM landing page).
  #if LSTM_AVX512
  static let handlesAllSizes = !BLASKernels.loadedFamilyUsesAVX512
  #else
  static let handlesAllSizes = false
  #endif

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
  static func multiplyAdd(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, kStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let tileWidth = 2 * GemmLanes.scalarCount
    let fullColumns = n - n % tileWidth
    var p0 = 0
    while p0 < k {
      let kc = min(kBlock, k - p0)
      let ak = a + p0 * kStride
      let bk = b + p0 * ldb
      // Wide B (n > 512, e.g. 4H = 2048): blocks of `mBlock` rows, and inside one each column
      // panel of B ([kc, 2·lanes], at most 32 KB) stays in L1 while every row tile of the block
      // passes over it. Narrower B fits L2 whole: row tiles outermost, which measured faster.
      let rowBlock = n > 512 ? mBlock : 4
      var i0 = 0
      while i0 < m {
        let i1 = min(m, i0 + max(rowBlock, 8))
        var j = 0
        while j < fullColumns {
          var i = i0
          #if LSTM_AVX512
          // 8-row tiles: sixteen accumulators of the 32 AVX-512 registers (about 1.5× the rate
          // of 4-row tiles). Every element sees the same multiply-adds in the same order
          // whichever tile computes it, so the results do not depend on the tiling.
          while i + 8 <= i1 {
            tile8(
              i: i, j: j, k: kc, a: ak, rowStride: rowStride, kStride: kStride, b: bk, ldb: ldb,
              c: c, ldc: ldc)
            i += 8
          }
          #endif
          while i + 4 <= i1 {
            tile(
              i: i, j: j, k: kc, a: ak, rowStride: rowStride, kStride: kStride, b: bk, ldb: ldb,
              c: c, ldc: ldc)
            i += 4
          }
          while i < i1 {
            rowTile(
              i: i, j: j, k: kc, a: ak, rowStride: rowStride, kStride: kStride, b: bk, ldb: ldb,
              c: c, ldc: ldc)
            i += 1
          }
          j += tileWidth
        }
        if fullColumns < n {
          edge(
            rows: i0..<i1, columns: fullColumns..<n, k: kc, a: ak, rowStride: rowStride,
            kStride: kStride, b: bk, ldb: ldb, c: c, ldc: ldc)
        }
        i0 = i1
      }
      p0 += kc
    }
  }

  @inline(__always)
  static func tile(
    i: Int, j: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, kStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let width = GemmLanes.scalarCount
    let c0 = c + i * ldc + j
    let c1 = c0 + ldc
    let c2 = c1 + ldc
    let c3 = c2 + ldc
    var r00 = loadGemmLanes(c0)
    var r01 = loadGemmLanes(c0 + width)
    var r10 = loadGemmLanes(c1)
    var r11 = loadGemmLanes(c1 + width)
    var r20 = loadGemmLanes(c2)
    var r21 = loadGemmLanes(c2 + width)
    var r30 = loadGemmLanes(c3)
    var r31 = loadGemmLanes(c3 + width)
    let a0 = a + i * rowStride
    let a1 = a0 + rowStride
    let a2 = a1 + rowStride
    let a3 = a2 + rowStride
    var bp = b + j
    for p in 0..<k {
      let b0 = loadGemmLanes(bp)
      let b1 = loadGemmLanes(bp + width)
      let q = p * kStride
      let x0 = GemmLanes(repeating: a0[q])
      let x1 = GemmLanes(repeating: a1[q])
      let x2 = GemmLanes(repeating: a2[q])
      let x3 = GemmLanes(repeating: a3[q])
      r00.addProduct(x0, b0)
      r01.addProduct(x0, b1)
      r10.addProduct(x1, b0)
      r11.addProduct(x1, b1)
      r20.addProduct(x2, b0)
      r21.addProduct(x2, b1)
      r30.addProduct(x3, b0)
      r31.addProduct(x3, b1)
      bp += ldb
    }
    storeGemmLanes(r00, c0)
    storeGemmLanes(r01, c0 + width)
    storeGemmLanes(r10, c1)
    storeGemmLanes(r11, c1 + width)
    storeGemmLanes(r20, c2)
    storeGemmLanes(r21, c2 + width)
    storeGemmLanes(r30, c3)
    storeGemmLanes(r31, c3 + width)
  }

  /// Eight rows of C, two vectors wide.
  @inline(__always)
  static func tile8(
    i: Int, j: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, kStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let width = GemmLanes.scalarCount
    let c0 = c + i * ldc + j
    var r00 = loadGemmLanes(c0)
    var r01 = loadGemmLanes(c0 + width)
    var r10 = loadGemmLanes(c0 + ldc)
    var r11 = loadGemmLanes(c0 + ldc + width)
    var r20 = loadGemmLanes(c0 + 2 * ldc)
    var r21 = loadGemmLanes(c0 + 2 * ldc + width)
    var r30 = loadGemmLanes(c0 + 3 * ldc)
    var r31 = loadGemmLanes(c0 + 3 * ldc + width)
    var r40 = loadGemmLanes(c0 + 4 * ldc)
    var r41 = loadGemmLanes(c0 + 4 * ldc + width)
    var r50 = loadGemmLanes(c0 + 5 * ldc)
    var r51 = loadGemmLanes(c0 + 5 * ldc + width)
    var r60 = loadGemmLanes(c0 + 6 * ldc)
    var r61 = loadGemmLanes(c0 + 6 * ldc + width)
    var r70 = loadGemmLanes(c0 + 7 * ldc)
    var r71 = loadGemmLanes(c0 + 7 * ldc + width)
    let a0 = a + i * rowStride
    var bp = b + j
    for p in 0..<k {
      let b0 = loadGemmLanes(bp)
      let b1 = loadGemmLanes(bp + width)
      let q = p * kStride
      var x = GemmLanes(repeating: a0[q])
      r00.addProduct(x, b0)
      r01.addProduct(x, b1)
      x = GemmLanes(repeating: a0[q + rowStride])
      r10.addProduct(x, b0)
      r11.addProduct(x, b1)
      x = GemmLanes(repeating: a0[q + 2 * rowStride])
      r20.addProduct(x, b0)
      r21.addProduct(x, b1)
      x = GemmLanes(repeating: a0[q + 3 * rowStride])
      r30.addProduct(x, b0)
      r31.addProduct(x, b1)
      x = GemmLanes(repeating: a0[q + 4 * rowStride])
      r40.addProduct(x, b0)
      r41.addProduct(x, b1)
      x = GemmLanes(repeating: a0[q + 5 * rowStride])
      r50.addProduct(x, b0)
      r51.addProduct(x, b1)
      x = GemmLanes(repeating: a0[q + 6 * rowStride])
      r60.addProduct(x, b0)
      r61.addProduct(x, b1)
      x = GemmLanes(repeating: a0[q + 7 * rowStride])
      r70.addProduct(x, b0)
      r71.addProduct(x, b1)
      bp += ldb
    }
    storeGemmLanes(r00, c0)
    storeGemmLanes(r01, c0 + width)
    storeGemmLanes(r10, c0 + ldc)
    storeGemmLanes(r11, c0 + ldc + width)
    storeGemmLanes(r20, c0 + 2 * ldc)
    storeGemmLanes(r21, c0 + 2 * ldc + width)
    storeGemmLanes(r30, c0 + 3 * ldc)
    storeGemmLanes(r31, c0 + 3 * ldc + width)
    storeGemmLanes(r40, c0 + 4 * ldc)
    storeGemmLanes(r41, c0 + 4 * ldc + width)
    storeGemmLanes(r50, c0 + 5 * ldc)
    storeGemmLanes(r51, c0 + 5 * ldc + width)
    storeGemmLanes(r60, c0 + 6 * ldc)
    storeGemmLanes(r61, c0 + 6 * ldc + width)
    storeGemmLanes(r70, c0 + 7 * ldc)
    storeGemmLanes(r71, c0 + 7 * ldc + width)
  }

  /// One row of C, two vectors wide (the rows a 4-row tile leaves).
  @inline(__always)
  static func rowTile(
    i: Int, j: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, kStride: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let width = GemmLanes.scalarCount
    let c0 = c + i * ldc + j
    var r0 = loadGemmLanes(c0)
    var r1 = loadGemmLanes(c0 + width)
    let a0 = a + i * rowStride
    var bp = b + j
    for p in 0..<k {
      let x = GemmLanes(repeating: a0[p * kStride])
      r0.addProduct(x, loadGemmLanes(bp))
      r1.addProduct(x, loadGemmLanes(bp + width))
      bp += ldb
    }
    storeGemmLanes(r0, c0)
    storeGemmLanes(r1, c0 + width)
  }

  /// The columns the tiles leave, one element at a time.
  static func edge(
    rows: Range<Int>, columns: Range<Int>, k: Int, a: UnsafePointer<Float>, rowStride: Int,
    kStride: Int, b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    for i in rows {
      for j in columns {
        var sum: Float = 0
        for p in 0..<k { sum += a[i * rowStride + p * kStride] * b[p * ldb + j] }
        c[i * ldc + j] += sum
      }
    }
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

  /// `dst[c, r] += src[r, c]` for `src` `[rows, columns]`, `dst` `[columns, rows]`.
  static func addTransposed(
    _ src: UnsafePointer<Float>, rows: Int, columns: Int, into dst: UnsafeMutablePointer<Float>
  ) {
    for r in 0..<rows {
      for col in 0..<columns { dst[col * rows + r] += src[r * columns + col] }
    }
  }
}
