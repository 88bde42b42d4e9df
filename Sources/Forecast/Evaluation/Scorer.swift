import Foundation

/// Accumulates the LSTM's and the baselines' forecasts against what happened.
struct Scorer {
  let options: TrainingOptions
  let seasonalPeriod: Int
  private var accumulators: [String: MetricsAccumulator] = [:]
  private var origins = 0
  private var seriesSeen: Set<String> = []
  static let models = ["lstm", "naive", "seasonal_naive", "drift"]

  init(options: TrainingOptions, seasonalPeriod: Int) {
    self.options = options
    self.seasonalPeriod = seasonalPeriod
    for m in Scorer.models {
      accumulators[m] = MetricsAccumulator(horizon: options.horizon, quantiles: options.quantiles)
    }
  }

  /// Scores the windows (origins with K targets inside each series) of `series`, whose prepared
  /// form is in `batcher` at the same indices; `trainEnds` fix each series' MASE scale.
  mutating func add(
    model: ForecastModel, batcher: WindowBatcher, series: [TimeSeries], windows: WindowList,
    trainEnds: [Int]
  ) {
    let refs = (0..<windows.count).map { windows[$0] }
    let forecasts = model.forecast(windows: refs, batcher: batcher)
    var contexts: [Int: BaselineContext] = [:]
    var scales: [Int: Double] = [:]
    let k = options.horizon
    for (ref, f) in zip(refs, forecasts) {
      let s = series[ref.series]
      let actual = Array(s.values[(ref.origin + 1)...(ref.origin + k)])
      let scale =
        scales[ref.series]
        ?? maseScale(
          training: Array(s.values[0..<trainEnds[ref.series]]), seasonalPeriod: seasonalPeriod)
      scales[ref.series] = scale
      accumulators["lstm"]?.add(actual: actual, forecast: f, scale: scale)
      if contexts[ref.series] == nil {
        contexts[ref.series] = BaselineContext(values: s.values, seasonalPeriod: seasonalPeriod)
      }
      guard let context = contexts[ref.series] else { continue }
      for baseline in BaselineModel.allCases {
        let b = context.forecast(
          baseline, origin: ref.origin, horizon: k, quantiles: options.quantiles,
          nonNegative: model.nonNegative)
        accumulators[baseline.rawValue]?.add(actual: actual, forecast: b, scale: scale)
      }
      origins += 1
      seriesSeen.insert(s.id)
    }
  }

  func report(folds: Int) -> EvaluationReport {
    let scores = Scorer.models.compactMap { name in
      accumulators[name].map { ModelScore(model: name, overall: $0.overall, perStep: $0.perStep) }
    }
    let level = (options.quantiles.last ?? 1) - (options.quantiles.first ?? 0)
    return EvaluationReport(
      scores: scores, intervalLevel: level, origins: origins, folds: folds,
      seriesCount: seriesSeen.count, seasonalPeriod: seasonalPeriod)
  }
}
