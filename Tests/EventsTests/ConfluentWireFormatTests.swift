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
}
