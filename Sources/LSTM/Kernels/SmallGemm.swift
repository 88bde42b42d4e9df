// A register-tiled Float GEMM for the recurrent step's small products, `C += A · B` row-major.
//
// Per time step the LSTM multiplies a [B, H] state by a [H, 4H] matrix (forward) or a [B, 4H]
// gradient by a [4H, H] matrix (backward). For H ≤ 128 these take a few microseconds, and
// OpenBLAS spends a large share of that packing both operands and deciding on threads, every
// step. This kernel packs nothing: B is read in place (the forward pass transposes W_hh once
// per call), and a 4 × 2·lanes tile of C (4 × 16 with AVX2, 4 × 32 with AVX-512) stays in
// eight vector registers while k runs.

enum SmallGemm {
  /// `C[m, n] += A[m, k] · B[k, n]`, all row-major with row strides `lda`, `ldb`, `ldc`.
  static func multiplyAdd(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let tileWidth = 2 * GemmLanes.scalarCount
    let fullColumns = n - n % tileWidth
    var i = 0
    while i + 4 <= m {
      var j = 0
      while j < fullColumns {
        tile(i: i, j: j, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
        j += tileWidth
      }
      if j < n {
        edge(
          rows: i..<(i + 4), columns: j..<n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
      }
      i += 4
    }
    if i < m {
      edge(rows: i..<m, columns: 0..<n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
    }
  }

  @inline(__always)
  static func tile(
    i: Int, j: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let c0 = c + i * ldc + j
    let c1 = c0 + ldc
    let c2 = c1 + ldc
    let c3 = c2 + ldc
    var r00 = loadGemmLanes(c0)
    var r01 = loadGemmLanes(c0 + GemmLanes.scalarCount)
    var r10 = loadGemmLanes(c1)
    var r11 = loadGemmLanes(c1 + GemmLanes.scalarCount)
    var r20 = loadGemmLanes(c2)
    var r21 = loadGemmLanes(c2 + GemmLanes.scalarCount)
    var r30 = loadGemmLanes(c3)
    var r31 = loadGemmLanes(c3 + GemmLanes.scalarCount)
    let a0 = a + i * lda
    let a1 = a0 + lda
    let a2 = a1 + lda
    let a3 = a2 + lda
    var bp = b + j
    for p in 0..<k {
      let b0 = loadGemmLanes(bp)
      let b1 = loadGemmLanes(bp + GemmLanes.scalarCount)
      let x0 = GemmLanes(repeating: a0[p])
      let x1 = GemmLanes(repeating: a1[p])
      let x2 = GemmLanes(repeating: a2[p])
      let x3 = GemmLanes(repeating: a3[p])
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
    storeGemmLanes(r01, c0 + GemmLanes.scalarCount)
    storeGemmLanes(r10, c1)
    storeGemmLanes(r11, c1 + GemmLanes.scalarCount)
    storeGemmLanes(r20, c2)
    storeGemmLanes(r21, c2 + GemmLanes.scalarCount)
    storeGemmLanes(r30, c3)
    storeGemmLanes(r31, c3 + GemmLanes.scalarCount)
  }

  /// The rows or columns the tiles leave, one element at a time.
  static func edge(
    rows: Range<Int>, columns: Range<Int>, k: Int, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    for i in rows {
      for j in columns {
        var sum: Float = 0
        for p in 0..<k { sum += a[i * lda + p] * b[p * ldb + j] }
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
