import Tensor
import TestSupport
import XCTest

@testable import LSTM

/// The kernel paths (`KernelPath`) compute the same bits: every path this CPU runs against the
/// portable one and against the definition written out in Swift.
final class KernelPathTests: XCTestCase {
  private var paths: [KernelPath] { KernelPath.allCases.filter(\.isSupported) }

  private func randomFloats(_ count: Int, _ rng: inout SeededGenerator, scale: Double) -> [Float] {
    (0..<count).map { _ in Float((rng.nextUnitDouble() * 2 - 1) * scale) }
  }

  /// `C += op(A)·B` for shapes that exercise every tile (full, 4-row, 1-row, one-vector and
  /// scalar columns) and both layouts of A, equal bit for bit on every path to one fused
  /// multiply-add chain per element in ascending k.
  func testGemm_sameBitsOnEveryPath_asOneFMAChainPerElement() {
    var rng = SeededGenerator(seed: 13)
    // (25, 20, 2050): a long k, packed in blocks on the AVX2 path (a 1-row last tile, 4 columns
    // left to the in-place code, a short last k block).
    let shapes = [
      (1, 1, 1), (7, 14, 64), (13, 33, 9), (9, 100, 300), (6, 520, 17), (11, 16, 3), (25, 20, 2050),
    ]
    for (m, n, k) in shapes {
      for transposed in [false, true] {
        let a = randomFloats(m * k, &rng, scale: 1)
        let b = randomFloats(k * n, &rng, scale: 1)
        let c0 = randomFloats(m * n, &rng, scale: 1)
        let (rowStride, kStride) = transposed ? (1, m) : (k, 1)
        var expected = c0
        for i in 0..<m {
          for j in 0..<n {
            var sum = c0[i * n + j]
            for p in 0..<k {
              sum = sum.addingProduct(a[i * rowStride + p * kStride], b[p * n + j])
            }
            expected[i * n + j] = sum
          }
        }
        for path in paths {
          var c = c0
          KernelTable.withPath(path) {
            SmallGemm.multiplyAdd(
              m: m, n: n, k: k, a: a, rowStride: rowStride, kStride: kStride, b: b, ldb: n,
              c: &c, ldc: n)
          }
          XCTAssertEqual(
            c.map(\.bitPattern), expected.map(\.bitPattern),
            "\(path) m \(m) n \(n) k \(k) transposed \(transposed)")
        }
      }
    }
  }

  /// The fused forward step (`StepPreactivations`) gives, on every path, the bits of its
  /// definition: the rounded bias sum, then one fused multiply-add chain over x's columns and
  /// h's, ascending (what the input projection followed by the recurrent product computes),
  /// with and without the h term, for 7 and 8 rows (full and short row tiles; 8 rows as 4 + 4
  /// on the AVX2 path).
  func testStepPreactivations_sameBitsOnEveryPath_asBiasThenOneFMAChain() {
    for rows in [7, 8] { checkStepPreactivations(rows: rows, input: 3, hidden: 8) }
  }

  /// Packed weights larger than 512 KB take the grouped kernel (panels in groups that fit L2,
  /// every row tile over one group before the next): still the bias then one chain over x's
  /// columns then h's, ascending. 960 columns of k = 540 (2 MB: 4 or 5 groups on every path; 1.1
  /// MB without h), and long rows of small weights (k = 1,108; k = 528 over 140 rows).
  func testStepPreactivations_largeWeightsGrouped_sameBitsAsOneFMAChain() {
    checkStepPreactivations(rows: 7, input: 1_100, hidden: 8)
    checkStepPreactivations(rows: 140, input: 520, hidden: 8)
    checkStepPreactivations(rows: 8, input: 300, hidden: 240)
  }

  private func checkStepPreactivations(rows: Int, input: Int, hidden: Int) {
    var rng = SeededGenerator(seed: 15)
    let columns = 4 * hidden
    let x = randomFloats(rows * input, &rng, scale: 1)
    let h = randomFloats(rows * hidden, &rng, scale: 1)
    let weightIH = randomFloats(columns * input, &rng, scale: 0.5)
    let weightHH = randomFloats(columns * hidden, &rng, scale: 0.5)
    let biasIH = randomFloats(columns, &rng, scale: 0.5)
    let biasHH = randomFloats(columns, &rng, scale: 0.5)
    for withH in [true, false] {
      var expected = [Float](repeating: 0, count: rows * columns)
      for i in 0..<rows {
        for j in 0..<columns {
          var sum = biasIH[j] + biasHH[j]
          for p in 0..<input { sum = sum.addingProduct(x[i * input + p], weightIH[j * input + p]) }
          if withH {
            for p in 0..<hidden {
              sum = sum.addingProduct(h[i * hidden + p], weightHH[j * hidden + p])
            }
          }
          expected[i * columns + j] = sum
        }
      }
      for path in paths {
        var z = [Float](repeating: .nan, count: rows * columns)
        var scratch = [Float](
          repeating: 0,
          count: StepPreactivations.scratchCount(inputSize: input, hiddenSize: hidden))
        KernelTable.withPath(path) {
          XCTAssertTrue(
            StepPreactivations.applies(scalar: Float.self, batch: rows, hiddenSize: hidden),
            "\(path)")
          scratch.withUnsafeMutableBufferPointer { buffer in
            let step = StepPreactivations(
              weightIH: weightIH, weightHH: weightHH, biasIH: biasIH, biasHH: biasHH,
              inputSize: input, hiddenSize: hidden, scratch: buffer.baseAddress.unsafelyUnwrapped)
            h.withUnsafeBufferPointer { hp in
              step(x: x, h: withH ? hp.baseAddress : nil, into: &z, rows: rows)
            }
          }
        }
        XCTAssertEqual(
          z.map(\.bitPattern), expected.map(\.bitPattern), "\(path) with h \(withH), \(rows) rows")
      }
    }
  }

  /// The gate kernels (vector lanes and the scalar tail, H = 21; 11 rows: groups of 8, 2 and 1)
  /// give the same bits on every path, over inputs from −40 to 40 (both clamps of the exp
  /// approximation).
  func testGateKernels_sameBitsOnEveryPath() {
    var rng = SeededGenerator(seed: 14)
    let (batch, hidden) = (11, 21)
    let z0 = randomFloats(batch * 4 * hidden, &rng, scale: 40)
    let cPrev = randomFloats(batch * hidden, &rng, scale: 2)
    let dh = randomFloats(batch * hidden, &rng, scale: 1)
    let carry0 = randomFloats(batch * hidden, &rng, scale: 1)
    var results: [[UInt32]] = []
    for path in paths {
      var z = z0
      var c = [Float](repeating: 0, count: batch * hidden)
      var tanhC = c
      var h = c
      var carry = carry0
      KernelTable.withPath(path) {
        GateKernels.forward(
          gates: &z, cPrev: cPrev, c: &c, tanhC: &tanhC, h: &h, batch: batch, hidden: hidden)
        GateKernels.backward(
          gates: &z, cPrev: cPrev, tanhC: tanhC, dh: dh, dcCarry: &carry, batch: batch,
          hidden: hidden)
      }
      results.append((z + c + tanhC + h + carry).map(\.bitPattern))
    }
    for (path, result) in zip(paths, results) {
      XCTAssertEqual(result, results[0], "\(path) differs from \(paths[0])")
    }
  }

  /// The inference gate kernel gives training's c and h bit for bit, on every path, for every
  /// hidden size from 1 to 40 (vector lanes, scalar tails) and batches that take each group of
  /// rows (8, 4, 2, 1), over inputs from −40 to 40.
  func testGateInference_sameCellAndOutputAsTraining() {
    var rng = SeededGenerator(seed: 15)
    // 1…40 every tail; 128 + 8 + 3 and 200 cross blocks of columns on every path.
    for hidden in Array(1...40) + [139, 200] {
      for batch in [1, 2, 3, 5, 8, 15] {
        let z0 = randomFloats(batch * 4 * hidden, &rng, scale: 40)
        let cPrev = randomFloats(batch * hidden, &rng, scale: 2)
        for path in paths {
          var z = z0
          var c = [Float](repeating: 0, count: batch * hidden)
          var tanhC = c
          var h = c
          var cInference = c
          var hInference = c
          KernelTable.withPath(path) {
            GateKernels.forward(
              gates: &z, cPrev: cPrev, c: &c, tanhC: &tanhC, h: &h, batch: batch, hidden: hidden)
            GateKernels.inference(
              gates: z0, cPrev: cPrev, c: &cInference, h: &hInference, batch: batch,
              hidden: hidden)
          }
          let label = "\(path) H=\(hidden) B=\(batch)"
          XCTAssertEqual(cInference.map(\.bitPattern), c.map(\.bitPattern), label)
          XCTAssertEqual(hInference.map(\.bitPattern), h.map(\.bitPattern), label)
        }
      }
    }
  }

  /// A few training steps of a two-layer model give the same weights on every path.
  func testTraining_sameWeightsOnEveryPath() {
    let weights = paths.map { path in
      KernelTable.withPath(path) { DeterminismTests.train(seed: 77).parameters.values }
    }
    for (path, w) in zip(paths, weights) {
      XCTAssertEqual(w.scalars.map(\.bitPattern), weights[0].scalars.map(\.bitPattern), "\(path)")
    }
  }

  func testResolve_defaultsToFastestAndRefusesBadValues() {
    XCTAssertEqual(try KernelPath.resolve(environmentValue: nil), KernelPath.fastest)
    XCTAssertEqual(try KernelPath.resolve(environmentValue: ""), KernelPath.fastest)
    XCTAssertEqual(try KernelPath.resolve(environmentValue: "Portable"), .portable)
    XCTAssertThrowsError(try KernelPath.resolve(environmentValue: "sse9")) { error in
      XCTAssertEqual(
        "\(error)",
        "FORECAST_CPU=sse9 names no kernel path. Use portable, avx2 or avx512, or unset FORECAST_CPU to pick the fastest one this CPU runs."
      )
    }
    XCTAssertEqual(
      KernelPathError.unsupportedPath(.avx512, fastest: .avx2).description,
      "FORECAST_CPU=avx512: this CPU cannot run the avx512 kernels (it runs up to avx2). Use FORECAST_CPU=avx2 or a lower path, or unset FORECAST_CPU."
    )
  }
}
