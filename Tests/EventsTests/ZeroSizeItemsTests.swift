import Events
import XCTest

/// Arrays of items that take no byte (`array<null>`): a few bytes may declare billions of them
/// (issue 14: 19 s to skip one at a time).
final class ZeroSizeItemsTests: XCTestCase {
  func testZeroSizeItems_fewDecodeAsNulls() throws {
    let schema = try AvroSchema(json: #"{"type":"array","items":"null"}"#)
    let value = try AvroValue.decode(avroLong(3) + avroLong(0), writerSchema: schema)
    XCTAssertEqual(value, .array([.null, .null, .null]))
  }

  /// Decoding materialises items, so two billion are refused (at once, not after gigabytes);
  /// skipping (the event reader, `inspect`) counts them: `BadInputSweepTests`.
  func testZeroSizeItems_twoBillionRefusedWhenDecoded() throws {
    let schema = try AvroSchema(json: #"{"type":"array","items":"null"}"#)
    XCTAssertThrowsError(
      try AvroValue.decode(avroLong(2_000_000_000) + avroLong(0), writerSchema: schema)
    ) {
      XCTAssertEqual(
        $0 as? AvroDecodingError,
        .corrupt("an array or map block declares 2000000000 items, more than its bytes"))
    }
  }
}
