// forecast-bench lstm: one training step (forward, backward, Adam update) and one inference pass
// of LSTMForecaster<Float> for the four configurations of issue 3, median ms over steps after
// warm-up (and the 10th percentile, `ms_p10`, as the PyTorch benchmark reports it), with the
// rate of the step's main GEMM shape timed in the same run for comparison.
import LSTM
import Tensor

#if canImport(Glibc)
import Glibc
#endif

enum LSTMBench {
  struct Case {
    var name: String
    var i: Int, h: Int, n: Int, t: Int, b: Int, k: Int
    var steps: Int
  }

  static let cases = [
    Case(name: "a", i: 1, h: 32, n: 1, t: 28, b: 32, k: 7, steps: 200),
    Case(name: "b", i: 4, h: 64, n: 2, t: 52, b: 64, k: 4, steps: 60),
    Case(name: "c", i: 8, h: 128, n: 2, t: 96, b: 128, k: 14, steps: 15),
    Case(name: "d", i: 32, h: 512, n: 2, t: 50, b: 256, k: 1, steps: 5),
  ]

  static func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
  }

  static func median(_ xs: [Double]) -> Double {
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  /// Median wall seconds of `body` over `repeats` runs after `warmup` runs, the median CPU
  /// seconds the process (all its threads) spent per run (on a shared machine it shows the work
  /// done when the wall time is inflated by waiting for a core), and the 10th percentile of the
  /// wall seconds as the PyTorch benchmark takes it (`sorted[Int(0.1·n)]`): less moved by a
  /// neighbour's burst than the median.
  static func time(warmup: Int, repeats: Int, _ body: () -> Void) -> (
    wall: Double, cpu: Double, p10: Double
  ) {
    for _ in 0..<warmup { body() }
    var samples: [Double] = []
    var cpu: [Double] = []
    for _ in 0..<repeats {
      let start = now()
      let startCPU = now(CLOCK_PROCESS_CPUTIME_ID)
      body()
      samples.append(now() - start)
      cpu.append(now(CLOCK_PROCESS_CPUTIME_ID) - startCPU)
    }
    if getenv("FORECAST_BENCH_LSTM_TRACE") != nil {
      // Every timed step in order (ms), to see a trend over the steps rather than a median.
      FileHandleStderr.write(
        "lstm trace: "
          + samples.map {
            let t = Int(($0 * 1e4).rounded())
            return "\(t / 10).\(t % 10)"
          }.joined(separator: " ")
          + "\n")
    }
    let sorted = samples.sorted()
    return (median(samples), median(cpu), sorted[min(sorted.count - 1, sorted.count / 10)])
  }

  /// Forward FLOPs of one pass: 2·T·B·4H·(I_k + H) per layer plus the head.
  static func forwardFlops(_ c: Case) -> Double {
    var f = 0.0
    for layer in 0..<c.n {
      let input = layer == 0 ? c.i : c.h
      f += 2 * Double(c.t * c.b * 4 * c.h * (input + c.h))
    }
    return f + 2 * Double(c.b * c.h * c.k)
  }

  /// The rate (GFLOP/s) of the recurrent GEMM shape [B, H]·[H, 4H] run T times back to back, as
  /// the time loop runs it.
  static func recurrentGemmRate(_ c: Case) -> Double {
    let a = [Float](repeating: 0.01, count: c.b * c.h)
    let w = [Float](repeating: 0.02, count: 4 * c.h * c.h)
    var z = [Float](repeating: 0, count: c.b * 4 * c.h)
    let seconds = time(warmup: 3, repeats: 9) {
      a.withUnsafeBufferPointer { ap in
        w.withUnsafeBufferPointer { wp in
          z.withUnsafeMutableBufferPointer { zp in
            for _ in 0..<c.t {
              blasGemm(
                transposeA: false, transposeB: true, m: c.b, n: 4 * c.h, k: c.h, alpha: 1,
                a: ap.baseAddress.unsafelyUnwrapped, lda: c.h, b: wp.baseAddress.unsafelyUnwrapped,
                ldb: c.h, beta: 1, c: zp.baseAddress.unsafelyUnwrapped, ldc: 4 * c.h)
            }
          }
        }
      }
    }
    return 2 * Double(c.t * c.b * 4 * c.h * c.h) / seconds.wall / 1e9
  }

  static func run() throws {
    // FORECAST_BENCH_LSTM_CASES=cd runs only (c) and (d).
    let only = Set(
      (getenv("FORECAST_BENCH_LSTM_CASES").map { String(cString: $0) } ?? "").map(String.init))
    // FORECAST_BENCH_LSTM_MODE=infer (or train) times only that mode, e.g. to profile it.
    let onlyMode = getenv("FORECAST_BENCH_LSTM_MODE").map { String(cString: $0) } ?? ""
    // FORECAST_BENCH_LSTM_STEPS=N times N steps (or passes) in each mode, e.g. as many as the
    // peer's `--steps` (PyTorch's benchmark times 50): over 5 steps of (d) a few seconds of a
    // neighbour's burst move the median, over 50 they do not, on either side.
    let steps = getenv("FORECAST_BENCH_LSTM_STEPS").flatMap { Int(String(cString: $0)) }
      .map { max(1, $0) }
    for c in cases where only.isEmpty || only.contains(c.name) {
      var rng = SeededGenerator(seed: 2026)
      let config = LSTMForecasterConfiguration(
        inputSize: c.i, hiddenSize: c.h, layerCount: c.n, outputSize: c.k)
      var model = LSTMForecaster<Float>(configuration: config, using: &rng)
      let x = Tensor<Float>(
        shape: [c.t, c.b, c.i],
        scalars: (0..<(c.t * c.b * c.i)).map { _ in Float(rng.nextStandardNormal()) })
      let y = Tensor<Float>(
        shape: [c.b, c.k], scalars: (0..<(c.b * c.k)).map { _ in Float(rng.nextStandardNormal()) })

      // Check before timing: the Float forecast against the Double one with the same weights.
      let reference = try LSTMForecaster<Double>(
        configuration: config,
        tensors: Dictionary(
          uniqueKeysWithValues: model.parameters.namedTensors.map {
            (
              $0.name,
              Tensor<Double>(shape: $0.tensor.shape, scalars: $0.tensor.scalars.map(Double.init))
            )
          }))
      let xd = Tensor<Double>(shape: x.shape, scalars: x.scalars.map(Double.init))
      let want = reference.predict(xd).scalars
      let got = model.predict(x).scalars
      let scale = max(1, want.map(abs).max() ?? 0)
      let error = zip(got, want).map { abs(Double($0) - $1) }.max() ?? 0
      precondition(error / scale < 1e-4, "lstm bench \(c.name): Float forecast off by \(error)")

      let flops = forwardFlops(c)
      let gemmRate = recurrentGemmRate(c)
      var adam = AdamOptimizer<Float>(learningRate: 1e-3)
      let loss = MSELoss<Float>()
      var lastLoss: Float = 0
      var timed: [(String, (wall: Double, cpu: Double, p10: Double), Double)] = []
      if onlyMode != "infer" {
        let train = time(warmup: 3, repeats: steps ?? c.steps) {
          lastLoss = model.trainStep(
            input: x, target: y, loss: loss, optimizer: &adam, clipNorm: nil)
        }
        precondition(lastLoss.isFinite, "lstm bench \(c.name): loss is not finite")
        timed.append(("train", train, 3 * flops))
      }
      if onlyMode != "train" {
        var sink: Float = 0
        let infer = time(warmup: 3, repeats: steps ?? c.steps * 3) {
          sink += model.predict(x).scalars[0]
        }
        precondition(sink.isFinite, "lstm bench \(c.name): forecast is not finite")
        timed.append(("infer", infer, flops))
      }
      for (mode, measured, f) in timed {
        let seconds = measured.wall
        let gflops = f / seconds / 1e9
        print(
          "{\"suite\":\"lstm\",\"name\":\"\(c.name)\",\"mode\":\"\(mode)\","
            + "\"ms_per_step\":\(rounded(seconds * 1e3, 4)),"
            + "\"ms_p10\":\(rounded(measured.p10 * 1e3, 4)),"
            + "\"cpu_ms_per_step\":\(rounded(measured.cpu * 1e3, 4)),"
            + "\"sequences_per_s\":\(rounded(Double(c.b) / seconds, 1)),"
            + "\"gflops\":\(rounded(gflops, 2)),\"gemm_fraction\":\(rounded(gflops / gemmRate, 3)),"
            + "\"gemm_gflops\":\(rounded(gemmRate, 2)),\"threads\":\(BLASRuntime.threads),"
            + "\"kernels\":\"\(KernelPath.active.rawValue)\",\"blas\":\"\(BLASRuntime.coreName)\","
            + "\"config\":\"I=\(c.i) H=\(c.h) N=\(c.n) T=\(c.t) B=\(c.b) K=\(c.k)\"}")
      }
    }
  }

  static func rounded(_ x: Double, _ digits: Int) -> String {
    var p = 1.0
    for _ in 0..<digits { p *= 10 }
    return "\((x * p).rounded() / p)"
  }
}
