/// The spacing of a series, and everything that depends on it in one place: the seasonal
/// period of the baselines, the span of the level the network works relative to, the lag of
/// last season's shape, the unit named in messages (docs/series.md "Spacing"). Series keep
/// their spacing in seconds (`TimeSeries.step`); this names it.
public enum SeriesSpacing: Hashable, Sendable, CustomStringConvertible {
  /// 3 600 s.
  case hourly
  /// 86 400 s.
  case daily
  /// 604 800 s, ISO weeks.
  case weekly
  /// Any other even spacing, in seconds: no calendar features, no seasonal lag.
  case other(seconds: Int64)

  /// The spacing of `seconds` between points.
  public init(seconds: Int64) {
    switch seconds {
    case 3_600: self = .hourly
    case 86_400: self = .daily
    case 604_800: self = .weekly
    default: self = .other(seconds: seconds)
    }
  }

  /// Seconds between points.
  public var seconds: Int64 {
    switch self {
    case .hourly: return 3_600
    case .daily: return 86_400
    case .weekly: return 604_800
    case .other(let seconds): return seconds
    }
  }

  /// The seasonal period in steps (seasonal-naive baseline, MASE): 24 hourly, 7 daily, 52
  /// weekly, else 1.
  public var seasonalPeriod: Int {
    switch self {
    case .hourly: return 24
    case .daily: return 7
    case .weekly: return 52
    case .other: return 1
    }
  }

  /// The level span in steps: the window's level is the mean of its last `levelSpan` points
  /// (24 hourly, 7 daily, else 1).
  public var levelSpan: Int {
    switch self {
    case .hourly: return 24
    case .daily: return 7
    case .weekly, .other: return 1
    }
  }

  /// The lag of last season's shape in steps: 364 days (52 weeks, the same weekday) daily, 52
  /// weekly, else 0 (no seasonal-lag features).
  public var seasonalLag: Int {
    switch self {
    case .daily: return 364
    case .weekly: return 52
    case .hourly, .other: return 0
    }
  }

  /// One step in words, for messages: "day", "week", "hour", "point".
  public var unitName: String {
    switch self {
    case .hourly: return "hour"
    case .daily: return "day"
    case .weekly: return "week"
    case .other: return "point"
    }
  }

  /// The spacing in words: "1 day", "7 days", "3600 seconds".
  public var description: String { Self.describe(seconds) }

  /// Any number of seconds in words: "1 day", "14 days", "2 hours", "90 seconds".
  public static func describe(_ seconds: Int64) -> String {
    if seconds % 86_400 == 0 {
      let days = seconds / 86_400
      return days == 1 ? "1 day" : "\(days) days"
    }
    if seconds % 3600 == 0 {
      let hours = seconds / 3600
      return hours == 1 ? "1 hour" : "\(hours) hours"
    }
    return "\(seconds) seconds"
  }
}
