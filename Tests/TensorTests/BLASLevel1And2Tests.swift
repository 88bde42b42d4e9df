import Tensor
import TestSupport
import XCTest

final class BLASLevel1And2Tests: XCTestCase {
  func checkGemv<S: BLASScalar>(_: S.Type) {
    var rng = SeededGenerator(seed: 21)
    for (m, n) in [(1, 1), (3, 5), (6, 2)] {
      for transpose in [false, true] {
        for (alpha, beta) in [(S(1), S(0)), (S(0.5), S(-2))] {
          let a = Tensor<S>.randomUniform(shape: [m, n], in: -1...1, using: &rng)
          let (rows, columns) = transpose ? (n, m) : (m, n)
          let x = Tensor<S>.randomUniform(shape: [columns], in: -1...1, using: &rng)
          let y0 = Tensor<S>.randomUniform(shape: [rows], in: -1...1, using: &rng)
          var y = y0
          gemv(a, x, into: &y, transpose: transpose, alpha: alpha, beta: beta)
          // gemv is gemm with a one-column B.
          let expected = NaiveReference.gemm(
            a, x.reshaped(to: [columns, 1]), c: y0.reshaped(to: [rows, 1]),
            transposeA: transpose, transposeB: false, alpha: alpha, beta: beta)
          assertClose(
            y, expected.reshaped(to: [rows]), relativeTolerance: referenceTolerance(S.self),
            absoluteTolerance: referenceTolerance(S.self) * Double(columns))
        }
      }
    }
  }

  func testGemv_Float() { checkGemv(Float.self) }
  func testGemv_Double() { checkGemv(Double.self) }

  func checkAxpyAndScale<S: BLASScalar>(_: S.Type) {
    var rng = SeededGenerator(seed: 22)
    for shape: TensorShape in [[1], [1, 1], [3, 4], [2, 3, 5]] {
      let x = Tensor<S>.randomUniform(shape: shape, in: -1...1, using: &rng)
      let y0 = Tensor<S>.randomUniform(shape: shape, in: -1...1, using: &rng)
      var y = y0
      axpy(alpha: S(-1.5), x, into: &y)
      assertClose(
        y, NaiveReference.zip(x, y0) { -1.5 * $0 + $1 },
        relativeTolerance: referenceTolerance(S.self),
        absoluteTolerance: referenceTolerance(S.self))
      var z = y0
      z.add(x, scaledBy: 2)
      assertClose(
        z, NaiveReference.zip(x, y0) { 2 * $0 + $1 }, relativeTolerance: referenceTolerance(S.self),
        absoluteTolerance: referenceTolerance(S.self))
      var s = y0
      s.scale(by: 3)
      // Multiplying by 3 rounds once, exactly as the reference does.
      XCTAssertEqual(s.scalars, y0.scalars.map { 3 * $0 })
      XCTAssertEqual(y0.scalars, y0.scalars, "y0 is untouched (copy-on-write)")
    }
  }

  func testAxpyAndScale_Float() { checkAxpyAndScale(Float.self) }
  func testAxpyAndScale_Double() { checkAxpyAndScale(Double.self) }

  func testGemv_mismatchMessagesSayExpectedAndGot() {
    XCTAssertNil(gemvShapeViolation(a: [2, 3], x: [3], y: [2], transpose: false))
    XCTAssertEqual(
      gemvShapeViolation(a: [2, 3], x: [2], y: [2], transpose: false),
      "gemv: expected x of shape [3] (the columns of A [2, 3]), got [2]")
    XCTAssertEqual(
      gemvShapeViolation(a: [2, 3], x: [2], y: [2], transpose: true),
      "gemv: expected y of shape [3] (the rows of Aᵀ [3, 2]), got [2]")
    XCTAssertEqual(
      gemvShapeViolation(a: [6], x: [2], y: [2], transpose: true), "gemv: expected a 2-D A, got [6]"
    )
    XCTAssertEqual(
      shapeMismatch("axpy", "y", expected: [2, 3], got: [3, 2]),
      "axpy: expected y of shape [2, 3], got [3, 2]")
  }
}
