import XCTest

@testable import Wrapped

/// The accumulators' name tables: dense ids in first-seen order, names distinct as bytes.
final class StringTableTests: XCTestCase {
  func testStringTable_idsInFirstSeenOrderDistinctAsBytes() {
    var table = StringTable()
    let composed = "Caf\u{E9}"  // é as one scalar
    let decomposed = "Cafe\u{301}"  // e and a combining acute: == to `composed` as Strings
    XCTAssertEqual(composed, decomposed)
    XCTAssertEqual(table.id(composed), 0)
    XCTAssertEqual(table.id(decomposed), 1)
    XCTAssertEqual(table.id(""), 2)
    XCTAssertEqual(table.id("Caf"), 3)
    XCTAssertEqual(table.id(composed), 0)
    XCTAssertEqual(table.id(""), 2)
    XCTAssertEqual(table.count, 4)
    XCTAssertEqual(
      table.strings.map { Array($0.utf8) },
      [
        Array(composed.utf8), Array(decomposed.utf8), [], Array("Caf".utf8),
      ])
  }

  func testStringTable_keepsIdsWhileGrowing() {
    var table = StringTable()
    // Lengths 0–40 (every path of the hash and the comparison), past several doublings.
    let names = (0..<3000).map { String(repeating: "x", count: $0 % 41) + String($0) }
    for (k, name) in names.enumerated() { XCTAssertEqual(table.id(name), Int32(k)) }
    var reserved = StringTable()
    reserved.reserveCapacity(5000)
    for (k, name) in names.enumerated().reversed() {
      XCTAssertEqual(table.id(name), Int32(k))
      XCTAssertEqual(reserved.id(name), Int32(names.count - 1 - k))
    }
    XCTAssertEqual(table.count, names.count)
    XCTAssertEqual(table[Int32(1234)], names[1234])
  }
}
