import Events
import XCTest

final class ConfluentWireFormatTests: XCTestCase {
  func testConfluent_frameLayout() throws {
    let message = ConfluentWireFormat.frame(schemaID: 0x0102_0304, body: [9, 8])
    XCTAssertEqual(message, [0, 1, 2, 3, 4, 9, 8])
    let (id, body) = try ConfluentWireFormat.unframe(message)
    XCTAssertEqual(id, 0x0102_0304)
    XCTAssertEqual(Array(body), [9, 8])
  }

  func testConfluent_eventRoundTripAndSeedSchema() throws {
    for e in sampleEvents(count: 20, seed: 4) {
      let message = ConfluentWireFormat.encode(e, schemaID: 42)
      let (id, back) = try ConfluentWireFormat.decodeEvent(message)
      XCTAssertEqual(id, 42)
      XCTAssertEqual(back, e)
    }
    // A message written with the seed's schema (int user id, no continent) decodes too.
    let schema = EventSchema.milestone1.schema
    let value = AvroValue.record([
      .int(5),
      .record([.float(1), .float(2), .string("FR"), .string("Paris"), .string("Europe/Paris")]),
      .string("skipped"), .string("S"), .string("A"), .string("pop"), .int(1999), .int(50),
      .float(0.5), .float(0.25), .int(200), .record([.long(1000), .long(2000)]), .string("FLTC"),
    ])
    let message = try ConfluentWireFormat.encode(value, schema: schema, schemaID: 7)
    let (id, event) = try ConfluentWireFormat.decodeEvent(message, writerSchema: schema)
    XCTAssertEqual(id, 7)
    XCTAssertEqual(event.userID, 5)
    XCTAssertEqual(event.interaction, .skipped)
    XCTAssertEqual(event.continent, .unknown)
    XCTAssertEqual(event.endTime, 2000)
    XCTAssertEqual(try ConfluentWireFormat.decode(message, writerSchema: schema).value, value)
  }

  func testConfluent_badMessages() {
    XCTAssertThrowsError(try ConfluentWireFormat.unframe([1, 0, 0, 0, 1])) {
      XCTAssertEqual($0 as? AvroDecodingError, .notConfluentWireFormat(firstByte: 1))
    }
    XCTAssertThrowsError(try ConfluentWireFormat.unframe([])) {
      XCTAssertEqual($0 as? AvroDecodingError, .notConfluentWireFormat(firstByte: nil))
    }
    XCTAssertThrowsError(try ConfluentWireFormat.unframe([0, 0, 1])) {
      XCTAssertEqual($0 as? AvroDecodingError, .truncatedConfluentHeader(3))
    }
    var message = ConfluentWireFormat.encode(sampleEvents(count: 1, seed: 1)[0], schemaID: 1)
    message.removeLast(3)
    XCTAssertThrowsError(try ConfluentWireFormat.decodeEvent(message)) {
      guard case .corrupt = $0 as? AvroDecodingError else { return XCTFail("\($0)") }
    }
    XCTAssertThrowsError(
      try ConfluentWireFormat.decode([0, 0, 0, 0, 1, 2, 3], writerSchema: .int)
    ) {
      // Body [2, 3]: the int 1, then 1 byte too many.
      XCTAssertEqual($0 as? AvroDecodingError, .trailingBytes(1))
    }
  }
  /// Messages decoded as one run must each hold exactly one event: a message with a byte too
  /// many followed by one a byte short decode, laid end to end, as two good events, which the
  /// messages' boundaries refuse.
  func testRecordsDecoder_eachEventEndsWhereItsMessageDoes() throws {
    let decoder = try EventRecordsDecoder(writerSchema: EventSchema.toolkit.schema)
    let events = sampleEvents(count: 2, seed: 5)
    let (a, b) = (EventEncoding.encode(events[0]), EventEncoding.encode(events[1]))
    let bytes = a + b
    let good = try decoder.decode(bytes, count: 2, ends: [a.count, a.count + b.count])
    XCTAssertEqual(good.userID, events.map(\.userID))
    // Without the boundaries the shifted pair reads as the two events...
    XCTAssertEqual(try decoder.decode(bytes, count: 2).userID, events.map(\.userID))
    // ...with them, the first message's extra byte is found.
    XCTAssertThrowsError(try decoder.decode(bytes, count: 2, ends: [a.count + 1, bytes.count])) {
      XCTAssertEqual(
        $0 as? AvroDecodingError,
        .corrupt("the event takes \(a.count) bytes of its message's \(a.count + 1)"))
    }
    XCTAssertThrowsError(try decoder.decode(bytes, count: 2, ends: [bytes.count])) {
      XCTAssertEqual(
        $0 as? AvroDecodingError,
        .corrupt("1 record boundaries given for 2 records"))
    }
  }

  /// The run decoder keeps its dictionaries from one batch to the next: a string keeps its id,
  /// the values only grow, under one epoch; past 65,536 strings in a slot they start again under
  /// a new epoch, and every batch still reads back its own strings.
  func testRecordsDecoder_dictionariesContinueAcrossBatchesUntilTheBound() throws {
    let decoder = try EventRecordsDecoder(writerSchema: EventSchema.toolkit.schema)
    let base = sampleEvents(count: 1, seed: 9)[0]
    func batch(_ names: [String]) throws -> EventBatch {
      var bytes: [UInt8] = []
      for name in names {
        var e = base
        e.song.name = name
        bytes += EventEncoding.encode(e)
      }
      return try decoder.decode(bytes, count: names.count)
    }
    let first = try batch(["A", "B", "A"])
    let epoch = decoder.epoch
    let second = try batch(["B", "C"])
    XCTAssertTrue(decoder.epoch === epoch)
    XCTAssertEqual(second.songName.indices[0], first.songName.indices[1])
    XCTAssertEqual(
      second.songName.values.prefix(first.songName.values.count), first.songName.values[...])
    XCTAssertEqual((0..<2).map { second.songName[$0] }, ["B", "C"])
    XCTAssertEqual((0..<3).map { first.songName[$0] }, ["A", "B", "A"])
    // 65,536 more names: the batch past the bound starts new dictionaries.
    var epochs = 0
    for k in 0..<65 {
      let names = (0..<1024).map { "song \(k * 1024 + $0)" }
      let b = try batch(names)
      if !(decoder.epoch === epoch) && epochs == 0 {
        epochs = 1
        XCTAssertLessThan(b.songName.values.count, 2048)
      }
      XCTAssertEqual(b.songName[0], names[0])
      XCTAssertEqual(b.songName[1023], names[1023])
    }
    XCTAssertEqual(epochs, 1)
  }
}
