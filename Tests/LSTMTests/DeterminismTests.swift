import Foundation
import LSTM
import Tensor
import TestSupport
import XCTest

final class DeterminismTests: XCTestCase {
  static func train(seed: UInt64) -> LSTMForecaster<Float> {
    var rng = SeededGenerator(seed: seed)
    var model = LSTMForecaster<Float>(
      configuration: LSTMForecasterConfiguration(
        inputSize: 3, hiddenSize: 8, layerCount: 2, outputSize: 6, dropout: 0.2),
      using: &rng)
    let x = Tensor<Float>(
      shape: [5, 4, 3], scalars: (0..<60).map { _ in Float(rng.nextUnitDouble()) })
    let y = Tensor<Float>(shape: [4, 2], scalars: (0..<8).map { _ in Float(rng.nextUnitDouble()) })
    var adam = AdamOptimizer<Float>(learningRate: 0.01)
    let loss = QuantileLoss<Float>(quantiles: [0.1, 0.5, 0.9])
    for _ in 0..<5 {
      model.trainStep(input: x, target: y, loss: loss, optimizer: &adam, clipNorm: 1)
    }
    return model
  }

  func testSameSeed_bitIdenticalWeights() {
    let a = Self.train(seed: 77)
    let b = Self.train(seed: 77)
    XCTAssertEqual(a.parameters.values, b.parameters.values)
    XCTAssertNotEqual(a.parameters.values, Self.train(seed: 78).parameters.values)
  }

  /// Two models training at once on two threads (sharing the time-loop helper thread) give
  /// the same weights as one after the other.
  func testConcurrentTraining_sameWeightsAsSequential() {
    let sequential = [
      Self.train(seed: 77).parameters.values, Self.train(seed: 78).parameters.values,
    ]
    final class Results: @unchecked Sendable {
      let lock = NSLock()
      var values: [Tensor<Float>?] = [nil, nil]
    }
    let results = Results()
    DispatchQueue.concurrentPerform(iterations: 2) { k in
      let weights = Self.train(seed: 77 + UInt64(k)).parameters.values
      results.lock.lock()
      results.values[k] = weights
      results.lock.unlock()
    }
    XCTAssertEqual(results.values[0], sequential[0])
    XCTAssertEqual(results.values[1], sequential[1])
  }

  /// Training changes the weights and lowers the loss on a fixed batch.
  func testTraining_lowersLoss() {
    var rng = SeededGenerator(seed: 3)
    var model = LSTMForecaster<Float>(
      configuration: LSTMForecasterConfiguration(
        inputSize: 2, hiddenSize: 6, layerCount: 1, outputSize: 2),
      using: &rng)
    let x = Tensor<Float>(
      shape: [4, 8, 2], scalars: (0..<64).map { _ in Float(rng.nextUnitDouble()) })
    let y = Tensor<Float>(
      shape: [8, 2], scalars: (0..<16).map { _ in Float(rng.nextUnitDouble()) })
    var adam = AdamOptimizer<Float>(learningRate: 0.02)
    let first = model.trainStep(
      input: x, target: y, loss: MSELoss(), optimizer: &adam, clipNorm: nil)
    for _ in 0..<60 {
      model.trainStep(input: x, target: y, loss: MSELoss(), optimizer: &adam, clipNorm: nil)
    }
    let last = model.loss(input: x, target: y, loss: MSELoss())
    XCTAssertLessThan(last, first / 4)
  }

  /// The initialisation of docs/lstm.md: W_hh has orthonormal columns, the forget-gate b_ih block is 1,
  /// every other bias 0, W_ih within the Glorot limit.
  func testInitialisation_followsDesign() {
    var rng = SeededGenerator(seed: 5)
    let model = LSTMForecaster<Double>(
      configuration: LSTMForecasterConfiguration(
        inputSize: 3, hiddenSize: 4, layerCount: 1, outputSize: 2),
      using: &rng)
    let w = model.parameters["lstm.weight_hh_l0"]  // [16, 4]
    for a in 0..<4 {
      for b in 0..<4 {
        var dot = 0.0
        for r in 0..<16 { dot += w[r, a] * w[r, b] }
        XCTAssertEqual(dot, a == b ? 1 : 0, accuracy: 1e-12)
      }
    }
    XCTAssertEqual(
      model.parameters["lstm.bias_ih_l0"].scalars,
      [0, 0, 0, 0, 1, 1, 1, 1] + [Double](repeating: 0, count: 8))
    XCTAssertEqual(model.parameters["lstm.bias_hh_l0"].scalars, [Double](repeating: 0, count: 16))
    let limit = (6.0 / (3 + 16)).squareRoot()
    XCTAssertTrue(model.parameters["lstm.weight_ih_l0"].scalars.allSatisfy { abs($0) <= limit })
    XCTAssertEqual(model.parameters["head.bias"].scalars, [0, 0])
  }
}
