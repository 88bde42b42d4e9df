import Tensor
import TestSupport
import XCTest

final class RandomTests: XCTestCase {
  // The golden values come from an independent Python implementation of SplitMix64 seeding,
  // xoshiro256** and the Box–Muller transform. Python's math.log/cos are glibc's, whose last bit
  // depends on the CPU; ours are `PortableMath`'s (the same bits on every machine), within 2 ulp
  // of Python's: the normals are checked against both.
  let pythonNormals = [
    -0.303263064678738, 1.3438117634372806, 0.3834617912676943, 0.9369624250258953,
  ]
  let normals = [-0.303263064678738, 1.3438117634372808, 0.3834617912676943, 0.9369624250258951]

  func testSeededGenerator_firstValuesForSeed42() {
    var rng = SeededGenerator(seed: 42)
    XCTAssertEqual(
      (0..<4).map { _ in rng.next() },
      [0x1578_0B2E_0C2E_C716, 0x6104_D986_6D11_3A7E, 0xAE17_5332_39E4_99A1, 0xECB8_AD47_03B3_60A1])
    var zero = SeededGenerator(seed: 0)
    XCTAssertEqual([zero.next(), zero.next()], [0x99EC_5F36_CB75_F2B4, 0xBF6E_1F78_4956_452A])
  }

  func testSeededGenerator_unitDoublesAndNormalsForSeed42() {
    var rng = SeededGenerator(seed: 42)
    XCTAssertEqual(
      (0..<3).map { _ in rng.nextUnitDouble() },
      [0.08386297105988216, 0.3789802506626686, 0.6800434110281394])
    var normals = SeededGenerator(seed: 42)
    let drawn = (0..<4).map { _ in normals.nextStandardNormal() }
    XCTAssertEqual(drawn, self.normals)
    for (ours, python) in zip(drawn, pythonNormals) {
      XCTAssertLessThanOrEqual(abs(ours - python), 2 * python.ulp)
    }
  }

  func testRandomNormal_usesOneNormalDrawPerElement() {
    var rng = SeededGenerator(seed: 42)
    let x = Tensor<Double>.randomNormal(shape: [2, 2], mean: 1, standardDeviation: 2, using: &rng)
    let z = normals
    XCTAssertEqual(x.scalars, z.map { 1 + 2 * $0 })
    var floats = SeededGenerator(seed: 42)
    let f = Tensor<Float>.randomNormal(shape: [4], using: &floats)
    XCTAssertEqual(f.scalars, z.map { Float($0) })
  }

  func checkRandomStatistics<S: BLASScalar>(_: S.Type) {
    // 40 000 draws: the sample mean is within 4 standard errors (4·σ/200) of the mean.
    var rng = SeededGenerator(seed: 61)
    let n = 40_000
    let normal = Tensor<S>.randomNormal(
      shape: [200, 200], mean: 3, standardDeviation: 0.5, using: &rng)
    let values = normal.scalars.map(Double.init)
    let mean = values.reduce(0, +) / Double(n)
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
    XCTAssertEqual(mean, 3, accuracy: 4 * 0.5 / 200)
    XCTAssertEqual(variance.squareRoot(), 0.5, accuracy: 0.01)

    let uniform = Tensor<S>.randomUniform(shape: [n], in: -2...6, using: &rng)
    XCTAssertTrue(uniform.scalars.allSatisfy { $0 >= -2 && $0 <= 6 })
    // Uniform on [−2, 6]: mean 2, standard deviation 8/√12; standard error 2.31/200.
    XCTAssertEqual(Double(uniform.mean()), 2, accuracy: 4 * 2.31 / 200)
    let single = Tensor<S>.randomUniform(shape: [3], in: 5...5, using: &rng)
    XCTAssertEqual(single.scalars, [5, 5, 5])

    // Same seed, same tensor.
    var a = SeededGenerator(seed: 62)
    var b = SeededGenerator(seed: 62)
    XCTAssertEqual(
      Tensor<S>.randomUniform(shape: [7, 3], in: 0...1, using: &a),
      Tensor<S>.randomUniform(shape: [7, 3], in: 0...1, using: &b))
  }

  func testRandomStatistics_Float() { checkRandomStatistics(Float.self) }
  func testRandomStatistics_Double() { checkRandomStatistics(Double.self) }
}
