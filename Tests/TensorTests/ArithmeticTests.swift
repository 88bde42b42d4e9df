import Tensor
import TestSupport
import XCTest

final class ArithmeticTests: XCTestCase {
  static let shapes: [TensorShape] = [[1], [1, 1], [3, 7], [2, 3, 5], [33]]

  func checkArithmetic<S: BLASScalar>(_: S.Type) {
    var rng = SeededGenerator(seed: 31)
    for shape in Self.shapes {
      let a = Tensor<S>.randomUniform(shape: shape, in: -2...2, using: &rng)
      let b = Tensor<S>.randomUniform(shape: shape, in: -2...2, using: &rng)
      // One rounding each, so the results equal the Double reference rounded once.
      let cases:
        [(String, (Tensor<S>, Tensor<S>, inout Tensor<S>) -> Void, (Double, Double) -> Double)] = [
          ("add", { add($0, $1, into: &$2) }, +),
          ("subtract", { subtract($0, $1, into: &$2) }, -),
          ("multiply", { multiply($0, $1, into: &$2) }, *),
        ]
      for (name, operation, reference) in cases {
        var c = Tensor<S>(repeating: .nan, shape: shape)
        operation(a, b, &c)
        XCTAssertEqual(c, NaiveReference.zip(a, b, reference), "\(name) \(shape)")
      }
      XCTAssertEqual(a + b, NaiveReference.zip(a, b, +))
      XCTAssertEqual(a - b, NaiveReference.zip(a, b, -))
      XCTAssertEqual(a * b, NaiveReference.zip(a, b, *))

      var x = a
      x.add(b)
      XCTAssertEqual(x, a + b)
      x = a
      x.subtract(b)
      XCTAssertEqual(x, a - b)
      x = a
      x.multiply(b)
      XCTAssertEqual(x, a * b)
      x = a
      x += b
      x -= b
      x *= b
      XCTAssertEqual(x, (a + b - b) * b)
      x.fill(with: 4)
      XCTAssertEqual(x.scalars, [S](repeating: 4, count: shape.count))
    }
  }

  func testArithmetic_Float() { checkArithmetic(Float.self) }
  func testArithmetic_Double() { checkArithmetic(Double.self) }

  func checkArithmeticOnViews<S: BLASScalar>(_: S.Type) {
    var rng = SeededGenerator(seed: 32)
    let a = Tensor<S>.randomUniform(shape: [4, 3, 2], in: -1...1, using: &rng)
    var y = Tensor<S>(zeros: [4, 3, 2])
    // y[1..<3] = a[0..<2] + a[2..<4], y[0] = a[3] ⊙ a[3], y[3] untouched.
    y.withMutableRows(1..<3) { add(a.rows(0..<2), a.rows(2..<4), into: &$0) }
    y.withMutableRows(0..<1, dropLeadingAxis: true) { multiply(a.slice(3), a.slice(3), into: &$0) }
    XCTAssertEqual(y.slice(1).copied(), a.slice(0).copied() + a.slice(2).copied())
    XCTAssertEqual(y.slice(2).copied(), a.slice(1).copied() + a.slice(3).copied())
    XCTAssertEqual(y.slice(0).copied(), a.slice(3).copied() * a.slice(3).copied())
    XCTAssertEqual(y.slice(3).scalars, [S](repeating: 0, count: 6))
    // In place on a writable view.
    y.withMutableRows(3..<4) { $0.add(a.rows(3..<4)) }
    XCTAssertEqual(y.slice(3).scalars, a.slice(3).scalars)
  }

  func testArithmetic_onViewsFloat() { checkArithmeticOnViews(Float.self) }
  func testArithmetic_onViewsDouble() { checkArithmeticOnViews(Double.self) }

  func checkAddToEachRow<S: BLASScalar>(_: S.Type) {
    var x = Tensor<S>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    x.addToEachRow(Tensor<S>(shape: [3], scalars: [10, 20, 30]))
    XCTAssertEqual(x.scalars, [11, 22, 33, 14, 25, 36])
    var empty = Tensor<S>(zeros: [0, 3])
    empty.addToEachRow(Tensor<S>(shape: [3], scalars: [1, 2, 3]))
    XCTAssertEqual(empty.count, 0)
  }

  func testAddToEachRow_Float() { checkAddToEachRow(Float.self) }
  func testAddToEachRow_Double() { checkAddToEachRow(Double.self) }

  func testArithmetic_mismatchMessagesSayExpectedAndGot() {
    XCTAssertNil(shapeMismatch("add", "b", expected: [2, 3], got: [2, 3]))
    XCTAssertEqual(
      shapeMismatch("add", "b", expected: [2, 3], got: [3, 2]),
      "add: expected b of shape [2, 3], got [3, 2]")
    XCTAssertEqual(
      shapeMismatch("multiply", "the output", expected: [4], got: [4, 1]),
      "multiply: expected the output of shape [4], got [4, 1]")
  }
}
