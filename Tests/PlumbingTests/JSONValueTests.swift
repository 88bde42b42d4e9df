import Plumbing
import XCTest

final class JSONValueTests: XCTestCase {
  func testJSON_parsesEscapesAndNumbers() throws {
    let v = try JSONValue.parse(#"{"a": [1, -2.5e3, "\u00e9\ud83c\udfb5\n", true, null]}"#)
    XCTAssertEqual(
      v,
      .object([
        (
          "a",
          .array([
            .number(1, integer: 1), .number(-2500, integer: nil), .string("é🎵\n"), .bool(true),
            .null,
          ])
        )
      ]))
    XCTAssertEqual(v.description, #"{"a":[1,-2500.0,"é🎵\n",true,null]}"#)
    XCTAssertEqual(v["a"]?.kind, "an array")
    XCTAssertNil(v["b"])
  }

  func testJSON_errorsNameTheByteAndWhatWasExpected() {
    func reason(_ text: String) -> String {
      do {
        _ = try JSONValue.parse(text)
        return "parsed"
      } catch {
        return error.description
      }
    }
    XCTAssertEqual(reason("[1,]"), "invalid JSON at byte 3: expected a value, found ']'")
    XCTAssertEqual(
      reason(#"{"a":1 "b":2}"#), #"invalid JSON at byte 7: expected ',' or '}', found '"'"#)
    XCTAssertEqual(reason(#"{"a":1,"a":2}"#), #"invalid JSON at byte 7: duplicate key "a""#)
    XCTAssertEqual(reason("1 2"), "invalid JSON at byte 2: expected the end of the text, found '2'")
    XCTAssertEqual(
      reason(String(repeating: "[", count: 600)),
      "invalid JSON at byte 512: nesting deeper than 512 levels")
    XCTAssertEqual(
      reason("\"a\u{01}\""),
      "invalid JSON at byte 2: expected no raw control character inside a string, found byte 1")
  }

  func testJSON_quotedEscapesWhatRFC8259Requires() throws {
    let text = "a\"b\\c\nd\u{01}é"
    XCTAssertEqual(JSONValue.quoted(text), #""a\"b\\c\nd\u0001é""#)
    XCTAssertEqual(JSONValue.quoted("plain é 🎵"), "\"plain é 🎵\"")  // nothing to escape
    XCTAssertEqual(try JSONValue.parse(JSONValue.quoted(text)), .string(text))
    XCTAssertEqual(JSONValue.integer(-3).description, "-3")
    XCTAssertEqual(JSONValue.number(.nan, integer: nil).description, "null")
  }
}
