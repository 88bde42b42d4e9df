import Events
import XCTest

/// `EventFileWriter.appendRecords(of:)`: files in the writer's schema are copied as encoded,
/// others decoded and written, and either way the output equals writing the events one by one.
final class EventRecordCopyTests: XCTestCase {
  /// Writes `events` to `path` with `write(_:)`.
  func write(
    _ events: [ListeningEvent], to path: String, schema: EventSchema = .toolkit,
    codec: AvroCodec, blockRecordCount: Int
  ) throws {
    let writer = try EventFileWriter(
      path: path, schema: schema, codec: codec, blockRecordCount: blockRecordCount,
      syncMarker: Array(repeating: 7, count: 16))
    for e in events { try writer.write(e) }
    try writer.finish()
  }

  func testCopiedFiles_equalWritingTheEventsOneByOne() throws {
    let dir = temporaryDirectory(self)
    let events = sampleEvents(count: 1000, seed: 11)
    // Three segments cut at odd places, with blocks of other sizes than the output's.
    let cuts = [0, 1, 418, 1000]
    var segments: [String] = []
    for k in 0..<3 {
      let path = dir + "/segment-\(k).avro"
      try write(
        Array(events[cuts[k]..<cuts[k + 1]]), to: path, codec: k == 2 ? .zstandard : .null,
        blockRecordCount: 37 + k)
      segments.append(path)
    }
    let copied = try EventFileWriter(
      path: dir + "/copied.avro", codec: .snappy, blockRecordCount: 100,
      syncMarker: Array(repeating: 7, count: 16))
    var appended: [Int] = []
    for s in segments { appended.append(try copied.appendRecords(of: s)) }
    try copied.finish()
    XCTAssertEqual(appended, [1, 417, 582])
    try write(events, to: dir + "/written.avro", codec: .snappy, blockRecordCount: 100)
    XCTAssertEqual(readBytes(dir + "/copied.avro"), readBytes(dir + "/written.avro"))
    XCTAssertEqual(try EventFileReader(path: dir + "/copied.avro").readAll(), events)
  }

  func testOtherSchema_isDecodedAndWritten() throws {
    let dir = temporaryDirectory(self)
    let events = sampleEvents(count: 50, seed: 12, milestone1: true)
    try write(
      events, to: dir + "/seed.avro", schema: .milestone1, codec: .deflate, blockRecordCount: 8)
    let copied = try EventFileWriter(
      path: dir + "/copied.avro", codec: .null, syncMarker: Array(repeating: 7, count: 16))
    XCTAssertEqual(try copied.appendRecords(of: dir + "/seed.avro"), 50)
    try copied.finish()
    let expected = try EventFileReader(path: dir + "/seed.avro").readAll()
    XCTAssertEqual(try EventFileReader(path: dir + "/copied.avro").readAll(), expected)
    try write(expected, to: dir + "/written.avro", codec: .null, blockRecordCount: 16_384)
    XCTAssertEqual(readBytes(dir + "/copied.avro"), readBytes(dir + "/written.avro"))
  }

  func testDamagedSegment_throwsAndTheWriterCanBeAbandoned() throws {
    let dir = temporaryDirectory(self)
    try write(
      sampleEvents(count: 40, seed: 13), to: dir + "/segment.avro", codec: .null,
      blockRecordCount: 10)
    var bytes = readBytes(dir + "/segment.avro")
    // Cut inside the last block.
    bytes.removeLast(30)
    writeBytes(bytes, to: dir + "/cut.avro")
    let copied = try EventFileWriter(path: dir + "/copied.avro", codec: .null)
    XCTAssertThrowsError(try copied.appendRecords(of: dir + "/cut.avro")) { error in
      guard case .truncatedBlock(_, let block, _, _, _)? = error as? AvroReadError else {
        return XCTFail("\(error)")
      }
      XCTAssertEqual(block, 3)
    }
    copied.abandon()
    XCTAssertEqual(directoryEntries(dir).sorted(), ["cut.avro", "segment.avro"])
  }

  /// The `corruptRecord` error (block, record, reason) of copying `bytes`, written as a file
  /// in `dir`, or nil (a failure recorded) when the copy does not throw one.
  private func corruptRecord(copying bytes: [UInt8], in dir: String) throws -> (
    block: Int, record: Int, reason: String
  )? {
    writeBytes(bytes, to: dir + "/bad.avro")
    let copied = try EventFileWriter(path: dir + "/copied.avro", codec: .null)
    defer { copied.abandon() }
    do {
      try copied.appendRecords(of: dir + "/bad.avro")
    } catch AvroReadError.corruptRecord(_, let block, let record, let reason) {
      return (block, record, reason)
    } catch {
      XCTFail("\(error)")
      return nil
    }
    XCTFail("the copy did not throw")
    return nil
  }

  func testRecordThatDoesNotSkip_isNamed() throws {
    let dir = temporaryDirectory(self)
    try write(
      sampleEvents(count: 5, seed: 14), to: dir + "/segment.avro", codec: .null,
      blockRecordCount: 5)
    var bytes = readBytes(dir + "/segment.avro")
    // The header ends with the sync marker the file also ends with; the block's count and size
    // (two varints) follow it, then the first record, whose first field is the user id, a long.
    let sync = Array(bytes.suffix(16))
    guard
      let headerEnd = (0...(bytes.count - 32)).first(where: {
        Array(bytes[$0..<$0 + 16]) == sync
      })
    else { return XCTFail("no sync marker") }
    var p = headerEnd + 16
    for _ in 0..<2 {
      while bytes[p] & 0x80 != 0 { p += 1 }
      p += 1
    }
    // Ten continuation bytes are no valid varint.
    for i in 0..<10 { bytes[p + i] = 0xFF }
    let found = try corruptRecord(copying: bytes, in: dir)
    XCTAssertEqual(found?.block, 0)
    XCTAssertEqual(found?.record, 0)
    XCTAssertEqual(found?.reason, "an integer is longer than 10 bytes")
  }

  func testEnumIndexOutsideTheSymbols_isNamed() throws {
    let dir = temporaryDirectory(self)
    try write(
      sampleEvents(count: 3, seed: 15), to: dir + "/segment.avro", codec: .null,
      blockRecordCount: 3)
    var bytes = readBytes(dir + "/segment.avro")
    // The last field of the last record, just before the block's sync marker, is the
    // subscription enum (one byte for indices 0…4): 9 (zig-zag 18) is none of its five symbols.
    bytes[bytes.count - 17] = 18
    let found = try corruptRecord(copying: bytes, in: dir)
    XCTAssertEqual(found?.block, 0)
    XCTAssertEqual(found?.record, 2)
    XCTAssertEqual(found?.reason, "enum index 9 of an enum of 5 symbols")
  }
}
