import Events
import XCTest

/// One test per rule of the specification's "Schema Resolution", plus the seed → toolkit case.
final class SchemaResolutionTests: XCTestCase {
  func resolve(
    _ value: AvroValue, writer: String, reader: String, file: StaticString = #filePath,
    line: UInt = #line
  ) throws -> AvroValue {
    let w = try AvroSchema(json: writer)
    let r = try AvroSchema(json: reader)
    return try AvroValue.decode(value.encoded(with: w), writerSchema: w, readerSchema: r)
  }

  func resolutionError(_ writer: String, _ reader: String) -> AvroResolutionError? {
    do {
      let w = try AvroSchema(json: writer)
      _ = try AvroValue.decode([], writerSchema: w, readerSchema: try AvroSchema(json: reader))
    } catch let AvroDecodingError.incompatibleSchema(e) {
      return e
    } catch {
      return nil
    }
    return nil
  }

  func testResolution_fieldsMatchedByNameInAnyOrder() throws {
    let v = try resolve(
      .record([.int(1), .string("x")]),
      writer:
        #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string"}]}"#,
      reader:
        #"{"type":"record","name":"R","fields":[{"name":"b","type":"string"},{"name":"a","type":"int"}]}"#
    )
    XCTAssertEqual(v, .record([.string("x"), .int(1)]))
  }

  func testResolution_fieldsMatchedByAlias() throws {
    let v = try resolve(
      .record([.long(7)]),
      writer: #"{"type":"record","name":"Old","fields":[{"name":"userId","type":"long"}]}"#,
      reader:
        #"{"type":"record","name":"New","aliases":["Old"],"fields":[{"name":"user_id","type":"long","aliases":["userId"]}]}"#
    )
    XCTAssertEqual(v, .record([.long(7)]))
  }

  func testResolution_missingReaderFieldTakesItsDefault() throws {
    let v = try resolve(
      .record([.int(1)]),
      writer: #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
      reader: #"""
        {"type":"record","name":"R","fields":[{"name":"a","type":"int"},
          {"name":"s","type":"string","default":"none"},
          {"name":"p","type":{"type":"record","name":"P","fields":[{"name":"x","type":"double"}]},
           "default":{"x":1.5}},
          {"name":"l","type":{"type":"array","items":"int"},"default":[1,2]},
          {"name":"u","type":["null","int"],"default":null},
          {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"B"}]}
        """#)
    XCTAssertEqual(
      v,
      .record([
        .int(1), .string("none"), .record([.double(1.5)]), .array([.int(1), .int(2)]),
        .union(index: 0, .null), .enumeration(index: 1, symbol: "B"),
      ]))
  }

  func testResolution_missingReaderFieldWithoutDefaultIsNamed() {
    XCTAssertEqual(
      resolutionError(
        #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}"#,
        #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"int"},{"name":"c","type":"int"}]}"#
      ),
      .missingFields(["R.b", "R.c"]))
  }

  func testResolution_writerFieldsTheReaderLacksAreSkipped() throws {
    let v = try resolve(
      .record([
        .array([.string("skip"), .string("me")]), .int(3), .map(["k": .double(1)]),
        .union(index: 1, .string("u")), .fixed([1, 2]), .double(2),
      ]),
      writer: #"""
        {"type":"record","name":"R","fields":[
          {"name":"arr","type":{"type":"array","items":"string"}},{"name":"a","type":"int"},
          {"name":"m","type":{"type":"map","values":"double"}},{"name":"u","type":["null","string"]},
          {"name":"f","type":{"type":"fixed","name":"F","size":2}},{"name":"d","type":"double"}]}
        """#,
      reader:
        #"{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"d","type":"double"}]}"#
    )
    XCTAssertEqual(v, .record([.int(3), .double(2)]))
  }

  func testResolution_numericPromotions() throws {
    XCTAssertEqual(try resolve(.int(-5), writer: #""int""#, reader: #""long""#), .long(-5))
    XCTAssertEqual(try resolve(.int(-5), writer: #""int""#, reader: #""float""#), .float(-5))
    XCTAssertEqual(try resolve(.int(-5), writer: #""int""#, reader: #""double""#), .double(-5))
    XCTAssertEqual(
      try resolve(.long(1 << 40), writer: #""long""#, reader: #""float""#), .float(0x1p40))
    XCTAssertEqual(
      try resolve(.long(1 << 40), writer: #""long""#, reader: #""double""#), .double(0x1p40))
    XCTAssertEqual(
      try resolve(.float(0.1), writer: #""float""#, reader: #""double""#),
      .double(Double(Float(0.1))))
    // No demotion.
    XCTAssertEqual(
      resolutionError(#""long""#, #""int""#),
      .typeMismatch(writer: "long", reader: "int", at: "int"))
    XCTAssertEqual(
      resolutionError(#""double""#, #""float""#),
      .typeMismatch(writer: "double", reader: "float", at: "float"))
  }

  func testResolution_stringAndBytesPromoteBothWays() throws {
    XCTAssertEqual(
      try resolve(.string("é"), writer: #""string""#, reader: #""bytes""#), .bytes([0xC3, 0xA9]))
    XCTAssertEqual(
      try resolve(.bytes([0x68, 0x69]), writer: #""bytes""#, reader: #""string""#), .string("hi"))
  }

  func testResolution_enumSymbolsMappedByNameWithReaderDefault() throws {
    let writer = #"{"type":"enum","name":"E","symbols":["A","B","C"]}"#
    let reader = #"{"type":"enum","name":"E","symbols":["C","X","A"],"default":"X"}"#
    XCTAssertEqual(
      try resolve(.enumeration(index: 0, symbol: "A"), writer: writer, reader: reader),
      .enumeration(index: 2, symbol: "A"))
    XCTAssertEqual(
      try resolve(.enumeration(index: 2, symbol: "C"), writer: writer, reader: reader),
      .enumeration(index: 0, symbol: "C"))
    // B is unknown to the reader: its default.
    XCTAssertEqual(
      try resolve(.enumeration(index: 1, symbol: "B"), writer: writer, reader: reader),
      .enumeration(index: 1, symbol: "X"))
    // Without a default, an unknown symbol is an error when it occurs.
    let strict = #"{"type":"enum","name":"E","symbols":["A","C"]}"#
    XCTAssertThrowsError(
      try resolve(.enumeration(index: 1, symbol: "B"), writer: writer, reader: strict)
    ) {
      XCTAssertEqual(
        $0 as? AvroDecodingError,
        .corrupt("enum symbol \"B\" is unknown to the reader's schema, which has no default"))
    }
  }

  func testResolution_writerUnionReadAsNonUnion() throws {
    let writer = #"["null","int","string"]"#
    XCTAssertEqual(
      try resolve(.union(index: 1, .int(4)), writer: writer, reader: #""long""#), .long(4))
    XCTAssertThrowsError(
      try resolve(.union(index: 2, .string("s")), writer: writer, reader: #""long""#)
    ) {
      XCTAssertEqual(
        $0 as? AvroDecodingError, .corrupt("a union holds a string the reader's schema cannot read")
      )
    }
  }

  func testResolution_nonUnionReadAsReaderUnion() throws {
    // The first branch of the same type wins; then the first reachable by promotion.
    XCTAssertEqual(
      try resolve(.int(4), writer: #""int""#, reader: #"["null","double","int"]"#),
      .union(index: 2, .int(4)))
    XCTAssertEqual(
      try resolve(.int(4), writer: #""int""#, reader: #"["null","double","string"]"#),
      .union(index: 1, .double(4)))
    XCTAssertEqual(
      resolutionError(#""boolean""#, #"["null","int"]"#),
      .typeMismatch(writer: "boolean", reader: "union", at: "union"))
  }

  func testResolution_unionToUnionByBranch() throws {
    let writer = #"["null","string","int"]"#
    let reader = #"["long","null","string"]"#
    XCTAssertEqual(
      try resolve(.union(index: 0, .null), writer: writer, reader: reader), .union(index: 1, .null))
    XCTAssertEqual(
      try resolve(.union(index: 1, .string("a")), writer: writer, reader: reader),
      .union(index: 2, .string("a")))
    XCTAssertEqual(
      try resolve(.union(index: 2, .int(9)), writer: writer, reader: reader),
      .union(index: 0, .long(9)))
  }

  func testResolution_namedTypesMustMatchNameOrAlias() {
    XCTAssertEqual(
      resolutionError(
        #"{"type":"record","name":"A","fields":[]}"#, #"{"type":"record","name":"B","fields":[]}"#),
      .nameMismatch(writer: "A", reader: "B", at: "B"))
    XCTAssertEqual(
      resolutionError(
        #"{"type":"fixed","name":"F","size":2}"#, #"{"type":"fixed","name":"F","size":3}"#),
      .fixedSizeMismatch(writer: 2, reader: 3, at: "F"))
    XCTAssertNil(
      resolutionError(
        #"{"type":"fixed","name":"x.F","size":2}"#,
        #"{"type":"fixed","name":"y.G","aliases":["x.F"],"size":2}"#))
  }

  func testResolution_arraysAndMapsResolveTheirItems() throws {
    XCTAssertEqual(
      try resolve(
        .array([.int(1), .int(2)]), writer: #"{"type":"array","items":"int"}"#,
        reader: #"{"type":"array","items":"double"}"#),
      .array([.double(1), .double(2)]))
    XCTAssertEqual(
      try resolve(
        .map(["a": .int(1)]), writer: #"{"type":"map","values":"int"}"#,
        reader: #"{"type":"map","values":"long"}"#),
      .map(["a": .long(1)]))
  }

  /// The seed's Milestone-1 file read with the toolkit's schema: defaults filled in.
  func testResolution_milestone1FileReadsWithToolkitSchemaDefaults() throws {
    let dir = temporaryDirectory(self)
    let path = dir + "/m1.avro"
    let events = sampleEvents(count: 20, seed: 3, milestone1: true)
    let writer = try EventFileWriter(path: path, schema: .milestone1, codec: .deflate)
    for e in events { try writer.write(e) }
    try writer.finish()
    let reader = try AvroFileReader(path: path, readerSchema: EventSchema.toolkit.schema)
    let values = try reader.readAll()
    XCTAssertEqual(values.count, 20)
    for (v, e) in zip(values, events) {
      guard case .record(let fields) = v else { return XCTFail() }
      XCTAssertEqual(fields.count, 15)
      XCTAssertEqual(fields[0], .long(e.userID))  // int promoted to long
      XCTAssertEqual(fields[13], .string("Unknown"))  // continent default
      XCTAssertEqual(fields[14], .enumeration(index: 4, symbol: "unknown"))  // subscription default
    }
    // The event reader gives the same events.
    XCTAssertEqual(try EventFileReader(path: path).readAll(), events)
  }

  /// Defaulted fields after a nested record (what crashes Apache Avro C 1.11.1).
  func testResolution_defaultsAfterNestedRecord() throws {
    let v = try resolve(
      .record([.record([.int(1)]), .string("z")]),
      writer:
        #"{"type":"record","name":"R","fields":[{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"x","type":"int"}]}},{"name":"s","type":"string"}]}"#,
      reader:
        #"{"type":"record","name":"R","fields":[{"name":"n","type":{"type":"record","name":"N","fields":[{"name":"x","type":"int"},{"name":"y","type":"int","default":2}]}},{"name":"s","type":"string"},{"name":"t","type":"long","default":3}]}"#
    )
    XCTAssertEqual(v, .record([.record([.int(1), .int(2)]), .string("z"), .long(3)]))
  }
}
