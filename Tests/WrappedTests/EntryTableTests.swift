import TestSupport
import XCTest

@testable import Wrapped

/// The accumulators' entry table: flushes sort, sum equal keys and merge with what an earlier
/// flush sorted, whatever the order rows came in.
final class EntryTableTests: XCTestCase {
  private struct Key: Hashable, Comparable {
    var user: Int32
    var track: Int32
    var place: Int32
    static func < (a: Key, b: Key) -> Bool {
      (a.user, a.track, a.place) < (b.user, b.track, b.place)
    }
  }

  func testFlush_sumsEqualKeysAndMergesWithEarlierFlushes() {
    var table = EntryTable()
    var expected: [Key: ListenCounts] = [:]
    var generator = TestGenerator(seed: 7)
    for round in 0..<4 {
      for _ in 0..<(500 + 300 * round) {
        let key = Key(
          user: Int32(generator.next() % 40), track: Int32(generator.next() % 25),
          place: Int32(generator.next() % 3))
        let streams = Int64(generator.next() % 2)
        let ms = Int64(generator.next() % 300_000)
        table.add(
          user: key.user, track: key.track, place: key.place, stream: streams, milliseconds: ms)
        expected[key, default: ListenCounts()].streams += streams
        expected[key, default: ListenCounts()].milliseconds += ms
      }
      table.flush()
      XCTAssertFalse(table.hasPending)
      let keys = expected.keys.sorted()
      XCTAssertEqual(table.count, keys.count, "round \(round)")
      XCTAssertEqual(table.users, keys.map(\.user))
      XCTAssertEqual(table.tracks, keys.map(\.track))
      XCTAssertEqual(table.places, keys.map(\.place))
      XCTAssertEqual(table.counts, keys.map { expected[$0] ?? ListenCounts() })
    }
  }
}
