import Foundation
import XCTest

/// The `forecast` executable end to end: simulate → series → train → evaluate → predict, every
/// output checked, and every bad input refused with a message, a non-zero exit and no output.
final class ForecastPipelineTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "forecast-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// The built executable beside the test bundle.
  private var executable: URL {
    var url = Bundle.main.bundleURL
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      url = bundle.bundleURL.deletingLastPathComponent()
    }
    return url.appendingPathComponent("forecast")
  }

  private struct Run {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  private func forecast(_ arguments: [String]) throws -> Run {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Run(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  private func path(_ name: String) -> String { directory + "/" + name }

  private func files() throws -> Set<String> {
    Set(try FileManager.default.contentsOfDirectory(atPath: directory))
  }

  /// Flags that keep training tiny in debug builds.
  private let tiny = [
    "--lookback", "7", "--horizon", "7", "--validation", "14", "--test", "14", "--epochs", "2",
    "--hidden-size", "8", "--windows-per-epoch", "64",
  ]

  private func simulate(_ name: String, extra: [String] = []) throws {
    let run = try forecast(
      [
        "simulate", "--users", "40", "--days", "70", "--start", "2024-01-01", "--seed", "7",
        "--out", path(name),
      ] + extra)
    XCTAssertEqual(run.status, 0, run.stderr)
  }

  /// `simulate --out FILE` alone is the default two-year simulation: every other flag has a
  /// default, shown in the help.
  func testSimulate_defaultsNeedOnlyOut() throws {
    let help = try forecast(["simulate", "--help"])
    XCTAssertEqual(help.status, 0, help.stderr)
    for shown in ["(default: 2000)", "(default: 730)", "(default: 2024-01-01)", "(default: 42)"] {
      XCTAssertTrue(help.stdout.contains(shown), "\(shown) missing from: \(help.stdout)")
    }
    XCTAssertFalse(help.stdout.contains("--users <users> --days"), help.stdout)
    // Only --out and a small size (the full default takes tens of seconds in release).
    let run = try forecast(["simulate", "--users", "5", "--days", "9", "--out", path("d.avro")])
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(run.stdout.hasPrefix(path("d.avro") + ": "), run.stdout)
    XCTAssertEqual(try files(), ["d.avro", "d.anomalies.csv"])
  }

  func testPipeline_simulateTrainEvaluatePredict() throws {
    try simulate("h.avro")
    // Series export.
    var run = try forecast(["series", path("h.avro"), "--out", path("series.csv")])
    XCTAssertEqual(run.status, 0, run.stderr)
    let series = try String(contentsOfFile: path("series.csv"), encoding: .utf8)
      .split(separator: "\n")
    XCTAssertEqual(series.first, "series_id,timestamp,value")
    XCTAssertEqual(series.count, 71)  // 70 complete days
    XCTAssertTrue(series[1].hasPrefix("all,2024-01-01,"))
    let lastDay = try XCTUnwrap(series.last?.split(separator: ",")[1])
    XCTAssertEqual(lastDay, "2024-03-10")
    // Train.
    run = try forecast(["train", path("h.avro"), "--out", path("m.safetensors")] + tiny)
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(run.stdout.contains("seasonal_naive"), run.stdout)
    XCTAssertTrue(run.stderr.contains("epoch 2/2"), run.stderr)
    // Evaluate, as JSON.
    run = try forecast(["evaluate", path("h.avro"), "--json", "--folds", "2"] + tiny)
    XCTAssertEqual(run.status, 0, run.stderr)
    let json = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    for model in ["lstm", "naive", "seasonal_naive", "drift"] {
      let m = try XCTUnwrap(json[model] as? [String: Any], model)
      for key in ["mae", "rmse", "smape", "mase"] { XCTAssertNotNil(m[key] as? Double, key) }
    }
    let lstm = try XCTUnwrap(json["lstm"] as? [String: Any])
    XCTAssertNotNil(lstm["relative_mase"] as? Double)
    XCTAssertNotNil(lstm["coverage_80"] as? Double)
    XCTAssertEqual((lstm["per_step"] as? [[String: Any]])?.count, 7)
    // Predict.
    run = try forecast(
      ["predict", "--model", path("m.safetensors"), path("h.avro"), "--out", path("p.csv")])
    XCTAssertEqual(run.status, 0, run.stderr)
    let lines = try String(contentsOfFile: path("p.csv"), encoding: .utf8).split(separator: "\n")
    XCTAssertEqual(lines.first, "series_id,timestamp,horizon_step,p10,p50,p90")
    XCTAssertEqual(lines.count, 1 + 7)
    for (k, line) in lines.dropFirst().enumerated() {
      let f = line.split(separator: ",").map(String.init)
      XCTAssertEqual(f.count, 6)
      XCTAssertEqual(f[0], "all")
      XCTAssertEqual(f[1], "2024-03-\(11 + k)")  // continues the history
      XCTAssertEqual(f[2], "\(k + 1)")
      let p = f[3...5].compactMap(Double.init)
      XCTAssertEqual(p.count, 3)
      XCTAssertLessThanOrEqual(p[0], p[1])
      XCTAssertLessThanOrEqual(p[1], p[2])
      XCTAssertGreaterThanOrEqual(p[0], 0)
    }
    // JSON predictions with a shorter horizon.
    run = try forecast(
      [
        "predict", "--model", path("m.safetensors"), path("h.avro"), "--out", path("p.json"),
        "--horizon", "3", "--format", "json",
      ])
    XCTAssertEqual(run.status, 0, run.stderr)
    let predictions = try XCTUnwrap(
      JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path("p.json"))))
        as? [String: Any])
    XCTAssertEqual((predictions["forecasts"] as? [Any])?.count, 3)
    XCTAssertEqual(
      try files(),
      ["h.avro", "h.anomalies.csv", "series.csv", "m.safetensors", "p.csv", "p.json"])
  }

  /// A refused command: non-zero exit, the message on standard error, no new file.
  private func assertRefused(
    _ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let before = try files()
    let run = try forecast(arguments)
    XCTAssertNotEqual(run.status, 0, file: file, line: line)
    XCTAssertTrue(
      run.stderr.contains(message), "stderr was: \(run.stderr)", file: file, line: line)
    XCTAssertEqual(try files(), before, "files left behind", file: file, line: line)
  }

  private func csv(_ name: String, _ text: String) throws -> String {
    try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    return path(name)
  }

  func testBadInput_refusedWithMessageAndNoOutput() throws {
    try simulate("h.avro")
    let h = path("h.avro")
    // History too short for the default lookback + horizon + validation + test.
    try assertRefused(
      ["train", h, "--out", path("m.safetensors")],
      "\(h): the history is too short: the longest series has 70 days, training needs at least "
        + "154 (lookback 28 + horizon 14 + validation 56 + test 56).")
    // CSV problems.
    let missing = try csv("missing.csv", "series_id,timestamp\na,2024-01-01\n")
    try assertRefused(
      ["train", "--csv", missing, "--out", path("m.safetensors")],
      "\(missing): the header has no column 'value'")
    let misnamed = try csv("misnamed.csv", "series_id,date,value\na,2024-01-01,1\n")
    try assertRefused(
      ["series", "--csv", misnamed, "--out", path("s.csv")],
      "\(misnamed): column 2 of the header is 'date', expected 'timestamp'.")
    let badTime = try csv("time.csv", "series_id,timestamp,value\na,yesterday,1\n")
    try assertRefused(
      ["train", "--csv", badTime],
      "\(badTime):2: series 'a': timestamp 'yesterday' is not ISO-8601.")
    let duplicate = try csv(
      "dup.csv", "series_id,timestamp,value\na,2024-01-01,1\na,2024-01-01,2\n")
    try assertRefused(
      ["train", "--csv", duplicate], "series 'a' has timestamp 2024-01-01 twice (lines 2 and 3)")
    let nan = try csv("nan.csv", "series_id,timestamp,value\na,2024-01-01,NaN\n")
    try assertRefused(
      ["train", "--csv", nan],
      "\(nan):2: series 'a' at 2024-01-01: value 'NaN' is not a finite number.")
    let irregular = try csv(
      "irregular.csv",
      "series_id,timestamp,value\na,2024-01-01,1\na,2024-01-02,1\na,2024-01-04,1\n")
    try assertRefused(
      ["train", "--csv", irregular], "series 'a' jumps from 2024-01-02 to 2024-01-04 (2 days)")
    // A model, then refusals about it.
    let model = path("m.safetensors")
    let trained = try forecast(["train", h, "--out", model] + tiny)
    XCTAssertEqual(trained.status, 0, trained.stderr)
    try assertRefused(
      ["predict", "--model", model, h, "--out", path("p.csv"), "--horizon", "8"],
      "\(model): the model was trained for horizon 7, not 8. Pass --horizon 7 or less")
    try assertRefused(
      ["predict", "--model", model, h, "--series", "weekly-engagement", "--out", path("p.csv")],
      "\(model): the model forecasts daily-sessions series, not weekly-engagement.")
    try assertRefused(
      ["predict", "--model", model, h, "--by", "continent", "--out", path("p.csv")],
      "\(model): the model was trained with --by none, not continent.")
    // Another format version: the metadata value "1" patched to "9" in place.
    var bytes = try Data(contentsOf: URL(fileURLWithPath: model))
    let key = Data(#""forecast.format_version":"2""#.utf8)
    let range = try XCTUnwrap(bytes.range(of: key))
    bytes[range.upperBound - 2] = UInt8(ascii: "9")
    try bytes.write(to: URL(fileURLWithPath: path("v9.safetensors")))
    try assertRefused(
      ["predict", "--model", path("v9.safetensors"), h, "--out", path("p.csv")],
      "\(path("v9.safetensors")): model format version 9, but this toolkit reads version 2.")
    // A --by key the events do not carry (Milestone-1 files have no subscription).
    try simulate("m1.avro", extra: ["--schema", "milestone1"])
    try assertRefused(
      ["series", path("m1.avro"), "--by", "subscription", "--out", path("s.csv")],
      "\(path("m1.avro")): no event carries a subscription")
  }
}
