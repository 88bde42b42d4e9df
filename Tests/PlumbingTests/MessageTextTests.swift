import Foundation
import Plumbing
import XCTest

/// The one quoting helper of every message, the input-path and output-path checks, and the CSV
/// reader's refusals of text it cannot read (issue 14).
final class MessageTextTests: XCTestCase {
  func testQuoted_shortValueInFull() {
    XCTAssertEqual(Quoted("abc").description, "'abc'")
    XCTAssertEqual(Quoted("a\nb\t'c'").description, #"'a\nb\t\'c\''"#)
    XCTAssertEqual(Quoted("x", mark: "\"").description, "\"x\"")
    XCTAssertEqual(Quoted("\u{1}").description, #"'\u{1}'"#)
  }

  func testQuoted_longValueCutAt80WithItsLength() {
    let long = String(repeating: "9", count: 10_000_000)
    XCTAssertEqual(
      Quoted(long).description, "'" + String(repeating: "9", count: 80) + "…' (10000000 bytes)")
    // Exactly the limit: no ellipsis.
    let limit = String(repeating: "é", count: 80)
    XCTAssertEqual(Quoted(limit).description, "'\(limit)'")
    XCTAssertEqual(
      Quoted(bytes: [UInt8](repeating: 120, count: 81)).description,
      "'" + String(repeating: "x", count: 80) + "…' (81 bytes)")
  }

  func testQuotedClipped_unquotedUpTo80() {
    XCTAssertEqual(Quoted.clipped("user_id=uid"), "user_id=uid")
    XCTAssertEqual(
      Quoted.clipped(String(repeating: "x", count: 100)),
      String(repeating: "x", count: 80) + "… (100 bytes)")
  }

  func testInputPath_namesTheRealReason() throws {
    XCTAssertEqual(InputPath.problem("/dev/zero"), "it is a device, not a file")
    XCTAssertEqual(InputPath.problem(NSTemporaryDirectory()), "it is a directory, not a file")
    XCTAssertEqual(InputPath.problem("/nonexistent/file.csv"), "no such file")
    XCTAssertEqual(InputPath.problem(""), "the path is empty")
    let file = NSTemporaryDirectory() + "input-path-\(UUID().uuidString)"
    try "x".write(toFile: file, atomically: false, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: file) }
    XCTAssertNil(InputPath.problem(file))
  }

  func testCheckWritable_refusesBeforeAnyWork() throws {
    func reason(_ path: String) -> String? {
      do {
        try AtomicOutput.checkWritable(path)
        return nil
      } catch {
        return error.description
      }
    }
    let directory = NSTemporaryDirectory() + "check-writable-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    XCTAssertNil(reason(directory + "/out.csv"))
    XCTAssertEqual(
      reason(""),
      "'': cannot write (the path is empty; pass a file name). Check that the directory exists "
        + "and is writable.")
    XCTAssertEqual(
      reason(directory),
      "\(directory): cannot write (it is a directory, not a file). Check that the directory "
        + "exists and is writable.")
    XCTAssertEqual(
      reason(directory + "/missing/out.csv"),
      "\(directory)/missing/out.csv: cannot write (the directory \(directory)/missing does not "
        + "exist). Check that the directory exists and is writable.")
    XCTAssertTrue(reason("/dev/null")?.contains("it exists and is not a regular file") ?? false)
    // Nothing was created.
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
  }

  func testCSVRows_fieldTooLongRefusedAtTheLimit() {
    var rows = CSVRows(
      bytes: Array("a,b\n".utf8) + [UInt8](repeating: 57, count: 200), maximumFieldBytes: 100)
    XCTAssertEqual(try rows.next(), ["a", "b"])
    XCTAssertThrowsError(try rows.next()) {
      XCTAssertEqual($0 as? CSVRowsError, .fieldTooLong(line: 2, limit: 100))
    }
    // Inside quotes too.
    var quoted = CSVRows(
      bytes: [34] + [UInt8](repeating: 57, count: 200) + [34], maximumFieldBytes: 100)
    XCTAssertThrowsError(try quoted.next()) {
      XCTAssertEqual($0 as? CSVRowsError, .fieldTooLong(line: 1, limit: 100))
    }
  }

  func testCSVEncodingProblem_namesUTF16CROnlyAndLatin1() {
    XCTAssertNil(CSVRows.encodingProblem(Array("a,b\r\nc,d\n".utf8)))
    XCTAssertNil(CSVRows.encodingProblem(Array("\u{FEFF}café,1\n".utf8)))
    XCTAssertEqual(
      CSVRows.encodingProblem([0xFF, 0xFE, 97, 0]),
      "it is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8")
    XCTAssertEqual(
      CSVRows.encodingProblem([97, 0, 98, 0]),
      "it holds a NUL byte at offset 1: UTF-16 or binary data, not UTF-8 text; save it as UTF-8")
    XCTAssertEqual(
      CSVRows.encodingProblem(Array("a,b\rc,d\r".utf8)),
      "its lines end in CR alone (classic Mac OS line endings), so it reads as one line; save it "
        + "with LF or CRLF line endings")
    XCTAssertEqual(
      CSVRows.encodingProblem(Array("a,b\n".utf8) + [99, 0xE9, 10]),
      "it is not UTF-8 text (line 2, byte offset 5: an invalid byte, e.g. Latin-1 or "
        + "Windows-1252); save it as UTF-8")
  }

  func testCSVEncodingProblem_namesTheToolkitsOtherFiles() {
    XCTAssertEqual(
      CSVRows.encodingProblem(Array("Obj".utf8) + [1, 4, 0x14]),
      "it is an Avro container file (a listening history?), not CSV text; give it where a "
        + "command takes the history (e.g. `forecast train HISTORY.avro`, without --csv)")
    // A safetensors file: an 8-byte little-endian header length that fits, then the JSON header.
    let header = Array("{\"w\":{}}".utf8)
    XCTAssertEqual(
      CSVRows.encodingProblem([UInt8(header.count), 0, 0, 0, 0, 0, 0, 0] + header),
      "it is a safetensors model (what `forecast train --out` writes), not CSV text; give it "
        + "with --model")
    // Text that happens to have `{"` after eight bytes is text.
    XCTAssertNil(CSVRows.encodingProblem(Array("abcdefgh{\"x\",1\n".utf8)))
  }
}
