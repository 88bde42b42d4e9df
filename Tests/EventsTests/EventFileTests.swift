import Events
import XCTest

final class EventFileTests: XCTestCase {
  func checkRoundTrip(
    codec: AvroCodec, schema: EventSchema, count: Int, blockRecordCount: Int,
    file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let dir = temporaryDirectory(self)
    let path = dir + "/events.avro"
    let events = sampleEvents(count: count, seed: 42, milestone1: schema == .milestone1)
    let writer = try EventFileWriter(
      path: path, schema: schema, codec: codec, blockRecordCount: blockRecordCount)
    for e in events { try writer.write(e) }
    XCTAssertEqual(directoryEntries(dir).count, 1, file: file, line: line)
    XCTAssertFalse(
      directoryEntries(dir).contains("events.avro"), "renamed before finish()", file: file,
      line: line)
    try writer.finish()
    XCTAssertEqual(directoryEntries(dir), ["events.avro"], file: file, line: line)

    let reader = try EventFileReader(path: path)
    XCTAssertEqual(reader.codec, codec, file: file, line: line)
    let back = try reader.readAll()
    XCTAssertEqual(back.count, events.count, file: file, line: line)
    XCTAssertEqual(back, events, file: file, line: line)

    var rows: [[String]] = []
    try EventFileReader(path: path).forEachBatch { b in
      for i in 0..<b.count {
        rows.append([
          "\(b.userID[i])", "\(b.startTime[i])", "\(b.endTime[i])", b.timezone[i],
          b.continent[i], b.country[i], b.subscription[i], b.genre[i], b.interaction[i],
          b.artist[i],
        ])
      }
    }
    let expected = events.map { e in
      [
        "\(e.userID)", "\(e.startTime)", "\(e.endTime)", e.location.timezone, e.continent.rawValue,
        e.location.country, e.subscription.rawValue, e.song.genre, e.interaction.rawValue,
        e.song.artist,
      ]
    }
    XCTAssertEqual(rows, expected, file: file, line: line)
  }

  func testRoundTrip_toolkitNull() throws {
    try checkRoundTrip(codec: .null, schema: .toolkit, count: 1000, blockRecordCount: 97)
  }

  func testRoundTrip_toolkitDeflate() throws {
    try checkRoundTrip(codec: .deflate, schema: .toolkit, count: 1000, blockRecordCount: 100)
  }

  func testRoundTrip_toolkitSnappy() throws {
    try checkRoundTrip(codec: .snappy, schema: .toolkit, count: 1000, blockRecordCount: 333)
  }

  func testRoundTrip_toolkitZstandard() throws {
    try checkRoundTrip(codec: .zstandard, schema: .toolkit, count: 1000, blockRecordCount: 250)
  }

  func testRoundTrip_milestone1EveryCodec() throws {
    for codec in AvroCodec.allCases {
      try checkRoundTrip(codec: codec, schema: .milestone1, count: 500, blockRecordCount: 64)
    }
  }

  func testReader_forEachEventStreamsInOrder() throws {
    let path = temporaryDirectory(self) + "/s.avro"
    let events = sampleEvents(count: 50, seed: 11)
    let writer = try EventFileWriter(path: path, codec: .snappy, blockRecordCount: 7)
    for e in events { try writer.write(e) }
    try writer.finish()
    var seen: [ListeningEvent] = []
    try EventFileReader(path: path).forEachEvent { seen.append($0) }
    XCTAssertEqual(seen, events)
    struct Stop: Error {}
    var count = 0
    XCTAssertThrowsError(
      try EventFileReader(path: path).forEachEvent { _ in
        count += 1
        if count == 3 { throw Stop() }
      }
    ) { XCTAssertTrue($0 is Stop) }
    XCTAssertEqual(count, 3)
  }

  func testWriteEncoded_copiesRecordsAcrossBlocks() throws {
    // Encoded bodies laid end to end, as the Kafka consumer keeps them, written in two calls
    // of 7 and 16 records into blocks of 5: the second call starts with a part-filled block.
    let path = temporaryDirectory(self) + "/encoded.avro"
    let events = sampleEvents(count: 23, seed: 7)
    var bytes: [UInt8] = []
    var ends: [Int] = []
    for e in events {
      bytes += ConfluentWireFormat.encode(e, schemaID: 1).dropFirst(5)
      ends.append(bytes.count)
    }
    let writer = try EventFileWriter(path: path, codec: .deflate, blockRecordCount: 5)
    try bytes.withUnsafeBufferPointer { all in
      try writer.writeEncoded(
        UnsafeBufferPointer(rebasing: all[..<ends[6]]), ends: ends[..<7].map { $0 })
      try writer.writeEncoded(
        UnsafeBufferPointer(rebasing: all[ends[6]...]), ends: ends[7...].map { $0 - ends[6] })
    }
    try writer.finish()
    XCTAssertEqual(try EventFileReader(path: path).readAll(), events)
    XCTAssertEqual(try AvroFileSummary(path: path).blocks, 5)
  }

  func testRoundTrip_noEvents() throws {
    let path = temporaryDirectory(self) + "/empty.avro"
    let writer = try EventFileWriter(path: path, codec: .snappy)
    try writer.finish()
    XCTAssertEqual(try EventFileReader(path: path).readAll(), [])
  }
}
