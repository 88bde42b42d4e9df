import Tensor

/// Builds batches of windows into caller-owned buffers (no allocation per batch).
public struct WindowBatcher: Sendable {
  /// The input layout.
  public let layout: FeatureLayout
  /// The series windows are cut from.
  public let series: [PreparedSeries]

  /// A batcher over prepared series.
  public init(layout: FeatureLayout, series: [PreparedSeries]) {
    self.layout = layout
    self.series = series
  }

  /// Fills `input` `[T+K, B, I]` and `targets` `[B, K]` (when given) for `windows`, and the
  /// level ℓ of each window into `levels` `[B]`.
  ///
  /// Targets past the end of a series (forecasting windows) are left 0.
  /// - Precondition: `input` is `[T+K, B, I]` and `targets` `[B, K]` with B = `windows.count`;
  ///   every origin is ≥ T − 1 and < n.
  public func fill(
    _ windows: some Collection<WindowRef>, input: inout Tensor<Float>,
    targets: inout Tensor<Float>?, levels: inout [Float]
  ) {
    let t = layout.lookback
    let k = layout.horizon
    let l = layout.sequenceLength
    let b = windows.count
    let i = layout.inputSize
    precondition(
      input.shape == [l, b, i],
      "WindowBatcher.fill: input expected [\(l), \(b), \(i)], got \(input.shape)")
    if let targets {
      precondition(targets.shape == [b, k], "WindowBatcher.fill: targets [\(b), \(k)]")
    }
    levels.removeAll(keepingCapacity: true)
    let f = layout.calendar.count
    let c = layout.covariates.count
    input.withUnsafeMutableBufferPointer { x in
      x.update(repeating: 0)
      for (row, window) in windows.enumerated() {
        let s = series[window.series]
        let o = window.origin
        precondition(o >= t - 1 && o < s.count, "WindowBatcher.fill: origin \(o) of series \(s.id)")
        let span = min(t, max(1, layout.levelSpan))
        var level: Float = 0
        for j in (o - span + 1)...o { level += s.z[j] }
        level /= Float(span)
        levels.append(level)
        // Last season's shape: z one seasonal lag L earlier, relative to the mean of that
        // earlier lookback; only points at or before the origin (never a future value).
        let lag = layout.seasonalLag
        var lagLevel: Float = 0
        let lagAvailable = lag > 0 && o - t + 1 - lag >= 0
        if lagAvailable {
          for j in (o - span + 1 - lag)...(o - lag) { lagLevel += s.z[j] }
          lagLevel /= Float(span)
        }
        for step in 0..<l {
          let point = o - t + 1 + step  // index in the series
          let base = (step * b + row) * i
          if step < t {
            x[base] = s.z[point] - level
            x[base + 1] = 1
            for j in 0..<c { x[base + layout.covariateOffset + j] = s.covariates[point * c + j] }
          }
          for j in 0..<f { x[base + layout.calendarOffset + j] = s.calendar[point * f + j] }
          if lagAvailable && point - lag <= o {
            x[base + layout.lagOffset] = s.z[point - lag] - lagLevel
            x[base + layout.lagOffset + 1] = 1
          }
          if let key = s.keyIndex { x[base + layout.keyOffset + key] = 1 }
        }
      }
    }
    guard targets != nil else { return }
    targets?.withUnsafeMutableBufferPointer { y in
      y.update(repeating: 0)
      for (row, window) in windows.enumerated() {
        let s = series[window.series]
        for h in 0..<k where window.origin + 1 + h < s.count {
          y[row * k + h] = s.z[window.origin + 1 + h] - levels[row]
        }
      }
    }
  }
}
