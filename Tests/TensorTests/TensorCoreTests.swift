import Tensor
import TestSupport
import XCTest

final class TensorCoreTests: XCTestCase {
  func testTensor_zerosAndRepeatingKeepTheirBits() {
    // Zeros are filled with memset: +0's all-zero bits, in both precisions, at every length
    // (a byte count off by one element would leave the last one unset).
    for count in [1, 7, 8, 9, 1000] {
      XCTAssertEqual(
        Tensor<Float>(zeros: [count]).scalars.map(\.bitPattern), Array(repeating: 0, count: count))
      XCTAssertEqual(
        Tensor<Double>(zeros: [count, 1]).scalars.map(\.bitPattern),
        Array(repeating: 0, count: count))
      let filled = Tensor<Double>(shape: [count]) { _ in }
      XCTAssertEqual(filled.scalars, Array(repeating: 0, count: count))
    }
    // -0 is not +0: its sign bit is kept.
    let negative = Tensor<Float>(repeating: -0.0, shape: [5])
    XCTAssertEqual(negative.scalars.map(\.bitPattern), Array(repeating: 0x8000_0000, count: 5))
    XCTAssertEqual(Tensor<Float>(repeating: 2.5, shape: [3]).scalars, [2.5, 2.5, 2.5])
  }

  func testTensor_copyIsASnapshot() {
    var a = Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3, 4])
    let snapshot = a
    a[0, 1] = 20
    a.scale(by: 2)
    a.add(Tensor(repeating: 1, shape: [2, 2]))
    XCTAssertEqual(snapshot.scalars, [1, 2, 3, 4])
    XCTAssertEqual(a.scalars, [3, 41, 7, 9])
    var b = snapshot
    var c = snapshot
    gemm(snapshot, snapshot, into: &b)  // writes into b's own copy
    c.withUnsafeMutableBufferPointer { $0[0] = -1 }
    XCTAssertEqual(snapshot.scalars, [1, 2, 3, 4])
    XCTAssertEqual(b.scalars, [7, 10, 15, 22])
    XCTAssertEqual(c.scalars, [-1, 2, 3, 4])
  }

  func testTensorView_isASnapshotWhenTheTensorChanges() {
    var a = Tensor<Double>(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
    let middle = a.rows(1..<2)
    a.fill(with: 0)
    XCTAssertEqual(middle.shape, [1, 2])
    XCTAssertEqual(middle.scalars, [3, 4])
    XCTAssertEqual(a.scalars, [0, 0, 0, 0, 0, 0])
  }

  func testTensorView_aliasingInputAndOutputStaysCorrect() {
    // gemm(a.view, b, into: &a): the view holds the old buffer, so `a` is copied before BLAS
    // writes it and the product reads the old values.
    var a = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
    let identityTimesTwo = Tensor<Double>(shape: [2, 2], scalars: [2, 0, 0, 2])
    gemm(a.view, identityTimesTwo, into: &a)
    XCTAssertEqual(a.scalars, [2, 4, 6, 8])
  }

  func testTensorView_slicesAndRows() {
    let x = Tensor<Float>(shape: [3, 2, 2], scalars: (0..<12).map(Float.init))
    XCTAssertEqual(x.slice(1).shape, [2, 2])
    XCTAssertEqual(x.slice(1).scalars, [4, 5, 6, 7])
    XCTAssertEqual(x.rows(1..<3).shape, [2, 2, 2])
    XCTAssertEqual(x.rows(2..<2).scalars, [])
    XCTAssertEqual(x.view.copied(), x)
    let m = Tensor<Float>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    XCTAssertEqual(m.slice(1).shape, [3])
    XCTAssertEqual(m.slice(1).scalars, [4, 5, 6])
  }

  func testTensorView_rowRangeMessagesSayExpectedAndGot() {
    let x = Tensor<Float>(zeros: [4, 3])
    XCTAssertNil(x.rowRangeViolation(0..<4, "Tensor.rows"))
    XCTAssertEqual(
      x.rowRangeViolation(2..<5, "Tensor.rows"),
      "Tensor.rows: expected rows within 0..<4 of [4, 3], got 2..<5")
    XCTAssertEqual(
      Tensor<Float>(zeros: []).rowRangeViolation(0..<1, "Tensor.slice"),
      "Tensor.slice: expected a tensor of rank ≥ 1, got shape []")
  }

  func testTensor_reshapedSharesAndSubscripts() {
    let x = Tensor<Double>(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let y = x.reshaped(to: [3, 2])
    XCTAssertEqual(y[2, 0], 5)
    XCTAssertEqual(y.scalars, x.scalars)
    XCTAssertEqual(x.count, 6)
  }
}
