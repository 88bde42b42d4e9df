import Tensor
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class ActivationTests: XCTestCase {
  func checkActivations<S: BLASScalar>(_: S.Type) {
    var rng = SeededGenerator(seed: 41)
    for shape: TensorShape in [[1], [1, 1], [5, 9], [2, 3, 4]] {
      let x = Tensor<S>.randomUniform(shape: shape, in: -12...12, using: &rng)
      var y = Tensor<S>(zeros: shape)
      sigmoid(x, into: &y)
      let exactSigmoid = NaiveReference.map(x) { 1 / (1 + Glibc.exp(-$0)) }
      assertClose(y, exactSigmoid, relativeTolerance: 4 * S.ulpOfOne.double)
      XCTAssertEqual(x.sigmoid(), y)
      var t = Tensor<S>(zeros: shape)
      tanh(x, into: &t)
      assertClose(
        t, NaiveReference.map(x) { Glibc.tanh($0) }, relativeTolerance: 4 * S.ulpOfOne.double)
      XCTAssertEqual(x.tanh(), t)

      // Derivatives from the outputs, against the closed forms in Double.
      var d = Tensor<S>(zeros: shape)
      sigmoidDerivative(output: y, into: &d)
      assertClose(
        d, NaiveReference.map(y) { $0 * (1 - $0) }, relativeTolerance: 4 * S.ulpOfOne.double,
        absoluteTolerance: S.ulpOfOne.double)
      tanhDerivative(output: t, into: &d)
      assertClose(
        d, NaiveReference.map(t) { 1 - $0 * $0 }, relativeTolerance: 4 * S.ulpOfOne.double,
        absoluteTolerance: S.ulpOfOne.double)
      let dy = Tensor<S>.randomUniform(shape: shape, in: -1...1, using: &rng)
      sigmoidBackward(output: y, gradient: dy, into: &d)
      assertClose(
        d, NaiveReference.zip(y, dy) { $1 * $0 * (1 - $0) },
        relativeTolerance: 8 * S.ulpOfOne.double,
        absoluteTolerance: S.ulpOfOne.double)
      tanhBackward(output: t, gradient: dy, into: &d)
      assertClose(
        d, NaiveReference.zip(t, dy) { $1 * (1 - $0 * $0) },
        relativeTolerance: 8 * S.ulpOfOne.double,
        absoluteTolerance: S.ulpOfOne.double)
    }
  }

  func testActivations_Float() { checkActivations(Float.self) }
  func testActivations_Double() { checkActivations(Double.self) }

  func testFloatKernels_accurateOverTheWholeRange() {
    // A dense sweep of x in [−110, 110] (Float's vectorised kernels) against the Double C
    // library: within 3 ulps of the correctly rounded value where that is a normal number, and
    // within one subnormal step (2^−149) where it is subnormal (σ(x) for x < −87.3).
    let xs = (0..<110_001).map { Float(-110 + Double($0) * 0.002) } + [0, -0.0, 1e-30, -1e-30]
    let x = Tensor<Float>(shape: [xs.count], scalars: xs)
    for (name, actual, exact) in [
      ("sigmoid", x.sigmoid(), { (v: Double) in 1 / (1 + Glibc.exp(-v)) }),
      ("tanh", x.tanh(), { (v: Double) in Glibc.tanh(v) }),
    ] as [(String, Tensor<Float>, (Double) -> Double)] {
      var worstUlps = 0.0
      var worstSubnormal = 0.0
      for (i, v) in xs.enumerated() {
        let expected = exact(Double(v))
        let error = abs(Double(actual[i]) - expected)
        if abs(expected) >= Double(Float.leastNormalMagnitude) {
          worstUlps = max(worstUlps, error / Double(Float(expected).ulp))
        } else {
          worstSubnormal = max(worstSubnormal, error / Double(Float.leastNonzeroMagnitude))
        }
      }
      XCTAssertLessThanOrEqual(worstUlps, 3, name)
      XCTAssertLessThanOrEqual(worstSubnormal, 1, name)
    }
    // Signs and NaN.
    let special = Tensor<Float>(shape: [4], scalars: [-0.0, .nan, .infinity, -.infinity])
    XCTAssertEqual(special.tanh()[0].sign, .minus)
    XCTAssertTrue(special.tanh()[1].isNaN)
    XCTAssertTrue(special.sigmoid()[1].isNaN)
    XCTAssertEqual(Array(special.tanh().scalars[2...]), [1, -1])
    XCTAssertEqual(Array(special.sigmoid().scalars[2...]), [1, 0])
  }

  func testActivations_derivativesMatchFiniteDifferences() {
    // Central differences in Double: (f(x+h) − f(x−h)) / 2h has truncation error O(h²) ≈ 1e-10
    // and rounding error ≈ ε / h ≈ 1e-11, hence an absolute tolerance of 1e-10.
    let h = 1e-5
    for x in [-6.0, -1.5, -0.1, 0, 0.3, 2, 7] {
      let ys = Tensor<Double>(shape: [3], scalars: [x - h, x, x + h]).sigmoid().scalars
      var d = Tensor<Double>(zeros: [1])
      sigmoidDerivative(output: Tensor(shape: [1], scalars: [ys[1]]), into: &d)
      assertClose(
        d[0], (ys[2] - ys[0]) / (2 * h), relativeTolerance: 1e-8, absoluteTolerance: 1e-10)
      let ts = Tensor<Double>(shape: [3], scalars: [x - h, x, x + h]).tanh().scalars
      tanhDerivative(output: Tensor(shape: [1], scalars: [ts[1]]), into: &d)
      assertClose(
        d[0], (ts[2] - ts[0]) / (2 * h), relativeTolerance: 1e-8, absoluteTolerance: 1e-10)
    }
  }

  func testSigmoid_stableForLargeMagnitudes() {
    // σ(−100) = e^(−100) / (1 + e^(−100)) ≈ e^(−100) = 3.720075976020836e-44: subnormal in Float,
    // where the naive 1 / (1 + e^100) overflows to 1/∞ = 0.
    assertClose(sigmoid(-100.0), 3.720075976020836e-44, relativeTolerance: 1e-15)
    assertClose(sigmoid(Float(-100)), Float(3.720075976020836e-44), relativeTolerance: 0.02)
    XCTAssertGreaterThan(sigmoid(Float(-100)), 0)
    // σ(−800) underflows to exactly 0 in Double; σ(±∞) and large positive x saturate at 1 or 0.
    XCTAssertEqual(sigmoid(-800.0), 0)
    XCTAssertEqual(sigmoid(Float(100)), 1)
    XCTAssertEqual(sigmoid(Double.infinity), 1)
    XCTAssertEqual(sigmoid(-Double.infinity), 0)
    XCTAssertEqual(sigmoid(Float(0)), 0.5)
    XCTAssertTrue(sigmoid(Double.nan).isNaN)
    // Symmetry σ(−x) = 1 − σ(x), up to the rounding of 1 − σ(x) (half an ulp of 1).
    for x in [0.25, 1.0, 3.0] {
      assertClose(sigmoid(-x), 1 - sigmoid(x), relativeTolerance: 0, absoluteTolerance: 2e-16)
    }
    let big = Tensor<Float>(shape: [4], scalars: [-1000, -90, 90, 1000]).tanh()
    XCTAssertEqual(big.scalars, [-1, -1, 1, 1])
  }

  func testActivations_mismatchMessageSaysExpectedAndGot() {
    XCTAssertEqual(
      shapeMismatch("sigmoid", "the output", expected: [2, 3], got: [6]),
      "sigmoid: expected the output of shape [2, 3], got [6]")
  }
}

extension BinaryFloatingPoint {
  var double: Double { Double(self) }
}
