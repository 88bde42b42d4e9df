import Foundation
import XCTest

@testable import Forecast

/// `forecast evaluate --model`: a saved model scored on the points after its training range.
final class ModelEvaluationTests: ScratchDirectoryTestCase {
  /// A tiny model trained and saved on the first 100 points of two series, loaded back with
  /// its training ranges; and the 130-point history it is then scored on.
  private func savedModel() throws -> (
    model: ForecastModel, ranges: [String: TrainingRange], history: SeriesCollection
  ) {
    let history = weeklyPatternSeries(count: 130)
    let training = SeriesCollection(
      kind: .csv, targetName: "value", covariateNames: [],
      series: history.series.map { $0.prefix(100) })
    let result = try Trainer.train(
      training, definition: csvDefinition, options: tinyOptions(), source: "train.csv")
    let path = directory + "/model.safetensors"
    try ModelFile.save(result, to: path, toolkitVersion: "test")
    let loaded = try ModelFile.load(path: path)
    return (loaded.model, try TrainingRange.ranges(metadata: loaded.metadata, path: path), history)
  }

  func testEvaluateSinceTraining_metricsEqualTheRowsAndTheAsOfForecasts() throws {
    let (model, ranges, history) = try savedModel()
    XCTAssertEqual(ranges["a"]?.end, history.series[0].timestamp(at: 99))
    let evaluation = try model.evaluateSinceTraining(
      history, ranges: ranges, history: "h.csv", model: "m")
    // Origins: every point after the range (index 100 on) whose 7 targets exist: 100…122.
    XCTAssertEqual(evaluation.report.origins, 2 * 23)
    XCTAssertEqual(evaluation.forecasts.first?.origin, history.series[0].timestamp(at: 100))
    XCTAssertEqual(evaluation.forecasts.last?.origin, history.series[1].timestamp(at: 122))

    // The metrics from the CSV rows: MAE of p50, coverage of p10–p90, MASE with the in-sample
    // seasonal-naive error of points 0…99.
    let lines = evaluation.csv.split(separator: "\n").map(String.init)
    XCTAssertEqual(lines[0], "series_id,origin,timestamp,horizon_step,p10,p50,p90,actual")
    XCTAssertEqual(lines.count, 1 + 2 * 23 * 7)
    var absolute = 0.0
    var scaled = 0.0
    var covered = 0
    var perStep = [Double](repeating: 0, count: 7)
    let scales = history.series.map {
      maseScale(training: Array($0.values[0..<100]), seasonalPeriod: 7)
    }
    for line in lines.dropFirst() {
      let f = line.split(separator: ",").map(String.init)
      let p10 = try XCTUnwrap(Double(f[4]))
      let p50 = try XCTUnwrap(Double(f[5]))
      let p90 = try XCTUnwrap(Double(f[6]))
      let actual = try XCTUnwrap(Double(f[7]))
      let step = try XCTUnwrap(Int(f[3]))
      absolute += abs(actual - p50)
      scaled += abs(actual - p50) / scales[f[0] == "a" ? 0 : 1]
      perStep[step - 1] += abs(actual - p50) / 46
      if actual >= p10 && actual <= p90 { covered += 1 }
    }
    let n = Double(lines.count - 1)
    let lstm = try XCTUnwrap(evaluation.report.score("lstm"))
    // The CSV rounds forecasts to 4 decimals.
    XCTAssertEqual(lstm.overall.mae, absolute / n, accuracy: 1e-4)
    XCTAssertEqual(lstm.overall.mase, scaled / n, accuracy: 1e-5)
    XCTAssertEqual(lstm.overall.coverage, Double(covered) / n, accuracy: 1e-12)
    for k in 0..<7 { XCTAssertEqual(lstm.perStep[k].mae, perStep[k], accuracy: 1e-4) }
    XCTAssertEqual(
      evaluation.report.scores.map(\.model), ["lstm", "naive", "seasonal_naive", "drift"])

    // Each origin's forecast is the forecast of the history as it was then (predict --as-of).
    for origin in [100, 111, 122] {
      let date = history.series[0].timestamp(at: origin)
      let asOf = try history.asOf(date, text: "d", lookback: model.layout.lookback)
      let (forecasts, _) = try model.forecast(asOf, source: "m")
      for f in forecasts {
        let scored = try XCTUnwrap(
          evaluation.forecasts.first { $0.id == f.id && $0.origin == date })
        XCTAssertEqual(f.timestamps, scored.timestamps)
        for (a, b) in zip(f.forecast.quantiles.joined(), scored.forecast.quantiles.joined()) {
          XCTAssertEqual(a, b, accuracy: 1e-9 * max(1, abs(b)), "\(f.id) at \(origin)")
        }
      }
    }
  }

  func testEvaluateSinceTraining_historyInsideTheRangeSaysNoNewPoints() throws {
    let (model, ranges, history) = try savedModel()
    let old = history.truncated(asOf: history.series[0].timestamp(at: 99))
    XCTAssertThrowsError(
      try model.evaluateSinceTraining(old, ranges: ranges, history: "old.csv", model: "m.st")
    ) { error in
      XCTAssertEqual(
        "\(error)",
        "old.csv: no new points: it ends at 2024-04-09, inside the training range of m.st "
          + "(which ends at 2024-04-09). Scoring needs 8 more points (8 after the training "
          + "range: an origin and its whole horizon). Pass a history that extends further.")
    }
    let short = history.truncated(asOf: history.series[0].timestamp(at: 104))
    XCTAssertThrowsError(
      try model.evaluateSinceTraining(short, ranges: ranges, history: "s.csv", model: "m.st")
    ) { error in
      XCTAssertEqual(
        error as? ModelEvaluationError,
        .notEnoughNewPoints(
          history: "s.csv", model: "m.st", trainingEnd: "2024-04-09", lastPoint: "2024-04-14",
          newPoints: 5, needed: 8))
    }
    // Only the new points: MASE's scale (the history up to the range's end) is missing.
    var onlyNew = history
    onlyNew.series = history.series.map {
      TimeSeries(
        id: $0.id, start: $0.timestamp(at: 100), step: $0.step, values: Array($0.values[100...]))
    }
    XCTAssertThrowsError(
      try model.evaluateSinceTraining(onlyNew, ranges: ranges, history: "n.csv", model: "m.st")
    ) { error in
      XCTAssertEqual(
        "\(error)",
        "n.csv: series 'a' does not cover the training range of m.st. Pass the history the "
          + "model was trained on (or one extending it).")
    }
  }

  func testEvaluateTestPeriod_reproducesTheRecordedTestMetrics() throws {
    let history = weeklyPatternSeries(count: 100)
    let result = try Trainer.train(
      history, definition: csvDefinition, options: tinyOptions(), source: "train.csv")
    let path = directory + "/model.safetensors"
    try ModelFile.save(result, to: path, toolkitVersion: "test")
    let loaded = try ModelFile.load(path: path)
    let ranges = try TrainingRange.ranges(metadata: loaded.metadata, path: path)
    let again = try loaded.model.evaluateTestPeriod(
      history, ranges: ranges, history: "h", model: "m")
    let recorded = try XCTUnwrap(result.test)
    XCTAssertEqual(again.report.origins, recorded.origins)
    for name in ["lstm", "naive", "seasonal_naive", "drift"] {
      let a = try XCTUnwrap(again.report.score(name))
      let b = try XCTUnwrap(recorded.score(name))
      XCTAssertEqual(a.overall.mae, b.overall.mae, accuracy: 1e-9, name)
      XCTAssertEqual(a.overall.mase, b.overall.mase, accuracy: 1e-9, name)
      XCTAssertEqual(a.overall.coverage, b.overall.coverage, name)
      XCTAssertEqual(a.perStep.count, 7)
    }
  }

  func testAsOf_outsideTheHistoryIsRefused() throws {
    let history = weeklyPatternSeries(count: 30)
    XCTAssertThrowsError(
      try history.asOf(history.series[0].timestamp(at: 40), text: "2024-02-09", lookback: 14)
    ) { error in
      XCTAssertEqual(
        "\(error)",
        "--as-of 2024-02-09: the history's forecastable origins run from 2024-01-14 to "
          + "2024-01-30. Pass a date in that range, or leave --as-of out to forecast from the end.")
    }
    let cut = try history.asOf(history.series[0].timestamp(at: 20), text: "d", lookback: 14)
    XCTAssertEqual(cut.series.map(\.count), [21, 21])
  }
}
