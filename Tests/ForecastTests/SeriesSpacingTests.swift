import XCTest

@testable import Forecast

final class SeriesSpacingTests: XCTestCase {
  func testSpacing_whatEachSpacingImplies() {
    XCTAssertEqual(SeriesSpacing(seconds: 86_400), .daily)
    XCTAssertEqual(SeriesSpacing(seconds: 604_800), .weekly)
    XCTAssertEqual(SeriesSpacing(seconds: 3_600), .hourly)
    XCTAssertEqual(SeriesSpacing(seconds: 900), .other(seconds: 900))
    XCTAssertEqual(
      [SeriesSpacing.hourly, .daily, .weekly, .other(seconds: 900)].map(\.seasonalPeriod),
      [24, 7, 52, 1])
    XCTAssertEqual(
      [SeriesSpacing.hourly, .daily, .weekly, .other(seconds: 900)].map(\.seasonalLag),
      [0, 364, 52, 0])
    XCTAssertEqual(
      [SeriesSpacing.hourly, .daily, .weekly, .other(seconds: 900)].map(\.levelSpan),
      [24, 7, 1, 1])
    XCTAssertEqual(
      [SeriesSpacing.hourly, .daily, .weekly, .other(seconds: 900)].map(\.unitName),
      ["hour", "day", "week", "point"])
    XCTAssertEqual(SeriesSpacing.weekly.description, "7 days")
    XCTAssertEqual(SeriesSpacing.describe(7_200), "2 hours")
    XCTAssertEqual(SeriesSpacing.describe(90), "90 seconds")
    XCTAssertEqual(SeriesSpacing.other(seconds: 900).seconds, 900)
  }
}
