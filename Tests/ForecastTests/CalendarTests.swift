import Events
import XCTest

@testable import Forecast

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
  }

  func testCivilDate_roundTripsAcrossCenturies() {
    for day in stride(from: -800_000, through: 800_000, by: 997) {
      XCTAssertEqual(CivilDate(daysSinceEpoch: day).daysSinceEpoch, day)
    }
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

  func testHolidayFlag_sharedDatesAndNationalOnesWhenTheCountryIsKnown() {
    var row: [Float] = []
    func holiday(_ date: String, _ country: String?) -> Float {
      CalendarFeatures.write(
        timestamp: Timestamp.parse(date) ?? 0, step: 86_400, country: country, into: &row)
      return row[4]
    }
    XCTAssertEqual(holiday("2024-12-25", nil), 1)
    XCTAssertEqual(holiday("2024-12-27", nil), 0)
    XCTAssertEqual(holiday("2024-07-14", nil), 0)
    XCTAssertEqual(holiday("2024-07-14", "FR"), 1)
    XCTAssertEqual(holiday("2024-07-14", "US"), 0)
    XCTAssertEqual(holiday("2024-07-04", "US"), 1)
    XCTAssertEqual(holiday("2024-12-25", "ZZ"), 1)  // unknown code: the shared dates only
  }
}
