import LSTM
import Tensor
import TestSupport
import XCTest

final class OptimizerTests: XCTestCase {
  func store(_ values: [Double], _ grads: [Double]) -> ParameterStore<Double> {
    var s = ParameterStore<Double>(layout: [("w", [values.count])])
    s.values = Tensor(shape: [values.count], scalars: values)
    s.gradients = Tensor(shape: [grads.count], scalars: grads)
    return s
  }

  /// SGD with momentum 0.9, lr 0.1 (PyTorch): step 1 buf = g = 2 → p = 1 − 0.2 = 0.8;
  /// step 2 with g = 1: buf = 0.9·2 + 1 = 2.8 → p = 0.8 − 0.28 = 0.52.
  func testSGD_momentumMatchesPyTorchRule() {
    var s = store([1], [2])
    var sgd = SGDOptimizer<Double>(learningRate: 0.1, momentum: 0.9)
    sgd.update(&s)
    XCTAssertEqual(s.values.scalars[0], 0.8, accuracy: 1e-15)
    s.gradients = Tensor(shape: [1], scalars: [1])
    sgd.update(&s)
    XCTAssertEqual(s.values.scalars[0], 0.52, accuracy: 1e-15)
    XCTAssertEqual(sgd.momentumBuffer.scalars, [2.8])
  }

  /// AdamW (lr 0.1, λ 0.5): p ← p(1 − 0.05), then the first Adam step moves by lr·sign(g)
  /// (m̂ = g, v̂ = g², so m̂/(√v̂ + ε) ≈ ±1): 2·0.95 − 0.1 = 1.8.
  func testAdamW_decaysThenSteps() {
    var s = store([2], [3])
    var opt = AdamW<Double>(learningRate: 0.1, epsilon: 0, weightDecay: 0.5)
    opt.update(&s)
    XCTAssertEqual(s.values.scalars[0], 1.8, accuracy: 1e-12)
  }

  /// Clipping as torch: norm 5 (3, 4) clipped to 1 → coef = 1/(5 + 1e-6).
  func testClipping_globalNorm() {
    var s = store([0, 0], [3, 4])
    let norm = s.clipGradients(maxNorm: 1)
    XCTAssertEqual(norm, 5)
    XCTAssertEqual(s.gradients.scalars[0], 3 / (5 + 1e-6), accuracy: 1e-15)
    XCTAssertEqual(s.gradients.scalars[1], 4 / (5 + 1e-6), accuracy: 1e-15)
    var small = store([0], [0.5])
    small.clipGradients(maxNorm: 1)
    XCTAssertEqual(small.gradients.scalars, [0.5])
  }

  func testSchedules_constantCosinePlateau() {
    XCTAssertEqual(ConstantSchedule(rate: 0.3).learningRate(epoch: 7, validationLoss: nil), 0.3)
    let cosine = CosineSchedule(initial: 1, minimum: 0.1, epochs: 10)
    XCTAssertEqual(cosine.learningRate(epoch: 0, validationLoss: nil), 1)
    XCTAssertEqual(cosine.learningRate(epoch: 5, validationLoss: nil), 0.55, accuracy: 1e-15)
    XCTAssertEqual(cosine.learningRate(epoch: 10, validationLoss: nil), 0.1, accuracy: 1e-15)
    XCTAssertEqual(cosine.learningRate(epoch: 20, validationLoss: nil), 0.1, accuracy: 1e-15)
    // Patience 2: 1.0 and 0.9 improve; 0.95, 0.93 are bad epochs 1 and 2 (tolerated); 0.92 is
    // the third (> patience) and halves the rate, restarting the count.
    var plateau = ReduceOnPlateauSchedule(initial: 1, factor: 0.5, patience: 2)
    let rates = [1.0, 0.9, 0.95, 0.93, 0.92, 0.91, 0.5].map {
      plateau.learningRate(epoch: 0, validationLoss: $0)
    }
    XCTAssertEqual(rates, [1, 1, 1, 1, 0.5, 0.5, 0.5])
  }
}
