/// A calendar date (proleptic Gregorian), convertible to and from days since 1970-01-01.
///
/// The day arithmetic is Howard Hinnant's `days_from_civil` / `civil_from_days`
/// (<https://howardhinnant.github.io/date_algorithms.html>), exact for every date here.
public struct CivilDate: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// Year, e.g. 2024.
  public var year: Int
  /// Month, 1…12.
  public var month: Int
  /// Day of the month, 1…31.
  public var day: Int

  /// A date from its parts; the caller guarantees it exists (see `init(parsing:)` for user input).
  public init(year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// Parses `YYYY-MM-DD`; nil if the text is not a real date.
  public init?(parsing text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
      (1...12).contains(m), d >= 1, d <= CivilDate.daysIn(month: m, year: y)
    else { return nil }
    self.init(year: y, month: m, day: d)
  }

  /// The date `days` days after 1970-01-01.
  public init(daysSinceEpoch days: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
  }

  /// Days since 1970-01-01 (negative before).
  public var daysSinceEpoch: Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = month > 2 ? month - 3 : month + 9
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// True when the parts name a real date (February 29 only in leap years).
  public var isValid: Bool {
    (1...12).contains(month) && day >= 1 && day <= CivilDate.daysIn(month: month, year: year)
  }

  /// ISO weekday: 1 Monday … 7 Sunday.
  public var weekday: Int { DayArithmetic.isoWeekday(dayNumber: daysSinceEpoch) }

  /// ISO weekday of a day number: 1 Monday … 7 Sunday (`DayArithmetic.isoWeekday`).
  public static func weekday(daysSinceEpoch days: Int) -> Int {
    DayArithmetic.isoWeekday(dayNumber: days)
  }

  /// ISO 8601 week-numbering year and week (1…53) of the date (`DayArithmetic.isoWeek`).
  public var isoWeek: (year: Int, week: Int) { DayArithmetic.isoWeek(dayNumber: daysSinceEpoch) }

  /// Number of days in a month.
  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// `YYYY-MM-DD`.
  public var description: String {
    func pad(_ v: Int, _ width: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }

  public static func < (a: CivilDate, b: CivilDate) -> Bool {
    (a.year, a.month, a.day) < (b.year, b.month, b.day)
  }
}
