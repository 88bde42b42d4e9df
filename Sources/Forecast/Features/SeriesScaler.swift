/// Standardisation of one series, fitted on its training part only: `z = (y − mean) / scale`.
public struct SeriesScaler: Sendable, Equatable, Codable {
  /// Mean of the training values.
  public var mean: Double
  /// Standard deviation of the training values; for a constant part, `max(|mean|, 1)`, so a
  /// flat history neither divides by zero nor blows a small change up.
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
    let n = Double(values.count)
    let mean = values.reduce(0, +) / n
    let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
    let sd = variance.squareRoot()
    self.mean = mean
    self.scale = sd > 1e-9 * max(1, abs(mean)) ? sd : max(abs(mean), 1)
  }

  /// `(y − mean) / scale`.
  @inlinable public func scaled(_ y: Double) -> Double { (y - mean) / scale }
  /// `mean + scale · z`.
  @inlinable public func unscaled(_ z: Double) -> Double { mean + scale * z }
}
