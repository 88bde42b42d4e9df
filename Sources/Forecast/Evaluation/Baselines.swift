import Foundation

/// A forecast of K steps with Q quantiles.
public struct QuantileForecast: Sendable, Equatable {
  /// The point forecast (the median for the LSTM), `[K]`.
  public var point: [Double]
  /// `[K][Q]`, ascending in q at every step.
  public var quantiles: [[Double]]

  /// A forecast with every field given.
  public init(point: [Double], quantiles: [[Double]]) {
    self.point = point
    self.quantiles = quantiles
  }
}

/// The benchmarks every evaluation reports beside the model (Hyndman & Athanasopoulos,
/// "Forecasting: Principles and Practice", 3rd ed., §5.2 and §5.5).
public enum BaselineModel: String, Sendable, CaseIterable, Codable {
  /// ŷ_{n+h} = y_n; σ_h = σ √h.
  case naive
  /// ŷ_{n+h} = y_{n+h−m(⌊(h−1)/m⌋+1)}; σ_h = σ √(⌊(h−1)/m⌋ + 1).
  case seasonalNaive = "seasonal_naive"
  /// ŷ_{n+h} = y_n + h (y_n − y_1)/(n − 1); σ_h = σ √(h (1 + h/n)).
  case drift

  /// Forecasts `horizon` steps after `history` with normal intervals from the in-sample
  /// residuals (σ = their root mean square).
  ///
  /// - Parameters:
  ///   - history: the observed values, oldest first; at least 1.
  ///   - horizon: K, the steps to forecast.
  ///   - seasonalPeriod: m; seasonal naive falls back to m = 1 (naive) when the history is not
  ///     longer than m.
  ///   - quantiles: levels in (0, 1), ascending.
  ///   - nonNegative: clamp every value at 0 (counts).
  /// - Returns: the forecast; intervals are zero-width when the history is too short for a
  ///   residual.
  /// - Precondition: `history` is not empty.
  public func forecast(
    history: [Double], horizon: Int, seasonalPeriod: Int, quantiles: [Double],
    nonNegative: Bool
  ) -> QuantileForecast {
    precondition(!history.isEmpty, "BaselineModel.forecast: empty history")
    let n = history.count
    let last = history[n - 1]
    var point = [Double](repeating: last, count: horizon)
    var residuals: [Double] = []
    var spread: (Int) -> Double = { h in Double(h).squareRoot() }
    switch self {
    case .naive:
      residuals = (1..<max(1, n)).map { history[$0] - history[$0 - 1] }
    case .seasonalNaive:
      let m = n > seasonalPeriod ? seasonalPeriod : 1
      point = (1...max(1, horizon)).prefix(horizon).map { h in
        history[n - m + (h - 1) % m]
      }
      residuals = (m..<max(m, n)).map { history[$0] - history[$0 - m] }
      spread = { h in Double((h - 1) / m + 1).squareRoot() }
    case .drift:
      let slope = n > 1 ? (last - history[0]) / Double(n - 1) : 0
      point = (0..<horizon).map { last + Double($0 + 1) * slope }
      residuals = (1..<max(1, n)).map { history[$0] - history[$0 - 1] - slope }
      spread = { h in (Double(h) * (1 + Double(h) / Double(n))).squareRoot() }
    }
    let sigma =
      residuals.isEmpty
      ? 0 : (residuals.reduce(0) { $0 + $1 * $1 } / Double(residuals.count)).squareRoot()
    return normalIntervals(
      point: point, sigma: sigma, spread: spread, quantiles: quantiles, nonNegative: nonNegative)
  }
}

/// A baseline's forecast with normal intervals: quantile τ at step h is
/// `point[h] + Φ⁻¹(τ) · sigma · spread(h)` (h = 1…K); point and quantiles clamped at 0 when
/// `nonNegative`.
func normalIntervals(
  point: [Double], sigma: Double, spread: (Int) -> Double, quantiles: [Double], nonNegative: Bool
) -> QuantileForecast {
  let z = quantiles.map(inverseNormalCDF)
  var point = point
  var q = point.indices.map { k in z.map { point[k] + $0 * sigma * spread(k + 1) } }
  if nonNegative {
    point = point.map { max(0, $0) }
    q = q.map { $0.map { max(0, $0) } }
  }
  return QuantileForecast(point: point, quantiles: q)
}

/// Φ⁻¹(p), the standard normal quantile, by Acklam's rational approximation refined with one
/// Halley step (relative error below 1e-15).
/// Reference: P. J. Acklam, "An algorithm for computing the inverse normal cumulative
/// distribution function" (2003).
public func inverseNormalCDF(_ p: Double) -> Double {
  precondition(p > 0 && p < 1, "inverseNormalCDF: p must be in (0, 1), got \(p)")
  let a = [
    -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
    1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00,
  ]
  let b = [
    -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
    6.680131188771972e+01, -1.328068155288572e+01,
  ]
  let c = [
    -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
    -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00,
  ]
  let d = [
    7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00,
  ]
  let low = 0.02425
  var x: Double
  if p < low {
    let q = (-2 * log(p)).squareRoot()
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
      / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  } else if p <= 1 - low {
    let q = p - 0.5
    let r = q * q
    x =
      (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
      / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  } else {
    let q = (-2 * log(1 - p)).squareRoot()
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
      / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
  }
  // One Halley step on Φ(x) − p.
  let e = 0.5 * erfc(-x / 2.0.squareRoot()) - p
  let u = e * (2 * Double.pi).squareRoot() * exp(x * x / 2)
  return x - u / (1 + x * u / 2)
}
