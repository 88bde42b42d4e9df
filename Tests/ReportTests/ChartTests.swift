import XCTest

@testable import Report

/// The SVG writer: round ticks, readable dates, numbers carried by every mark.
final class ChartTests: XCTestCase {
  func testNiceTicks_roundValues() {
    let (ticks, domain) = Ticks.nice(0, 87, count: 5)
    XCTAssertEqual(ticks, [0, 20, 40, 60, 80, 100])
    XCTAssertEqual(domain, 0...100)
  }
}
