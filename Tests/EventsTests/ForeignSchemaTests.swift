import Events
import Plumbing
import XCTest

/// Files whose schema is not the toolkit's: `inspect` describes them, the event reader names
/// what is missing and what the file has, and `--map` reads them as listening events (an end
/// time given as start + duration included). The file is written by Python's fastavro.
final class ForeignSchemaTests: XCTestCase {
  /// Six scrobbles of three users on 2024-03-04 from 10:00 UTC, one of them without a track.
  static let script = """
    import sys, fastavro
    schema = {"type": "record", "name": "Scrobble", "namespace": "other", "fields": [
        {"name": "uid", "type": "long"},
        {"name": "track", "type": ["null", "string"]},
        {"name": "action", "type": "string"},
        {"name": "style", "type": "string"},
        {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "duration_ms", "type": "int"},
        {"name": "place", "type": {"type": "record", "name": "Place", "fields": [
            {"name": "cc", "type": "string"}, {"name": "lat", "type": "double"}]}}]}
    t0 = 1709546400000
    rows = [
        (7, "Intro", "played", "rock", 0, 180000, "FR", 48.85),
        (7, None, "skipped", "rock", 200000, 5000, "FR", 48.85),
        (3, "Blue", "played", "jazz", 60000, 240000, "US", 40.7),
        (3, "Blue", "liked", "jazz", 300000, 1000, "US", 40.7),
        (12, "Zed", "played", "pop", 120000, 200000, "JP", 35.68),
        (12, "Alpha", "repeated", "pop", 320000, 200000, "JP", 35.68),
    ]
    records = [{"uid": u, "track": tr, "action": a, "style": s, "ts": t0 + dt,
                "duration_ms": d, "place": {"cc": cc, "lat": lat}}
               for (u, tr, a, s, dt, d, cc, lat) in rows]
    with open(sys.argv[1], "wb") as f:
        fastavro.writer(f, fastavro.parse_schema(schema), records, codec="deflate",
                        sync_interval=100)
    """
  static let start: Int64 = 1_709_546_400_000  // 2024-03-04T10:00:00Z

  func foreignFile(file: StaticString = #filePath, line: UInt = #line) throws -> String {
    guard runProcess("python3", ["-c", "import fastavro"]).status == 0 else {
      throw XCTSkip("python3 with fastavro is needed (scripts/install-deps)")
    }
    let path = temporaryDirectory(self) + "/scrobbles.avro"
    let result = runProcess("python3", ["-c", Self.script, path])
    XCTAssertEqual(result.status, 0, result.output, file: file, line: line)
    return path
  }

  static let mapping = [
    "user_id=uid", "interaction=action", "genre=style", "song_name=track",
    "listening_time.end_time=ts+duration_ms", "user_location=place", "user_location.country=cc",
  ]

  func testForeignFile_summaryDescribesEveryField() throws {
    let path = try foreignFile()
    let s = try AvroFileSummary(path: path)
    XCTAssertEqual(s.schemaName, "other.Scrobble")
    XCTAssertEqual(s.codec, .deflate)
    XCTAssertEqual(s.records, 6)
    XCTAssertGreaterThan(s.blocks, 1)  // sync_interval=100 bytes: several blocks
    XCTAssertEqual(
      s.fields.map(\.path),
      ["uid", "track", "action", "style", "ts", "duration_ms", "place.cc", "place.lat"])
    func field(_ p: String) -> AvroFileSummary.FieldStatistics? {
      s.fields.first { $0.path == p }
    }
    XCTAssertEqual(
      field("uid"),
      .init(path: "uid", type: "long", values: 6, nulls: 0, minimum: "3", maximum: "12"))
    XCTAssertEqual(
      field("track"),
      .init(
        path: "track", type: #"["null", "string"]"#, values: 5, nulls: 1,
        minimum: #""Alpha""#, maximum: #""Zed""#))
    XCTAssertEqual(field("ts")?.type, "long (timestamp-millis)")
    XCTAssertEqual(field("ts")?.minimum, "1709546400000 (2024-03-04T10:00:00.000Z)")
    XCTAssertEqual(field("ts")?.maximum, "1709546720000 (2024-03-04T10:05:20.000Z)")
    XCTAssertEqual(field("duration_ms")?.minimum, "1000")
    XCTAssertEqual(field("duration_ms")?.maximum, "240000")
    XCTAssertEqual(field("place.lat")?.minimum, "35.68")
    XCTAssertEqual(field("place.lat")?.maximum, "48.85")
    XCTAssertEqual(field("place.cc")?.minimum, #""FR""#)
    let json = try JSONValue.parse(s.json)
    XCTAssertEqual(json["records"], .integer(6))
    XCTAssertEqual(json["schema"]?["json"]?["name"], .string("other.Scrobble"))
  }

  /// Every Avro type (the committed generic fixtures: unions, enums, arrays, maps, bytes,
  /// fixed, nested and recursive records), from two writers and four codecs: the same
  /// statistics, and the null counts the values themselves give.
  func testSummary_everyTypeEveryWriterAndCodecAgree() throws {
    let fixtures = packageRoot() + "/Tests/EventsTests/Fixtures/"
    let names = [
      "generic-fastavro-null.avro", "generic-fastavro-deflate.avro",
      "generic-fastavro-snappy.avro", "generic-fastavro-zstandard.avro",
      "generic-apache-deflate.avro",
    ]
    let first = try AvroFileSummary(path: fixtures + names[0])
    XCTAssertEqual(first.records, 25)
    for name in names.dropFirst() {
      XCTAssertEqual(try AvroFileSummary(path: fixtures + name).fields, first.fields, name)
    }
    let values = try AvroFileReader(path: fixtures + names[0]).readAll()
    guard case .record(let r) = try AvroFileReader(path: fixtures + names[0]).writerSchema else {
      return XCTFail("not a record")
    }
    for (i, field) in r.fields.enumerated() {
      guard case .union = field.type,
        let stats = first.fields.first(where: { $0.path == field.name })
      else { continue }
      let nulls = values.filter {
        if case .record(let v) = $0, case .union(_, .null) = v[i] { return true }
        return false
      }.count
      XCTAssertEqual(stats.nulls, nulls, field.name)
      XCTAssertEqual(stats.values + stats.nulls, 25, field.name)
    }
  }

  func testForeignFile_eventReaderListsFoundAndMissingFields() throws {
    let path = try foreignFile()
    XCTAssertThrowsError(try EventFileReader(path: path)) {
      XCTAssertEqual(
        $0 as? AvroReadError,
        .missingFields(
          path: path,
          fields: [
            "user_id", "interaction", "genre", "listening_time.start_time",
            "listening_time.end_time",
          ],
          found: [
            "uid: long", "track: union", "action: string", "style: string",
            "ts: long (timestamp-millis)", "duration_ms: int", "place.cc: string",
            "place.lat: double",
          ]))
      XCTAssertTrue("\($0)".contains("Map the file's fields onto them with --map"), "\($0)")
    }
    let inspection = try FileInspection(path: path)
    XCTAssertNil(inspection.events)
    XCTAssertTrue(inspection.text.contains("records:        6"), inspection.text)
    XCTAssertTrue(
      inspection.text.contains("listening events: no. \(path): the records lack the field(s) "),
      inspection.text)
  }

  func testForeignFile_mappedFieldsReadAsEvents() throws {
    let path = try foreignFile()
    let mapping = try EventFieldMapping(parsing: Self.mapping)
    let reader = try EventFileReader(path: path, options: EventReadOptions(mapping: mapping))
    let events = try reader.readAll()
    XCTAssertEqual(events.map(\.userID), [7, 7, 3, 3, 12, 12])
    XCTAssertEqual(
      events.map(\.interaction), [.played, .skipped, .played, .liked, .played, .repeated])
    XCTAssertEqual(events.map(\.song.genre), ["rock", "rock", "jazz", "jazz", "pop", "pop"])
    XCTAssertEqual(events.map(\.song.name), ["Intro", "", "Blue", "Blue", "Zed", "Alpha"])
    XCTAssertEqual(events.map(\.location.country), ["FR", "FR", "US", "US", "JP", "JP"])
    // `place.lat` is a double: read as the toolkit's float latitude (`lat` is its alias).
    XCTAssertEqual(events.map(\.location.latitude), [48.85, 48.85, 40.7, 40.7, 35.68, 35.68])
    XCTAssertEqual(events[0].startTime, Self.start)
    XCTAssertEqual(events[0].endTime, Self.start + 180_000)  // start + duration
    XCTAssertEqual(events[3].startTime, Self.start + 300_000)
    XCTAssertEqual(events[3].endTime, Self.start + 301_000)
    // The columnar reader (series, inspect) agrees.
    var starts: [Int64] = []
    var ends: [Int64] = []
    try EventFileReader(path: path, options: EventReadOptions(mapping: mapping)).forEachBatch {
      starts += $0.startTime
      ends += $0.endTime
    }
    XCTAssertEqual(starts, events.map(\.startTime))
    XCTAssertEqual(ends, events.map(\.endTime))
    let inspection = try FileInspection(path: path, options: EventReadOptions(mapping: mapping))
    XCTAssertEqual(inspection.events?.distinctUsers, 3)
    XCTAssertEqual(inspection.events?.lastEnd, Self.start + 520_000)
    XCTAssertTrue(inspection.text.contains("  place.cc: string  6 values, 0 nulls"))
  }

  func testMapping_badItemsSayWhatToWrite() {
    func message(_ items: [String]) -> String {
      do {
        _ = try EventFieldMapping(parsing: items)
        return "parsed"
      } catch {
        return error.description
      }
    }
    XCTAssertEqual(
      message(["user_id"]),
      "--map user_id: expected TOOLKIT_FIELD=FILE_FIELD, e.g. --map user_id=uid.")
    XCTAssertTrue(
      message(["userid=uid"]).hasPrefix(
        "--map userid=uid: \"userid\" is not a field of the toolkit's events; map one of: "
          + "artist, continent, danceability,"))
    XCTAssertEqual(
      message(["genre=a+b"]),
      "--map genre=a+b: only listening_time.end_time can be a sum "
        + "(listening_time.end_time=START+DURATION); map this field to one field of the file.")
    XCTAssertEqual(
      message(["listening_time.start_time=ts", "listening_time.end_time=begin+d"]),
      "--map listening_time.end_time=begin+d: the start of the sum must be the field mapped to "
        + "listening_time.start_time (ts); write listening_time.end_time=ts+DURATION.")
    XCTAssertEqual(
      message(["user_id=a", "user_id=b"]), "--map: user_id is mapped twice; keep one --map for it.")
    XCTAssertEqual(
      message(["user_id=a.b"]),
      "--map user_id=a.b: the right side must be a field name of the file "
        + "([A-Za-z_][A-Za-z0-9_]*), or START+DURATION for listening_time.end_time.")
    XCTAssertEqual(
      message(["listening_time.end_time=ts+d", "listening_time.start_time=ts"]), "parsed")
    // A mapped field the file does not have is named, never read silently as a default.
  }

  func testMapping_fieldTheFileLacksIsNamed() throws {
    let path = try foreignFile()
    let mapping = try EventFieldMapping(parsing: Self.mapping + ["continent=region"])
    XCTAssertThrowsError(
      try EventFileReader(path: path, options: EventReadOptions(mapping: mapping))
    ) {
      guard case .missingFields(_, let fields, _) = $0 as? AvroReadError else {
        return XCTFail("\($0)")
      }
      XCTAssertEqual(fields, ["region (for continent)"])
    }
  }

  /// Three whole days of plays of two users, one an hour each (3 minutes long: every play its
  /// own session), read by `forecast series` through `--map`: 48 sessions a day.
  func testSeries_cliReadsAForeignFileThroughTheMapping() throws {
    let binary = packageRoot() + "/.build/debug/forecast"
    guard access(binary, X_OK) == 0 else {
      throw XCTSkip("build the forecast executable first (swift build --product forecast)")
    }
    let path = try foreignFile()
    let days = path.replacingOccurrences(of: "scrobbles.avro", with: "days.avro")
    let script = Self.script.replacingOccurrences(
      of: "for (u, tr, a, s, dt, d, cc, lat) in rows]",
      with: "for (u, tr, a, s, dt, d, cc, lat) in rows]\n"
        + "records = [dict(records[0], uid=u, ts=t0 - 36000000 + 3600000 * k + 60000 * u)\n"
        + "           for k in range(72) for u in (1, 2)]")
    let written = runProcess("python3", ["-c", script, days])
    XCTAssertEqual(written.status, 0, written.output)
    let out = path.replacingOccurrences(of: "scrobbles.avro", with: "series.csv")
    let run = runProcess(
      binary, ["series", days, "--out", out] + Self.mapping.flatMap { ["--map", $0] })
    XCTAssertEqual(run.status, 0, run.output)
    XCTAssertEqual(
      String(decoding: readBytes(out), as: UTF8.self),
      "series_id,timestamp,value\nall,2024-03-04,48\nall,2024-03-05,48\nall,2024-03-06,48\n")
    let refused = runProcess(binary, ["series", days, "--out", out + "2"])
    XCTAssertNotEqual(refused.status, 0)
    XCTAssertTrue(refused.output.contains("the file has uid: long, track: union"), refused.output)
    XCTAssertTrue(refused.output.contains("--map"), refused.output)
  }

  func testInspect_cliDescribesAForeignFileAndMapsIt() throws {
    let binary = packageRoot() + "/.build/debug/forecast"
    guard access(binary, X_OK) == 0 else {
      throw XCTSkip("build the forecast executable first (swift build --product forecast)")
    }
    let path = try foreignFile()
    let plain = runProcess(binary, ["inspect", path, "--json"])
    XCTAssertEqual(plain.status, 0, plain.output)
    let json = try JSONValue.parse(plain.output.trimmingSuffixNewline)
    XCTAssertEqual(json["records"], .integer(6))
    XCTAssertEqual(json["listening_events"]?["readable"], .bool(false))
    let mapped = runProcess(
      binary, ["inspect", path, "--json"] + Self.mapping.flatMap { ["--map", $0] })
    XCTAssertEqual(mapped.status, 0, mapped.output)
    let events = try JSONValue.parse(mapped.output.trimmingSuffixNewline)
    XCTAssertEqual(events["distinct_users"], .integer(3))
    XCTAssertEqual(events["listening_events"]?["readable"], .bool(true))
    let bad = runProcess(binary, ["inspect", path, "--map", "nope=uid"])
    XCTAssertNotEqual(bad.status, 0)
    XCTAssertTrue(
      bad.output.contains("\"nope\" is not a field of the toolkit's events"), bad.output)
  }
}
