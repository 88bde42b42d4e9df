import Events
import XCTest

final class AvroSchemaTests: XCTestCase {
  func testSchema_embeddedTextsEqualTheAvscFiles() throws {
    for schema in EventSchema.allCases {
      let path = packageRoot() + "/Sources/Events/Schemas/" + schema.fileName
      XCTAssertEqual(schema.json, String(decoding: readBytes(path), as: UTF8.self), path)
      XCTAssertEqual(try AvroSchema(json: schema.json).fullName, schema.schema.fullName)
    }
    XCTAssertEqual(EventSchema.milestone1.schema.fullName, "music.ListeningHistory")
    XCTAssertEqual(EventSchema.toolkit.schema.fullName, "forecast.ListeningEvent")
    // The seed's schema, as published (a committed fixture: the test fails if it is missing).
    let seedPath = packageRoot() + "/Tests/EventsTests/Fixtures/seed-ListeningHistory.avsc"
    let seed = String(decoding: readBytes(seedPath), as: UTF8.self)
    XCTAssertFalse(seed.isEmpty, "\(seedPath) is missing or empty")
    XCTAssertEqual(EventSchema.milestone1.json, seed)
  }

  func testSchema_toolkitIsMilestone1PlusDefaultedFields() throws {
    guard case .record(let m1) = EventSchema.milestone1.schema,
      case .record(let toolkit) = EventSchema.toolkit.schema
    else { return XCTFail("not records") }
    let m1Names = m1.fields.map(\.name)
    XCTAssertEqual(Array(toolkit.fields.map(\.name).prefix(m1Names.count)), m1Names)
    for field in toolkit.fields.dropFirst(m1Names.count) {
      XCTAssertNotNil(field.defaultValue, "\(field.name) added without a default")
    }
  }

  func testSchema_namesNamespacesAndReferences() throws {
    let schema = try AvroSchema(
      json: #"""
        {"type": "record", "name": "Outer", "namespace": "a.b", "fields": [
          {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [
            {"name": "x", "type": "int"}]}},
          {"name": "again", "type": "Inner"},
          {"name": "full", "type": "a.b.Inner"},
          {"name": "other", "type": {"type": "fixed", "name": "c.Hash", "size": 2}},
          {"name": "colour", "type": {"type": "enum", "name": "Colour", "namespace": "",
            "symbols": ["R", "G"], "default": "G"}},
          {"name": "next", "type": ["null", "Outer"], "default": null}
        ]}
        """#)
    guard case .record(let r) = schema else { return XCTFail() }
    XCTAssertEqual(r.name.fullName, "a.b.Outer")
    XCTAssertEqual(
      r.fields.map { $0.type.typeName },
      [
        "a.b.Inner", "a.b.Inner", "a.b.Inner", "c.Hash", "Colour", "union",
      ])
    // The recursive reference resolves to the same record.
    guard case .union(let branches) = r.fields[5].type, case .record(let again) = branches[1] else {
      return XCTFail()
    }
    XCTAssertTrue(again === r)
    // Written back, it parses to the same thing.
    XCTAssertEqual(try AvroSchema(json: schema.description).description, schema.description)
  }

  func testSchema_logicalTypes() throws {
    let schema = try AvroSchema(
      json: #"""
        {"type": "record", "name": "T", "fields": [
          {"name": "a", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "b", "type": {"type": "long", "logicalType": "timestamp-micros"}},
          {"name": "c", "type": {"type": "int", "logicalType": "date"}},
          {"name": "d", "type": {"type": "string", "logicalType": "uuid"}},
          {"name": "e", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
          {"name": "f", "type": {"type": "int", "logicalType": "timestamp-millis"}},
          {"name": "g", "type": {"type": "string", "logicalType": "no-such-type"}}
        ]}
        """#)
    guard case .record(let r) = schema else { return XCTFail() }
    var logicals: [AvroLogicalType?] = []
    for f in r.fields {
      if case .logical(let l, _) = f.type { logicals.append(l) } else { logicals.append(nil) }
    }
    // An invalid or unknown logical type is its underlying type (specification).
    XCTAssertEqual(
      logicals,
      [
        .timestampMillis, .timestampMicros, .date, .uuid, .decimal(precision: 9, scale: 2), nil,
        nil,
      ])
  }

  func testSchema_invalidSchemasSayWhatAndWhere() {
    let cases: [(String, AvroSchemaError)] = [
      ("{", .invalidJSON(offset: 1, reason: "expected a quoted key, found the end of the text")),
      (#""nothing""#, .unknownType(name: "nothing", at: "schema")),
      (#"{"type": "record", "name": "1x", "fields": []}"#, .invalidName(name: "1x", at: "schema")),
      (#"{"type": "record", "name": "R"}"#, .missingAttribute(attribute: "fields", at: "R")),
      (
        #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}"#,
        .duplicateField(name: "a", at: "R")
      ),
      (
        #"{"type": "enum", "name": "E", "symbols": ["A", "A"]}"#,
        .invalidEnum(reason: "symbol \"A\" appears twice", at: "E")
      ),
      (
        #"{"type": "enum", "name": "E", "symbols": ["A"], "default": "B"}"#,
        .invalidEnum(reason: "the default \"B\" is not one of the symbols", at: "E")
      ),
      (#"["int", "int"]"#, .invalidUnion(reason: "two branches of type int", at: "schema")),
      (
        #"["int", ["long"]]"#,
        .invalidUnion(reason: "a union may not contain a union directly", at: "schema")
      ),
      (
        #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": "x"}]}"#,
        .invalidDefault(field: "a", expected: "int", at: "R.a")
      ),
      (
        #"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int", "default": 3000000000}]}"#,
        .invalidDefault(field: "a", expected: "int", at: "R.a")
      ),
      (
        #"[{"type": "fixed", "name": "F", "size": 1}, {"type": "fixed", "name": "F", "size": 2}]"#,
        .duplicateName(name: "F", at: "schema[1]")
      ),
      (
        #"{"type": "fixed", "name": "F", "size": -1}"#,
        .missingAttribute(attribute: "size", at: "F")
      ),
      (#"{"type": "array"}"#, .missingAttribute(attribute: "items", at: "schema")),
      (
        #"{"type": "record", "name": "int", "fields": []}"#,
        .duplicateName(name: "int", at: "schema")
      ),
      (
        "42",
        .invalid(reason: "a schema must be a JSON string, object or array, not 42", at: "schema")
      ),
    ]
    for (json, expected) in cases {
      XCTAssertThrowsError(try AvroSchema(json: json), json) {
        XCTAssertEqual($0 as? AvroSchemaError, expected, json)
        XCTAssertTrue(
          "\($0)".hasSuffix("(see the Avro specification, section Schema Declaration)."))
      }
    }
  }
}
