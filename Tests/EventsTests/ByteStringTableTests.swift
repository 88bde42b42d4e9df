import XCTest

@testable import Events

/// The interning table compares and hashes strings by whole words, the last one overlapping the
/// one before it (4-byte halves below 8 bytes, three bytes below 4): every byte must still count,
/// and no byte past a string may.
final class ByteStringTableTests: XCTestCase {
  /// Every length from 0 to 40, and each string with one byte changed at each position: all
  /// distinct, each interned again to its own id.
  func testEveryLengthAndEveryChangedByte_getTheirOwnIDs() {
    var table = ByteStringTable()
    defer { table.release() }
    var strings: [[UInt8]] = []
    for n in 0...40 {
      let base = (0..<n).map { UInt8(97 + $0 % 26) }
      strings.append(base)
      for i in 0..<n {
        var changed = base
        changed[i] = 65  // "A": no base string holds it
        strings.append(changed)
      }
    }
    XCTAssertEqual(Set(strings).count, strings.count)
    var ids: [Int32] = []
    for s in strings { ids.append(s.withUnsafeBufferPointer { intern(&table, $0) }) }
    XCTAssertEqual(ids, (0..<Int32(strings.count)).map { $0 })
    XCTAssertEqual(table.count, strings.count)
    for (s, id) in zip(strings, ids) {
      XCTAssertEqual(s.withUnsafeBufferPointer { intern(&table, $0) }, id)
      XCTAssertEqual(Array(table.bytes(id)), s)
    }
  }

  /// A string that is a prefix of bytes in memory is compared and hashed on its own bytes only:
  /// the same string read from different places with different bytes after it is one id.
  func testBytesAfterTheString_doNotCount() {
    var table = ByteStringTable()
    defer { table.release() }
    for n in 0...20 {
      let first: [UInt8] = (0..<n).map { UInt8(48 + $0 % 10) } + [1, 2, 3, 4, 5, 6, 7, 8]
      let second: [UInt8] = (0..<n).map { UInt8(48 + $0 % 10) } + [9, 9, 9, 9, 9, 9, 9, 9]
      let a = first.withUnsafeBufferPointer { table.intern($0.baseAddress!, n) }
      let b = second.withUnsafeBufferPointer { table.intern($0.baseAddress!, n) }
      XCTAssertEqual(a, b, "length \(n)")
    }
  }

  /// Equal hashes are never taken for equal strings: strings whose words overlap alike (9 bytes
  /// "abcdefgh" + "h" against 9 bytes whose last word is the same) stay apart.
  func testOverlappingWords_stayDistinct() {
    var table = ByteStringTable()
    defer { table.release() }
    let pairs: [(String, String)] = [
      ("abcdefghh", "bbcdefghh"), ("abcdefghi", "abcdefgh"), ("abcd", "abcdd"),
      ("abcde", "abcee"), ("ab", "ba"), ("aba", "abb"), ("a", ""),
    ]
    for (x, y) in pairs {
      XCTAssertNotEqual(table.intern(x), table.intern(y), "\(x) / \(y)")
      XCTAssertEqual(table.intern(x), table.intern(String(x)))
    }
  }

  /// Slots hold part of each hash beside the id: through growth (rehashes from 256 slots to
  /// 2^18) and after `removeAll`, every string keeps the id it was given first.
  func testManyStrings_throughRehashesAndRemoveAll_keepTheirIDs() {
    var table = ByteStringTable()
    defer { table.release() }
    let strings = (0..<100_000).map { "song \($0 * 7_919 % 100_003)" }
    for round in 0..<2 {
      let ids = strings.map { table.intern($0) }
      XCTAssertEqual(ids, (0..<Int32(strings.count)).map { $0 }, "round \(round)")
      XCTAssertEqual(table.count, strings.count)
      for i in stride(from: 0, to: strings.count, by: 997) {
        XCTAssertEqual(table.intern(strings[i]), Int32(i), "round \(round)")
        XCTAssertEqual(table.string(Int32(i)), strings[i])
      }
      table.removeAll()
      XCTAssertEqual(table.count, 0)
    }
  }

  private func intern(_ table: inout ByteStringTable, _ s: UnsafeBufferPointer<UInt8>) -> Int32 {
    if let base = s.baseAddress { return table.intern(base, s.count) }
    return withUnsafePointer(to: UInt8(0)) { table.intern($0, 0) }
  }
}
