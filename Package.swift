// swift-tools-version:6.0
// The module graph of docs/architecture.md: arrows point at what a module imports.
//
//   CBLAS <- Tensor <- LSTM <- Forecast -> Events -> CZlib, CSnappy, CZstd
//                        LSTM -> CLSTMKernels (the hot Float kernels, one copy per CPU path)
//                                 Simulation -> Events;  Wrapped -> Events
//                                 Streaming -> Events, Wrapped, CKafka (librdkafka)
//                                 Report -> Forecast (reads the Wrapped files, not the module)
//   Plumbing (JSON, CSV rows, atomic output; package access) <- LSTM, Events, Simulation, Forecast,
//     Report
//   forecast (executable) -> Forecast, Simulation, Wrapped, Events, Report

import PackageDescription

/// Release builds of the numeric modules (and of Streaming, whose per-record loop updates its
/// partition and window objects: a twelfth of the consumer's thread went to the checks) drop
/// exclusivity checks inside their hot loops; the loops never overlap accesses (checked by the
/// debug-mode tests, which keep the checks on).
let numericSettings: [SwiftSetting] = [
  .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))
]

/// The LSTM's Float kernels are C (`CLSTMKernels`), compiled three times into the same binary
/// with per-function target attributes (x86-64 baseline, AVX2 + FMA, AVX-512) and chosen at
/// start-up from CPUID, so the build never depends on the building machine's CPU. Optimised in
/// debug builds too, so the debug-mode tests train at a useful speed.
let kernelSettings: [CSetting] = [.unsafeFlags(["-O2"], .when(configuration: .debug))]

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
    .library(name: "Streaming", targets: ["Streaming"]),
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
    .target(name: "CLSTMKernels", cSettings: kernelSettings),

    // MARK: - Internal modules

    /// What every module shares (one owner each): JSON, CSV rows and fields, atomic output.
    .target(name: "Plumbing"),

    // MARK: - Public modules

    .target(
      name: "Tensor", dependencies: ["CBLAS"], exclude: ["README.md"],
      swiftSettings: numericSettings),
    .target(
      name: "LSTM", dependencies: ["Tensor", "CLSTMKernels", "Plumbing"],
      swiftSettings: numericSettings),
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
    /// The Kafka side: producer, group consumer, event-time windows, checkpoints, the archive;
    /// the only module that links librdkafka.
    .target(
      name: "Streaming", dependencies: ["CKafka", "Events", "Wrapped", "Plumbing"],
      exclude: ["README.md"], swiftSettings: numericSettings),
    // Reads the Wrapped outputs by their documented file layouts (CSV/JSON), not the module.
    .target(
      name: "Report", dependencies: ["Forecast", "Events", "Plumbing"], exclude: ["README.md"]),

    // MARK: - Executables

    .executableTarget(
      name: "forecast",
      dependencies: [
        "Forecast", "Simulation", "Wrapped", "Events", "Tensor", "LSTM", "Plumbing", "Report",
        "Streaming", .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]),

    // MARK: - Benchmarks

    .executableTarget(
      name: "forecast-bench",
      dependencies: ["Tensor", "LSTM", "Events", "Simulation", "Forecast", "Wrapped", "Streaming"],
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
      name: "StreamingTests",
      dependencies: [
        "Streaming", "CKafka", "Wrapped", "Events", "Simulation", "Plumbing", "TestSupport",
      ]),
    .testTarget(
      name: "ReportTests", dependencies: ["Report", "Forecast", "TestSupport"],
      exclude: ["Fixtures"]),
  ]
)
