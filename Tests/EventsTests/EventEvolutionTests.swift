import Events
import XCTest

/// Event files of other shapes: flattened Milestone-2 records, microsecond timestamps, nullable
/// fields, and what is refused.
final class EventEvolutionTests: XCTestCase {
  func write(_ schemaJSON: String, _ values: [AvroValue], codec: AvroCodec = .null) throws -> String
  {
    let path = temporaryDirectory(self) + "/f.avro"
    let writer = try AvroFileWriter(
      path: path, schema: try AvroSchema(json: schemaJSON), schemaJSON: schemaJSON, codec: codec)
    for v in values { try writer.append(v) }
    try writer.finish()
    return path
  }

  func testFlattened_microsecondTimestampsAndNullsReadAsEvents() throws {
    let schema = #"""
      {"type": "record", "name": "Play", "namespace": "kafka", "fields": [
        {"name": "userId", "type": "int"},
        {"name": "genre", "type": ["null", "string"]},
        {"name": "interactionType", "type": {"type": "enum", "name": "Kind", "symbols": ["Skip", "Like", "Share"]}},
        {"name": "startTime", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "endTime", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "timezone", "type": "string"},
        {"name": "extra", "type": {"type": "map", "values": {"type": "array", "items": "double"}}}
      ]}
      """#
    let path = try write(
      schema,
      [
        .record([
          .int(3), .union(index: 1, .string("jazz")), .enumeration(index: 0, symbol: "Skip"),
          .long(1_700_000_000_123_456), .long(1_700_000_060_000_999), .string("Asia/Tokyo"),
          .map(["a": .array([.double(1), .double(2)])]),
        ]),
        .record([
          .int(4), .union(index: 0, .null), .enumeration(index: 2, symbol: "Share"),
          .long(0), .long(1000), .string("UTC"), .map([:]),
        ]),
      ], codec: .snappy)
    let events = try EventFileReader(path: path).readAll()
    XCTAssertEqual(events.count, 2)
    XCTAssertEqual(events[0].userID, 3)
    XCTAssertEqual(events[0].song.genre, "jazz")
    XCTAssertEqual(events[0].interaction, .skipped)
    XCTAssertEqual(events[0].startTime, 1_700_000_000_123)  // microseconds → milliseconds
    XCTAssertEqual(events[0].endTime, 1_700_000_060_000)
    XCTAssertEqual(events[0].location.timezone, "Asia/Tokyo")  // flattened user_location
    XCTAssertEqual(events[0].location.country, "")  // default
    XCTAssertEqual(events[1].song.genre, "")  // null keeps the default
    XCTAssertEqual(events[1].interaction, .other)  // "Share" is none of the toolkit's
    XCTAssertEqual(events[1].endTime, 1)
  }

  func testFlattened_missingStartTimeIsNamed() throws {
    let schema = #"""
      {"type": "record", "name": "Play", "fields": [
        {"name": "userId", "type": "long"}, {"name": "genre", "type": "string"},
        {"name": "interactionType", "type": "string"}, {"name": "endTime", "type": "long"}]}
      """#
    let path = try write(schema, [])
    XCTAssertThrowsError(try EventFileReader(path: path)) {
      XCTAssertEqual(
        $0 as? AvroReadError,
        .missingFields(
          path: path, fields: ["listening_time.start_time"],
          found: [
            "userId: long", "genre: string", "interactionType: string", "endTime: long",
          ]))
    }
  }

  func testEventSchema_incompatibleTypeIsRefused() throws {
    let schema = #"""
      {"type": "record", "name": "Play", "fields": [
        {"name": "user_id", "type": "string"}, {"name": "genre", "type": "string"},
        {"name": "interaction", "type": "string"},
        {"name": "start_time", "type": "long"}, {"name": "end_time", "type": "long"}]}
      """#
    let path = try write(schema, [])
    XCTAssertThrowsError(try EventFileReader(path: path)) {
      XCTAssertEqual(
        $0 as? AvroReadError,
        .fieldTypeMismatch(
          path: path, field: "user_id", fileField: "user_id", found: "string", needed: "long"))
      // Not "read it with a schema whose type is string": the user cannot; say what can be done.
      XCTAssertEqual(
        "\($0)",
        "\(path): the file's user_id is string, but the toolkit needs integer user ids (long or "
          + "int). Map an integer field of the file with --map user_id=FIELD, or convert the ids "
          + "to integers (e.g. number the distinct ids) and rewrite the file.")
    }
  }

  func testSalvage_columnarKeepsBlocksBeforeDamage() throws {
    let dir = temporaryDirectory(self)
    let path = dir + "/c.avro"
    let events = sampleEvents(count: 40, seed: 6)
    let writer = try EventFileWriter(path: path, codec: .deflate, blockRecordCount: 10)
    for e in events { try writer.write(e) }
    try writer.finish()
    let bytes = readBytes(path)
    writeBytes(Array(bytes.dropLast(30)), to: path)
    var users: [Int64] = []
    let reader = try EventFileReader(path: path, options: EventReadOptions(salvage: true))
    try reader.forEachBatch { users += $0.userID }
    XCTAssertEqual(users, events.prefix(30).map(\.userID))
    XCTAssertEqual(reader.salvageReport?.recordsKept, 30)
    XCTAssertEqual(reader.salvageReport?.blocksKept, 3)
    XCTAssertEqual(reader.salvageReport?.blocksDropped, 1)
    XCTAssertTrue(
      reader.salvageReport?.description.hasPrefix("salvaged 30 records from 3 blocks") ?? false)
  }

  func testWriter_unwritableDirectoryIsAnError() {
    XCTAssertThrowsError(try EventFileWriter(path: "/nonexistent-dir/x.avro")) {
      XCTAssertEqual(
        $0 as? AvroWriteError,
        .cannotWrite(path: "/nonexistent-dir/x.avro", reason: "No such file or directory"))
    }
  }
}
