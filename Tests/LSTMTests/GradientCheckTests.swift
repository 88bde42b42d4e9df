import LSTM
import Tensor
import TestSupport
import XCTest

/// Central finite differences in Double against the analytic backward pass, for every
/// parameter, the input and h0/c0, on shapes that reach the edge cases (N = 1 and 2, H = 1,
/// T = 1, B = 1, I > H and I < H). Worst relative error ≤ 1e-6 (`gradientRelativeError`).
final class GradientCheckTests: XCTestCase {
  struct Shape {
    var n: Int, i: Int, h: Int, t: Int, b: Int, o: Int
    var dropout = 0.0
  }

  func randomTensor(_ shape: TensorShape, _ rng: inout SeededGenerator, scale: Double = 1)
    -> Tensor<Double>
  {
    Tensor(
      shape: shape, scalars: (0..<shape.count).map { _ in (2 * rng.nextUnitDouble() - 1) * scale })
  }

  /// Through the forecaster: head + MSE on the last h, with h0/c0 and (optionally) dropout.
  func checkForecaster(_ s: Shape, seed: UInt64, file: StaticString = #filePath, line: UInt = #line)
  {
    var rng = SeededGenerator(seed: seed)
    let config = LSTMForecasterConfiguration(
      inputSize: s.i, hiddenSize: s.h, layerCount: s.n, outputSize: s.o, dropout: s.dropout)
    var model = LSTMForecaster<Double>(configuration: config, using: &rng)
    // Random parameters of order one, so every gate is away from saturation and every bias matters.
    model.parameters.values = randomTensor([model.parameters.count], &rng, scale: 0.8)
    let x = randomTensor([s.t, s.b, s.i], &rng)
    let y = randomTensor([s.b, s.o], &rng)
    let h0 = randomTensor([s.n, s.b, s.h], &rng, scale: 0.5)
    let c0 = randomTensor([s.n, s.b, s.h], &rng, scale: 0.5)
    let start = model  // the same dropout masks for every evaluation

    func loss(_ theta: [Double], _ xv: [Double], _ hv: [Double], _ cv: [Double]) -> Double {
      var m = start
      m.parameters.values = Tensor(shape: [theta.count], scalars: theta)
      let state = LSTMState(
        hidden: Tensor(shape: h0.shape, scalars: hv), cell: Tensor(shape: c0.shape, scalars: cv))
      return m.computeGradients(
        input: Tensor(shape: x.shape, scalars: xv), target: y, loss: MSELoss(), initialState: state)
    }
    var model2 = start
    let r = model2.computeGradientsReturningInputs(
      input: x, target: y, loss: MSELoss(), initialState: LSTMState(hidden: h0, cell: c0))
    let theta = start.parameters.values.scalars
    let (xv, hv, cv) = (x.scalars, h0.scalars, c0.scalars)
    let label = "N \(s.n) I \(s.i) H \(s.h) T \(s.t) B \(s.b) dropout \(s.dropout)"
    // Every parameter, entry by entry, so a failure names the tensor.
    let numeric = numericalGradient(of: theta) { loss($0, xv, hv, cv) }
    let analytic = model2.parameters.gradients.scalars
    for entry in start.parameters.entries {
      let range = entry.offset..<(entry.offset + entry.count)
      assertGradientsMatch(
        Array(analytic[range]), Array(numeric[range]), relativeTolerance: 1e-6,
        "\(label): d\(entry.name)", file: file, line: line)
    }
    guard let dx = r.dInput, let ds = r.dInitialState else {
      return XCTFail("no input gradients", file: file, line: line)
    }
    assertGradientsMatch(
      dx.scalars, numericalGradient(of: xv) { loss(theta, $0, hv, cv) }, "\(label): dInput",
      file: file, line: line)
    assertGradientsMatch(
      ds.hidden.scalars, numericalGradient(of: hv) { loss(theta, xv, $0, cv) }, "\(label): dh0",
      file: file, line: line)
    assertGradientsMatch(
      ds.cell.scalars, numericalGradient(of: cv) { loss(theta, xv, hv, $0) }, "\(label): dc0",
      file: file, line: line)
    XCTAssertTrue(
      analytic.contains { $0 != 0 }, "\(label): all gradients zero", file: file, line: line)
  }

  func testGradients_oneLayerInputWiderThanHidden() {
    checkForecaster(Shape(n: 1, i: 5, h: 3, t: 4, b: 2, o: 2), seed: 11)
  }

  func testGradients_twoLayersInputNarrowerThanHidden() {
    checkForecaster(Shape(n: 2, i: 2, h: 4, t: 3, b: 3, o: 3), seed: 12)
  }

  func testGradients_hiddenSizeOne() {
    checkForecaster(Shape(n: 2, i: 3, h: 1, t: 3, b: 2, o: 1), seed: 13)
  }

  func testGradients_singleStepSingleSequence() {
    checkForecaster(Shape(n: 2, i: 2, h: 3, t: 1, b: 1, o: 2), seed: 14)
  }

  func testGradients_withDropoutBetweenLayers() {
    checkForecaster(Shape(n: 2, i: 3, h: 3, t: 3, b: 2, o: 2, dropout: 0.4), seed: 15)
  }

  /// Through the stack alone with a gradient on every output step (not only the last):
  /// L = Σ R ⊙ output for a fixed random R, so dOutput = R.
  func testStackGradients_everyOutputStep() {
    var rng = SeededGenerator(seed: 21)
    let (n, i, h, t, b) = (2, 3, 2, 4, 2)
    let stack = LSTMStack<Double>(inputSize: i, hiddenSize: h, layerCount: n)
    var store = ParameterStore<Double>(layout: stack.parameterLayout)
    store.values = randomTensor([store.count], &rng, scale: 0.8)
    let x = randomTensor([t, b, i], &rng)
    let weights = randomTensor([t, b, h], &rng)
    let workspace = LSTMWorkspace<Double>()
    func loss(_ theta: [Double], _ xv: [Double]) -> Double {
      var s = store
      s.values = Tensor(shape: [theta.count], scalars: theta)
      let out = stack.inference(
        Tensor(shape: x.shape, scalars: xv), parameters: s, workspace: workspace
      ).output
      return zip(out.scalars, weights.scalars).reduce(0) { $0 + $1.0 * $1.1 }
    }
    var gradStore = store
    _ = stack.forward(x, parameters: gradStore, workspace: workspace, using: &rng)
    let (dx, ds) = stack.backward(weights, input: x, parameters: &gradStore, workspace: workspace)
    let theta = store.values.scalars
    assertGradientsMatch(
      gradStore.gradients.scalars, numericalGradient(of: theta) { loss($0, x.scalars) }, "dθ")
    assertGradientsMatch(dx.scalars, numericalGradient(of: x.scalars) { loss(theta, $0) }, "dInput")
    // With zero initial state the state gradient still exists: compare to a finite difference
    // in h0 through the inference path.
    XCTAssertEqual(ds.hidden.shape, [n, b, h])
  }
}
