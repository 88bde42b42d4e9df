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

  func forecast(_ arguments: [String]) throws -> ForecastRun {
    try runForecast(arguments, in: directory)
  }

  func path(_ name: String) -> String { directory + "/" + name }

  func files() throws -> Set<String> {
    Set(try FileManager.default.contentsOfDirectory(atPath: directory))
  }

  /// Flags that keep training tiny in debug builds.
  private let tiny = [
    "--lookback", "7", "--horizon", "7", "--validation", "14", "--test", "14", "--epochs", "2",
    "--hidden-size", "8", "--windows-per-epoch", "64", "--ensemble", "2",
  ]

  func simulate(_ name: String, extra: [String] = []) throws {
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
  func assertRefused(
    _ arguments: [String], _ message: String, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let before = try files()
    let run = try forecast(arguments)
    XCTAssertNotEqual(run.status, 0, file: file, line: line)
    XCTAssertTrue(
      run.stderr.contains(message), "stderr was: \(run.stderr)", file: file, line: line)
    XCTAssertEqual(try files(), before, "files left behind", file: file, line: line)
  }

  func csv(_ name: String, _ text: String) throws -> String {
    try text.write(toFile: path(name), atomically: false, encoding: .utf8)
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
    let key = Data(#""forecast.format_version":"3""#.utf8)
    let range = try XCTUnwrap(bytes.range(of: key))
    bytes[range.upperBound - 2] = UInt8(ascii: "9")
    try bytes.write(to: URL(fileURLWithPath: path("v9.safetensors")))
    try assertRefused(
      ["predict", "--model", path("v9.safetensors"), h, "--out", path("p.csv")],
      "\(path("v9.safetensors")): model format version 9, but this toolkit reads version 3.")
    // A --by key the events do not carry (Milestone-1 files have no subscription).
    try simulate("m1.avro", extra: ["--schema", "milestone1"])
    try assertRefused(
      ["series", path("m1.avro"), "--by", "subscription", "--out", path("s.csv")],
      "\(path("m1.avro")): no event carries a subscription")
  }

  /// Every case of the issue's bad-input list through each command that reads it: the exact
  /// message, a non-zero exit, no output file.
  func testBadInputSweep_everyCommandRefusesWithTheSameMessage() throws {
    try simulate("h.avro")
    try simulate("m1.avro", extra: ["--schema", "milestone1"])
    let h = path("h.avro")
    let out = ["--out", path("out.csv")]
    let model = path("m.safetensors")
    var trained = try forecast(["train", h, "--out", model, "--quiet"] + tiny)
    XCTAssertEqual(trained.status, 0, trained.stderr)
    // A model of CSV series (60 days of one series 'a').
    var rows = "series_id,timestamp,value\n"
    for day in 0..<60 {
      let date = Date(timeIntervalSince1970: 1_704_067_200 + Double(day) * 86_400)
      rows += "a,\(date.formatted(.iso8601.year().month().day())),\(10 + day % 7)\n"
    }
    let good = try csv("good.csv", rows)
    let csvModel = path("csvmodel.safetensors")
    trained = try forecast(["train", "--csv", good, "--out", csvModel, "--quiet"] + tiny)
    XCTAssertEqual(trained.status, 0, trained.stderr)
    // CSV problems, through every command that reads a CSV.
    let cases: [(name: String, text: String, message: String)] = [
      ("missing.csv", "series_id,timestamp\na,2024-01-01\n", "the header has no column 'value'"),
      (
        "misnamed.csv", "series_id,date,value\na,2024-01-01,1\n",
        "column 2 of the header is 'date', expected 'timestamp'."
      ),
      (
        "time.csv", "series_id,timestamp,value\na,yesterday,1\n",
        ":2: series 'a': timestamp 'yesterday' is not ISO-8601."
      ),
      (
        "dup.csv", "series_id,timestamp,value\na,2024-01-01,1\na,2024-01-01,2\n",
        "series 'a' has timestamp 2024-01-01 twice (lines 2 and 3)"
      ),
      (
        "nan.csv", "series_id,timestamp,value\na,2024-01-01,NaN\n",
        ":2: series 'a' at 2024-01-01: value 'NaN' is not a finite number."
      ),
      (
        "text.csv", "series_id,timestamp,value\na,2024-01-01,many\n",
        ":2: series 'a' at 2024-01-01: value 'many' is not a finite number."
      ),
      (
        "irregular.csv",
        "series_id,timestamp,value\na,2024-01-01,1\na,2024-01-02,1\na,2024-01-04,1\n",
        "series 'a' jumps from 2024-01-02 to 2024-01-04 (2 days)"
      ),
    ]
    for c in cases {
      let file = try csv(c.name, c.text)
      try assertRefused(["train", "--csv", file, "--out", path("m2.safetensors")], c.message)
      try assertRefused(["evaluate", "--csv", file], c.message)
      try assertRefused(["series", "--csv", file] + out, c.message)
      try assertRefused(["predict", "--model", csvModel, "--csv", file] + out, c.message)
    }
    // A history too short: the message says how long it must be.
    let short =
      "\(h): the history is too short: the longest series has 70 days, training needs at least "
      + "154 (lookback 28 + horizon 14 + validation 56 + test 56). Pass a longer history, or a "
      + "smaller --lookback or --horizon."
    try assertRefused(["train", h, "--out", path("m2.safetensors")], short)
    try assertRefused(["evaluate", h], short)
    // Too short to forecast from: fewer points than the model's lookback.
    let few = try csv(
      "few.csv",
      "series_id,timestamp,value\n"
        + (1...5).map { "all,2024-01-0\($0),3\n" }.joined())
    try assertRefused(
      ["predict", "--model", csvModel, "--csv", few] + out,
      "series 'all' has 5 points, fewer than the model's lookback of 7. Pass a history with at "
        + "least 7 points per series.")
    // Options out of range: refused before any work (no endless runs, no out-of-memory traps).
    for (option, value, expected) in [
      ("--hidden-size", "1000000000", "between 1 and 4096"),
      ("--ensemble", "100000000", "between 1 and 64"),
      ("--calibration-folds", "1000000000", "between 0 and 64"),
      ("--learning-rate", "1e308", "a number in (0, 1], e.g. 0.003"),
      ("--patience", "0", "between 1 and 100000"),
    ] {
      let message =
        "--\(option.dropFirst(2)) \(value == "1e308" ? "1e+308" : value): expected "
        + "\(expected). Please pass a valid value."
      try assertRefused(
        ["train", "--csv", good, option, value, "--out", path("m2.safetensors")], message)
      try assertRefused(["evaluate", "--csv", good, option, value], message)
    }
    try assertRefused(
      ["series", h, "--session-gap", "1000000000000000000"] + out,
      "Please pass a --session-gap between 0 and 10080 minutes (one week); the default is 30.")
    // A non-Avro file given as history, to every command.
    let text = try csv("notes.avro", "this is not avro\n")
    for arguments in [
      ["train", text, "--out", path("m2.safetensors")], ["evaluate", text], ["series", text] + out,
      ["predict", "--model", model, text] + out,
    ] {
      try assertRefused(
        arguments,
        "\(text): not an Avro container file (Avro files start with the bytes O, b, j, 0x01). Pass an "
          + "Avro object container file (.avro).")
    }
    // A --by key the events do not carry, to every command that builds series.
    let m1 = path("m1.avro")
    let absent =
      "\(m1): no event carries a subscription (every value is unknown or empty; files written "
      + "with the Milestone-1 schema have no continent or subscription). Choose another --by key "
      + "or omit --by."
    try assertRefused(["series", m1, "--by", "subscription"] + out, absent)
    try assertRefused(
      ["train", m1, "--by", "subscription", "--out", path("m2.safetensors")], absent)
    try assertRefused(["evaluate", m1, "--by", "subscription"], absent)
    // A model for another series kind, from predict and from evaluate --model-file.
    let kind =
      "\(model): the model forecasts daily-sessions series, not weekly-engagement. Pass --series "
      + "daily-sessions, or train a model for weekly-engagement."
    try assertRefused(
      ["predict", "--model", model, h, "--series", "weekly-engagement"] + out, kind)
    try assertRefused(
      ["evaluate", h, "--model-file", model, "--series", "weekly-engagement"], kind)
    // A horizon beyond the model's.
    try assertRefused(
      ["predict", "--model", model, h, "--horizon", "30"] + out,
      "\(model): the model was trained for horizon 7, not 30. Pass --horizon 7 or less, or "
        + "retrain with --horizon 30.")
    // A model file of another format version, to predict and evaluate.
    var bytes = try Data(contentsOf: URL(fileURLWithPath: model))
    let key = Data(#""forecast.format_version":"3""#.utf8)
    let range = try XCTUnwrap(bytes.range(of: key))
    bytes[range.upperBound - 2] = UInt8(ascii: "1")
    let v1 = path("v1.safetensors")
    try bytes.write(to: URL(fileURLWithPath: v1))
    let version =
      "\(v1): model format version 1, but this toolkit reads version 3. Retrain the model with "
      + "this toolkit (forecast train)."
    try assertRefused(["predict", "--model", v1, h] + out, version)
    try assertRefused(["evaluate", h, "--model-file", v1], version)
  }
}
