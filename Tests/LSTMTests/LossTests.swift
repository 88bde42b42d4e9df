import LSTM
import Tensor
import TestSupport
import XCTest

final class LossTests: XCTestCase {
  /// Random predictions and targets whose differences stay away from every kink (0 and ±δ).
  func data(_ b: Int, _ o: Int, targetColumns k: Int, seed: UInt64) -> (
    Tensor<Double>, Tensor<Double>
  ) {
    var rng = SeededGenerator(seed: seed)
    let y = (0..<(b * k)).map { _ in 2 * rng.nextUnitDouble() - 1 }
    var p = [Double](repeating: 0, count: b * o)
    for idx in p.indices {
      let ref = y[(idx / o) * k + (idx % o) * k / o]
      // |ŷ − y| in [0.2, 0.8] or [1.3, 2], sign random.
      let magnitude =
        rng.nextUnitDouble() < 0.5
        ? 0.2 + 0.6 * rng.nextUnitDouble() : 1.3 + 0.7 * rng.nextUnitDouble()
      p[idx] = ref + (rng.nextUnitDouble() < 0.5 ? magnitude : -magnitude)
    }
    return (Tensor(shape: [b, o], scalars: p), Tensor(shape: [b, k], scalars: y))
  }

  func checkGradient<L: LossFunction>(
    _ loss: L, outputs o: Int, file: StaticString = #filePath, line: UInt = #line
  )
  where L.Scalar == Double {
    let b = 3
    let (p, y) = data(b, o, targetColumns: loss.targetColumns(forOutputs: o), seed: 5)
    let analytic = loss.gradient(prediction: p, target: y).gradient.scalars
    let numeric = numericalGradient(of: p.scalars) {
      loss(prediction: Tensor(shape: p.shape, scalars: $0), target: y)
    }
    assertGradientsMatch(
      analytic, numeric, relativeTolerance: 1e-6, "\(L.self)", file: file, line: line)
  }

  func testGradients_everyLoss() {
    checkGradient(MSELoss<Double>(), outputs: 4)
    checkGradient(MAELoss<Double>(), outputs: 4)
    checkGradient(HuberLoss<Double>(delta: 1), outputs: 4)
    checkGradient(QuantileLoss<Double>(quantiles: [0.1, 0.5, 0.9]), outputs: 6)
  }

  /// Hand-computed values: prediction [[1, 2], [3, 4]], target [[1.5, 0], [3, 7]]; errors
  /// ŷ − y = [-0.5, 2, 0, -3].
  func testValues_handComputed() {
    let p = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
    let y = Tensor<Double>(shape: [2, 2], scalars: [1.5, 0, 3, 7])
    // MSE = (0.25 + 4 + 0 + 9) / 4
    XCTAssertEqual(MSELoss()(prediction: p, target: y), 13.25 / 4)
    // MAE = (0.5 + 2 + 0 + 3) / 4; gradient sign/4 with sign(0) = 0
    XCTAssertEqual(MAELoss()(prediction: p, target: y), 5.5 / 4)
    XCTAssertEqual(
      MAELoss().gradient(prediction: p, target: y).gradient.scalars, [-0.25, 0.25, 0, -0.25])
    // Huber δ = 1: 0.5·0.25 + (2 − 0.5) + 0 + (3 − 0.5) = 4.125, mean 1.03125
    XCTAssertEqual(HuberLoss(delta: 1)(prediction: p, target: y), 4.125 / 4)
    XCTAssertEqual(
      HuberLoss(delta: 1).gradient(prediction: p, target: y).gradient.scalars,
      [-0.125, 0.25, 0, -0.25])
  }

  /// Pinball: one sequence, K = 2 steps, Q = 2 quantiles (0.1, 0.9), columns (k0q0, k0q1, k1q0,
  /// k1q1) = [0, 2, 5, 5] against target [1, 4]: e = y − ŷ = [1, −1, −1, −1];
  /// losses 0.1·1, 0.1·1 (=(0.9−1)(−1)), 0.9·1 (=(0.1−1)(−1)), 0.1·1 → 1.2 / 4.
  func testQuantileLoss_layoutAndValue() {
    let loss = QuantileLoss<Double>(quantiles: [0.1, 0.9])
    let p = Tensor<Double>(shape: [1, 4], scalars: [0, 2, 5, 5])
    let y = Tensor<Double>(shape: [1, 2], scalars: [1, 4])
    XCTAssertEqual(loss(prediction: p, target: y), 1.2 / 4, accuracy: 1e-15)
    let g = loss.gradient(prediction: p, target: y).gradient.scalars
    // e > 0 → −q/n; e < 0 → (1 − q)/n
    XCTAssertEqual(g[0], -0.1 / 4, accuracy: 1e-15)
    XCTAssertEqual(g[1], 0.1 / 4, accuracy: 1e-15)
    XCTAssertEqual(g[2], 0.9 / 4, accuracy: 1e-15)
    XCTAssertEqual(g[3], 0.1 / 4, accuracy: 1e-15)
  }
}
