/// One regularly spaced series: a target and optional covariates on the same timestamps.
public struct TimeSeries: Hashable, Sendable {
  /// The series key (`all`, a continent, a country, …, or the CSV's `series_id`).
  public var id: String
  /// Unix seconds of the first point.
  public var start: Int64
  /// Seconds between consecutive points (86 400 daily, 604 800 weekly).
  public var step: Int64
  /// The target, one value per period.
  public var values: [Double]
  /// Covariates, `[C][n]`: `covariates[c][t]` belongs to `values[t]`.
  public var covariates: [[Double]]

  /// A series with every field given.
  /// - Precondition: every covariate has `values.count` points.
  public init(id: String, start: Int64, step: Int64, values: [Double], covariates: [[Double]] = [])
  {
    precondition(
      covariates.allSatisfy { $0.count == values.count },
      "TimeSeries: every covariate needs \(values.count) points")
    self.id = id
    self.start = start
    self.step = step
    self.values = values
    self.covariates = covariates
  }

  /// Number of points.
  public var count: Int { values.count }

  /// Unix seconds of point `t` (may lie past the end: forecast timestamps).
  public func timestamp(at t: Int) -> Int64 { start + Int64(t) * step }

  /// The first `n` points (all covariates cut alike).
  public func prefix(_ n: Int) -> TimeSeries {
    TimeSeries(
      id: id, start: start, step: step, values: Array(values.prefix(n)),
      covariates: covariates.map { Array($0.prefix(n)) })
  }
}

/// Which series a collection holds; fixes the target, the covariates and the seasonal period.
public enum SeriesKind: String, Sendable, CaseIterable, Codable {
  /// Sessions starting per calendar day (docs/series.md).
  case dailySessions = "daily-sessions"
  /// Per ISO week: listening hours (target), active users, sessions, events.
  case weeklyEngagement = "weekly-engagement"
  /// Series read from a long-format CSV.
  case csv
}

/// Which calendar assigns events to days and weeks.
public enum SeriesCalendar: String, Sendable, CaseIterable, Codable {
  /// Days and weeks in UTC.
  case utc
  /// Days and weeks in each event's own IANA timezone.
  case local
}

/// An event field that splits the events into one series per value.
public enum SeriesSplitKey: String, Sendable, CaseIterable, Codable {
  case continent, country, subscription, genre
}

/// Series that one model trains on: same spacing, same covariates, one or many keys.
public struct SeriesCollection: Sendable, Equatable {
  /// What the series are.
  public var kind: SeriesKind
  /// Name of the target (`sessions`, `listening_hours`, or the CSV's value column).
  public var targetName: String
  /// Names of the covariates, in the order of `TimeSeries.covariates`.
  public var covariateNames: [String]
  /// The series, sorted by id.
  public var series: [TimeSeries]
  /// What the tool tells the user about how the series were built (dropped edge periods, …).
  public var notes: [String]

  /// A collection with every field given.
  public init(
    kind: SeriesKind, targetName: String, covariateNames: [String], series: [TimeSeries],
    notes: [String] = []
  ) {
    self.kind = kind
    self.targetName = targetName
    self.covariateNames = covariateNames
    self.series = series
    self.notes = notes
  }

  /// Seconds between points (all series share it); 0 for an empty collection.
  public var step: Int64 { series.first?.step ?? 0 }

  /// The spacing of the series (`SeriesSpacing`).
  public var spacing: SeriesSpacing { SeriesSpacing(seconds: step) }

  /// The seasonal period in steps: 7 for daily, 52 for weekly, 24 for hourly, else 1.
  public var seasonalPeriod: Int { spacing.seasonalPeriod }

  /// True when every target value is ≥ 0 (counts, hours): forecasts are then clamped at 0.
  public var isNonNegative: Bool { series.allSatisfy { $0.values.allSatisfy { $0 >= 0 } } }
}
