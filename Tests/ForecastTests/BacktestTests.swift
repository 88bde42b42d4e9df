import XCTest

@testable import Forecast

final class BacktestTests: XCTestCase {
  func testBaselineContext_matchesTheDirectForecastAtEveryOrigin() {
    let values: [Double] = [5, 3, 8, 6, 9, 4, 7, 10, 6, 12, 8, 11, 9, 14]
    let context = BaselineContext(values: values, seasonalPeriod: 4)
    for origin in 0..<values.count {
      for model in BaselineModel.allCases {
        let direct = model.forecast(
          history: Array(values[0...origin]), horizon: 6, seasonalPeriod: 4,
          quantiles: [0.1, 0.5, 0.9], nonNegative: origin % 2 == 0)
        let fast = context.forecast(
          model, origin: origin, horizon: 6, quantiles: [0.1, 0.5, 0.9],
          nonNegative: origin % 2 == 0)
        XCTAssertEqual(fast.point, direct.point, "\(model) at \(origin)")
        for (a, b) in zip(fast.quantiles.joined(), direct.quantiles.joined()) {
          XCTAssertEqual(a, b, accuracy: 1e-9, "\(model) at \(origin)")
        }
      }
    }
  }

  func testBacktest_forecastsEveryTestOriginOnceBesideTheBaselines() throws {
    let data = weeklyPatternSeries(count: 100)
    var options = tinyOptions()
    options.maxEpochs = 2
    let (report, notes) = try Backtest.run(
      data, definition: csvDefinition, options: options, folds: 2, source: "x")
    XCTAssertEqual(notes, [])
    // Test part: the last 14 points; origins 85…92 (targets up to 99), per series.
    XCTAssertEqual(report.origins, 2 * 8)
    XCTAssertEqual(report.folds, 2)
    XCTAssertEqual(report.scores.map(\.model), ["lstm", "naive", "seasonal_naive", "drift"])
    // Seasonal naive over the same origins, computed directly.
    var acc = MetricsAccumulator(horizon: 7, quantiles: options.quantiles)
    for s in data.series {
      for origin in 85...92 {
        let f = BaselineModel.seasonalNaive.forecast(
          history: Array(s.values[0...origin]), horizon: 7, seasonalPeriod: 7,
          quantiles: options.quantiles, nonNegative: true)
        acc.add(actual: Array(s.values[(origin + 1)...(origin + 7)]), forecast: f, scale: 1)
      }
    }
    let seasonal = try XCTUnwrap(report.score("seasonal_naive"))
    XCTAssertEqual(seasonal.overall.mae, acc.overall.mae, accuracy: 1e-9)
    XCTAssertEqual(seasonal.overall.coverage, acc.overall.coverage, accuracy: 1e-12)
    XCTAssertTrue(report.relativeMASE.isFinite)
  }

  /// A test period shorter than the horizon holds no origin: refused before any training,
  /// rather than a table of n/a with exit 0. Equal to the horizon: one origin per series.
  func testBacktest_testPeriodShorterThanTheHorizonIsRefused() throws {
    let data = weeklyPatternSeries(count: 100)
    var options = tinyOptions()
    options.maxEpochs = 1
    options.testLength = options.horizon - 1
    XCTAssertThrowsError(
      try Backtest.run(data, definition: csvDefinition, options: options, folds: 1, source: "x")
    ) { error in
      XCTAssertEqual(
        "\(error)",
        "--test 6: expected at least the horizon 7 (a backtest origin needs its 7 targets inside "
          + "the test period); pass --test 7 or more, or a shorter --horizon. Please pass a "
          + "valid value.")
    }
    options.testLength = 0
    XCTAssertThrowsError(
      try Backtest.run(data, definition: csvDefinition, options: options, folds: 3, source: "x")
    ) { XCTAssertTrue("\($0)".hasPrefix("--test 0: expected at least the horizon 7"), "\($0)") }
    options.testLength = options.horizon
    let (report, _) = try Backtest.run(
      data, definition: csvDefinition, options: options, folds: 1, source: "x")
    XCTAssertEqual(report.origins, data.series.count)
  }
}
