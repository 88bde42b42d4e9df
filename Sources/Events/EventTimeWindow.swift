/// The plausible event times: `[from, to)` in Unix milliseconds, 1970-01-01 to 2200-01-01 UTC
/// by default (a time of exactly 0 excluded: a missing value written as zero). An event whose
/// start or end lies outside is damage (a zero, a sentinel such as `Int64.min`, seconds written
/// as microseconds), not listening: series refuse it or skip it (`OutOfRangeEvents`), and no
/// arithmetic or memory is spent on the span it would claim.
public struct EventTimeWindow: Sendable, Equatable, CustomStringConvertible {
  /// First plausible instant, Unix milliseconds (inclusive).
  public var from: Int64
  /// First instant past the window, Unix milliseconds (exclusive).
  public var to: Int64

  /// 1970-01-01T00:00:00.001Z to 2200-01-01T00:00:00Z: a time of exactly 0
  /// (1970-01-01T00:00:00Z) is a missing value written as zero, not an event. An explicit
  /// `--time-range` (`init(parsing:)`) keeps its bounds as given.
  public static let standard = EventTimeWindow(
    from: 1, to: Int64(CivilDate(year: 2200, month: 1, day: 1).daysSinceEpoch) * 86_400_000)

  /// What is wrong with `millis`, a time outside the window, for messages: `0
  /// (1970-01-01T00:00:00Z, a missing value written as zero)` or `-5
  /// (1969-12-31T23:59:59.995Z)`.
  public static func describeOutside(_ millis: Int64) -> String {
    millis == 0
      ? "0 (1970-01-01T00:00:00Z, a missing value written as zero)"
      : "\(millis) (\(Timestamp.format(milliseconds: millis)))"
  }

  /// The earliest and latest dates `--time-range` accepts (years 1900 and 3000), so every
  /// period index and duration inside stays far from overflow.
  public static let limits = (
    from: CivilDate(year: 1900, month: 1, day: 1), to: CivilDate(year: 3000, month: 1, day: 1)
  )

  /// A window from its bounds in Unix milliseconds.
  public init(from: Int64, to: Int64) {
    self.from = from
    self.to = to
  }

  /// Parses `FROM..TO` (dates `YYYY-MM-DD`, UTC midnight; TO exclusive), both within
  /// `limits` and FROM before TO; nil otherwise.
  public init?(parsing text: String) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[1].isEmpty, let a = CivilDate(parsing: String(parts[0])),
      let b = CivilDate(parsing: String(parts[2])), a < b, a >= Self.limits.from,
      b <= Self.limits.to
    else { return nil }
    self.init(
      from: Int64(a.daysSinceEpoch) * 86_400_000, to: Int64(b.daysSinceEpoch) * 86_400_000)
  }

  /// True when `millis` lies inside.
  @inline(__always)
  public func contains(_ millis: Int64) -> Bool { millis >= from && millis < to }

  /// `FROM..TO` as dates.
  public var description: String {
    let f = CivilDate(daysSinceEpoch: Int(DayArithmetic.floorDivide(from, 86_400_000)))
    let t = CivilDate(daysSinceEpoch: Int(DayArithmetic.floorDivide(to, 86_400_000)))
    return "\(f)..\(t)"
  }
}

/// What series do with an event outside the `EventTimeWindow`.
public enum OutOfRangeEvents: String, Sendable, Equatable, CaseIterable {
  /// Refuse the file, naming the record (the default: a damaged time is damage to report, and a
  /// silently shortened history gives silently wrong series).
  case refuse
  /// Skip the event and say how many were skipped, and the first, in a note.
  case skip
}
