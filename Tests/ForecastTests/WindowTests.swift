import Tensor
import XCTest

@testable import Forecast

final class WindowTests: XCTestCase {
  /// Daily series from Monday 2024-01-01: 0, 1, 2, …
  func ramp(_ n: Int, id: String = "a", covariate: Bool = false) -> TimeSeries {
    let values = (0..<n).map(Double.init)
    return TimeSeries(
      id: id, start: 19_723 * 86_400, step: 86_400, values: values,
      covariates: covariate ? [values.map { $0 * 10 }] : [])
  }

  func testTimeSplit_windowsNeverReachPastTheirPart() {
    let layout = FeatureLayout(
      lookback: 4, horizon: 2,
      collection: SeriesCollection(
        kind: .csv, targetName: "value", covariateNames: [], series: [ramp(20)]))
    let split = TimeSplit(validationLength: 3, testLength: 3)
    XCTAssertTrue(split.bounds(count: 20) == (14, 17))
    XCTAssertEqual(split.minimumLength(layout: layout), 12)
    func origins(_ part: TimeSplit.Part) -> [Int] {
      let w = split.windows(part, counts: [20, 5], layout: layout)
      return (0..<w.count).map { w[$0].origin }
    }
    // Training: targets ≤ 13 → o ≤ 11; validation: targets in 14…16 → o in 13…14; test: o in
    // 16…17. The 5-point series has no window in any part.
    XCTAssertEqual(origins(.training), [3, 4, 5, 6, 7, 8, 9, 10, 11])
    XCTAssertEqual(origins(.validation), [13, 14])
    XCTAssertEqual(origins(.test), [16, 17])
  }

  func testWindowList_indexesAcrossSeriesAndShufflesWithTheSeed() {
    var list = WindowList()
    list.append(series: 0, origins: 3..<5)
    list.append(series: 1, origins: 0..<0)
    list.append(series: 2, origins: 10..<13)
    XCTAssertEqual(list.count, 5)
    XCTAssertEqual(
      (0..<5).map { list[$0] },
      [
        WindowRef(series: 0, origin: 3), WindowRef(series: 0, origin: 4),
        WindowRef(series: 2, origin: 10), WindowRef(series: 2, origin: 11),
        WindowRef(series: 2, origin: 12),
      ])
    var a = SeededGenerator(seed: 7)
    var b = SeededGenerator(seed: 7)
    let first = list.epochOrder(total: 12, using: &a)
    XCTAssertEqual(first, list.epochOrder(total: 12, using: &b))
    // Two whole passes, then part of a third.
    XCTAssertEqual(first[0..<5].sorted(), [0, 1, 2, 3, 4])
    XCTAssertEqual(first[5..<10].sorted(), [0, 1, 2, 3, 4])
    XCTAssertEqual(Set(first[10..<12]).count, 2)
    XCTAssertNotEqual(Array(first[0..<5]), Array(first[5..<10]))
  }

  func testWindowList_evenlySpacedSubsetKeepsOrderAndRuns() {
    var list = WindowList()
    list.append(series: 0, origins: 0..<6)
    list.append(series: 1, origins: 20..<26)
    // 12 windows, 4 kept: indices 0, 3, 6, 9.
    let four = list.evenlySpaced(atMost: 4)
    XCTAssertEqual(
      (0..<four.count).map { four[$0] },
      [
        WindowRef(series: 0, origin: 0), WindowRef(series: 0, origin: 3),
        WindowRef(series: 1, origin: 20), WindowRef(series: 1, origin: 23),
      ])
    // Consecutive picks stay one range; a limit at or above the count keeps everything.
    let six = list.evenlySpaced(atMost: 6)
    XCTAssertEqual((0..<six.count).map { six[$0].origin }, [0, 2, 4, 20, 22, 24])
    XCTAssertEqual(list.evenlySpaced(atMost: 12).count, 12)
    XCTAssertEqual(list.evenlySpaced(atMost: 100).count, 12)
    let eleven = list.evenlySpaced(atMost: 11)
    XCTAssertEqual(Set((0..<eleven.count).map { "\(eleven[$0])" }).count, 11)
  }

  func testScaler_fittedOnTrainingPartOnly() {
    let s = PreparedSeries(
      ramp(10),
      layout: FeatureLayout(
        lookback: 2, horizon: 1,
        collection: SeriesCollection(
          kind: .csv, targetName: "value", covariateNames: [], series: [ramp(10)])),
      scalerEnd: 4)
    // Training part 0, 1, 2, 3: median 1.5, |deviations| 1.5, 0.5, 0.5, 1.5: MAD 1.
    XCTAssertEqual(s.scaler.mean, 1.5)
    XCTAssertEqual(s.scaler.scale, 1.4826, accuracy: 1e-15)
    // An outlier moves neither: median 2, MAD 1.
    let robust = SeriesScaler(fitting: [1, 2, 3, 2, 1000])
    XCTAssertEqual(robust.mean, 2)
    XCTAssertEqual(robust.scale, 1.4826, accuracy: 1e-15)
    // MAD 0: the standard deviation; flat: |median|, or 1 at 0.
    XCTAssertEqual(SeriesScaler(fitting: [5, 5, 5, 9]).scale, 3.0.squareRoot(), accuracy: 1e-12)
    XCTAssertEqual(SeriesScaler(fitting: [5, 5, 5]).scale, 5)
    XCTAssertEqual(SeriesScaler(fitting: [0, 0]).scale, 1)
    // "Flat" is relative to the series' magnitude: nano-units keep their MAD.
    let nano = SeriesScaler(fitting: [1e-9, 2e-9, 3e-9, 2e-9, 1e-6])
    XCTAssertEqual(nano.mean, 2e-9)
    XCTAssertEqual(nano.scale, 1.4826e-9, accuracy: 1e-22)
  }

  func testVerdict_astronomicalRatioIsPrintedNotTrapped() {
    func score(_ name: String, mase: Double) -> ModelScore {
      ModelScore(
        model: name,
        overall: MetricValues(
          mae: 1, rmse: 1, smape: 1, mase: mase, pinball: 1, coverage: 0.8, width: 1, count: 1),
        perStep: [])
    }
    let report = EvaluationReport(
      scores: [score("lstm", mase: 4e21), score("seasonal_naive", mase: 1)], intervalLevel: 0.8,
      origins: 1, folds: 1, seriesCount: 1, seasonalPeriod: 7)
    XCTAssertEqual(
      report.verdict,
      "The LSTM does NOT beat seasonal naive: its MASE is 4e+21 times as high. "
        + "Prefer seasonal naive for this data, or train on a longer history.")
  }

  func testBatcher_fillsTargetCalendarCovariatesLagAndKey() {
    // 400 daily points from Monday 2024-01-01; value t, covariate 10t.
    let collection = SeriesCollection(
      kind: .csv, targetName: "value", covariateNames: ["c"],
      series: [ramp(400, covariate: true), ramp(400, id: "b", covariate: true)])
    let layout = FeatureLayout(lookback: 2, horizon: 2, collection: collection)
    XCTAssertEqual(
      layout.names,
      [
        "target", "observed", "dow_sin", "dow_cos", "woy_sin", "woy_cos", "holiday", "cov:c",
        "season_lag", "season_lag_observed", "key:a", "key:b",
      ])
    // Scalers on 0…3: median 1.5, scale 1.4826; covariate 0…30: 15 and 14.826. The level is
    // the mean of the last min(T, 7) = 2 points.
    let prepared = collection.series.map { PreparedSeries($0, layout: layout, scalerEnd: 4) }
    let batcher = WindowBatcher(layout: layout, series: prepared)
    var input = Tensor<Float>(zeros: [4, 2, layout.inputSize])
    var targets: Tensor<Float>? = Tensor<Float>(zeros: [2, 2])
    var levels: [Float] = []
    // Window 0: series b, origin 3 (no point a year earlier); window 1: series a, origin 365
    // (2024-12-31, a holiday; its lookback is 364…365, a year earlier 0…1).
    batcher.fill(
      [WindowRef(series: 1, origin: 3), WindowRef(series: 0, origin: 365)], input: &input,
      targets: &targets, levels: &levels)
    let sd = Float(1.4826)
    let z: (Float) -> Float = { ($0 - 1.5) / sd }
    let level = (z(2) + z(3)) / 2
    XCTAssertEqual(levels[0], level, accuracy: 1e-6)
    let x = input.scalars
    let i = layout.inputSize
    func at(_ step: Int, _ row: Int, _ feature: Int) -> Float { x[(step * 2 + row) * i + feature] }
    // Step 0 of window 0 is point 2 (Wednesday 2024-01-03): target, observed, dow angle 2π·2/7.
    XCTAssertEqual(at(0, 0, 0), z(2) - level, accuracy: 1e-6)
    XCTAssertEqual(at(0, 0, 1), 1)
    XCTAssertEqual(at(0, 0, 2), Float(sin(2 * Double.pi * 2 / 7)), accuracy: 1e-6)
    XCTAssertEqual(at(0, 0, 6), 0)  // not a holiday
    XCTAssertEqual(at(0, 0, 7), (20 - 15) / (10 * sd), accuracy: 1e-5)
    XCTAssertEqual(at(0, 0, 8), 0)  // no season lag
    XCTAssertEqual(at(0, 0, 9), 0)
    XCTAssertEqual(Array(x[10..<12]), [0, 1])  // key b
    // Step 2 is the first future step (point 4, Friday): no target, covariate or observed flag,
    // but its calendar and key.
    XCTAssertEqual(at(2, 0, 0), 0)
    XCTAssertEqual(at(2, 0, 1), 0)
    XCTAssertEqual(at(2, 0, 2), Float(sin(2 * Double.pi * 4 / 7)), accuracy: 1e-6)
    XCTAssertEqual(at(2, 0, 7), 0)
    XCTAssertEqual(at(2, 0, 11), 1)
    XCTAssertEqual(targets?.scalars[0] ?? .nan, z(4) - level, accuracy: 1e-6)
    XCTAssertEqual(targets?.scalars[1] ?? .nan, z(5) - level, accuracy: 1e-6)
    // Window 1: step 1 is point 365 = 2024-12-31 (holiday); the lag at step 1 is point 1,
    // relative to the mean of z(0), z(1); future step 3 (point 367) lags to point 3 ≤ origin.
    XCTAssertEqual(at(1, 1, 6), 1)
    let lagLevel = (z(0) + z(1)) / 2
    XCTAssertEqual(at(1, 1, 8), z(1) - lagLevel, accuracy: 1e-5)
    XCTAssertEqual(at(1, 1, 9), 1)
    XCTAssertEqual(at(3, 1, 8), z(3) - lagLevel, accuracy: 1e-5)
    XCTAssertEqual(at(3, 1, 9), 1)
  }

  func testBatcher_seasonLagNeverReadsPastTheOrigin() {
    // Horizon 400 > lag 364: future steps whose lagged point lies after the origin get no lag.
    let collection = SeriesCollection(
      kind: .csv, targetName: "value", covariateNames: [], series: [ramp(800)])
    let layout = FeatureLayout(lookback: 1, horizon: 400, collection: collection)
    let prepared = [PreparedSeries(collection.series[0], layout: layout, scalerEnd: 10)]
    var input = Tensor<Float>(zeros: [401, 1, layout.inputSize])
    var none: Tensor<Float>? = nil
    var levels: [Float] = []
    WindowBatcher(layout: layout, series: prepared).fill(
      [WindowRef(series: 0, origin: 370)], input: &input, targets: &none, levels: &levels)
    let x = input.scalars
    let observed = layout.lagOffset + 1
    // Step s is point 370 + s; its lag point 6 + s must be ≤ 370: s ≤ 364.
    XCTAssertEqual(x[364 * layout.inputSize + observed], 1)
    XCTAssertEqual(x[365 * layout.inputSize + observed], 0)
  }
}
