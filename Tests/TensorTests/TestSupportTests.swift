import Tensor
import TestSupport
import XCTest

/// The tolerance helpers themselves: what they accept and what they report.
final class TestSupportTests: XCTestCase {
  func testClosenessFailure_reportsTheWorstElementAndItsIndex() {
    XCTAssertNil(closenessFailure([1.0, 2.0], [1.0, 2.0 + 1e-13], relativeTolerance: 1e-12))
    XCTAssertNil(closenessFailure([Double.nan], [Double.nan], relativeTolerance: 0))
    XCTAssertEqual(
      closenessFailure(
        [1, 2, 3, 4.5, 5, 7] as [Double], [1, 2, 3, 4, 5, 6], shape: [2, 3],
        relativeTolerance: 0.1),
      "2 of 6 elements differ; worst at [1, 2] (flat 5): got 7.0, expected 6.0 "
        + "(|difference| 1.0, relative error 0.16666666666666666; tolerance 0.0 + 0.1·|expected|)")
    XCTAssertEqual(
      closenessFailure([1, Float.nan], [1, 2], relativeTolerance: 0.5),
      "1 of 2 elements differ; worst at index 1: got nan, expected 2.0 "
        + "(|difference| nan, relative error inf; tolerance 0.0 + 0.5·|expected|)")
    XCTAssertEqual(
      closenessFailure([1.0], [1.0, 2.0], relativeTolerance: 0), "expected 2 elements, got 1")
  }

  func testRelativeError() {
    XCTAssertEqual(relativeError(1.5, 1.0), 0.5)
    XCTAssertEqual(relativeError(Float.infinity, .infinity), 0)
    XCTAssertEqual(relativeError([1.0, 2.2], [1.0, 2.0]), 0.1, accuracy: 1e-15)
  }
}
