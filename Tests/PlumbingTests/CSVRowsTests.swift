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
}
