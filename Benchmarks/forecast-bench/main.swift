// forecast-bench: release-mode benchmarks, apart from the tests (docs/style.md, rule 17).
// Run: swift run -c release forecast-bench [SUITE ...]   (no suite: all of them)
// Each suite checks its results against a reference before it times anything, then prints one
// JSON object per line.
import LSTM
import Tensor

#if canImport(Glibc)
import Glibc
#endif

BLASKernels.selectFastest()
do throws(KernelPathError) {
  _ = try KernelPath.resolve(environmentValue: KernelPath.environmentValue)
} catch {
  FileHandleStderr.write("forecast-bench: \(error)\n")
  exit(2)
}

/// Every suite, by the name given on the command line, in the order `all` runs them.
let suites: [(name: String, run: () throws -> Void)] = [
  ("gemm", GemmBench.run),
  ("lstm", LSTMBench.run),
  ("avro", AvroBench.run),
  ("simulate", SimulateBench.run),
  ("forecast", ForecastBench.run),
  ("wrapped", WrappedBench.run),
  ("wrapped-window", WrappedWindowBench.run),
  ("kafka", KafkaBench.run),
]

let requested = Array(CommandLine.arguments.dropFirst())
let unknown = requested.filter { name in !suites.contains { $0.name == name } }
if !unknown.isEmpty {
  let names = suites.map(\.name).joined(separator: ", ")
  FileHandleStderr.write(
    "forecast-bench: unknown suite \(unknown.joined(separator: ", ")); choose from: \(names)\n")
  exit(2)
}
for suite in suites where requested.isEmpty || requested.contains(suite.name) {
  do {
    try suite.run()
  } catch {
    FileHandleStderr.write("forecast-bench \(suite.name): \(error)\n")
    exit(1)
  }
}
