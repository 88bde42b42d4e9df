import Plumbing
import XCTest

final class CSVRowsTests: XCTestCase {
  func testRows_quotesCRLFAndLines() throws {
    var rows = CSVRows(bytes: Array("\u{FEFF}a,\"b,\"\"c\"\"\"\r\n\"x\ny\",2\nlast".utf8))
    XCTAssertEqual(try rows.next(), ["a", "b,\"c\""])
    XCTAssertEqual(rows.line, 1)
    XCTAssertEqual(try rows.next(), ["x\ny", "2"])
    XCTAssertEqual(rows.line, 2)
    XCTAssertEqual(try rows.next(), ["last"])
    XCTAssertEqual(rows.line, 4)
    XCTAssertNil(try rows.next())
  }

  func testRows_unclosedQuoteNamesItsLine() {
    var rows = CSVRows(bytes: Array("a,b\n\"open,1\n2\n".utf8))
    XCTAssertEqual(try rows.next(), ["a", "b"])
    XCTAssertThrowsError(try rows.next()) {
      XCTAssertEqual($0 as? CSVRowsError, .unclosedQuote(line: 2))
    }
  }

  func testField_quotedOnlyWhenNeededAndRoundTrips() throws {
    XCTAssertEqual(CSVField.quoted("plain"), "plain")
    XCTAssertEqual(CSVField.quoted("a,b"), "\"a,b\"")
    XCTAssertEqual(CSVField.quoted("say \"hi\""), "\"say \"\"hi\"\"\"")
    XCTAssertEqual(CSVField.quoted("two\nlines"), "\"two\nlines\"")
    XCTAssertEqual(CSVField.quoted("x", always: true), "\"x\"")
    let fields = ["a,b", "say \"hi\"", "two\r\nlines", ""]
    var rows = CSVRows(bytes: Array((CSVField.line(fields) + "\n").utf8))
    XCTAssertEqual(try rows.next(), fields)
    XCTAssertNil(try rows.next())
  }

  func testText_numbersAndJoinedFieldsQuotedAsOneString() throws {
    var t = CSVText(header: "a,b,c,d\n")
    t.separate()
    t.appendDecimal(7)
    t.separate()
    t.appendDecimal(42, width: 6)
    t.separate()
    t.appendDecimal(UInt64.max)
    t.separate()
    t.appendDecimal(3, width: 24)
    t.endLine()
    t.field("Björk", " - ", "Jóga")
    t.field("Earth, Wind & Fire", " - ", "September")
    t.field("The \"Band\"", " - ", "x")
    t.field(Int64(0))
    t.endLine()
    XCTAssertEqual(
      t.string,
      "a,b,c,d\n7,000042,18446744073709551615,000000000000000000000003\n"
        + "Björk - Jóga,\"Earth, Wind & Fire - September\",\"The \"\"Band\"\" - x\",0\n")
    var rows = CSVRows(bytes: t.bytes)
    _ = try rows.next()
    _ = try rows.next()
    XCTAssertEqual(
      try rows.next(),
      ["Björk - Jóga", "Earth, Wind & Fire - September", "The \"Band\" - x", "0"])
  }

  func testText_fieldsQuotedWhereverTheSpecialByteIs() {
    // The quoting check reads eight bytes at a time, then the rest one by one: a special
    // byte at every position of every length up to 24 is found, and bytes next to the four
    // (0x2B, 0x2D, 0x21, 0x23, 0x0B, 0x0E, UTF-8's high bytes) are not mistaken for them.
    for length in 1...24 {
      for position in 0..<length {
        for special in [",", "\"", "\n", "\r"] {
          var chars = Array(repeating: "a", count: length)
          chars[position] = special
          let field = chars.joined()
          var t = CSVText()
          t.field(field)
          let expected = "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
          XCTAssertEqual(t.string, expected, "length \(length), \(special) at \(position)")
        }
      }
      let plain = String(repeating: "+-!#é\u{0B}\u{0E}ß", count: 4).prefix(length)
      var t = CSVText()
      t.field(String(plain))
      XCTAssertEqual(t.string, String(plain))
    }
  }

  func testText_decimalsAtEveryLengthAndBeyondTheFirstBuffer() {
    var t = CSVText(capacity: 16)
    var expected = ""
    var power: UInt64 = 1
    for _ in 0..<19 {
      for v in [power - 1, power, power + 1, power * 9, power * 10 - 1] {
        t.separate()
        t.appendDecimal(v)
        expected += (expected.isEmpty ? "" : ",") + String(v)
      }
      power *= 10
    }
    t.field(Int64.min)
    t.field(Int64.max)
    t.separate()
    t.appendDecimal(UInt64.max, width: 3)
    t.separate()
    t.appendDecimal(12, width: 5)
    t.separate()
    t.appendMillionths(1_000_001)
    t.endLine()
    expected += ",-9223372036854775808,9223372036854775807,18446744073709551615,00012,1.000001\n"
    XCTAssertEqual(t.string, expected)
    // 200,000 bytes: the buffer grows past its first 16 and past 64 KB.
    var long = CSVText(capacity: 16)
    for i in 0..<20_000 {
      long.field("row")
      long.field(i % 10)
      long.endLine()
    }
    XCTAssertEqual(long.bytes.count, 120_000)
    XCTAssertEqual(long.string.split(separator: "\n").count, 20_000)
    XCTAssertEqual(String(long.string.suffix(12)), "row,8\nrow,9\n")
  }
}
