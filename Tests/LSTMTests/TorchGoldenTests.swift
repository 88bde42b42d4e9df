import LSTM
import Tensor
import TestSupport
import XCTest

/// Forward, backward and Adam steps against PyTorch 2.13 float64 (Fixtures/README.md): 1e-9 in
/// Double and 1e-4 in Float, relative to scale.
final class TorchGoldenTests: XCTestCase {
  func tolerance<S: BLASScalar>(_: S.Type) -> Double { S.self == Double.self ? 1e-9 : 1e-4 }

  func checkForwardAndGradients<S: BLASScalar>(_: S.Type) throws {
    let fixture = try TorchFixture("golden_small.json")
    var model = try fixture.forecaster(S.self)
    let x: Tensor<S> = fixture.input(S.self)
    let y: Tensor<S> = fixture.target(S.self)
    let tol = tolerance(S.self)
    // Forward: every top-layer h_t, the final states, the prediction.
    let (output, final) = model.stack.inference(
      x, parameters: model.parameters, workspace: LSTMWorkspace())
    assertCloseToScale(
      TorchFixture.timeMajorToBatchFirst(output), fixture.values("output"), tolerance: tol, "output"
    )
    assertCloseToScale(final.hidden.doubles, fixture.values("h_n"), tolerance: tol, "h_n")
    assertCloseToScale(final.cell.doubles, fixture.values("c_n"), tolerance: tol, "c_n")
    assertCloseToScale(
      model.predict(x).doubles, fixture.values("prediction"), tolerance: tol, "prediction")
    // The training forward gives the same output and final state.
    var rng = SeededGenerator(seed: 3)
    let trained = model.stack.forward(
      x, parameters: model.parameters, workspace: LSTMWorkspace(), using: &rng)
    assertCloseToScale(trained.output.doubles, output.doubles, tolerance: tol, "training output")
    assertCloseToScale(
      trained.finalState.cell.doubles, fixture.values("c_n"), tolerance: tol, "training c_n")
    // Loss and every gradient.
    let r = model.computeGradientsReturningInputs(input: x, target: y, loss: MSELoss())
    assertCloseToScale([Double(r.loss)], fixture.values("loss"), tolerance: tol, "loss")
    for entry in model.parameters.entries {
      assertCloseToScale(
        model.parameters.gradient(named: entry.name).doubles,
        fixture.values("grad", TorchFixture.torchName(entry.name)), tolerance: tol,
        "grad \(entry.name)")
    }
    let dx = try XCTUnwrap(r.dInput)
    assertCloseToScale(
      TorchFixture.timeMajorToBatchFirst(dx), fixture.values("grad_x"), tolerance: tol, "grad_x")
  }

  func testForwardAndGradients_Double() throws { try checkForwardAndGradients(Double.self) }
  func testForwardAndGradients_Float() throws { try checkForwardAndGradients(Float.self) }

  func checkStateful<S: BLASScalar>(_: S.Type) throws {
    let fixture = try TorchFixture("golden_stateful.json")
    var model = try fixture.forecaster(S.self)
    let x: Tensor<S> = fixture.input(S.self)
    let y: Tensor<S> = fixture.target(S.self)
    let tol = tolerance(S.self)
    let shape: TensorShape = [2, 3, 4]
    let state = LSTMState<S>(
      hidden: Tensor(shape: shape, scalars: fixture.values("h0").map { S($0) }),
      cell: Tensor(shape: shape, scalars: fixture.values("c0").map { S($0) }))
    let (output, final) = model.stack.inference(
      x, initialState: state, parameters: model.parameters, workspace: LSTMWorkspace())
    assertCloseToScale(
      TorchFixture.timeMajorToBatchFirst(output), fixture.values("output"), tolerance: tol, "output"
    )
    assertCloseToScale(final.hidden.doubles, fixture.values("h_n"), tolerance: tol, "h_n")
    assertCloseToScale(final.cell.doubles, fixture.values("c_n"), tolerance: tol, "c_n")
    let r = model.computeGradientsReturningInputs(
      input: x, target: y, loss: MSELoss(), initialState: state)
    assertCloseToScale([Double(r.loss)], fixture.values("loss"), tolerance: tol, "loss")
    for entry in model.parameters.entries {
      assertCloseToScale(
        model.parameters.gradient(named: entry.name).doubles,
        fixture.values("grad", TorchFixture.torchName(entry.name)), tolerance: tol,
        "grad \(entry.name)")
    }
    let dState = try XCTUnwrap(r.dInitialState)
    assertCloseToScale(dState.hidden.doubles, fixture.values("grad_h0"), tolerance: tol, "grad_h0")
    assertCloseToScale(dState.cell.doubles, fixture.values("grad_c0"), tolerance: tol, "grad_c0")
    assertCloseToScale(
      TorchFixture.timeMajorToBatchFirst(try XCTUnwrap(r.dInput)), fixture.values("grad_x"),
      tolerance: tol, "grad_x")
  }

  func testInitialStateGradients_Double() throws { try checkStateful(Double.self) }
  func testInitialStateGradients_Float() throws { try checkStateful(Float.self) }

  func checkAdam<S: BLASScalar>(_: S.Type, run: String, clip: Bool) throws {
    let fixture = try TorchFixture("golden_adam.json")
    var model = try fixture.forecaster(S.self)
    let x: Tensor<S> = fixture.input(S.self)
    let y: Tensor<S> = fixture.target(S.self)
    let tol = tolerance(S.self)
    var adam = AdamOptimizer<S>(learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
    let losses = fixture.values(run, "loss_before_step")
    let norms = fixture.values(run, "grad_norm_before_clip")
    for step in 1...3 {
      let loss = model.computeGradients(input: x, target: y, loss: MSELoss())
      assertCloseToScale(
        [Double(loss)], [losses[step - 1]], tolerance: tol, "\(run) loss at step \(step)")
      if clip {
        let norm = model.parameters.clipGradients(maxNorm: 0.5)
        assertCloseToScale([norm], [norms[step - 1]], tolerance: tol, "\(run) norm at step \(step)")
      }
      if step == 1 {
        for entry in model.parameters.entries {
          let key = clip ? "grad_clipped" : "grad"
          assertCloseToScale(
            model.parameters.gradient(named: entry.name).doubles,
            fixture.values(run, "steps", "1", key, TorchFixture.torchName(entry.name)),
            tolerance: tol, "\(run) step 1 \(key) \(entry.name)")
        }
      }
      adam.update(&model.parameters)
      if step == 1 || step == 3 {
        let s = String(step)
        var moments = ParameterStore<S>(layout: model.parameterLayout)
        moments.values = adam.firstMoment
        moments.gradients = adam.secondMoment
        for entry in model.parameters.entries {
          let torch = TorchFixture.torchName(entry.name)
          assertCloseToScale(
            model.parameters[entry.name].doubles, fixture.values(run, "steps", s, "params", torch),
            tolerance: tol, "\(run) step \(s) params \(entry.name)")
          assertCloseToScale(
            moments[entry.name].doubles, fixture.values(run, "steps", s, "exp_avg", torch),
            tolerance: tol, "\(run) step \(s) exp_avg \(entry.name)")
          assertCloseToScale(
            moments.gradient(named: entry.name).doubles,
            fixture.values(run, "steps", s, "exp_avg_sq", torch),
            tolerance: tol, "\(run) step \(s) exp_avg_sq \(entry.name)")
        }
      }
    }
    let after = model.loss(input: x, target: y, loss: MSELoss())
    assertCloseToScale(
      [Double(after)], fixture.values(run, "loss_after_last_step"), tolerance: tol,
      "\(run) final loss")
  }

  func testAdamSteps_Double() throws { try checkAdam(Double.self, run: "adam", clip: false) }
  func testAdamSteps_Float() throws { try checkAdam(Float.self, run: "adam", clip: false) }
  func testAdamStepsWithClipping_Double() throws {
    try checkAdam(Double.self, run: "adam_clip", clip: true)
  }
  func testAdamStepsWithClipping_Float() throws {
    try checkAdam(Float.self, run: "adam_clip", clip: true)
  }
}
