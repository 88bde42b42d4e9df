import Tensor
import TestSupport
import XCTest

final class GemmTests: XCTestCase {
  /// Shapes (m, n, k): 1×1×1, non-square, k = 1, tall, wide, a prime-sized middle.
  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (1, 7, 3), (5, 1, 4), (3, 4, 1), (7, 5, 3), (13, 17, 11), (32, 8, 37), (2, 64, 9),
  ]

  func checkGemm<S: BLASScalar>(_: S.Type, file: StaticString = #filePath, line: UInt = #line) {
    var rng = SeededGenerator(seed: 11)
    for (m, n, k) in Self.shapes {
      for transposeA in [false, true] {
        for transposeB in [false, true] {
          for (alpha, beta) in [(S(1), S(0)), (S(-0.75), S(1)), (S(2), S(-0.5))] {
            let a = Tensor<S>.randomUniform(
              shape: transposeA ? [k, m] : [m, k], in: -1...1, using: &rng)
            let b = Tensor<S>.randomUniform(
              shape: transposeB ? [n, k] : [k, n], in: -1...1, using: &rng)
            let c0 = Tensor<S>.randomUniform(shape: [m, n], in: -1...1, using: &rng)
            var c = c0
            gemm(
              a, b, into: &c, transposeA: transposeA, transposeB: transposeB,
              alpha: alpha, beta: beta)
            let expected = NaiveReference.gemm(
              a, b, c: c0, transposeA: transposeA, transposeB: transposeB,
              alpha: alpha, beta: beta)
            assertClose(
              c, expected, relativeTolerance: referenceTolerance(S.self),
              absoluteTolerance: referenceTolerance(S.self) * Double(k),
              "m \(m) n \(n) k \(k) tA \(transposeA) tB \(transposeB) α \(alpha) β \(beta)",
              file: file, line: line)
          }
        }
      }
    }
  }

  func testGemm_Float() { checkGemm(Float.self) }
  func testGemm_Double() { checkGemm(Double.self) }

  func checkGemmOnViews<S: BLASScalar>(_: S.Type) {
    // One LSTM step: z_t += h_{t−1} · W_hhᵀ with h a time step of [T, B, H] and z_t a time
    // step of [T, B, G], both without copying.
    let (steps, batch, hidden, gates) = (4, 3, 5, 8)
    var rng = SeededGenerator(seed: 12)
    let hs = Tensor<S>.randomUniform(shape: [steps, batch, hidden], in: -1...1, using: &rng)
    let weight = Tensor<S>.randomUniform(shape: [gates, hidden], in: -1...1, using: &rng)
    let z0 = Tensor<S>.randomUniform(shape: [steps, batch, gates], in: -1...1, using: &rng)
    var z = z0
    z.withMutableRows(2..<3, dropLeadingAxis: true) { step in
      gemm(hs.slice(1), weight, into: &step, transposeB: true, beta: 1)
    }
    let h1 = Tensor(
      shape: [batch, hidden], scalars: Array(hs.scalars[(batch * hidden)..<(2 * batch * hidden)]))
    let z2 = Tensor(
      shape: [batch, gates], scalars: Array(z0.scalars[(2 * batch * gates)..<(3 * batch * gates)]))
    let expected = NaiveReference.gemm(
      h1, weight, c: z2, transposeA: false, transposeB: true, alpha: 1, beta: 1)
    assertClose(
      z.slice(2).copied(), expected, relativeTolerance: referenceTolerance(S.self),
      absoluteTolerance: referenceTolerance(S.self) * Double(hidden))
    // Every other step is untouched, and the original is a snapshot (copy-on-write).
    for t in [0, 1, 3] { XCTAssertEqual(z.slice(t).scalars, z0.slice(t).scalars) }
    XCTAssertNotEqual(z.slice(2).scalars, z0.slice(2).scalars)

    // Rows of a matrix as A, a whole tensor's view as B, into a plain tensor.
    let x = Tensor<S>.randomUniform(shape: [6, 4], in: -1...1, using: &rng)
    let w = Tensor<S>.randomUniform(shape: [4, 3], in: -1...1, using: &rng)
    var y = Tensor<S>(repeating: .nan, shape: [2, 3])  // β = 0 ignores even NaN
    gemm(x.rows(3..<5), w.view, into: &y)
    let x35 = x.rows(3..<5).copied()
    XCTAssertEqual(x35.shape, [2, 4])
    assertClose(
      y, NaiveReference.gemm(x35, w, c: y, transposeA: false, transposeB: false, alpha: 1, beta: 0),
      relativeTolerance: referenceTolerance(S.self),
      absoluteTolerance: referenceTolerance(S.self) * 4)
    // All time steps at once: [T, B, H] reshaped to [T·B, H] without copying.
    var all = Tensor<S>(zeros: [steps * batch, gates])
    gemm(hs.reshaped(to: [steps * batch, hidden]), weight, into: &all, transposeB: true)
    XCTAssertEqual(all.shape, [12, 8])
    assertClose(
      all.matmul(Tensor(zeros: [gates, 1])), Tensor(zeros: [12, 1]), relativeTolerance: 0)
  }

  func testGemm_onViewsFloat() { checkGemmOnViews(Float.self) }
  func testGemm_onViewsDouble() { checkGemmOnViews(Double.self) }

  func testGemm_emptyInnerDimensionScalesC() {
    // k = 0: the product is empty, so C = β·C.
    let a = Tensor<Double>(zeros: [2, 0])
    let b = Tensor<Double>(zeros: [0, 3])
    var c = Tensor<Double>(repeating: 2, shape: [2, 3])
    gemm(a, b, into: &c, alpha: 5, beta: 0.5)
    XCTAssertEqual(c.scalars, [Double](repeating: 1, count: 6))
    gemm(a, b, into: &c)
    XCTAssertEqual(c.scalars, [Double](repeating: 0, count: 6))
  }

  func testGemm_transposeIdentity() {
    // (AB)ᵀ = BᵀAᵀ on random seeded inputs.
    var rng = SeededGenerator(seed: 13)
    let a = Tensor<Double>.randomNormal(shape: [4, 6], using: &rng)
    let b = Tensor<Double>.randomNormal(shape: [6, 3], using: &rng)
    let ab = a.matmul(b)
    let btat = b.matmul(a, transposeSelf: true, transposeOther: true)  // [3, 4]
    let abT = Tensor(shape: [3, 4], scalars: (0..<12).map { ab[$0 % 4, $0 / 4] })
    assertClose(btat, abT, relativeTolerance: 1e-14, absoluteTolerance: 1e-14)
  }

  func testGemm_mismatchMessagesSayExpectedAndGot() {
    XCTAssertEqual(
      gemmShapeViolation(a: [2, 3], b: [4, 5], c: [2, 5], transposeA: false, transposeB: false),
      "gemm: expected B with 3 rows (the columns of A [2, 3]), got B [4, 5]")
    XCTAssertEqual(
      gemmShapeViolation(a: [3, 2], b: [4, 3], c: [2, 4], transposeA: true, transposeB: true),
      nil)
    XCTAssertEqual(
      gemmShapeViolation(a: [3, 2], b: [4, 2], c: [2, 4], transposeA: true, transposeB: true),
      "gemm: expected Bᵀ with 3 rows (the columns of Aᵀ [2, 3]), got Bᵀ [2, 4]")
    XCTAssertEqual(
      gemmShapeViolation(a: [2, 3], b: [3, 5], c: [5, 2], transposeA: false, transposeB: false),
      "gemm: expected C of shape [2, 5] (A [2, 3] · B [3, 5]), got [5, 2]")
    XCTAssertEqual(
      gemmShapeViolation(
        a: [2, 3, 1], b: [3, 5], c: [2, 5], transposeA: false, transposeB: false),
      "gemm: expected 2-D A, B and C, got A [2, 3, 1], B [3, 5], C [2, 5]")
  }
}
