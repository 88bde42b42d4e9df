/// The three baselines at many origins of one series in O(1) each: prefix sums of the lag-1 and
/// lag-m differences give the residual σ of `BaselineModel.forecast(history:…)` for any prefix.
struct BaselineContext {
  let values: [Double]
  let seasonalPeriod: Int
  private var d1: [Double] = [0]  // Σ_{t<i} (y_t − y_{t−1}), t ≥ 1
  private var d1Squared: [Double] = [0]
  private var dmSquared: [Double] = [0]  // Σ_{t<i} (y_t − y_{t−m})², t ≥ m

  init(values: [Double], seasonalPeriod: Int) {
    self.values = values
    self.seasonalPeriod = seasonalPeriod
    for t in 0..<values.count {
      let d = t >= 1 ? values[t] - values[t - 1] : 0
      d1.append((d1.last ?? 0) + d)
      d1Squared.append((d1Squared.last ?? 0) + d * d)
      let dm = t >= seasonalPeriod ? values[t] - values[t - seasonalPeriod] : 0
      dmSquared.append((dmSquared.last ?? 0) + dm * dm)
    }
  }

  /// `model.forecast(history: values[0...origin], …)`, the same numbers up to rounding.
  func forecast(
    _ model: BaselineModel, origin: Int, horizon: Int, quantiles: [Double], nonNegative: Bool
  ) -> QuantileForecast {
    let n = origin + 1
    let last = values[origin]
    var point = [Double](repeating: last, count: horizon)
    var sigma = 0.0
    var spread: (Int) -> Double = { h in Double(h).squareRoot() }
    switch model {
    case .naive:
      if n > 1 { sigma = (d1Squared[n] / Double(n - 1)).squareRoot() }
    case .seasonalNaive:
      let m = n > seasonalPeriod ? seasonalPeriod : 1
      point = (0..<horizon).map { h in values[n - m + h % m] }
      if m == seasonalPeriod {
        if n > m { sigma = (dmSquared[n] / Double(n - m)).squareRoot() }
      } else if n > 1 {
        sigma = (d1Squared[n] / Double(n - 1)).squareRoot()
      }
      spread = { h in Double((h - 1) / m + 1).squareRoot() }
    case .drift:
      let slope = n > 1 ? (last - values[0]) / Double(n - 1) : 0
      point = (0..<horizon).map { last + Double($0 + 1) * slope }
      if n > 1 {
        let count = Double(n - 1)
        let sum = d1Squared[n] - 2 * slope * d1[n] + count * slope * slope
        sigma = (max(0, sum) / count).squareRoot()
      }
      spread = { h in (Double(h) * (1 + Double(h) / Double(n))).squareRoot() }
    }
    return normalIntervals(
      point: point, sigma: sigma, spread: spread, quantiles: quantiles, nonNegative: nonNegative)
  }
}
