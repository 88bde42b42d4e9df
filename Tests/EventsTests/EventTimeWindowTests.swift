import Events
import XCTest

/// The plausible event-time window and the formatting of any Int64 instant (issue 14).
final class EventTimeWindowTests: XCTestCase {
  func testEventTimeWindow_standardIs1970To2200() {
    // A time of exactly 0 is a missing value written as zero: the default window starts 1 ms
    // later.
    XCTAssertEqual(EventTimeWindow.standard.from, 1)
    // 2200-01-01 is day 84006 since 1970-01-01.
    XCTAssertEqual(EventTimeWindow.standard.to, 84_006 * 86_400_000)
    XCTAssertEqual(EventTimeWindow.standard.description, "1970-01-01..2200-01-01")
    XCTAssertFalse(EventTimeWindow.standard.contains(0))
    XCTAssertTrue(EventTimeWindow.standard.contains(1))
    XCTAssertFalse(EventTimeWindow.standard.contains(-1))
    XCTAssertFalse(EventTimeWindow.standard.contains(84_006 * 86_400_000))
    XCTAssertFalse(EventTimeWindow.standard.contains(.max))
    XCTAssertFalse(EventTimeWindow.standard.contains(.min))
  }

  func testEventTimeWindow_explicitRangeKeepsItsBounds() {
    // --time-range 1970-01-01..… includes 0: the user said so.
    let w = EventTimeWindow(parsing: "1970-01-01..2000-01-01")
    XCTAssertEqual(w?.from, 0)
    XCTAssertEqual(w?.contains(0), true)
    XCTAssertEqual(
      EventTimeWindow.describeOutside(0),
      "0 (1970-01-01T00:00:00Z, a missing value written as zero)")
    XCTAssertEqual(EventTimeWindow.describeOutside(-5), "-5 (1969-12-31T23:59:59.995Z)")
  }

  func testEventTimeWindow_parsing() {
    let w = EventTimeWindow(parsing: "2024-01-01..2024-01-02")
    XCTAssertEqual(w, EventTimeWindow(from: 1_704_067_200_000, to: 1_704_153_600_000))
    for bad in [
      "2024-01-02..2024-01-01", "2024-01-01..2024-01-01", "2024-01-01", "2024-01-01...2025-01-01",
      "1899-12-31..2000-01-01", "2000-01-01..3000-01-02", "2024-02-30..2025-01-01", "",
    ] {
      XCTAssertNil(EventTimeWindow(parsing: bad), bad)
    }
    XCTAssertNotNil(EventTimeWindow(parsing: "1900-01-01..3000-01-01"))
  }

  /// `inspect --json` once trapped formatting Int64.min (`day × 86 400 000` overflowed).
  func testTimestampFormat_extremeInstantsDoNotTrap() {
    XCTAssertEqual(Timestamp.format(milliseconds: .min), "-292275055-05-16T16:47:04.192Z")
    XCTAssertEqual(Timestamp.format(milliseconds: .max), "292278994-08-17T07:12:55.807Z")
    XCTAssertEqual(Timestamp.format(milliseconds: -1), "1969-12-31T23:59:59.999Z")
    XCTAssertEqual(Timestamp.format(Int64.min), "-292277022657-01-27T08:29:52Z")
    XCTAssertEqual(Timestamp.format(-1), "1969-12-31T23:59:59Z")
  }
}
