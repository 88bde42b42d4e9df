import Foundation
import Tensor
import XCTest

/// `PortableMath`: close to the C library everywhere the training uses it, and pinned to exact
/// bits (the same on every CPU: these are the values every machine must print).
final class PortableMathTests: XCTestCase {
  /// Distance in units in the last place.
  func ulps(_ a: Double, _ b: Double) -> UInt64 {
    let (x, y) = (a.bitPattern, b.bitPattern)
    return x > y ? x - y : y - x
  }

  func testLog_withinOneUlpOfTheCLibrary() {
    var generator = SeededGenerator(seed: 7)
    var worst: UInt64 = 0
    for i in 0..<200_000 {
      // (0, 1] as Box–Muller draws it, then a wide range of magnitudes.
      let x =
        i % 2 == 0
        ? 1 - generator.nextUnitDouble()
        : Foundation.exp((generator.nextUnitDouble() - 0.5) * 1400)
      worst = max(worst, ulps(PortableMath.log(x), Foundation.log(x)))
    }
    XCTAssertLessThanOrEqual(worst, 1)
    XCTAssertEqual(PortableMath.log(1), 0)
    XCTAssertEqual(PortableMath.log(0), -.infinity)
    XCTAssertTrue(PortableMath.log(-1).isNaN)
    XCTAssertEqual(PortableMath.log(.infinity), .infinity)
    XCTAssertEqual(ulps(PortableMath.log(Double.leastNonzeroMagnitude), -744.4400719213812), 0)
  }

  func testSinCos_withinOneUlpOfTheCLibrary() {
    var generator = SeededGenerator(seed: 11)
    var worst: UInt64 = 0
    for i in 0..<200_000 {
      // Box–Muller's 2πu, the schedule's [0, π], and calendar angles up to a few hundred.
      let x =
        i % 2 == 0
        ? 2 * Double.pi * generator.nextUnitDouble() : (generator.nextUnitDouble() - 0.5) * 800
      // Near a zero of the function the ulp of the result is tiny: compare absolutely there.
      for (ours, theirs) in [
        (PortableMath.sin(x), Foundation.sin(x)), (PortableMath.cos(x), Foundation.cos(x)),
      ] {
        if Swift.abs(theirs) < 1e-3 {
          XCTAssertLessThan(Swift.abs(ours - theirs), 1e-18, "x = \(x)")
        } else {
          worst = max(worst, ulps(ours, theirs))
        }
      }
    }
    XCTAssertLessThanOrEqual(worst, 1)
    XCTAssertEqual(PortableMath.cos(0), 1)
    XCTAssertEqual(PortableMath.sin(0), 0)
    XCTAssertTrue(PortableMath.cos(.infinity).isNaN)
  }

  func testPow_repeatedSquaring() {
    XCTAssertEqual(PortableMath.pow(0.5, 10), 1.0 / 1024)
    XCTAssertEqual(PortableMath.pow(3, 0), 1)
    XCTAssertEqual(PortableMath.pow(3, 5), 243)
    // Adam's bias corrections: squaring multiplies the relative rounding error, so the result
    // is within about t·ε of the C library's (t the exponent; 1e-12 relative at t = 12,345).
    for t in [1, 2, 7, 100, 1000, 12_345] {
      for beta in [0.9, 0.999] {
        let ours = PortableMath.pow(beta, t)
        let theirs = Foundation.pow(beta, Double(t))
        guard theirs > 1e-300 else { continue }  // (0.9^12345 underflows)
        XCTAssertLessThanOrEqual(Swift.abs(ours / theirs - 1), Double(t) * 2.3e-16, "\(beta)^\(t)")
      }
    }
  }

  /// The bits every machine gives (a change here changes every model file).
  func testExactBits() {
    XCTAssertEqual(PortableMath.log(0.3).bitPattern, 0xBFF3_4378_FCBD_A721)
    XCTAssertEqual(PortableMath.cos(2.5).bitPattern, 0xBFE9_A2F7_EF85_8B7D)
    XCTAssertEqual(PortableMath.sin(2.5).bitPattern, 0x3FE3_26AF_0DCF_CAB0)
    XCTAssertEqual(PortableMath.pow(0.999, 1000).bitPattern, 0x3FD7_8852_6411_EDAC)
  }
}
