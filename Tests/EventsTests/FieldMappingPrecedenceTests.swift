import Events
import XCTest

/// An explicit `--map` wins over a field of the toolkit's name, reads a nested toolkit field
/// from beside the file's own record, and lets one file field feed two toolkit fields; a map
/// onto a field of a type the toolkit field cannot be read as is refused, naming both types.
/// The file is written with the toolkit's own Avro writer.
final class FieldMappingPrecedenceTests: XCTestCase {
  static let schema = #"""
    {"type": "record", "name": "Plays", "namespace": "other", "fields": [
      {"name": "user_id", "type": "long"},
      {"name": "alt_uid", "type": "long"},
      {"name": "interaction", "type": "string"},
      {"name": "genre", "type": "string"},
      {"name": "artist", "type": "string"},
      {"name": "ts", "type": "long"},
      {"name": "listening_time", "type": {"type": "record", "name": "ListeningPeriod", "fields": [
        {"name": "start_time", "type": "long"}, {"name": "end_time", "type": "long"}]}}]}
    """#

  static let t0: Int64 = 1_709_546_400_000  // 2024-03-04T10:00:00Z

  /// Three plays an hour apart: user_id i+1, alt_uid 100+i, artist A<i>, ts one second after
  /// the start.
  func file(file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let path = temporaryDirectory(self, file: file, line: line) + "/plays.avro"
    let writer = try AvroFileWriter(
      path: path, schema: try AvroSchema(json: Self.schema), codec: .null)
    for i in 0..<3 {
      let start = Self.t0 + Int64(i) * 3_600_000
      try writer.append(
        .record([
          .long(Int64(i) + 1), .long(100 + Int64(i)), .string("played"), .string("rock"),
          .string("A\(i)"), .long(start + 1000), .record([.long(start), .long(start + 60_000)]),
        ]))
    }
    try writer.finish()
    return path
  }

  func read(_ path: String, _ map: [String]) throws -> [ListeningEvent] {
    let options = EventReadOptions(mapping: try EventFieldMapping(parsing: map))
    return try EventFileReader(path: path, options: options).readAll()
  }

  func testFieldMapping_winsOverAFieldOfTheToolkitsName() throws {
    let path = try file()
    XCTAssertEqual(try read(path, []).map(\.userID), [1, 2, 3])
    XCTAssertEqual(try read(path, ["user_id=alt_uid"]).map(\.userID), [100, 101, 102])
    // Columns too (series and Wrapped read them).
    var users: [Int64] = []
    let options = EventReadOptions(mapping: try EventFieldMapping(parsing: ["user_id=alt_uid"]))
    try EventFileReader(path: path, options: options).forEachBatch { users += $0.userID }
    XCTAssertEqual(users, [100, 101, 102])
  }

  func testFieldMapping_nestedFieldFromBesideTheFilesRecord() throws {
    // The start from the top-level ts, the end still from the file's listening_time.
    let events = try read(try file(), ["listening_time.start_time=ts"])
    XCTAssertEqual(events.map(\.startTime), [0, 1, 2].map { Self.t0 + $0 * 3_600_000 + 1000 })
    XCTAssertEqual(events.map(\.endTime), [0, 1, 2].map { Self.t0 + $0 * 3_600_000 + 60_000 })
  }

  func testFieldMapping_oneFileFieldIntoTwoToolkitFields() throws {
    let path = try file()
    // A long into a long is fine, whatever it means: the start is the user id, which is
    // still the user id.
    let odd = try read(path, ["listening_time.start_time=user_id"])
    XCTAssertEqual(odd.map(\.startTime), [1, 2, 3])
    XCTAssertEqual(odd.map(\.userID), [1, 2, 3])
    // The genre is the artist, and the artist stays the artist.
    let events = try read(path, ["genre=artist"])
    XCTAssertEqual(events.map(\.song.genre), ["A0", "A1", "A2"])
    XCTAssertEqual(events.map(\.song.artist), ["A0", "A1", "A2"])
  }

  func testFieldMapping_typeTheToolkitCannotReadIsRefused() throws {
    let path = try file()
    XCTAssertThrowsError(try read(path, ["user_id=genre"])) {
      XCTAssertEqual(
        $0 as? AvroReadError,
        .fieldTypeMismatch(
          path: path, field: "user_id", fileField: "genre", found: "string", needed: "long"))
    }
    XCTAssertThrowsError(try read(path, ["listening_time.end_time=artist"])) {
      XCTAssertEqual(
        "\($0)",
        "\(path): the file's artist (for listening_time.end_time) is string, but the toolkit "
          + "reads listening_time.end_time as long (or int). Map a field of such a type with "
          + "--map listening_time.end_time=FIELD, or rewrite the file with "
          + "listening_time.end_time as long.")
    }
  }
}
