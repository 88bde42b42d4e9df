import Tensor
import TestSupport
import XCTest

final class ReductionTests: XCTestCase {
  func checkReductions<S: BLASScalar>(_: S.Type) {
    var rng = SeededGenerator(seed: 51)
    for (rows, columns) in [(1, 1), (1, 9), (7, 1), (5, 3), (13, 29)] {
      let x = Tensor<S>.randomUniform(shape: [rows, columns], in: -1...1, using: &rng)
      let v = x.scalars.map(Double.init)
      let columnSums = (0..<columns).map { j in (0..<rows).reduce(0.0) { $0 + v[$1 * columns + j] }
      }
      let rowSums = (0..<rows).map { i in (0..<columns).reduce(0.0) { $0 + v[i * columns + $1] } }
      let total = v.reduce(0, +)
      let tol = referenceTolerance(S.self)

      assertClose(
        x.sum(alongAxis: 0).scalars, columnSums.map { S($0) }, relativeTolerance: tol,
        absoluteTolerance: tol * Double(rows))
      assertClose(
        x.sum(alongAxis: 1).scalars, rowSums.map { S($0) }, relativeTolerance: tol,
        absoluteTolerance: tol)
      assertClose(
        x.mean(alongAxis: 0).scalars, columnSums.map { S($0 / Double(rows)) },
        relativeTolerance: tol, absoluteTolerance: tol)
      assertClose(
        x.mean(alongAxis: 1).scalars, rowSums.map { S($0 / Double(columns)) },
        relativeTolerance: tol, absoluteTolerance: tol)
      assertClose(x.sum(), S(total), relativeTolerance: tol, absoluteTolerance: tol)
      assertClose(
        x.mean(), S(total / Double(rows * columns)), relativeTolerance: tol,
        absoluteTolerance: tol)

      // Accumulation (a bias gradient over several steps): y += Σ.
      var y = Tensor<S>(repeating: 1, shape: [columns])
      sumOverRows(x, into: &y, accumulate: true)
      assertClose(
        y.scalars, columnSums.map { S($0 + 1) }, relativeTolerance: tol,
        absoluteTolerance: tol * Double(rows))
      var z = Tensor<S>(repeating: -2, shape: [rows])
      sumOverColumns(x.view, into: &z, accumulate: true)
      assertClose(
        z.scalars, rowSums.map { S($0 - 2) }, relativeTolerance: tol, absoluteTolerance: tol)
      sumOverColumns(x, into: &z)
      assertClose(z.scalars, rowSums.map { S($0) }, relativeTolerance: tol, absoluteTolerance: tol)
    }
  }

  func testReductions_Float() { checkReductions(Float.self) }
  func testReductions_Double() { checkReductions(Double.self) }

  func testReductions_edgeCases() {
    // A 1-D tensor is one row; no rows sum to zeros; the mean of nothing is NaN.
    let v = Tensor<Double>(shape: [3], scalars: [1, 2, 4])
    XCTAssertEqual(v.sum(alongAxis: 0).scalars, [1, 2, 4])
    XCTAssertEqual(v.sum(alongAxis: 1).scalars, [7])
    XCTAssertEqual(v.sum(), 7)
    let empty = Tensor<Float>(zeros: [0, 4])
    XCTAssertEqual(empty.sum(alongAxis: 0).scalars, [0, 0, 0, 0])
    XCTAssertEqual(empty.sum(), 0)
    XCTAssertTrue(empty.mean().isNaN)
    XCTAssertTrue(empty.mean(alongAxis: 0).scalars.allSatisfy(\.isNaN))
    // The total is accumulated in Double: 2^24 followed by 1000 ones sums to 2^24 + 1000
    // (even, so exact in Float), where a Float accumulator would lose every one (2^24 + 1
    // rounds back to 2^24).
    let big = Tensor<Float>(
      shape: [1001], scalars: [Float(1 << 24)] + [Float](repeating: 1, count: 1000))
    XCTAssertEqual(big.sum(), Float((1 << 24) + 1000))
    XCTAssertEqual(big.sum(alongAxis: 1).scalars, [Float((1 << 24) + 1000)])
  }
}
