import Events
import XCTest

@testable import Forecast

final class CalendarFeaturesTests: XCTestCase {
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
