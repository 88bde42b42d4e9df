/// Forecast accuracy, per horizon step and overall.
public struct MetricValues: Sendable, Equatable, Codable {
  /// Mean absolute error, `mean |y − ŷ|`.
  public var mae: Double
  /// Root mean squared error, `√mean (y − ŷ)²`.
  public var rmse: Double
  /// Symmetric MAPE in percent, `mean 200 |y − ŷ| / (|y| + |ŷ|)` (a term is 0 when both are 0).
  public var smape: Double
  /// Mean absolute scaled error, `mean |y − ŷ| / s`, s = the series' in-sample seasonal-naive
  /// MAE on its training part (Hyndman & Koehler 2006); points of series with s = 0 are left
  /// out. NaN when no point has s > 0.
  public var mase: Double
  /// Mean pinball loss over points and quantiles, `ρ_q(u) = max(q u, (q − 1) u)`, u = y − ŷ_q.
  public var pinball: Double
  /// Share of points inside the outermost interval (p10–p90: 80%).
  public var coverage: Double
  /// Mean width of that interval.
  public var width: Double
  /// Points counted.
  public var count: Int
}

/// One series' forecasts against what happened, accumulated into `MetricValues`.
public struct MetricsAccumulator: Sendable {
  /// The quantile levels of every forecast added, ascending.
  public let quantiles: [Double]
  private struct Sums: Sendable {
    var absolute = 0.0, squared = 0.0, smape = 0.0, scaled = 0.0, pinball = 0.0
    var covered = 0, width = 0.0, count = 0, scaledCount = 0
  }
  private var steps: [Sums]

  /// An empty accumulator for forecasts of `horizon` steps.
  public init(horizon: Int, quantiles: [Double]) {
    self.quantiles = quantiles
    steps = Array(repeating: Sums(), count: horizon)
  }

  /// Adds one forecast of `actual.count ≤ horizon` steps; `scale` is the series' MASE
  /// denominator (0: not counted in MASE).
  /// - Precondition: the forecast has at least `actual.count` steps and `quantiles.count`
  ///   quantiles per step.
  public mutating func add(actual: [Double], forecast: QuantileForecast, scale: Double) {
    precondition(actual.count <= steps.count && forecast.point.count >= actual.count)
    for k in actual.indices {
      let y = actual[k]
      let yhat = forecast.point[k]
      let e = y - yhat
      steps[k].absolute += abs(e)
      steps[k].squared += e * e
      let denominator = abs(y) + abs(yhat)
      steps[k].smape += denominator == 0 ? 0 : 200 * abs(e) / denominator
      if scale > 0 {
        steps[k].scaled += abs(e) / scale
        steps[k].scaledCount += 1
      }
      let q = forecast.quantiles[k]
      precondition(q.count == quantiles.count, "MetricsAccumulator: \(quantiles.count) quantiles")
      var loss = 0.0
      for (level, value) in zip(quantiles, q) {
        let u = y - value
        loss += max(level * u, (level - 1) * u)
      }
      steps[k].pinball += q.isEmpty ? 0 : loss / Double(q.count)
      if let lo = q.first, let hi = q.last {
        if y >= lo && y <= hi { steps[k].covered += 1 }
        steps[k].width += hi - lo
      }
      steps[k].count += 1
    }
  }

  /// The metrics at each horizon step (1…K).
  public var perStep: [MetricValues] { steps.map(Self.values) }

  /// The metrics over every point.
  public var overall: MetricValues {
    var total = Sums()
    for s in steps {
      total.absolute += s.absolute
      total.squared += s.squared
      total.smape += s.smape
      total.scaled += s.scaled
      total.pinball += s.pinball
      total.covered += s.covered
      total.width += s.width
      total.count += s.count
      total.scaledCount += s.scaledCount
    }
    return Self.values(total)
  }

  private static func values(_ s: Sums) -> MetricValues {
    let n = Double(s.count)
    return MetricValues(
      mae: s.absolute / n, rmse: (s.squared / n).squareRoot(), smape: s.smape / n,
      mase: s.scaledCount == 0 ? .nan : s.scaled / Double(s.scaledCount), pinball: s.pinball / n,
      coverage: Double(s.covered) / n, width: s.width / n, count: s.count)
  }
}

/// The MASE denominator of a series: `mean_{t ≥ m} |y_t − y_{t−m}|` over its training values,
/// with m the seasonal period when the training part is longer than m, else 1.
public func maseScale(training: [Double], seasonalPeriod: Int) -> Double {
  let m = training.count > seasonalPeriod ? seasonalPeriod : 1
  guard training.count > m else { return 0 }
  var sum = 0.0
  for t in m..<training.count { sum += abs(training[t] - training[t - m]) }
  return sum / Double(training.count - m)
}
