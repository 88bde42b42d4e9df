import Events

/// The topic layout of the toolkit (and the seed): seven partitions, one per continent, set
/// explicitly on every record (never a key hash, which spreads seven names over three or four
/// partitions).
public enum TopicLayout {
  /// The default topic name.
  public static let defaultTopic = "SpotifyWrapped"
  /// Partitions the layout needs.
  public static let partitionCount = 7

  /// The partition of a continent: Africa 0, Asia 1, Europe 2, North America 3, South America 4,
  /// Oceania (with Antarctica) 5, unknown 6.
  public static func partition(of continent: Continent) -> Int32 {
    switch continent {
    case .africa: return 0
    case .asia: return 1
    case .europe: return 2
    case .northAmerica: return 3
    case .southAmerica: return 4
    case .oceania: return 5
    case .unknown: return 6
    }
  }

  /// The continent of a partition (partitions beyond 6 are `.unknown`).
  public static func continent(of partition: Int32) -> Continent {
    let order: [Continent] = [
      .africa, .asia, .europe, .northAmerica, .southAmerica, .oceania, .unknown,
    ]
    return partition >= 0 && Int(partition) < order.count ? order[Int(partition)] : .unknown
  }

  /// The output directory name of a partition's continent: `africa`, `asia`, `europe`,
  /// `north-america`, `south-america`, `oceania`, `unknown` (world-wide windows: `world`).
  public static func directoryName(of partition: Int32) -> String {
    String(continent(of: partition).rawValue.lowercased().map { $0 == " " ? "-" : $0 })
  }
}

/// The event-time window: a UTC day or an ISO week (Monday 00:00 UTC to the next Monday).
public enum WindowSize: String, Sendable, CaseIterable {
  case day, week

  /// The window's length in milliseconds.
  public var milliseconds: Int64 {
    self == .day ? DayArithmetic.millisecondsPerDay : 7 * DayArithmetic.millisecondsPerDay
  }

  /// The start of the window holding `millis`.
  public func start(of millis: Int64) -> Int64 {
    switch self {
    case .day:
      return DayArithmetic.floorDivide(millis, DayArithmetic.millisecondsPerDay)
        * DayArithmetic.millisecondsPerDay
    case .week:
      return DayArithmetic.weekStart(millis: millis)
    }
  }

  /// `YYYY-MM-DD` of a window start (the output directory's name).
  public static func name(of start: Int64) -> String {
    CivilDate(
      daysSinceEpoch: Int(DayArithmetic.floorDivide(start, DayArithmetic.millisecondsPerDay))
    ).description
  }
}

/// Durations on the command line: `2h`, `30m`, `90s`, `1500ms`, `1d`, `0`.
public enum StreamDuration {
  /// Milliseconds of `text`, or nil if it is not a duration (or is negative or absurdly long).
  public static func parse(_ text: String) -> Int64? {
    if text == "0" { return 0 }
    let units: [(suffix: String, ms: Int64)] = [
      ("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000),
    ]
    for (suffix, ms) in units where text.hasSuffix(suffix) {
      let number = text.dropLast(suffix.count)
      // "ms" also ends in "s": the longer suffix is tried first.
      guard !number.isEmpty, number.allSatisfy(\.isASCII), let v = Int64(number), v >= 0,
        v <= 366 * 86_400_000 / ms
      else { return nil }
      return v * ms
    }
    return nil
  }

  /// `2h`, `90s`, `1500ms`: the shortest exact form.
  public static func format(_ ms: Int64) -> String {
    for (suffix, unit) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000)]
    where ms != 0 && ms % unit == 0 {
      return "\(ms / unit)\(suffix)"
    }
    return ms == 0 ? "0" : "\(ms)ms"
  }
}
