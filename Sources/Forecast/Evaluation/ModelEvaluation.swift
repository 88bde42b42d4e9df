import Events
import Foundation
import Plumbing

/// The training range a model file records per series (`forecast.training_range`): the first
/// point, the last points of its training and validation parts, and the last point it was given.
public struct TrainingRange: Sendable, Equatable {
  /// Unix seconds of the first point.
  public var start: Int64
  /// Unix seconds of the training part's last point.
  public var trainEnd: Int64
  /// Unix seconds of the validation part's last point.
  public var validationEnd: Int64
  /// Unix seconds of the last point the model was given (the test part's last).
  public var end: Int64

  /// A range with every field given.
  public init(start: Int64, trainEnd: Int64, validationEnd: Int64, end: Int64) {
    self.start = start
    self.trainEnd = trainEnd
    self.validationEnd = validationEnd
    self.end = end
  }

  /// The ranges by series id, from a model file's metadata.
  /// - Throws: `ModelFileError.badMetadata` when the entry is missing or malformed.
  public static func ranges(metadata: [String: String], path: String) throws -> [String:
    TrainingRange]
  {
    let key = "forecast.training_range"
    let expected = "per series {start, train_end, validation_end, end} as ISO-8601 dates"
    guard let text = metadata[key],
      let raw = try? JSONDecoder().decode([String: [String: String]].self, from: Data(text.utf8))
    else { throw ModelFileError.badMetadata(path: path, key: key, expected: expected) }
    var result: [String: TrainingRange] = [:]
    for (id, fields) in raw {
      guard let start = fields["start"].flatMap(Timestamp.parse),
        let trainEnd = fields["train_end"].flatMap(Timestamp.parse),
        let validationEnd = fields["validation_end"].flatMap(Timestamp.parse),
        let end = fields["end"].flatMap(Timestamp.parse)
      else { throw ModelFileError.badMetadata(path: path, key: key, expected: expected) }
      result[id] = TrainingRange(
        start: start, trainEnd: trainEnd, validationEnd: validationEnd, end: end)
    }
    return result
  }
}

/// One forecast from one origin beside what happened.
public struct EvaluatedForecast: Sendable, Equatable {
  /// The series id.
  public var id: String
  /// Unix seconds of the origin (the last point the forecast saw).
  public var origin: Int64
  /// Unix seconds of each forecast step, `[K]`.
  public var timestamps: [Int64]
  /// `[K]` forecasts with ascending quantiles.
  public var forecast: QuantileForecast
  /// `[K]` actual values.
  public var actual: [Double]
}

/// A saved model scored on a history without refitting: its forecasts from many origins, each
/// using only the data up to its origin and the model's own scalers, beside the baselines.
public struct ModelEvaluation: Sendable {
  /// The LSTM and the baselines, overall and per horizon step.
  public var report: EvaluationReport
  /// Every origin's forecast beside the actuals, by series then origin.
  public var forecasts: [EvaluatedForecast]
  /// The quantile levels of the forecasts.
  public var quantiles: [Double]
  /// What the user should know (series left out, …).
  public var notes: [String]

  /// `series_id,origin,timestamp,horizon_step,p10,p50,p90,actual` (one column per quantile).
  public var csv: String {
    var out =
      (["series_id", "origin", "timestamp", "horizon_step"] + quantiles.map(Predictions.columnName)
      + ["actual"]).joined(separator: ",") + "\n"
    for f in forecasts {
      for (k, time) in f.timestamps.enumerated() {
        out += "\(CSVField.quoted(f.id)),\(Timestamp.format(f.origin)),"
        out += "\(Timestamp.format(time)),\(k + 1)"
        for v in f.forecast.quantiles[k] { out += "," + Predictions.formatValue(v) }
        out += "," + formatNumber(f.actual[k]) + "\n"
      }
    }
    return out
  }
}

/// Why a saved model cannot be scored on a history: each message names the files, what is
/// missing and what to do.
public enum ModelEvaluationError: Error, CustomStringConvertible, Equatable {
  /// The history has no complete window after the training range.
  case notEnoughNewPoints(
    history: String, model: String, trainingEnd: String, lastPoint: String, newPoints: Int,
    needed: Int)
  /// No series of the history was in the model's training data.
  case noTrainedSeries(history: String, model: String, known: [String])
  /// The history does not hold the model's training range (for the test-period scores).
  case trainingRangeNotCovered(history: String, model: String, series: String)
  /// `--as-of` before a forecastable window or after the history's end.
  case asOfOutOfRange(date: String, first: String, last: String)

  public var description: String {
    switch self {
    case .notEnoughNewPoints(
      let history, let model, let trainingEnd, let lastPoint, let newPoints, let needed):
      let what =
        newPoints == 0
        ? "no new points: it ends at \(lastPoint), inside the training range of \(model) "
          + "(which ends at \(trainingEnd))"
        : "only \(newPoints) new point\(newPoints == 1 ? "" : "s") after the training range of "
          + "\(model) (which ends at \(trainingEnd)), the last at \(lastPoint)"
      return "\(history): \(what). Scoring needs \(needed - newPoints) more point"
        + "\(needed - newPoints == 1 ? "" : "s") (\(needed) after the training range: an origin "
        + "and its whole horizon). Pass a history that extends further."
    case .noTrainedSeries(let history, let model, let known):
      return "\(history): none of its series was in the training data of \(model), which knows "
        + "\(known.sorted().joined(separator: ", ")). Pass the history the model was trained on, "
        + "extended with new data."
    case .trainingRangeNotCovered(let history, let model, let series):
      return "\(history): series \(Quoted(series)) does not cover the training range of \(model). "
        + "Pass the history the model was trained on (or one extending it)."
    case .asOfOutOfRange(let date, let first, let last):
      return "--as-of \(date): the history's forecastable origins run from \(first) to \(last). "
        + "Pass a date in that range, or leave --as-of out to forecast from the end."
    }
  }
}

extension ForecastModel {
  /// Scores the model on the points of `collection` after its training range: every point
  /// after the range's last point is an origin whose whole horizon lies inside the history;
  /// each forecast uses only data up to its origin (no refit, the model's scalers). MASE is
  /// scaled by the in-sample seasonal-naive error of the history up to the range's end.
  /// Series the model did not train on are left out (named in a note).
  /// - Throws: `ModelEvaluationError` when no series has a complete window after the range.
  public func evaluateSinceTraining(
    _ collection: SeriesCollection, ranges: [String: TrainingRange], history: String,
    model: String
  ) throws -> ModelEvaluation {
    try checkCompatible(collection, source: model)
    var plans: [(series: TimeSeries, origins: Range<Int>, scaleEnd: Int)] = []
    var notes: [String] = []
    var best: (newPoints: Int, trainingEnd: Int64, last: Int64)?
    let k = layout.horizon
    let unknown = collection.series.filter { ranges[$0.id] == nil || scalers[$0.id] == nil }
    if !unknown.isEmpty {
      notes.append(
        "\(unknown.count) series of \(history) were not in the training data of \(model) and "
          + "were not scored: " + unknown.prefix(5).map { "'\($0.id)'" }.joined(separator: ", "))
    }
    for s in collection.series {
      guard let range = ranges[s.id], scalers[s.id] != nil else { continue }
      // Index of the first point after the range.
      let first = Int(DayArithmetic.floorDivide(range.end - s.start, s.step)) + 1
      // MASE needs the history up to the range's end: one that starts after it is refused.
      guard first >= 1 else {
        throw ModelEvaluationError.trainingRangeNotCovered(
          history: history, model: model, series: s.id)
      }
      let newPoints = max(0, s.count - max(0, first))
      if best == nil || newPoints > (best?.newPoints ?? 0) {
        best = (newPoints, range.end, s.timestamp(at: s.count - 1))
      }
      let lo = max(first, layout.lookback - 1)
      let hi = s.count - k
      if lo < hi { plans.append((s, lo..<hi, first)) }
    }
    guard let found = best else {
      throw ModelEvaluationError.noTrainedSeries(
        history: history, model: model, known: Array(ranges.keys))
    }
    guard !plans.isEmpty else {
      throw ModelEvaluationError.notEnoughNewPoints(
        history: history, model: model, trainingEnd: Timestamp.format(found.trainingEnd),
        lastPoint: Timestamp.format(found.last), newPoints: found.newPoints, needed: k + 1)
    }
    var evaluation = score(plans)
    evaluation.notes = notes
    return evaluation
  }

  /// The model's test period scored again from `collection` (the history it was trained on):
  /// the windows and MASE scales of `Trainer`'s test evaluation, with the saved weights, so
  /// the overall figures equal those the model file holds, and the per-step ones come too.
  /// - Throws: `ModelEvaluationError.trainingRangeNotCovered` when a series does not hold
  ///   its training range.
  public func evaluateTestPeriod(
    _ collection: SeriesCollection, ranges: [String: TrainingRange], history: String,
    model: String
  ) throws -> ModelEvaluation {
    try checkCompatible(collection, source: model)
    var plans: [(series: TimeSeries, origins: Range<Int>, scaleEnd: Int)] = []
    for s in collection.series {
      guard let range = ranges[s.id], scalers[s.id] != nil else { continue }
      func index(_ t: Int64) -> Int { Int(DayArithmetic.floorDivide(t - s.start, s.step)) }
      guard range.start == s.start, index(range.end) < s.count else {
        throw ModelEvaluationError.trainingRangeNotCovered(
          history: history, model: model, series: s.id)
      }
      let lo = max(layout.lookback - 1, index(range.validationEnd))
      let hi = index(range.end) + 1 - layout.horizon
      plans.append((s.prefix(index(range.end) + 1), lo..<max(lo, hi), index(range.trainEnd) + 1))
    }
    guard !plans.isEmpty else {
      throw ModelEvaluationError.noTrainedSeries(
        history: history, model: model, known: Array(ranges.keys))
    }
    return score(plans)
  }

  /// Forecasts every planned origin and scores it beside the baselines.
  private func score(_ plans: [(series: TimeSeries, origins: Range<Int>, scaleEnd: Int)])
    -> ModelEvaluation
  {
    let k = layout.horizon
    let period = SeriesSpacing(seconds: definition.step).seasonalPeriod
    var prepared: [PreparedSeries] = []
    var windows: [WindowRef] = []
    for (i, plan) in plans.enumerated() {
      let known = scalers[plan.series.id].map { ($0.target, $0.covariates) }
      prepared.append(PreparedSeries(plan.series, layout: layout, scalerEnd: 0, scalers: known))
      windows += plan.origins.map { WindowRef(series: i, origin: $0) }
    }
    let forecasts = forecast(
      windows: windows, batcher: WindowBatcher(layout: layout, series: prepared))
    let names = ["lstm"] + BaselineModel.allCases.map(\.rawValue)
    var sums = Dictionary(
      uniqueKeysWithValues: names.map { ($0, MetricsAccumulator(horizon: k, quantiles: quantiles)) }
    )
    let contexts = plans.map {
      BaselineContext(values: $0.series.values, seasonalPeriod: period)
    }
    let scales = plans.map {
      maseScale(training: Array($0.series.values[0..<$0.scaleEnd]), seasonalPeriod: period)
    }
    var evaluated: [EvaluatedForecast] = []
    for (window, f) in zip(windows, forecasts) {
      let s = plans[window.series].series
      let actual = Array(s.values[(window.origin + 1)...(window.origin + k)])
      let scale = scales[window.series]
      sums["lstm"]?.add(actual: actual, forecast: f, scale: scale)
      for baseline in BaselineModel.allCases {
        let b = contexts[window.series].forecast(
          baseline, origin: window.origin, horizon: k, quantiles: quantiles,
          nonNegative: nonNegative)
        sums[baseline.rawValue]?.add(actual: actual, forecast: b, scale: scale)
      }
      evaluated.append(
        EvaluatedForecast(
          id: s.id, origin: s.timestamp(at: window.origin),
          timestamps: (1...k).map { s.timestamp(at: window.origin + $0) }, forecast: f,
          actual: actual))
    }
    let scores = names.compactMap { name in
      sums[name].map { ModelScore(model: name, overall: $0.overall, perStep: $0.perStep) }
    }
    let report = EvaluationReport(
      scores: scores, intervalLevel: (quantiles.last ?? 1) - (quantiles.first ?? 0),
      origins: windows.count, folds: 1,
      seriesCount: Set(windows.map(\.series)).count, seasonalPeriod: period)
    return ModelEvaluation(report: report, forecasts: evaluated, quantiles: quantiles, notes: [])
  }
}

extension SeriesCollection {
  /// Every series cut after its last point at or before `asOf` (Unix seconds): the history as
  /// it was then. Series with no point by then are dropped.
  public func truncated(asOf: Int64) -> SeriesCollection {
    var copy = self
    copy.series = series.compactMap { s in
      guard asOf >= s.start else { return nil }
      let n = min(s.count, Int(DayArithmetic.floorDivide(asOf - s.start, s.step)) + 1)
      return s.prefix(n)
    }
    return copy
  }
}

extension EvaluationReport {
  /// A report from scores computed elsewhere (e.g. the test figures a model file records).
  public init(
    recordedScores scores: [ModelScore], intervalLevel: Double, origins: Int, folds: Int,
    seriesCount: Int, seasonalPeriod: Int
  ) {
    self.init(
      scores: scores, intervalLevel: intervalLevel, origins: origins, folds: folds,
      seriesCount: seriesCount, seasonalPeriod: seasonalPeriod)
  }
}

extension ModelScore {
  /// A score with every field given.
  public init(named model: String, overall: MetricValues, perStep: [MetricValues]) {
    self.init(model: model, overall: overall, perStep: perStep)
  }
}

extension SeriesCollection {
  /// `truncated(asOf:)` for `forecast predict --as-of`: `text` is the date as given.
  /// - Throws: `ModelEvaluationError.asOfOutOfRange` when the date leaves no series a window
  ///   of `lookback` points, or lies after every series' last point.
  public func asOf(_ date: Int64, text: String, lookback: Int) throws -> SeriesCollection {
    let cut = truncated(asOf: date)
    let firstOrigin = series.map { $0.timestamp(at: max(0, lookback - 1)) }.min() ?? 0
    let last = series.map { $0.timestamp(at: $0.count - 1) }.max() ?? 0
    guard cut.series.contains(where: { $0.count >= lookback }), date <= last else {
      throw ModelEvaluationError.asOfOutOfRange(
        date: text, first: Timestamp.format(firstOrigin), last: Timestamp.format(last))
    }
    return cut
  }
}
