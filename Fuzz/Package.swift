// swift-tools-version:6.0
// The libFuzzer targets, a package of their own so `swift build` and `scripts/test` of the
// toolkit never build them. `scripts/fuzz` builds this package with the fuzzer and address
// sanitizers (`-sanitize=fuzzer,address`, linked by lld) and runs one target at a time.
//
//   forecast-fuzz (executable) -> Events, Forecast, LSTM, Simulation (the toolkit, by path)
//                              -> CFuzzerDriver (libFuzzer's driver entry point)

import PackageDescription

let package = Package(
  name: "forecast-fuzz",
  dependencies: [
    .package(name: "forecast", path: "..")
  ],
  targets: [
    // MARK: - C libraries

    /// Declares `LLVMFuzzerRunDriver`, which the fuzzer runtime defines.
    .target(name: "CFuzzerDriver"),

    // MARK: - Executables

    .executableTarget(
      name: "forecast-fuzz",
      dependencies: [
        "CFuzzerDriver",
        .product(name: "Events", package: "forecast"),
        .product(name: "Forecast", package: "forecast"),
        .product(name: "LSTM", package: "forecast"),
        .product(name: "Simulation", package: "forecast"),
      ]),
  ]
)
