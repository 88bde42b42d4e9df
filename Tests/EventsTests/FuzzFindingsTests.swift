import Events
import XCTest

/// Inputs the fuzz targets (`Fuzz/`, `scripts/fuzz`) found, each named after its target and kept
/// as a regression test; the input is under `Fixtures/fuzz/` when the fuzzer wrote it.
final class FuzzFindingsTests: XCTestCase {
  /// An `avro-schema` input: the schema's JSON before the first zero byte, the value after it.
  private func schemaAndValue(_ path: String) throws -> (AvroSchema, [UInt8]) {
    let input = readBytes(path)
    let split = try XCTUnwrap(input.firstIndex(of: 0), "\(path) is missing or has no zero byte")
    let schema = try AvroSchema(json: String(decoding: input[..<split], as: UTF8.self))
    return (schema, Array(input[(split + 1)...]))
  }

  /// `avro-schema`, a timeout: `array<null>` whose blocks declare about 120 million nulls in a
  /// few bytes; decoding materialised every one (7 s and gigabytes under the sanitizer).
  func testFuzzAvroSchema_nullArrayTimeoutRefused() throws {
    let path = packageRoot() + "/Tests/EventsTests/Fixtures/fuzz/avro-schema-timeout-900161ef.bin"
    let (schema, body) = try schemaAndValue(path)
    XCTAssertThrowsError(try AvroValue.decode(body, writerSchema: schema)) {
      XCTAssertEqual(
        $0 as? AvroDecodingError,
        .corrupt("an array or map block declares 120602018 items, more than its bytes"))
    }
  }

  /// `avro-schema`, a timeout that was CPU starvation, not a hang (the run was niced on a busy
  /// machine; the input takes 31 ms under the sanitizer): `array<null>` whose small blocks add up
  /// to 689,519 nulls, within the limit, then a block of 4e18; it stays quick and refused.
  func testFuzzAvroSchema_manyNullBlocksTimeoutRefused() throws {
    let path = packageRoot() + "/Tests/EventsTests/Fixtures/fuzz/avro-schema-timeout-7a4735fc.bin"
    let (schema, body) = try schemaAndValue(path)
    XCTAssertThrowsError(try AvroValue.decode(body, writerSchema: schema)) {
      XCTAssertEqual(
        $0 as? AvroDecodingError,
        .corrupt(
          "an array or map block declares 4169698040439005575 items, more than its bytes"))
    }
  }

  /// `avro-schema`, out of memory: `array<array<null>>` whose inner arrays each stay under a
  /// per-array limit but together declare billions of nulls; the limit holds for the whole
  /// value, and the refusal comes before the items are made.
  func testFuzzAvroSchema_nestedNullArraysRefusedAsAWhole() throws {
    let schema = try AvroSchema(json: #"{"type":"array","items":{"type":"array","items":"null"}}"#)
    let inner = avroLong(10) + avroLong(0)
    let big = avroLong(Int64(1 << 20) - 5) + avroLong(0)
    XCTAssertThrowsError(
      try AvroValue.decode(avroLong(2) + inner + big + avroLong(0), writerSchema: schema)
    ) {
      XCTAssertEqual(
        $0 as? AvroDecodingError,
        .corrupt("an array or map block declares 1048581 items, more than its bytes"))
    }
    // Under the limit, every null is there.
    let small = try AvroValue.decode(
      avroLong(2) + inner + inner + avroLong(0), writerSchema: schema)
    XCTAssertEqual(
      small,
      .array([
        .array(Array(repeating: .null, count: 10)), .array(Array(repeating: .null, count: 10)),
      ]))
  }
}
