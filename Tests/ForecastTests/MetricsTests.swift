import XCTest

@testable import Forecast

final class MetricsTests: XCTestCase {
  let levels = [0.1, 0.5, 0.9]

  func testMetrics_handComputed() {
    var acc = MetricsAccumulator(horizon: 3, quantiles: levels)
    acc.add(
      actual: [10, 0, 5],
      forecast: QuantileForecast(
        point: [8, 0, 10], quantiles: [[7, 8, 9], [0, 0, 1], [6, 10, 12]]),
      scale: 2)
    let m = acc.overall
    // Errors y − ŷ: 2, 0, −5.
    XCTAssertEqual(m.mae, 7.0 / 3, accuracy: 1e-12)
    XCTAssertEqual(m.rmse, (29.0 / 3).squareRoot(), accuracy: 1e-12)
    // sMAPE: 200·2/18, 0 (both zero), 200·5/15.
    XCTAssertEqual(m.smape, 800.0 / 27, accuracy: 1e-12)
    // MASE: (2 + 0 + 5)/2 / 3.
    XCTAssertEqual(m.mase, 7.0 / 6, accuracy: 1e-12)
    // Pinball per step: (0.3 + 1.0 + 0.9)/3, (0 + 0 + 0.1)/3, (0.9 + 2.5 + 0.7)/3.
    XCTAssertEqual(m.pinball, 6.4 / 9, accuracy: 1e-12)
    XCTAssertEqual(m.coverage, 1.0 / 3, accuracy: 1e-12)  // only 0 ∈ [0, 1]
    XCTAssertEqual(m.width, 3, accuracy: 1e-12)  // (2 + 1 + 6)/3
    XCTAssertEqual(m.count, 3)
    let steps = acc.perStep
    XCTAssertEqual(steps.map(\.mase), [1, 0, 2.5])
    XCTAssertEqual(steps.map(\.mae), [2, 0, 5])
    XCTAssertEqual(steps[0].pinball, 2.2 / 3, accuracy: 1e-12)
  }

  func testMetrics_zeroScaleIsLeftOutOfMASE() {
    var acc = MetricsAccumulator(horizon: 1, quantiles: levels)
    acc.add(
      actual: [4], forecast: QuantileForecast(point: [2], quantiles: [[1, 2, 3]]), scale: 0)
    XCTAssertTrue(acc.overall.mase.isNaN)
    acc.add(
      actual: [4], forecast: QuantileForecast(point: [1], quantiles: [[1, 2, 3]]), scale: 3)
    XCTAssertEqual(acc.overall.mase, 1)
    XCTAssertEqual(acc.overall.mae, 2.5)
  }

  func testMASEScale_seasonalAndFallback() {
    // |2−1|, |5−3|, |4−2| with m = 2.
    XCTAssertEqual(maseScale(training: [1, 3, 2, 5, 4], seasonalPeriod: 2), 5.0 / 3)
    // Not longer than m: lag 1.
    XCTAssertEqual(maseScale(training: [1, 3], seasonalPeriod: 7), 2)
    XCTAssertEqual(maseScale(training: [1], seasonalPeriod: 7), 0)
  }

  func testInverseNormalCDF_knownQuantiles() {
    XCTAssertEqual(inverseNormalCDF(0.9), 1.2815515655446004, accuracy: 1e-14)
    XCTAssertEqual(inverseNormalCDF(0.975), 1.959963984540054, accuracy: 1e-14)
    XCTAssertEqual(inverseNormalCDF(0.001), -3.090232306167813, accuracy: 1e-13)
    XCTAssertEqual(inverseNormalCDF(0.5), 0, accuracy: 1e-15)
  }
}

final class BaselineTests: XCTestCase {
  let levels = [0.1, 0.5, 0.9]
  let z = 1.2815515655446004
  let history: [Double] = [1, 2, 3, 4, 5, 6, 7, 8]

  func testSeasonalNaive_repeatsTheLastSeasonWithWideningIntervals() {
    let f = BaselineModel.seasonalNaive.forecast(
      history: history, horizon: 6, seasonalPeriod: 4, quantiles: levels, nonNegative: false)
    XCTAssertEqual(f.point, [5, 6, 7, 8, 5, 6])
    // Residuals y_t − y_{t−4} are all 4: σ = 4; steps 5 and 6 are in the second season: √2.
    XCTAssertEqual(f.quantiles[0][0], 5 - z * 4, accuracy: 1e-12)
    XCTAssertEqual(f.quantiles[0][1], 5, accuracy: 1e-12)
    XCTAssertEqual(f.quantiles[4][2], 5 + z * 4 * 2.0.squareRoot(), accuracy: 1e-12)
  }

  func testSeasonalNaive_fallsBackToNaiveOnShortHistory() {
    let f = BaselineModel.seasonalNaive.forecast(
      history: [3, 1, 2], horizon: 2, seasonalPeriod: 7, quantiles: levels, nonNegative: false)
    XCTAssertEqual(f.point, [2, 2])
  }

  func testNaive_andDrift() {
    let naive = BaselineModel.naive.forecast(
      history: history, horizon: 4, seasonalPeriod: 4, quantiles: levels, nonNegative: false)
    XCTAssertEqual(naive.point, [8, 8, 8, 8])
    XCTAssertEqual(naive.quantiles[3][2], 8 + z * 2, accuracy: 1e-12)  // σ = 1, √4
    let drift = BaselineModel.drift.forecast(
      history: history, horizon: 3, seasonalPeriod: 4, quantiles: levels, nonNegative: false)
    XCTAssertEqual(drift.point, [9, 10, 11])
    XCTAssertEqual(drift.quantiles[2], [11, 11, 11])  // a perfect line: σ = 0
    // σ for [0, 2, 2]: slope 1, residuals 1, −1: σ = 1; h = 1: √(1 · (1 + 1/3)).
    let d2 = BaselineModel.drift.forecast(
      history: [0, 2, 2], horizon: 1, seasonalPeriod: 1, quantiles: levels, nonNegative: false)
    XCTAssertEqual(d2.point, [3])
    XCTAssertEqual(d2.quantiles[0][2], 3 + z * (4.0 / 3).squareRoot(), accuracy: 1e-12)
  }

  func testNonNegative_clampsAtZero() {
    let f = BaselineModel.naive.forecast(
      history: [1, 0], horizon: 1, seasonalPeriod: 7, quantiles: levels, nonNegative: true)
    XCTAssertEqual(f.point, [0])
    XCTAssertEqual(f.quantiles[0], [0, 0, z])
  }
}

final class CalibrationTests: XCTestCase {
  func testConformalShifts_finiteSampleQuantileOfScores() {
    // Ten scores y − q per level, sorted −4 −2 −1 0 1 2 3 5 7 9. τ = 0.1: the ⌊11 · 0.1⌋ = 1st
    // smallest, −4; τ = 0.9: the ⌈11 · 0.9⌉ = 10th, 9; the median is never shifted.
    let r: [Double] = [3, -4, 0, 7, 1, -2, 9, 2, 5, -1]
    XCTAssertEqual(
      Trainer.conformalShifts(residuals: [r, r, r], quantiles: [0.1, 0.5, 0.9]), [-4, 0, 9])
    // τ = 0.25 of 10: the ⌊2.75⌋ = 2nd smallest (−2); τ = 0.75: the ⌈8.25⌉ = 9th (7).
    XCTAssertEqual(
      Trainer.conformalShifts(residuals: [r, [], r], quantiles: [0.25, 0.5, 0.75]), [-2, 0, 7])
    // No scores: no shift.
    XCTAssertEqual(
      Trainer.conformalShifts(residuals: [[], [], []], quantiles: [0.1, 0.5, 0.9]), [0, 0, 0])
  }
}
