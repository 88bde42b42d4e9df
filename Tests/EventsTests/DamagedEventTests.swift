import Events
import XCTest

/// Events with a value the toolkit cannot use (`EventFlaw`): a null in a field every event needs
/// (a union with null in the file's schema), or a union branch of a type the field cannot hold.
/// Refused by default naming the record (counted from 1 in the file) and the field, left out
/// and counted with `damagedEvents: .skip` (`--out-of-range skip`); a null in a defaulted field
/// keeps the default. Files are written with the toolkit's own Avro writer, two records a block.
final class DamagedEventTests: XCTestCase {
  /// The fields the toolkit needs, `user_id` and `start_time` of the given types.
  static func schema(userID: String = #""long""#, start: String = #""long""#) -> String {
    #"""
    {"type": "record", "name": "Plays", "namespace": "other", "fields": [
      {"name": "user_id", "type": \#(userID)},
      {"name": "interaction", "type": "string"},
      {"name": "genre", "type": "string"},
      {"name": "song_name", "type": ["null", "string"]},
      {"name": "listening_time", "type": {"type": "record", "name": "ListeningPeriod", "fields": [
        {"name": "start_time", "type": \#(start)}, {"name": "end_time", "type": "long"}]}}]}
    """#
  }

  static let t0: Int64 = 1_709_546_400_000  // 2024-03-04T10:00:00Z

  /// Six plays an hour apart; `user(i)` and `start(i)` give record i's (0-based) values.
  func write(
    schema: String, user: (Int) -> AvroValue, start: (Int) -> AvroValue,
    song: (Int) -> AvroValue = { _ in .union(index: 1, .string("Song")) },
    file: StaticString = #filePath, line: UInt = #line
  ) throws -> String {
    let path = temporaryDirectory(self, file: file, line: line) + "/plays.avro"
    let writer = try AvroFileWriter(
      path: path, schema: try AvroSchema(json: schema), codec: .null, blockRecordCount: 2)
    for i in 0..<6 {
      let end = Self.t0 + Int64(i) * 3_600_000 + 60_000
      try writer.append(
        .record([
          user(i), .string("played"), .string("rock"), song(i), .record([start(i), .long(end)]),
        ]))
    }
    try writer.finish()
    return path
  }

  /// A nullable start, null in record 5 (index 4, block 2).
  func nullStartFile() throws -> String {
    try write(
      schema: Self.schema(start: #"["null", "long"]"#), user: { .long(Int64($0 % 3)) },
      start: {
        $0 == 4 ? .union(index: 0, .null) : .union(index: 1, .long(Self.t0 + Int64($0) * 3_600_000))
      })
  }

  static let nullStart = EventFlaw(
    field: "listening_time.start_time", fileField: "listening_time.start_time", found: "null",
    branches: ["null", "long"], needed: "long")

  func testDamagedEvent_nullStartIsRefusedNamingRecordAndField() throws {
    let path = try nullStartFile()
    for salvage in [false, true] {
      // Salvage is for damaged bytes; this file is intact, the event is the damage.
      let reader = try EventFileReader(path: path, options: EventReadOptions(salvage: salvage))
      XCTAssertThrowsError(try reader.readAll()) {
        XCTAssertEqual(
          $0 as? AvroReadError, .damagedEvent(path: path, record: 5, flaw: Self.nullStart))
      }
    }
    XCTAssertThrowsError(try EventFileReader(path: path).forEachBatch { _ in }) {
      XCTAssertEqual(
        "\($0)",
        "\(path): record 5: listening_time.start_time is null; the toolkit needs it in every "
          + "event (a null is a missing value, not listening). Fix the file, or pass "
          + "--out-of-range skip to leave such events out.")
    }
  }

  func testDamagedEvent_skipLeavesOutAndCounts() throws {
    let path = try nullStartFile()
    let options = EventReadOptions(damagedEvents: .skip)
    let reader = try EventFileReader(path: path, options: options)
    let events = try reader.readAll()
    XCTAssertEqual(events.count, 5)
    XCTAssertFalse(events.contains { $0.startTime == 0 })
    let report = DamagedEventsReport(count: 1, firstRecord: 5, flaw: Self.nullStart)
    XCTAssertEqual(reader.damagedEventsReport, report)
    XCTAssertEqual(
      report.description,
      "left out 1 event with a value the toolkit cannot use (the first is record 5: "
        + "listening_time.start_time is null)")
    var starts: [Int64] = []
    let batches = try EventFileReader(path: path, options: options)
    try batches.forEachBatch { starts += $0.startTime }
    XCTAssertEqual(starts, [0, 1, 2, 3, 5].map { Self.t0 + $0 * 3_600_000 })
    XCTAssertEqual(batches.damagedEventsReport, report)
  }

  func testDamagedEvent_nullUserIDCountsEveryOne() throws {
    // Nulls in records 2 and 6 (blocks 0 and 2): the first and the count are reported.
    let path = try write(
      schema: Self.schema(userID: #"["null", "long"]"#),
      user: { $0 % 4 == 1 ? .union(index: 0, .null) : .union(index: 1, .long(7)) },
      start: { .long(Self.t0 + Int64($0) * 3_600_000) })
    XCTAssertThrowsError(try EventFileReader(path: path).readAll()) {
      guard case .damagedEvent(_, 2, let flaw) = $0 as? AvroReadError else {
        return XCTFail("\($0)")
      }
      XCTAssertEqual(flaw.problem, "user_id is null")
    }
    let reader = try EventFileReader(path: path, options: EventReadOptions(damagedEvents: .skip))
    XCTAssertEqual(try reader.readAll().map(\.userID), [7, 7, 7, 7])
    XCTAssertEqual(reader.damagedEventsReport?.count, 2)
    XCTAssertEqual(reader.damagedEventsReport?.firstRecord, 2)
  }

  func testDamagedEvent_nullInDefaultedFieldKeepsTheDefault() throws {
    let path = try write(
      schema: Self.schema(), user: { .long(Int64($0)) },
      start: { .long(Self.t0 + Int64($0) * 3_600_000) },
      song: { $0 == 0 ? .union(index: 0, .null) : .union(index: 1, .string("Song")) })
    let reader = try EventFileReader(path: path)
    XCTAssertEqual(
      try reader.readAll().map(\.song.name), ["", "Song", "Song", "Song", "Song", "Song"])
    XCTAssertNil(reader.damagedEventsReport)
  }

  func testDamagedEvent_stringUserIDNamesTheBranch() throws {
    // user_id: ["long", "string"], a string in record 3 (index 2).
    let path = try write(
      schema: Self.schema(userID: #"["long", "string"]"#),
      user: { $0 == 2 ? .union(index: 1, .string("u2")) : .union(index: 0, .long(Int64($0))) },
      start: { .long(Self.t0 + Int64($0) * 3_600_000) })
    XCTAssertThrowsError(try EventFileReader(path: path).readAll()) {
      XCTAssertEqual(
        "\($0)",
        "\(path): record 3: user_id holds a string (branch 1 of the file's union [long, string]); "
          + "the toolkit needs integer user ids (long): convert the ids to integers (e.g. number "
          + "the distinct ids), or map an integer field with --map user_id=FIELD. Or pass "
          + "--out-of-range skip to leave such events out.")
    }
    // The string is skipped over: the records after it read.
    let reader = try EventFileReader(path: path, options: EventReadOptions(damagedEvents: .skip))
    XCTAssertEqual(try reader.readAll().map(\.userID), [0, 1, 3, 4, 5])
    // inspect describes the valid file: every record in the generic part, the events and the
    // one left out in the event part.
    let inspection = try FileInspection(path: path)
    XCTAssertEqual(inspection.file.records, 6)
    XCTAssertEqual(inspection.events?.records, 6)
    XCTAssertEqual(inspection.events?.distinctUsers, 5)
    XCTAssertEqual(inspection.events?.damaged?.firstRecord, 3)
    XCTAssertTrue(
      inspection.text.contains(
        "unusable:       1 record left out of the summary above (the first is record 3: "
          + "user_id holds a string (branch 1 of the file's union [long, string]))"),
      inspection.text)
  }

  func testDamagedEvent_nullRecordOfNeededFields() throws {
    // listening_time: ["null", Period], null in record 1.
    var schema = Self.schema()
    schema = schema.replacingOccurrences(
      of: #""type": {"type": "record", "name": "ListeningPeriod""#,
      with: #""type": ["null", {"type": "record", "name": "ListeningPeriod""#)
    schema = schema.replacingOccurrences(of: #""long"}]}}]}"#, with: #""long"}]}]}]}"#)
    let path = temporaryDirectory(self) + "/p.avro"
    let writer = try AvroFileWriter(path: path, schema: try AvroSchema(json: schema), codec: .null)
    try writer.append(
      .record([
        .long(1), .string("played"), .string("rock"), .union(index: 0, .null),
        .union(index: 0, .null),
      ]))
    try writer.finish()
    XCTAssertThrowsError(try EventFileReader(path: path).readAll()) {
      guard case .damagedEvent(_, 1, let flaw) = $0 as? AvroReadError else {
        return XCTFail("\($0)")
      }
      XCTAssertEqual(flaw.problem, "listening_time is null")
    }
  }

  func testDamagedEvent_messageDecoderRefusesNull() throws {
    // Kafka messages: one body with a null start is a bad record, not an event at 1970.
    let writer = try AvroSchema(json: Self.schema(start: #"["null", "long"]"#))
    let body = try AvroValue.record([
      .long(1), .string("played"), .string("rock"), .union(index: 0, .null),
      .record([.union(index: 0, .null), .long(5)]),
    ]).encoded(with: writer)
    XCTAssertThrowsError(try EventMessageDecoder(writerSchema: writer).decode(body)) {
      XCTAssertEqual(
        "\($0)".contains("listening_time.start_time is null"), true, "\($0)")
    }
  }
}
