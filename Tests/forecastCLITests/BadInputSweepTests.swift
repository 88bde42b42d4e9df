import Foundation
import XCTest

/// Issue 14's promise as a test: every kind of damaged or extreme input a user controls, through
/// the real executable, gets one clear message (the fragment below), the documented exit code
/// (1, or 64 for a command line the argument parser refuses), and no output file. The inputs are
/// small and made here; a regression that walks, allocates or loops on a declared size would
/// hang or run out of memory visibly rather than pass slowly.
final class BadInputSweepTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "forecast-sweep-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  private func path(_ name: String) -> String { directory + "/" + name }

  /// One row of the sweep: the command line, the exit code, a fragment of standard error, and
  /// the outputs that must not exist afterwards.
  private struct Case {
    var arguments: [String]
    var status: Int32
    var message: String
    var outputs: [String]
  }

  private func check(_ c: Case, file: StaticString = #filePath, line: UInt = #line) throws {
    let before = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
    let run = try runForecast(c.arguments, in: directory)
    let shown = c.arguments.joined(separator: " ")
    XCTAssertEqual(run.status, c.status, "\(shown)\n\(run.stderr)", file: file, line: line)
    XCTAssertTrue(
      run.stderr.contains(c.message), "\(shown)\nstderr was: \(run.stderr)", file: file,
      line: line)
    XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr, file: file, line: line)
    XCTAssertFalse(run.stderr.contains(".tmp-"), run.stderr, file: file, line: line)
    XCTAssertFalse(run.stderr.contains("NSCocoaErrorDomain"), run.stderr, file: file, line: line)
    for output in c.outputs {
      XCTAssertFalse(
        FileManager.default.fileExists(atPath: output), "\(shown) left \(output)", file: file,
        line: line)
    }
    XCTAssertEqual(
      Set(try FileManager.default.contentsOfDirectory(atPath: directory)), before,
      "\(shown) left files behind", file: file, line: line)
  }

  // MARK: - Inputs made by the test

  /// An Avro container (null codec, one block) of listening events `(user, start, end)` in
  /// `zone`; with `nullItems`, each record also carries an `array<null>` declaring that many
  /// items in two bytes or so.
  private func history(
    _ name: String, _ events: [(Int64, Int64, Int64)], zone: String = "UTC",
    nullItems: Int64? = nil
  ) throws -> String {
    let junk = nullItems == nil ? "" : #",{"name":"junk","type":{"type":"array","items":"null"}}"#
    let schema =
      #"{"type":"record","name":"ListeningEvent","namespace":"forecast","fields":["#
      + #"{"name":"user_id","type":"long"},"#
      + #"{"name":"user_location","type":{"type":"record","name":"Location","#
      + #""namespace":"music","fields":[{"name":"timezone","type":"string"}]}},"#
      + #"{"name":"interaction","type":"string"},{"name":"genre","type":"string"},"#
      + #"{"name":"listening_time","type":{"type":"record","name":"ListeningPeriod","#
      + #""namespace":"music","fields":[{"name":"start_time","type":"long"},"#
      + #"{"name":"end_time","type":"long"}]}}"# + junk + "]}"
    func long(_ v: Int64, into out: inout [UInt8]) {
      var z = UInt64(bitPattern: (v << 1) ^ (v >> 63))
      while z >= 0x80 {
        out.append(UInt8(z & 0x7F) | 0x80)
        z >>= 7
      }
      out.append(UInt8(z))
    }
    func string(_ s: String, into out: inout [UInt8]) {
      long(Int64(s.utf8.count), into: &out)
      out += Array(s.utf8)
    }
    var bytes = Array("Obj".utf8) + [1]
    long(2, into: &bytes)
    string("avro.schema", into: &bytes)
    string(schema, into: &bytes)
    string("avro.codec", into: &bytes)
    string("null", into: &bytes)
    long(0, into: &bytes)
    let sync = [UInt8](repeating: 0x5A, count: 16)
    bytes += sync
    var block: [UInt8] = []
    for (user, start, end) in events {
      long(user, into: &block)
      string(zone, into: &block)
      string("play", into: &block)
      string("pop", into: &block)
      long(start, into: &block)
      long(end, into: &block)
      if let nullItems {
        long(nullItems, into: &block)
        long(0, into: &block)
      }
    }
    long(Int64(events.count), into: &bytes)
    long(Int64(block.count), into: &bytes)
    bytes += block + sync
    try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
    return path(name)
  }

  /// Three days of hourly events of one user from 2024-01-01, with `bad` as the second event.
  private func hourly(_ name: String, bad: (Int64, Int64)? = nil) throws -> String {
    let base: Int64 = 1_704_067_200_000
    var events = (0..<72).map { i -> (Int64, Int64, Int64) in
      let start = base + Int64(i) * 3_600_000
      return (1, start, start + 200_000)
    }
    if let bad { events.insert((2, bad.0, bad.1), at: 1) }
    return try history(name, events)
  }

  /// The committed daily-sessions model.
  private var committedModel: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("models/daily-sessions.safetensors")
  }

  /// The committed model with its safetensors header edited by `edit` (header JSON object, as
  /// Foundation parses it) and its data bytes by `data`.
  private func model(
    _ name: String, header edit: (inout [String: Any]) throws -> Void = { _ in },
    data: (inout [UInt8], [String: Any]) throws -> Void = { _, _ in }
  ) throws -> String {
    let bytes = [UInt8](try Data(contentsOf: committedModel))
    var n = 0
    for k in (0..<8).reversed() { n = n << 8 | Int(bytes[k]) }
    var header = try XCTUnwrap(
      try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
    var payload = Array(bytes[(8 + n)...])
    try edit(&header)
    try data(&payload, header)
    let json = [UInt8](try JSONSerialization.data(withJSONObject: header))
    var out: [UInt8] = (0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) }
    out += json + payload
    try Data(out).write(to: URL(fileURLWithPath: path(name)))
    return path(name)
  }

  /// The committed model with one field of a JSON metadata value (`forecast.options`,
  /// `forecast.series`) set to `value`.
  private func model(_ name: String, key: String, field: String, value: Any) throws -> String {
    try model(name) { header in
      var meta = try XCTUnwrap(header["__metadata__"] as? [String: String])
      let text = try XCTUnwrap(meta[key])
      var object = try XCTUnwrap(
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
      object[field] = value
      meta[key] = String(
        decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
      header["__metadata__"] = meta
    }
  }

  // MARK: - The sweep

  func testBadInputSweep_extremeEventTimes() throws {
    let out = path("s.csv")
    let max = Int64.max
    let min = Int64.min
    let base: Int64 = 1_704_067_200_000
    let cases: [(name: String, bad: (Int64, Int64), message: String)] = [
      (
        "start-max.avro", (max, max),
        "start-max.avro: record 2: listening_time.start_time 9223372036854775807 "
          + "(292278994-08-17T07:12:55.807Z) is outside the plausible event times "
          + "1970-01-01..2200-01-01. Fix the file, pass --out-of-range skip"
      ),
      (
        "start-min.avro", (min, base),
        "record 2: listening_time.start_time -9223372036854775808 "
          + "(-292275055-05-16T16:47:04.192Z) is outside"
      ),
      ("end-min.avro", (base, min), "record 2: listening_time.end_time -9223372036854775808"),
      ("end-max.avro", (base, max), "record 2: listening_time.end_time 9223372036854775807"),
      // A zero is a missing value written as zero, not 1970-01-01 (once a 19,559-day series).
      (
        "zero-start.avro", (0, base),
        "record 2: listening_time.start_time 0 (1970-01-01T00:00:00Z, a missing value written "
          + "as zero) is outside the plausible event times 1970-01-01..2200-01-01"
      ),
      // Year 100000: once a 35-million-day series.
      (
        "year-100000.avro", (3_093_527_980_800_000, 3_093_527_980_800_000),
        "(100000-01-01T00:00:00.000Z) is outside the plausible event times"
      ),
    ]
    for c in cases {
      let file = try hourly(c.name, bad: c.bad)
      try check(
        Case(
          arguments: ["series", file, "--out", out], status: 1, message: c.message,
          outputs: [out]))
      try check(
        Case(
          arguments: ["train", file, "--out", path("m.safetensors")], status: 1,
          message: c.message, outputs: [path("m.safetensors")]))
      try check(
        Case(
          arguments: ["predict", "--model", committedModel.path, file, "--out", out], status: 1,
          message: c.message, outputs: [out]))
      // wrapped and anomalies refuse them too, naming the first and the way out.
      let refusal = "outside the plausible event times 1970-01-01..2200-01-01, the first event 2 "
      try check(
        Case(
          arguments: ["wrapped", file, "--out", path("w")], status: 1, message: refusal,
          outputs: [path("w")]))
      try check(
        Case(
          arguments: ["anomalies", file, "--out", path("a.csv")], status: 1, message: refusal,
          outputs: [path("a.csv")]))
      // inspect reports any value, Int64.min included, without trapping.
      for json in [[], ["--json"]] {
        let run = try runForecast(["inspect", file] + json, in: directory)
        XCTAssertEqual(run.status, 0, run.stderr)
      }
    }
    // Skipped on request, with a note; a narrower window refuses a plausible time.
    let file = try hourly("skip.avro", bad: (max, max))
    let run = try runForecast(
      ["series", file, "--out-of-range", "skip", "--out", out], in: directory)
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(
      run.stderr.contains(
        "note: --out-of-range skip: skipped 1 event with a start or end outside "
          + "1970-01-01..2200-01-01 (the first is record 2"), run.stderr)
    try FileManager.default.removeItem(atPath: out)
    // (The hand-made file has no song or place fields: wrapped writes what it can.)
    let commands = [
      ["wrapped", file, "--out", path("w"), "--skip-missing"],
      ["anomalies", file, "--out", path("a.csv")],
    ]
    for command in commands {
      let skipped = try runForecast(command + ["--out-of-range", "skip"], in: directory)
      XCTAssertEqual(skipped.status, 0, skipped.stderr)
      XCTAssertTrue(
        skipped.stderr.contains(
          "--out-of-range skip: 1 event outside 1970-01-01..2200-01-01 left out, the first event 2"),
        skipped.stderr)
    }
    try check(
      Case(
        arguments: ["series", file, "--time-range", "2024-01-02..2030-01-01", "--out", out],
        status: 1,
        message: "record 1: listening_time.start_time 1704067200000 (2024-01-01T00:00:00.000Z) "
          + "is outside the plausible event times 2024-01-02..2030-01-01", outputs: [out]))
    try check(
      Case(
        arguments: ["series", file, "--time-range", "2030-01-01..2024-01-01", "--out", out],
        status: 64, message: "--time-range '2030-01-01..2024-01-01': expected FROM..TO",
        outputs: [out]))
  }

  func testBadInputSweep_avroAndZones() throws {
    let out = path("s.csv")
    // Two billion items of nothing in a few bytes: counted, not walked (19 s in release once).
    let nulls = try history(
      "nulls.avro", [(1, 1_704_067_200_000, 1_704_067_300_000)], nullItems: 2_000_000_000)
    let inspected = try runForecast(["inspect", nulls], in: directory)
    XCTAssertEqual(inspected.status, 0, inspected.stderr)
    try check(
      Case(
        arguments: ["series", nulls, "--out", out], status: 1,
        message: "covers no complete day", outputs: [out]))
    let zone = try history(
      "zone.avro", [(1, 1_704_067_200_000, 1_704_067_300_000)], zone: "Mars/Olympus")
    try check(
      Case(
        arguments: ["series", zone, "--calendar", "local", "--out", out], status: 1,
        message: "zone.avro: timezone 'Mars/Olympus' of an event is not an IANA timezone name",
        outputs: [out]))
    try check(
      Case(
        arguments: ["series", "/dev/zero", "--out", out], status: 1,
        message: "it is a device, not a file", outputs: [out]))
    // A directory is a history of its .avro files (a consumer's archive); one without any says so.
    let empty = path("empty")
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    try check(
      Case(
        arguments: ["series", empty, "--out", out], status: 1,
        message: "a directory without .avro files; pass an Avro file or a directory of them",
        outputs: [out]))
  }

  func testBadInputSweep_damagedModelFiles() throws {
    let h = try hourly("h.avro")
    let out = path("p.csv")
    let options = "forecast.options"
    let cases: [(file: String, message: String)] = [
      (
        try model(
          "gap-max.safetensors", key: "forecast.series", field: "sessionGapMinutes",
          value: Int64.max),
        "gap-max.safetensors: forecast.series \"sessionGapMinutes\" is '9223372036854775807', "
          + "expected between 0 and 10080 minutes. The file is damaged or was edited; retrain"
      ),
      (
        try model(
          "gap-neg.safetensors", key: "forecast.series", field: "sessionGapMinutes",
          value: -30),
        "forecast.series \"sessionGapMinutes\" is '-30'"
      ),
      (
        try model("lookback0.safetensors", key: options, field: "lookback", value: 0),
        "lookback0.safetensors: forecast.options \"lookback\" is '0', expected between 1 and "
          + "10000"
      ),
      (
        try model("lookback-5.safetensors", key: options, field: "lookback", value: -5),
        "forecast.options \"lookback\" is '-5'"
      ),
      (
        try model("lookback-max.safetensors", key: options, field: "lookback", value: Int64.max),
        "forecast.options \"lookback\" is '9223372036854775807'"
      ),
      (
        try model("windows0.safetensors", key: options, field: "windowsPerEpoch", value: 0),
        "forecast.options \"windowsPerEpoch\" is '0', expected between 1 and 100000000"
      ),
      (
        try model("scaler.safetensors") { header in
          var meta = try XCTUnwrap(header["__metadata__"] as? [String: String])
          meta["forecast.scalers"] = #"{"all":{"target":{"mean":1,"scale":"inf"},"covariates":[]}}"#
          header["__metadata__"] = meta
        },
        "scaler.safetensors: forecast.scalers \"all\" is 'mean 1.0, scale inf', expected a "
          + "finite mean and a finite positive scale"
      ),
      (
        try model(
          "nan.safetensors",
          data: { payload, header in
            let entry = try XCTUnwrap(header["lstm.weight_hh_l0"] as? [String: Any])
            let begin = try XCTUnwrap((entry["data_offsets"] as? [Int])?.first)
            payload.replaceSubrange(begin..<(begin + 4), with: [0, 0, 0xC0, 0x7F])
          }),
        "nan.safetensors: tensor \"lstm.weight_hh_l0\" holds a NaN or infinite weight"
      ),
      (
        // I = 10^12 declared by an empty tensor; its bytes move to a tensor of another name.
        try model("wide.safetensors") { header in
          let entry = try XCTUnwrap(header["lstm.weight_ih_l0"] as? [String: Any])
          header["unused"] = entry
          header["lstm.weight_ih_l0"] =
            ["dtype": "F32", "shape": [0, 1_000_000_000_000], "data_offsets": [0, 0]]
            as [String: Any]
        },
        "wide.safetensors: lstm.weight_ih_l0 has shape [0, 1000000000000], expected [4H, I]"
      ),
      (
        try model("overflow.safetensors") { header in
          var entry = try XCTUnwrap(header["lstm.weight_ih_l0"] as? [String: Any])
          entry["shape"] = [1 << 62, 1 << 62]
          header["lstm.weight_ih_l0"] = entry
        },
        "overflow.safetensors: tensor \"lstm.weight_ih_l0\" of shape [4611686018427387904, "
          + "4611686018427387904] and dtype F32 needs more than 9223372036854775807 bytes"
      ),
      (
        try model(
          "lag.safetensors", key: "forecast.layout", field: "seasonalLag", value: Int64.max),
        "lag.safetensors: forecast.layout \"seasonalLag\" is '9223372036854775807', expected "
          + "between 0 and 10000"
      ),
      ("/dev/zero", "/dev/zero: not a usable model file (it is a device, not a file)"),
      (directory, "not a usable model file (it is a directory, not a file)"),
    ]
    for c in cases {
      try check(
        Case(
          arguments: ["predict", "--model", c.file, h, "--out", out], status: 1,
          message: c.message, outputs: [out]))
    }
    // Refused the same way when evaluating a saved model.
    try check(
      Case(
        arguments: ["evaluate", "--model", path("windows0.safetensors"), h], status: 1,
        message: "forecast.options \"windowsPerEpoch\" is '0'", outputs: []))
  }

  func testBadInputSweep_optionsOutOfRange() throws {
    let h = try hourly("h.avro")
    let m = path("m.safetensors")
    let huge = "9223372036854775807"
    let cases: [(arguments: [String], message: String)] = [
      (["--lookback", huge], "--lookback \(huge): expected between 1 and 10000."),
      (["--validation", huge], "--validation \(huge): expected between 1 and 1000000."),
      (["--test", huge], "--test \(huge): expected between 0 and 1000000."),
      (["--horizon", huge], "--horizon \(huge): expected between 1 and 1000."),
      (["--horizon", "0"], "--horizon 0: expected between 1 and 1000."),
      (["--threads", huge], "--threads \(huge): expected between 0 (one per core) and 1024."),
      (["--windows-per-epoch", "0"], "--windows-per-epoch 0: expected between 1 and 100000000."),
      (["--windows-per-epoch", "-1"], "--windows-per-epoch -1: expected between 1 and 100000000."),
      (["--hidden-size", "-1"], "--hidden-size -1: expected between 1 and 4096."),
      (["--quantiles", String(repeating: "x", count: 200)], "…' (200 bytes): expected numbers"),
      (["--quantiles", "0.5,1.5"], "--quantiles '0.5,1.5': expected numbers in (0, 1)"),
    ]
    for c in cases {
      try check(
        Case(
          arguments: ["train", h, "--out", m] + c.arguments, status: 64, message: c.message,
          outputs: [m]))
    }
    try check(
      Case(
        arguments: ["wrapped", h, "--top", "-3", "--out", path("w")], status: 64,
        message: "Please pass --top between 1 and 100000 (got -3).", outputs: [path("w")]))
    try check(
      Case(
        arguments: [
          "predict", "--model", committedModel.path, h, "--horizon", "-1", "--out",
          path("p.csv"),
        ], status: 64,
        message: "--horizon -1: expected between 1 and the model's horizon (at most 1000).",
        outputs: [path("p.csv")]))
    // A value of 100,000 characters is named by its first 80 and its length, never printed
    // (the messages of --map items and of missing fields clip too: `MessageTextTests`).
    let long = String(repeating: "x", count: 100_000)
    for (map, status) in [("user_id=" + long, Int32(64)), (long + "=uid", 64)] {
      let run = try runForecast(["series", h, "--map", map, "--out", path("s.csv")], in: directory)
      XCTAssertEqual(run.status, status, String(run.stderr.prefix(300)))
      XCTAssertTrue(
        run.stderr.contains("Error: argument 4 '")
          && run.stderr.contains(String(repeating: "x", count: 72) + "…' (1000"),
        String(run.stderr.prefix(300)))
      XCTAssertLessThan(run.stderr.utf8.count, 2_000, String(run.stderr.prefix(300)))
    }
    // The argument parser names an unknown option, not a missing history.
    try check(
      Case(
        arguments: ["train", "--frobnicate"], status: 64,
        message: "Unknown option '--frobnicate'", outputs: []))
  }

  func testBadInputSweep_outputsCheckedBeforeTheWork() throws {
    let h = try hourly("h.avro")
    try FileManager.default.createDirectory(
      atPath: path("dir"), withIntermediateDirectories: false)
    let cases: [(arguments: [String], message: String, outputs: [String])] = [
      (
        ["train", h, "--out", path("missing/m.safetensors")],
        "\(path("missing/m.safetensors")): cannot write the output (the directory "
          + "\(path("missing")) does not exist)", [path("missing")]
      ),
      (["train", h, "--out", ""], "'': cannot write the output (the path is empty", []),
      (
        ["train", h, "--out", path("dir")],
        "\(path("dir")): cannot write the output (it is a directory, not a file)", []
      ),
      (
        ["series", h, "--out", path("missing/s.csv")], "the directory \(path("missing"))",
        [path("missing")]
      ),
      (
        [
          "predict", "--model", committedModel.path, h, "--out", path("p.csv"), "--plot",
          path("missing/p.svg"),
        ], "the directory \(path("missing")) does not exist",
        [path("p.csv")]
      ),
      (
        [
          "simulate", "--users", "3", "--days", "2", "--write-catalog", path("C.csv"), "--out",
          path("missing-dir/x.avro"),
        ],
        "the directory \(path("missing-dir")) does not exist", [path("C.csv")]
      ),
    ]
    for c in cases {
      try check(Case(arguments: c.arguments, status: 1, message: c.message, outputs: c.outputs))
    }
  }

  func testBadInputSweep_textFilesAndHugeValues() throws {
    let out = path("s.csv")
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
      try Data(bytes).write(to: URL(fileURLWithPath: path(name)))
      return path(name)
    }
    let header = "series_id,timestamp,value\n"
    let rows = (1...9).map { "a,2024-01-0\($0),5\n" }.joined()
    // 2 MB of digits: strtod once took 0.7 s per MB, and the message quoted all of it.
    let huge = try write(
      "huge.csv", Array((header + "a,2024-01-01,").utf8) + [UInt8](repeating: 57, count: 2 << 20))
    let hugeID = try write(
      "huge-id.csv",
      Array(header.utf8) + [UInt8](repeating: 120, count: 2 << 20)
        + Array(",2024-01-01,1\n".utf8))
    var utf16: [UInt8] = [0xFF, 0xFE]
    for unit in (header + rows).utf16 { utf16 += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
    let cases: [(file: String, message: String)] = [
      (huge, "huge.csv: not a CSV the toolkit reads: line 2: a field is longer than 65536 bytes"),
      (hugeID, "huge-id.csv: not a CSV the toolkit reads: line 2: a field is longer than 65536"),
      (
        try write("big.csv", Array((header + "a,2024-01-01,1e308\n").utf8)),
        "big.csv:2: series 'a' at 2024-01-01: value '1e308' is out of range: values must lie "
          + "within ±1e15."
      ),
      (try write("utf16.csv", utf16), "utf16.csv: not a CSV the toolkit reads: it is UTF-16 text"),
      (
        try write("cr.csv", Array((header + rows).utf8.map { $0 == 10 ? 13 : $0 })),
        "cr.csv: not a CSV the toolkit reads: its lines end in CR alone"
      ),
      (
        try write(
          "latin1.csv", Array(header.utf8) + [99, 97, 102, 0xE9] + Array(",2024-01-01,1\n".utf8)),
        "latin1.csv: not a CSV the toolkit reads: it is not UTF-8 text (line 2, byte offset 29"
      ),
      ("/dev/zero", "/dev/zero: cannot read the file (it is a device, not a file)"),
    ]
    for c in cases {
      try check(
        Case(
          arguments: ["series", "--csv", c.file, "--out", out], status: 1, message: c.message,
          outputs: [out]))
    }
    // A catalogue field of 2 MB, refused before the simulation.
    let catalog = try write(
      "catalog.csv",
      Array("Title,Artist,Top Genre,Year,Length (Duration),Popularity\n".utf8)
        + [UInt8](repeating: 120, count: 2 << 20) + Array(",a,pop,2020,200,50\n".utf8))
    try check(
      Case(
        arguments: [
          "simulate", "--catalog", catalog, "--users", "3", "--days", "2", "--out",
          path("x.avro"),
        ], status: 1,
        message: "catalog.csv: not valid CSV (line 2: a field is longer than 65536 bytes",
        outputs: [path("x.avro")]))
  }
}
