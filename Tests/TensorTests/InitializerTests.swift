import Tensor
import TestSupport
import XCTest

final class InitializerTests: XCTestCase {
  /// Square, tall (rows > cols: orthonormal columns, as W_hh [4H, H]) and wide (orthonormal
  /// rows) shapes, including 1×1 and single rows and columns.
  static let shapes: [TensorShape] = [
    [1, 1], [6, 6], [32, 32], [40, 10], [9, 1], [7, 19], [1, 5], [512, 128], [128, 512],
  ]

  func checkOrthogonal<S: BLASScalar>(_: S.Type, tolerance: Double) {
    var rng = SeededGenerator(seed: 71)
    for shape in Self.shapes {
      let w = Tensor<S>.orthogonal(shape: shape, using: &rng)
      XCTAssertEqual(w.shape, shape)
      let (rows, columns) = (shape[0], shape[1])
      // rows ≥ cols: WᵀW = I_cols; rows < cols: WWᵀ = I_rows.
      let gram =
        rows >= columns
        ? w.matmul(w, transposeSelf: true) : w.matmul(w, transposeOther: true)
      let size = min(rows, columns)
      let identity = Tensor<S>(shape: [size, size]) { buffer in
        for i in 0..<size { buffer[i * size + i] = 1 }
      }
      assertClose(gram, identity, relativeTolerance: 0, absoluteTolerance: tolerance, "\(shape)")
    }
  }

  func testOrthogonal_Float() { checkOrthogonal(Float.self, tolerance: 1e-5) }
  func testOrthogonal_Double() { checkOrthogonal(Double.self, tolerance: 1e-13) }

  func testOrthogonal_isTheSignCorrectedQOfTheSeededNormalMatrix() {
    // Keras: A = normal([r, c]); A = QR; Q ⊙ sign(diag(R)). Then R = QᵀA has a positive diagonal
    // and A = Q·R, so Q is determined by A and the seed.
    let shape: TensorShape = [8, 5]
    var rng = SeededGenerator(seed: 72)
    let q = Tensor<Double>.orthogonal(shape: shape, using: &rng)
    var same = SeededGenerator(seed: 72)
    let a = Tensor<Double>.randomNormal(shape: shape, using: &same)
    let r = q.matmul(a, transposeSelf: true)  // [5, 5]
    for i in 0..<5 {
      XCTAssertGreaterThan(r[i, i], 0, "diag(R)[\(i)]")
      for j in 0..<i { XCTAssertEqual(r[i, j], 0, accuracy: 1e-12, "R[\(i), \(j)] below diagonal") }
    }
    assertClose(q.matmul(r), a, relativeTolerance: 1e-12, absoluteTolerance: 1e-12)
    // Wide: W = Qᵀ of the QR of the [c, r] normal matrix.
    var wideRng = SeededGenerator(seed: 72)
    let wide = Tensor<Double>.orthogonal(shape: [5, 8], using: &wideRng)
    let wideT = Tensor(shape: [8, 5], scalars: (0..<40).map { wide[$0 % 5, $0 / 5] })
    assertClose(wideT, q, relativeTolerance: 0, absoluteTolerance: 1e-15)
    // Deterministic across runs.
    var again = SeededGenerator(seed: 72)
    XCTAssertEqual(Tensor<Double>.orthogonal(shape: shape, using: &again), q)
  }

  func checkGlorotUniform<S: BLASScalar>(_: S.Type) {
    // [fanOut, fanIn] = [64, 16]: l = √(6 / 80) = 0.27386…; draws as randomUniform(−l...l).
    var rng = SeededGenerator(seed: 73)
    let w = Tensor<S>.glorotUniform(shape: [64, 16], using: &rng)
    let limit = (6.0 / 80).squareRoot()
    var same = SeededGenerator(seed: 73)
    XCTAssertEqual(
      w, Tensor<S>.randomUniform(shape: [64, 16], in: S(-limit)...S(limit), using: &same))
    let magnitudes = w.scalars.map { abs(Double($0)) }
    XCTAssertLessThanOrEqual(magnitudes.max() ?? 0, limit * (1 + 1e-7))
    XCTAssertGreaterThan(magnitudes.max() ?? 0, 0.9 * limit)
  }

  func testGlorotUniform_Float() { checkGlorotUniform(Float.self) }
  func testGlorotUniform_Double() { checkGlorotUniform(Double.self) }
}
