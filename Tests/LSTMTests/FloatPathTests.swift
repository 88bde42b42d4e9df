import LSTM
import Tensor
import TestSupport
import XCTest

/// The Float fast paths (8-lane gate kernels with a scalar remainder, the register-tiled
/// recurrent product with its edges, the two-thread split of the batch) against the Double path
/// (C library exp/tanh, BLAS) on the same weights: 1e-4 relative to scale.
final class FloatPathTests: XCTestCase {
  func convert<A: BLASScalar, B: BLASScalar>(_ t: Tensor<A>, to _: B.Type) -> Tensor<B> {
    Tensor(shape: t.shape, scalars: t.scalars.map { B(Double($0)) })
  }

  func check(
    batch b: Int, hidden h: Int, layers n: Int = 2, length t: Int = 6,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    var rng = SeededGenerator(seed: 31)
    let (i, o) = (5, 3)
    let config = LSTMForecasterConfiguration(
      inputSize: i, hiddenSize: h, layerCount: n, outputSize: o)
    var double = LSTMForecaster<Double>(configuration: config, using: &rng)
    double.parameters.values = Tensor(
      shape: [double.parameters.count],
      scalars: (0..<double.parameters.count).map { _ in (2 * rng.nextUnitDouble() - 1) * 0.5 })
    var single = try LSTMForecaster<Float>(
      configuration: config,
      tensors: Dictionary(
        uniqueKeysWithValues: double.parameters.namedTensors.map {
          ($0.name, convert($0.tensor, to: Float.self))
        }))
    let x = Tensor<Double>(
      shape: [t, b, i], scalars: (0..<(t * b * i)).map { _ in rng.nextStandardNormal() })
    let y = Tensor<Double>(
      shape: [b, o], scalars: (0..<(b * o)).map { _ in rng.nextStandardNormal() })
    let h0 = Tensor<Double>(
      shape: [n, b, h], scalars: (0..<(n * b * h)).map { _ in 0.3 * rng.nextStandardNormal() })
    let c0 = Tensor<Double>(
      shape: [n, b, h], scalars: (0..<(n * b * h)).map { _ in 0.3 * rng.nextStandardNormal() })
    let label = "B \(b) H \(h)"
    assertCloseToScale(
      single.predict(convert(x, to: Float.self)).doubles, double.predict(x).doubles,
      tolerance: 1e-4,
      "\(label) prediction", file: file, line: line)
    let rd = double.computeGradientsReturningInputs(
      input: x, target: y, loss: MSELoss(), initialState: LSTMState(hidden: h0, cell: c0))
    let rs = single.computeGradientsReturningInputs(
      input: convert(x, to: Float.self), target: convert(y, to: Float.self), loss: MSELoss(),
      initialState: LSTMState(
        hidden: convert(h0, to: Float.self), cell: convert(c0, to: Float.self)))
    assertCloseToScale(
      [Double(rs.loss)], [rd.loss], tolerance: 1e-5, "\(label) loss", file: file, line: line)
    for entry in double.parameters.entries {
      assertCloseToScale(
        single.parameters.gradient(named: entry.name).doubles,
        double.parameters.gradient(named: entry.name).scalars, tolerance: 1e-4,
        "\(label) d\(entry.name)",
        file: file, line: line)
    }
    let (dxs, dxd) = (try XCTUnwrap(rs.dInput), try XCTUnwrap(rd.dInput))
    assertCloseToScale(
      dxs.doubles, dxd.scalars, tolerance: 1e-4, "\(label) dInput", file: file, line: line)
    let (dss, dsd) = (try XCTUnwrap(rs.dInitialState), try XCTUnwrap(rd.dInitialState))
    assertCloseToScale(
      dss.hidden.doubles, dsd.hidden.scalars, tolerance: 1e-4, "\(label) dh0", file: file,
      line: line)
    assertCloseToScale(
      dss.cell.doubles, dsd.cell.scalars, tolerance: 1e-4, "\(label) dc0", file: file, line: line)
  }

  /// H = 20: full vectors and a 4-wide remainder with 8 or 16 lanes; 4H = 80: full tiles (16 or
  /// 32 wide) and edge columns; B = 18: two chunks of 12 + 6 rows, the second with 2 edge rows.
  func testFloatMatchesDouble_vectorAndRemainderPaths() throws { try check(batch: 18, hidden: 20) }

  /// H = 16, B = 32: four chunks of 8 rows, every row and column in full tiles and vectors.
  func testFloatMatchesDouble_fullTiles() throws { try check(batch: 32, hidden: 16) }

  /// H = 32: layer 1's dX = dZ · W_ih (I = H = 32) also goes through the tiled kernel.
  func testFloatMatchesDouble_wideLayerInput() throws { try check(batch: 8, hidden: 32) }

  /// H = 132: 4H = 528 > 512 takes the row-block / L1-panel loop order, with 16 edge columns.
  func testFloatMatchesDouble_wideGates() throws {
    try check(batch: 12, hidden: 132, layers: 1, length: 2)
  }

  /// H = 136 at B = 120, above the small-product limit (B·4H·H = 8.9M): on the AVX2 and AVX-512
  /// paths the forward steps take the step kernel anyway, two chunks of 60 rows; the backward
  /// products go to OpenBLAS.
  func testFloatMatchesDouble_largeStepKernel() throws {
    try check(batch: 120, hidden: 136, layers: 1, length: 2)
  }

  /// The fast exp behind Float sigmoid and tanh, over the range the gates see.
  func testFastGateFunctions_accuracy() throws {
    var rng = SeededGenerator(seed: 1)
    let x = Tensor<Float>(
      shape: [64, 1, 1], scalars: (0..<64).map { _ in Float(20 * rng.nextUnitDouble() - 10) })
    // A 1-unit LSTM with only the input weights: through predict the gate math is exercised
    // end to end; its value agrees with Double to the 1e-4 budget (checked above). Here: exp
    // limits do not overflow for large inputs.
    var model = LSTMForecaster<Float>(
      configuration: LSTMForecasterConfiguration(
        inputSize: 1, hiddenSize: 8, layerCount: 1, outputSize: 1),
      using: &rng)
    model.parameters["lstm.weight_ih_l0"] = Tensor(repeating: 100, shape: [32, 1])
    XCTAssertTrue(model.predict(x).scalars.allSatisfy(\.isFinite))
  }
}
