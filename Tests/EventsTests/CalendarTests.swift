import Events
import XCTest

final class CalendarTests: XCTestCase {
  func testIsoWeek_week53AndYearBoundaries() {
    func week(_ y: Int, _ m: Int, _ d: Int) -> String {
      let (year, week) = DayArithmetic.isoWeek(
        dayNumber: CivilDate(year: y, month: m, day: d).daysSinceEpoch)
      return "\(year)-W\(week)"
    }
    XCTAssertEqual(week(2020, 12, 28), "2020-W53")
    XCTAssertEqual(week(2021, 1, 3), "2020-W53")
    XCTAssertEqual(week(2021, 1, 4), "2021-W1")
    XCTAssertEqual(week(2015, 12, 31), "2015-W53")
    XCTAssertEqual(week(2008, 12, 29), "2009-W1")
    XCTAssertEqual(week(2024, 1, 1), "2024-W1")
    XCTAssertEqual(week(1969, 12, 29), "1970-W1")
  }

  func testWeekday_mondayIsOne() {
    XCTAssertEqual(DayArithmetic.isoWeekday(dayNumber: 0), 4)  // 1970-01-01 Thursday
    XCTAssertEqual(DayArithmetic.isoWeekday(dayNumber: 4), 1)
    XCTAssertEqual(DayArithmetic.isoWeekday(dayNumber: -1), 3)
    XCTAssertEqual(DayArithmetic.mondayOfWeek(DayArithmetic.weekIndex(dayNumber: 10)), 4)  // Sunday
    XCTAssertEqual(DayArithmetic.mondayOfWeek(DayArithmetic.weekIndex(dayNumber: 11)), 11)
    XCTAssertEqual(CivilDate.weekday(daysSinceEpoch: -1), 3)
    XCTAssertEqual(CivilDate(year: 2021, month: 1, day: 3).isoWeek.week, 53)
    // 2024-03-07T12:00Z (a Thursday) is in the week starting Monday 2024-03-04T00:00Z.
    XCTAssertEqual(DayArithmetic.weekStart(millis: 1_709_812_800_000), 1_709_510_400_000)
    XCTAssertEqual(DayArithmetic.weekStart(millis: -1), -259_200_000)  // Monday 1969-12-29
  }

  func testCivilDate_roundTripsAcrossCenturies() {
    for day in stride(from: -800_000, through: 800_000, by: 997) {
      XCTAssertEqual(CivilDate(daysSinceEpoch: day).daysSinceEpoch, day)
    }
    XCTAssertEqual(CivilDate(year: 1970, month: 1, day: 1).daysSinceEpoch, 0)
    XCTAssertEqual(CivilDate(year: 2000, month: 3, day: 1).daysSinceEpoch, 11_017)
    XCTAssertEqual(CivilDate(year: 2024, month: 2, day: 29).daysSinceEpoch, 19_782)
    XCTAssertEqual(CivilDate(year: 1969, month: 12, day: 31).daysSinceEpoch, -1)
    // 2024-01-01 was a Monday, 2023-12-31 a Sunday.
    XCTAssertEqual(CivilDate(year: 2024, month: 1, day: 1).weekday, 1)
    XCTAssertEqual(CivilDate(year: 2023, month: 12, day: 31).weekday, 7)
    XCTAssertEqual(CivilDate(daysSinceEpoch: 19_723).description, "2024-01-01")
    XCTAssertFalse(CivilDate(year: 2023, month: 2, day: 29).isValid)
    XCTAssertTrue(CivilDate(year: 2000, month: 2, day: 29).isValid)
  }

  func testTimestamp_parsesDatesAndDateTimes() {
    XCTAssertEqual(Timestamp.parse("1970-01-02"), 86_400)
    XCTAssertEqual(Timestamp.parse("1970-01-01T01:00"), 3600)
    XCTAssertEqual(Timestamp.parse("1970-01-01 01:00:05"), 3605)
    XCTAssertEqual(Timestamp.parse("1970-01-01T01:00:00Z"), 3600)
    XCTAssertEqual(Timestamp.parse("1970-01-01T01:00:00.000+01:00"), 0)
    XCTAssertEqual(Timestamp.parse("1970-01-01T01:00:00-0130"), 9000)
    XCTAssertNil(Timestamp.parse("2023-02-29"))
    XCTAssertNil(Timestamp.parse("01/02/2024"))
    XCTAssertNil(Timestamp.parse("2024-01-01T25:00"))
    XCTAssertNil(Timestamp.parse("2024-01-01T10:00:00.5"))
    XCTAssertEqual(Timestamp.format(86_400 * 19_723), "2024-01-01")
    XCTAssertEqual(Timestamp.format(86_400 * 19_723 + 3661), "2024-01-01T01:01:01Z")
  }

  func testTimestamp_formatsMilliseconds() {
    XCTAssertEqual(Timestamp.format(milliseconds: 0), "1970-01-01T00:00:00.000Z")
    XCTAssertEqual(Timestamp.format(milliseconds: 951_782_400_123), "2000-02-29T00:00:00.123Z")
    XCTAssertEqual(Timestamp.format(milliseconds: -1), "1969-12-31T23:59:59.999Z")
    XCTAssertEqual(isoTimestamp(1_709_546_400_045), "2024-03-04T10:00:00.045Z")
  }

  func testCivilDate_parsing() {
    XCTAssertEqual(CivilDate(parsing: "2024-02-29"), CivilDate(year: 2024, month: 2, day: 29))
    XCTAssertEqual(CivilDate(parsing: "2024-02-29")?.description, "2024-02-29")
    for bad in [
      "2023-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024/01/01", "", "2024-01-01x",
    ] {
      XCTAssertNil(CivilDate(parsing: bad), bad)
    }
  }
}
