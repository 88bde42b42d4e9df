import LSTM
import Tensor

/// What the series of a model are: enough to rebuild them from a history and to refuse a
/// history of another kind.
public struct SeriesDefinition: Sendable, Equatable, Codable {
  /// Daily sessions, weekly engagement, or CSV series.
  public var kind: SeriesKind
  /// The calendar of event series (nil for CSV).
  public var calendar: SeriesCalendar?
  /// The split key of event series (nil: one series, or CSV).
  public var splitKey: SeriesSplitKey?
  /// The session gap of event series in minutes (nil for CSV).
  public var sessionGapMinutes: Int?
  /// The target's name.
  public var targetName: String
  /// The covariates' names.
  public var covariateNames: [String]
  /// Seconds between points.
  public var step: Int64

  /// A definition with every field given.
  public init(
    kind: SeriesKind, calendar: SeriesCalendar?, splitKey: SeriesSplitKey?,
    sessionGapMinutes: Int?, targetName: String, covariateNames: [String], step: Int64
  ) {
    self.kind = kind
    self.calendar = calendar
    self.splitKey = splitKey
    self.sessionGapMinutes = sessionGapMinutes
    self.targetName = targetName
    self.covariateNames = covariateNames
    self.step = step
  }
}

/// The scalers of one series, fitted on its training part.
public struct SeriesScalers: Sendable, Equatable, Codable {
  /// The target's.
  public var target: SeriesScaler
  /// One per covariate.
  public var covariates: [SeriesScaler]
}

/// The forecast of one series from the end of its history.
public struct SeriesForecast: Sendable, Equatable {
  /// The series id.
  public var id: String
  /// Unix seconds of each forecast step, continuing the history, `[K]`.
  public var timestamps: [Int64]
  /// `[K]` forecasts with ascending quantiles.
  public var forecast: QuantileForecast
}

/// A trained model: the network and everything needed to forecast with it.
public struct ForecastModel {
  /// The ensemble members: each an LSTM and its dense head, outputs `[B, K·Q]` (k major,
  /// q minor); forecasts average their sorted quantiles (`combinedOutput`).
  public var networks: [LSTMForecaster<Float>]
  /// Member 0.
  public var network: LSTMForecaster<Float> { networks[0] }
  /// What the series are.
  public var definition: SeriesDefinition
  /// The input layout.
  public var layout: FeatureLayout
  /// The hyper-parameters it was trained with.
  public var options: TrainingOptions
  /// Scalers by series id.
  public var scalers: [String: SeriesScalers]
  /// Clamp forecasts at 0 (the training targets were all ≥ 0).
  public var nonNegative: Bool
  /// Per horizon step and quantile, `[K·Q]` step major, the shift added to the network's
  /// output in units of the window's `Trainer.calibrationScale`, calibrated on the validation
  /// windows (`Trainer.calibrateIntervals`; 0 for the median).
  public var intervalShifts: [Double]

  /// The quantile levels.
  public var quantiles: [Double] { options.quantiles }

  /// A model from its parts.
  /// - Precondition: at least one network.
  public init(
    networks: [LSTMForecaster<Float>], definition: SeriesDefinition, layout: FeatureLayout,
    options: TrainingOptions, scalers: [String: SeriesScalers], nonNegative: Bool,
    intervalShifts: [Double]
  ) {
    precondition(!networks.isEmpty, "ForecastModel: expected at least one network, got 0")
    self.networks = networks
    self.definition = definition
    self.layout = layout
    self.options = options
    self.scalers = scalers
    self.nonNegative = nonNegative
    self.intervalShifts = intervalShifts
  }

  /// The ensemble's raw output for `input` `[T, B, I]`, `[B·K·Q]` (row, step, quantile): each
  /// member's Q outputs per step sorted ascending, then averaged over the members per step and
  /// quantile (summed in member order in `Double`, divided by the member count), then sorted
  /// again. With one member it is that member's sorted output.
  static func combinedOutput(
    _ networks: [LSTMForecaster<Float>], input: Tensor<Float>, horizon k: Int, q: Int
  ) -> [Double] {
    var sum: [Double] = []
    for network in networks {
      let output = network.predict(input).scalars
      if sum.isEmpty { sum = [Double](repeating: 0, count: output.count) }
      precondition(
        output.count == sum.count,
        "ForecastModel.combinedOutput: expected \(sum.count) outputs per member, got \(output.count)"
      )
      for start in stride(from: 0, to: output.count, by: q) {
        let sorted = output[start..<(start + q)].map(Double.init).sorted()
        for j in 0..<q { sum[start + j] += sorted[j] }
      }
    }
    let n = Double(networks.count)
    for start in stride(from: 0, to: sum.count, by: q) {
      let mean = sum[start..<(start + q)].map { $0 / n }.sorted()
      for j in 0..<q { sum[start + j] = mean[j] }
    }
    return sum
  }

  /// Forecasts for windows, in batches of up to 256: outputs sorted per step, shifted by the
  /// calibration, sorted again (no quantile crossing), unscaled, clamped at 0 for non-negative
  /// series. The point forecast is the
  /// median quantile (the one nearest 0.5).
  func forecast(windows: [WindowRef], batcher: WindowBatcher) -> [QuantileForecast] {
    let k = layout.horizon
    let q = quantiles.count
    let median = quantiles.indices.min { abs(quantiles[$0] - 0.5) < abs(quantiles[$1] - 0.5) } ?? 0
    var result: [QuantileForecast] = []
    result.reserveCapacity(windows.count)
    var levels: [Float] = []
    var noTargets: Tensor<Float>? = nil
    var start = 0
    while start < windows.count {
      let chunk = windows[start..<min(start + 256, windows.count)]
      var input = Tensor<Float>(zeros: [layout.sequenceLength, chunk.count, layout.inputSize])
      batcher.fill(chunk, input: &input, targets: &noTargets, levels: &levels)
      let output = ForecastModel.combinedOutput(networks, input: input, horizon: k, q: q)
      for (row, window) in chunk.enumerated() {
        let scaler = batcher.series[window.series].scaler
        let level = Double(levels[row])
        let d = Trainer.calibrationScale(scaler: scaler, level: level)
        var quantileRows: [[Double]] = []
        quantileRows.reserveCapacity(k)
        for step in 0..<k {
          let raw = (0..<q).map { output[row * k * q + step * q + $0] }
          var values = (0..<q).map { j in
            scaler.unscaled(level + raw[j] + intervalShifts[step * q + j] * d)
          }
          values.sort()
          if nonNegative { values = values.map { max(0, $0) } }
          quantileRows.append(values)
        }
        result.append(
          QuantileForecast(point: quantileRows.map { $0[median] }, quantiles: quantileRows))
      }
      start += chunk.count
    }
    return result
  }

  /// Forecasts `horizon ≤ K` steps after the end of every series of `collection`.
  ///
  /// Series the model was trained on use their training scalers; with no one-hot keys, a new
  /// series gets scalers fitted on its whole history (a note says so); with keys, a series the
  /// model has not seen is left out and named in a note.
  /// `source` names the model file in messages.
  /// - Returns: one forecast per series with at least `lookback` points, in the collection's
  ///   order (shorter ones are named in a note), and notes.
  /// - Throws: `ForecastError` for a horizon beyond K, another kind of series, only unknown
  ///   series for a keyed model, or a lone series (or every series) shorter than the lookback.
  public func forecast(_ collection: SeriesCollection, horizon: Int? = nil, source: String)
    throws -> (forecasts: [SeriesForecast], notes: [String])
  {
    let horizon = horizon ?? layout.horizon
    guard horizon >= 1, horizon <= layout.horizon else {
      throw ForecastError.horizonTooLong(model: source, trained: layout.horizon, requested: horizon)
    }
    try checkCompatible(collection, source: source)
    var notes: [String] = []
    var prepared: [PreparedSeries] = []
    var windows: [WindowRef] = []
    // Among many series, one too short for a window is left out (and named); a single one,
    // or all of them, is an error.
    let forecastable = collection.series.filter { $0.count >= layout.lookback }
    guard
      forecastable.count == collection.series.count
        || (collection.series.count > 1 && !forecastable.isEmpty)
    else {
      let short = collection.series.first { $0.count < layout.lookback }
      throw ForecastError.seriesTooShortToForecast(
        series: short?.id ?? "", count: short?.count ?? 0, lookback: layout.lookback)
    }
    if forecastable.count < collection.series.count {
      let skipped = collection.series.filter { $0.count < layout.lookback }
      notes.append(
        "\(skipped.count) of \(collection.series.count) series have fewer points than the "
          + "lookback of \(layout.lookback) and were not forecast: "
          + names(skipped, withCounts: true))
    }
    // A model with a one-hot key per series cannot forecast a series it has not seen; among
    // others it is left out and named, alone it is an error. A global model scales an unseen
    // series by its own history.
    let keyed = !layout.keys.isEmpty
    let usable = forecastable.filter { !keyed || scalers[$0.id] != nil }
    let unseen = forecastable.filter { scalers[$0.id] == nil }
    if keyed, let first = unseen.first {
      guard !usable.isEmpty else {
        throw ForecastError.unknownSeries(series: first.id, known: layout.keys, model: source)
      }
      notes.append(
        "\(unseen.count) series \(unseen.count == 1 ? "was" : "were") not in the training data "
          + "and \(unseen.count == 1 ? "was" : "were") not forecast (\(names(unseen))): "
          + "the model has a key per series and knows \(layout.keys.joined(separator: ", ")); "
          + "retrain including them")
    } else if !unseen.isEmpty {
      notes.append(
        "\(unseen.count) series \(unseen.count == 1 ? "was" : "were") not in the training data "
          + "and \(unseen.count == 1 ? "is" : "are") scaled by \(unseen.count == 1 ? "its" : "their")"
          + " own history (\(names(unseen)))")
    }
    for series in usable {
      var known = scalers[series.id].map { ($0.target, $0.covariates) }
      if known == nil {
        let fitted = PreparedSeries(series, layout: layout, scalerEnd: series.count)
        known = (fitted.scaler, fitted.covariateScalers)
      }
      windows.append(WindowRef(series: prepared.count, origin: series.count - 1))
      prepared.append(PreparedSeries(series, layout: layout, scalerEnd: 0, scalers: known))
    }
    let batcher = WindowBatcher(layout: layout, series: prepared)
    let all = forecast(windows: windows, batcher: batcher)
    let result = zip(usable, all).map { series, f in
      SeriesForecast(
        id: series.id, timestamps: (0..<horizon).map { series.timestamp(at: series.count + $0) },
        forecast: QuantileForecast(
          point: Array(f.point.prefix(horizon)), quantiles: Array(f.quantiles.prefix(horizon))))
    }
    return (result, notes)
  }

  /// The first five series' names (with their lengths), then "…".
  private func names(_ series: [TimeSeries], withCounts: Bool = false) -> String {
    let named = series.prefix(5).map { "'\($0.id)'" + (withCounts ? " (\($0.count) points)" : "") }
    return (named + (series.count > 5 ? ["…"] : [])).joined(separator: ", ")
  }

  /// Refuses series of another kind, spacing or covariate set than the model's.
  func checkCompatible(_ collection: SeriesCollection, source: String) throws {
    if collection.kind != definition.kind {
      throw ForecastError.wrongSeriesKind(
        model: source, trained: definition.kind.rawValue, given: collection.kind.rawValue)
    }
    if collection.step != definition.step {
      throw ForecastError.wrongSpacing(
        model: source, trained: SeriesSpacing.describe(definition.step),
        given: SeriesSpacing.describe(collection.step))
    }
    if collection.covariateNames != definition.covariateNames {
      throw ForecastError.wrongCovariates(
        model: source, trained: definition.covariateNames, given: collection.covariateNames)
    }
  }
}
