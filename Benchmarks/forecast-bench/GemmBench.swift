// forecast-bench gemm: the GEMM shapes an LSTM uses, through the Swift wrapper and through a
// plain cblas_sgemm call timed in the same run (ratio = wrapper / plain), then the 2048³ case
// again with OpenBLAS's Haswell and SkylakeX kernels forced (child processes), then the
// element-wise kernels in GB/s beside a memory-bandwidth reference.
//
// The benchmark imports CBLAS only for the plain reference call (docs/style.md rule 2 keeps
// the product itself behind Tensor's BLAS.swift).
import CBLAS
import Tensor

#if canImport(Glibc)
import Glibc
#endif

enum GemmBench {
  /// M×N×K: the LSTM's per-step and all-steps products (B=32/64/128, 4H=256/512/2048, I or H)
  /// and the classic 2048³.
  static let shapes: [(m: Int, n: Int, k: Int)] = [
    (32, 256, 64), (64, 512, 128), (128, 512, 136), (256, 2048, 512), (2048, 2048, 2048),
  ]

  /// Set in the child process that times one shape with other kernels (a label such as
  /// `2048x2048x2048`), or `elementwise` to time only the element-wise kernels.
  static let onlyVariable = "FORECAST_BENCH_GEMM_ONLY"

  static func run() throws {
    if let only = getenv(onlyVariable).map({ String(cString: $0) }) {
      if only == "elementwise" { try benchmarkElementwise() }
      for shape in shapes where label(shape) == only {
        try benchmarkGemm(shape, name: "sgemm-" + BLASRuntime.coreName.lowercased())
      }
      return
    }
    for shape in shapes { try benchmarkGemm(shape, name: "sgemm") }
    fflush(nil)
    // The kernel difference, whatever this process runs on: 2048³ again in child processes
    // with each kernel family forced (SkylakeX only where the CPU has AVX-512).
    try runChild(coreType: "Haswell", only: label((2048, 2048, 2048)))
    if BLASKernels.cpuRunsSkylakeXKernels() {
      try runChild(coreType: "SkylakeX", only: label((2048, 2048, 2048)))
    }
    try benchmarkElementwise()
  }

  /// Runs `body` (the warm-up) and returns how many calls take at least 50 ms: doubling until a
  /// timed batch is that long, so one slow first call cannot shrink the samples.
  static func calibrate(_ body: () -> Void) -> Int {
    body()
    var repetitions = 1
    while seconds({ for _ in 0..<repetitions { body() } }) < 0.05 { repetitions *= 2 }
    return repetitions
  }

  static func label(_ s: (m: Int, n: Int, k: Int)) -> String { "\(s.m)x\(s.n)x\(s.k)" }

  // MARK: - GEMM

  static func benchmarkGemm(_ shape: (m: Int, n: Int, k: Int), name: String) throws {
    let (m, n, k) = shape
    var rng = SeededGenerator(seed: 2)
    let a = Tensor<Float>.randomUniform(shape: [m, k], in: -1...1, using: &rng)
    let b = Tensor<Float>.randomUniform(shape: [k, n], in: -1...1, using: &rng)
    var c = Tensor<Float>(zeros: [m, n])
    var plain = Tensor<Float>(zeros: [m, n])

    // Check first: the wrapper against a naive product in Double (every element up to 256×2048,
    // 256 sampled elements for 2048³), and the plain call against the wrapper.
    gemm(a, b, into: &c)
    callPlainSgemm(a, b, into: &plain, m: m, n: n, k: k)
    try check(a, b, c, m: m, n: n, k: k, shape: label(shape))
    guard c == plain else { throw BenchError.mismatch("\(label(shape)): wrapper ≠ plain call") }

    // Warm up, then size one sample to at least 50 ms.
    let repetitions = calibrate { gemm(a, b, into: &c) }
    let samples = m * n * k >= 1 << 30 ? 9 : 15
    var wrapperTimes: [Double] = []
    var plainTimes: [Double] = []
    for sample in 0..<samples {  // interleaved, alternating order, so load hits both alike
      let wrapper = {
        wrapperTimes.append(
          seconds { for _ in 0..<repetitions { gemm(a, b, into: &c) } } / Double(repetitions))
      }
      let reference = {
        plainTimes.append(
          seconds {
            for _ in 0..<repetitions { callPlainSgemm(a, b, into: &plain, m: m, n: n, k: k) }
          } / Double(repetitions))
      }
      if sample % 2 == 0 {
        wrapper()
        reference()
      } else {
        reference()
        wrapper()
      }
    }
    let flops = 2 * Double(m) * Double(n) * Double(k)
    let gflops = flops / median(wrapperTimes) / 1e9
    let plainGflops = flops / median(plainTimes) / 1e9
    // The ratio is the median over adjacent (wrapper, plain) pairs, which ran under the same
    // load, rather than a ratio of medians taken minutes apart on a shared machine.
    let ratio = median(zip(wrapperTimes, plainTimes).map { $1 / $0 })
    printJSON([
      ("name", .string(name)), ("shape", .string(label(shape))),
      ("threads", .int(BLASRuntime.threads)), ("gflops", .number(gflops, 1)),
      ("ratio", .number(ratio, 3)), ("plain_gflops", .number(plainGflops, 1)),
      ("kernels", .string(BLASRuntime.coreName)),
      (
        "OPENBLAS_CORETYPE",
        getenv("OPENBLAS_CORETYPE").map { .string(String(cString: $0)) } ?? .null
      ),
      ("repetitions", .int(repetitions)),
      ("samples", .int(samples)),
    ])
  }

  /// The reference: one plain `cblas_sgemm` call, as a C programmer would write it.
  static func callPlainSgemm(
    _ a: Tensor<Float>, _ b: Tensor<Float>, into c: inout Tensor<Float>, m: Int, n: Int, k: Int
  ) {
    a.withUnsafeBufferPointer { pa in
      b.withUnsafeBufferPointer { pb in
        c.withUnsafeMutableBufferPointer { pc in
          cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1,
            pa.baseAddress, Int32(k), pb.baseAddress, Int32(n), 0, pc.baseAddress, Int32(n))
        }
      }
    }
  }

  static func check(
    _ a: Tensor<Float>, _ b: Tensor<Float>, _ c: Tensor<Float>, m: Int, n: Int, k: Int,
    shape: String
  ) throws {
    let all = m * n <= 256 * 2048
    var rng = SeededGenerator(seed: 3)
    let points: [(Int, Int)] =
      all
      ? (0..<m).flatMap { i in (0..<n).map { j in (i, j) } }
      : (0..<256).map { _ in (Int(rng.next() % UInt64(m)), Int(rng.next() % UInt64(n))) }
    var worst = 0.0
    a.withUnsafeBufferPointer { aa in
      b.withUnsafeBufferPointer { bb in
        c.withUnsafeBufferPointer { cc in
          for (i, j) in points {
            var exact = 0.0
            var magnitude = 0.0
            for p in 0..<k {
              let term = Double(aa[i * k + p]) * Double(bb[p * n + j])
              exact += term
              magnitude += abs(term)
            }
            worst = max(worst, abs(Double(cc[i * n + j]) - exact) / max(magnitude, 1e-30))
          }
        }
      }
    }
    // Float accumulation of k terms: error ≲ k·ε·Σ|terms|; allow a generous 4·ε·√k·… bound.
    guard worst <= 1e-5 else {
      throw BenchError.mismatch("\(shape): relative error \(worst) against the naive product")
    }
  }

  /// Re-runs this executable's `gemm` suite for one shape with other OpenBLAS kernels.
  static func runChild(coreType: String, only: String) throws {
    var environment: [String] = []
    var entry = environ
    while let pointer = entry.pointee {
      let line = String(cString: pointer)
      if !line.hasPrefix(BLASKernels.pinVariable + "=") && !line.hasPrefix(onlyVariable + "=") {
        environment.append(line)
      }
      entry += 1
    }
    environment += ["\(BLASKernels.pinVariable)=\(coreType)", "\(onlyVariable)=\(only)"]
    let arguments = ["/proc/self/exe", "gemm"]
    let cArguments = arguments.map { strdup($0) } + [nil]
    let cEnvironment = environment.map { strdup($0) } + [nil]
    defer {
      for p in cArguments { free(p) }
      for p in cEnvironment { free(p) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/proc/self/exe", nil, nil, cArguments, cEnvironment)
    guard spawned == 0 else { throw BenchError.child("posix_spawn failed: \(spawned)") }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    guard status == 0 else { throw BenchError.child("the \(coreType) child exited with \(status)") }
  }

  // MARK: - Element-wise kernels

  static func benchmarkElementwise() throws {
    for count in [1 << 17, 1 << 24] {
      var rng = SeededGenerator(seed: 4)
      let a = Tensor<Float>.randomUniform(shape: [count], in: -4...4, using: &rng)
      let b = Tensor<Float>.randomUniform(shape: [count], in: -4...4, using: &rng)
      var c = Tensor<Float>(zeros: [count])

      // Check each kernel on its first elements, then time it.
      add(a, b, into: &c)
      try expect(c, a, b, "add") { $0 + $1 }
      multiply(a, b, into: &c)
      try expect(c, a, b, "multiply") { $0 * $1 }
      sigmoid(a, into: &c)
      try expect(c, a, b, "sigmoid") { x, _ in Float(1 / (1 + Glibc.exp(-Double(x)))) }
      tanh(a, into: &c)
      try expect(c, a, b, "tanh") { x, _ in Float(Glibc.tanh(Double(x))) }

      let bytes = Double(count * MemoryLayout<Float>.stride)
      // The references: a copy (read 1, write 1) and a STREAM triad (read 2, write 1), the same
      // kind of plain Swift loop on one thread.
      emit("copy (reference)", count, 2 * bytes) {
        a.withUnsafeBufferPointer { aa in
          c.withUnsafeMutableBufferPointer { cc in
            for i in 0..<cc.count { cc[i] = aa[i] }
          }
        }
      }
      emit("triad (reference)", count, 3 * bytes) {
        a.withUnsafeBufferPointer { aa in
          b.withUnsafeBufferPointer { bb in
            c.withUnsafeMutableBufferPointer { cc in
              for i in 0..<cc.count { cc[i] = aa[i] + 3 * bb[i] }
            }
          }
        }
      }
      emit("add", count, 3 * bytes) { add(a, b, into: &c) }
      emit("multiply", count, 3 * bytes) { multiply(a, b, into: &c) }
      emit("sigmoid", count, 2 * bytes) { sigmoid(a, into: &c) }
      emit("tanh", count, 2 * bytes) { tanh(a, into: &c) }
      // What the vectorised Float kernels replace: one C library call per element.
      emit("sigmoid (libm expf reference)", count, 2 * bytes) {
        a.withUnsafeBufferPointer { aa in
          c.withUnsafeMutableBufferPointer { cc in
            for i in 0..<cc.count { cc[i] = 1 / (1 + expf(-aa[i])) }
          }
        }
      }
      emit("tanh (libm tanhf reference)", count, 2 * bytes) {
        a.withUnsafeBufferPointer { aa in
          c.withUnsafeMutableBufferPointer { cc in
            for i in 0..<cc.count { cc[i] = tanhf(aa[i]) }
          }
        }
      }
      emit("sigmoidBackward", count, 3 * bytes) {
        sigmoidBackward(output: a, gradient: b, into: &c)
      }
    }
  }

  static func expect(
    _ c: Tensor<Float>, _ a: Tensor<Float>, _ b: Tensor<Float>, _ name: String,
    _ reference: (Float, Float) -> Float
  ) throws {
    for i in 0..<min(4096, c.count) {
      let expected = reference(a[i], b[i])
      guard abs(c[i] - expected) <= 1e-6 * max(1, abs(expected)) else {
        throw BenchError.mismatch("\(name)[\(i)]: \(c[i]), expected \(expected)")
      }
    }
  }

  static func emit(_ name: String, _ count: Int, _ bytes: Double, _ body: () -> Void) {
    let repetitions = calibrate(body)
    let times = (0..<7).map { _ in
      seconds { for _ in 0..<repetitions { body() } } / Double(repetitions)
    }
    let t = median(times)
    printJSON([
      ("name", .string(name)), ("elements", .int(count)), ("threads", .int(1)),
      ("gbps", .number(bytes / t / 1e9, 2)),
      ("gelements_per_s", .number(Double(count) / t / 1e9, 3)),
    ])
  }
}

enum BenchError: Error, CustomStringConvertible {
  case mismatch(String)
  case child(String)

  var description: String {
    switch self {
    case .mismatch(let what): return "result check failed: \(what)"
    case .child(let what): return "child process: \(what)"
    }
  }
}
