/// Robust standardisation of one series, fitted on its training part only:
/// `z = (y − center) / scale` with the median as center and 1.4826 · MAD (the median absolute
/// deviation, scaled to equal σ for normal data) as scale. A burst (a bot, an outage) in the
/// training part moves neither much, so ordinary weeks keep their resolution.
/// When the MAD is 0 next to the series' magnitude (a mostly flat series) the scale falls back
/// to the standard deviation, then to the largest |y| (1 for an all-zero series).
public struct SeriesScaler: Sendable, Equatable, Codable {
  /// The median of the training values.
  public var mean: Double
  /// 1.4826 · MAD of the training values (see the fallbacks above).
  public var scale: Double

  /// A scaler with the given parameters.
  public init(mean: Double, scale: Double) {
    self.mean = mean
    self.scale = scale
  }

  /// Fits on `values` (the training part).
  /// - Precondition: `values` is not empty.
  public init(fitting values: some Collection<Double>) {
    precondition(!values.isEmpty, "SeriesScaler: nothing to fit")
    func median(_ v: [Double]) -> Double {
      let s = v.sorted()
      let n = s.count
      return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }
    let all = Array(values)
    let center = median(all)
    let mad = 1.4826 * median(all.map { abs($0 - center) })
    let n = Double(all.count)
    let mean = all.reduce(0, +) / n
    let sd = (all.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n).squareRoot()
    // "Zero" relative to the series' own magnitude, so a series measured in 1e-9 units keeps
    // its resolution and a constant one is not scaled by rounding noise.
    let magnitude = all.reduce(0) { max($0, abs($1)) }
    let tiny = 1e-9 * magnitude
    self.mean = center
    self.scale =
      mad > tiny ? mad : (sd > tiny ? sd : (magnitude > 0 ? max(abs(center), magnitude) : 1))
  }

  /// `(y − mean) / scale`.
  @inlinable public func scaled(_ y: Double) -> Double { (y - mean) / scale }
  /// `mean + scale · z`.
  @inlinable public func unscaled(_ z: Double) -> Double { mean + scale * z }
}
