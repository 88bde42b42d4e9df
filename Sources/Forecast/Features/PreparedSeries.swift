/// One series ready for windows: standardised values, covariates and calendar features, with
/// its split points and the scalers fitted on its training part.
public struct PreparedSeries: Sendable {
  /// The series id.
  public let id: String
  /// Unix seconds of point 0.
  public let start: Int64
  /// Seconds between points.
  public let step: Int64
  /// n, the points observed.
  public let count: Int
  /// Target scaler (fitted on points `0..<scalerEnd`).
  public let scaler: SeriesScaler
  /// One scaler per covariate, fitted alike.
  public let covariateScalers: [SeriesScaler]
  /// Index of the series' one-hot key, if the layout has keys.
  public let keyIndex: Int?
  let z: [Float]  // [n] standardised target
  let covariates: [Float]  // [n, C] standardised covariates
  let calendar: [Float]  // [n + K, F] calendar features of every point and K past the end

  /// Prepares `series` for `layout`, fitting the scalers on its first `scalerEnd` points, or
  /// using `scalers` (from a model file) when given.
  /// - Precondition: `scalerEnd ≥ 1` when fitting; the covariates match the layout.
  public init(
    _ series: TimeSeries, layout: FeatureLayout, scalerEnd: Int,
    scalers: (target: SeriesScaler, covariates: [SeriesScaler])? = nil
  ) {
    precondition(series.covariates.count == layout.covariates.count, "PreparedSeries: covariates")
    id = series.id
    start = series.start
    step = series.step
    count = series.count
    let fitEnd = min(max(1, scalerEnd), series.count)
    scaler = scalers?.target ?? SeriesScaler(fitting: series.values[0..<fitEnd])
    covariateScalers =
      scalers?.covariates ?? series.covariates.map { SeriesScaler(fitting: $0[0..<fitEnd]) }
    keyIndex = layout.keys.firstIndex(of: series.id)
    let scaler = scaler
    z = series.values.map { Float(scaler.scaled($0)) }
    let c = series.covariates.count
    var cov = [Float](repeating: 0, count: series.count * c)
    for j in 0..<c {
      let s = covariateScalers[j]
      for t in 0..<series.count { cov[t * c + j] = Float(s.scaled(series.covariates[j][t])) }
    }
    covariates = cov
    let f = layout.calendar.count
    var cal: [Float] = []
    cal.reserveCapacity((series.count + layout.horizon) * f)
    var row: [Float] = []
    for t in 0..<(series.count + layout.horizon) {
      CalendarFeatures.write(
        timestamp: series.timestamp(at: t), step: series.step,
        country: layout.keysAreCountries ? series.id : nil, into: &row)
      cal += row
    }
    calendar = cal
  }
}

/// A window: series index and origin o (the last observed point; targets o+1…o+K).
public struct WindowRef: Sendable, Equatable {
  /// Index into the prepared series.
  public var series: Int
  /// The origin.
  public var origin: Int

  /// A window with every field given.
  public init(series: Int, origin: Int) {
    self.series = series
    self.origin = origin
  }
}

/// A list of windows described by ranges of origins per series, indexed without materialising
/// the windows: `self[i]` finds its range by binary search over cumulative counts.
public struct WindowList: Sendable {
  private var ranges: [(series: Int, origins: Range<Int>)] = []
  private var cumulative: [Int] = [0]

  /// An empty list.
  public init() {}

  /// Adds the origins `origins` of series `series` (nothing if empty).
  public mutating func append(series: Int, origins: Range<Int>) {
    guard !origins.isEmpty else { return }
    ranges.append((series, origins))
    cumulative.append((cumulative.last ?? 0) + origins.count)
  }

  /// Number of windows.
  public var count: Int { cumulative.last ?? 0 }

  /// Window `i`, 0 ≤ i < count.
  public subscript(i: Int) -> WindowRef {
    precondition(i >= 0 && i < count, "WindowList: index \(i) out of 0..<\(count)")
    var lo = 0
    var hi = ranges.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if cumulative[mid] <= i { lo = mid } else { hi = mid - 1 }
    }
    let r = ranges[lo]
    return WindowRef(series: r.series, origin: r.origins.lowerBound + i - cumulative[lo])
  }

  /// At most `limit` windows, evenly spaced through the list (every series keeps its share,
  /// in order); the list itself when it is no longer. The same list gives the same subset,
  /// whatever the seed.
  public func evenlySpaced(atMost limit: Int) -> WindowList {
    guard count > limit, limit > 0 else { return self }
    var result = WindowList()
    var run: (series: Int, first: Int, last: Int)?
    for j in 0..<limit {
      let w = self[j * count / limit]
      if let r = run, r.series == w.series, r.last + 1 == w.origin {
        run = (r.series, r.first, w.origin)
      } else {
        if let r = run { result.append(series: r.series, origins: r.first..<(r.last + 1)) }
        run = (w.series, w.origin, w.origin)
      }
    }
    if let r = run { result.append(series: r.series, origins: r.first..<(r.last + 1)) }
    return result
  }

  /// The order of one epoch: exactly `total` indices, as consecutive seeded Fisher–Yates
  /// permutations of `0..<count` (the last one cut), so every window is seen once per pass
  /// and a small history still gives `total` windows (indices only; windows are built per
  /// batch).
  public func epochOrder(total: Int, using rng: inout some RandomNumberGenerator) -> [Int] {
    guard count > 0 else { return [] }
    var result: [Int] = []
    result.reserveCapacity(total)
    var order = Array(0..<count)
    while result.count < total {
      let n = min(count, total - result.count)
      for i in 0..<n {
        let j = i + Int(rng.next() % UInt64(count - i))
        order.swapAt(i, j)
      }
      result += order.prefix(n)
    }
    return result
  }
}
