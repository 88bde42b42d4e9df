// A register-tiled Float GEMM for the recurrent step's small products, `C += A · B` row-major.
//
// Per time step the LSTM multiplies a [B, H] state by a [H, 4H] matrix (forward) or a [B, 4H]
// gradient by a [4H, H] matrix (backward). For H ≤ 128 these take a few microseconds, and
// OpenBLAS spends a large share of that packing both operands and deciding on threads, every
// step. This kernel packs nothing: B is read in place (the forward pass transposes W_hh once
// per call), and a 4 × 16 tile of C stays in eight 8-lane registers while k runs.

enum SmallGemm {
  /// `C[m, n] += A[m, k] · B[k, n]`, all row-major with row strides `lda`, `ldb`, `ldc`.
  static func multiplyAdd(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let n16 = n & ~15
    var i = 0
    while i + 4 <= m {
      var j = 0
      while j < n16 {
        tile4x16(i: i, j: j, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
        j += 16
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
  static func tile4x16(
    i: Int, j: Int, k: Int, a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>,
    ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    let c0 = c + i * ldc + j
    let c1 = c0 + ldc
    let c2 = c1 + ldc
    let c3 = c2 + ldc
    var r00 = load8(c0)
    var r01 = load8(c0 + 8)
    var r10 = load8(c1)
    var r11 = load8(c1 + 8)
    var r20 = load8(c2)
    var r21 = load8(c2 + 8)
    var r30 = load8(c3)
    var r31 = load8(c3 + 8)
    let a0 = a + i * lda
    let a1 = a0 + lda
    let a2 = a1 + lda
    let a3 = a2 + lda
    var bp = b + j
    for p in 0..<k {
      let b0 = load8(bp)
      let b1 = load8(bp + 8)
      let x0 = SIMD8<Float>(repeating: a0[p])
      let x1 = SIMD8<Float>(repeating: a1[p])
      let x2 = SIMD8<Float>(repeating: a2[p])
      let x3 = SIMD8<Float>(repeating: a3[p])
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
    store8(r00, c0)
    store8(r01, c0 + 8)
    store8(r10, c1)
    store8(r11, c1 + 8)
    store8(r20, c2)
    store8(r21, c2 + 8)
    store8(r30, c3)
    store8(r31, c3 + 8)
  }

  /// The rows or columns the 4 × 16 tiles leave, one element at a time.
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
