// swift-tools-version:6.0
// The module graph of docs/architecture.md: arrows point at what a module imports.
//
//   CBLAS <- Tensor <- LSTM <- Forecast -> Events -> CZlib, CSnappy, CZstd
//                                 Simulation -> Events;  Wrapped -> Events
//                                 Report -> Forecast (reads the Wrapped files, not the module)
//   Plumbing (JSON, CSV rows, atomic output; package access) <- LSTM, Events, Simulation, Forecast,
//     Report
//   forecast (executable) -> Forecast, Simulation, Wrapped, Events, Report

import Foundation
import PackageDescription

/// Release builds of the numeric modules drop exclusivity checks inside their hot loops; the
/// loops never overlap accesses (checked by the debug-mode tests, which keep the checks on).
let numericSettings: [SwiftSetting] = [
  .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

/// LSTM's Float kernels (gate math, the small recurrent GEMM) are explicit SIMD code compiled
/// for the vector width of the machine that builds them, like `-march=native`: 16 lanes
/// (AVX-512, `LSTM_AVX512`) when /proc/cpuinfo lists the subsets it needs, else 8 lanes for
/// AVX2 + FMA (Haswell and later). Set FORECAST_LSTM_VECTOR=avx2 to build the 8-lane version on
/// an AVX-512 machine (e.g. to run the binary elsewhere). Other architectures get the portable
/// build.
let lstmSettings: [SwiftSetting] = {
  #if arch(x86_64)
  let flags =
    (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
    .split(separator: "\n").first { $0.hasPrefix("flags") }?
    .split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init) ?? []
  let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(
    flags.contains)
  let wanted = ProcessInfo.processInfo.environment["FORECAST_LSTM_VECTOR"]
  if avx512 && wanted != "avx2" {
    return [
      .define("LSTM_AVX512"),
      .unsafeFlags(["-target-cpu", "skylake-avx512"], .when(configuration: .release)),
    ]
  }
  if flags.contains("avx2") && flags.contains("fma") {
    return [.unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release))]
  }
  #endif
  return []
}()

let package = Package(
  name: "forecast",
  products: [
    .executable(name: "forecast", targets: ["forecast"]),
    .library(name: "Tensor", targets: ["Tensor"]),
    .library(name: "LSTM", targets: ["LSTM"]),
    .library(name: "Events", targets: ["Events"]),
    .library(name: "Simulation", targets: ["Simulation"]),
    .library(name: "Forecast", targets: ["Forecast"]),
    .library(name: "Wrapped", targets: ["Wrapped"]),
    .library(name: "Report", targets: ["Report"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    // MARK: - C libraries

    .systemLibrary(
      name: "CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    // snappy ships no .pc file on every distribution: the modulemap links it by name.
    .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"])]),
    .systemLibrary(name: "CKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
    .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

    // MARK: - Internal modules

    /// What every module shares (one owner each): JSON, CSV rows and fields, atomic output.
    .target(name: "Plumbing"),

    // MARK: - Public modules

    .target(
      name: "Tensor", dependencies: ["CBLAS"], exclude: ["README.md"],
      swiftSettings: numericSettings),
    .target(
      name: "LSTM", dependencies: ["Tensor", "Plumbing"],
      swiftSettings: numericSettings + lstmSettings),
    .target(
      name: "Events", dependencies: ["CZlib", "CSnappy", "CZstd", "Plumbing"],
      exclude: ["Schemas", "README.md"],
      swiftSettings: numericSettings),
    .target(
      name: "Simulation", dependencies: ["Events", "Plumbing"],
      exclude: ["README.md"], swiftSettings: numericSettings),
    .target(
      name: "Forecast",
      dependencies: ["Tensor", "LSTM", "Events", "Plumbing"], exclude: ["README.md"],
      swiftSettings: numericSettings),
    .target(
      name: "Wrapped", dependencies: ["Events", "Plumbing"], exclude: ["README.md"],
      swiftSettings: numericSettings),
    // Reads the Wrapped outputs by their documented file layouts (CSV/JSON), not the module.
    .target(
      name: "Report", dependencies: ["Forecast", "Events", "Plumbing"], exclude: ["README.md"]),

    // MARK: - Executables

    .executableTarget(
      name: "forecast",
      dependencies: [
        "Forecast", "Simulation", "Wrapped", "Events", "Tensor", "Plumbing", "Report",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: - Benchmarks

    .executableTarget(
      name: "forecast-bench",
      dependencies: ["Tensor", "LSTM", "Events", "Simulation", "Forecast", "Wrapped"],
      path: "Benchmarks/forecast-bench",
      swiftSettings: numericSettings),

    // MARK: - Tests

    .target(name: "TestSupport", dependencies: ["Tensor"], path: "Tests/TestSupport"),
    .testTarget(name: "PlumbingTests", dependencies: ["Plumbing"]),
    .testTarget(name: "TensorTests", dependencies: ["Tensor", "TestSupport"]),
    .testTarget(
      name: "LSTMTests", dependencies: ["LSTM", "Tensor", "Plumbing", "TestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(
      name: "EventsTests", dependencies: ["Events", "Plumbing", "TestSupport"],
      exclude: ["Fixtures"]),
    .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Events", "TestSupport"]),
    .testTarget(
      name: "ForecastTests",
      dependencies: ["Forecast", "LSTM", "Events", "Plumbing", "TestSupport"]),
    .testTarget(
      name: "WrappedTests",
      dependencies: ["Wrapped", "Events", "Plumbing", "Simulation", "TestSupport"]),
    .testTarget(name: "forecastCLITests", dependencies: ["TestSupport"]),
    .testTarget(
      name: "ReportTests", dependencies: ["Report", "Forecast", "TestSupport"],
      exclude: ["Fixtures"]),
  ]
)
