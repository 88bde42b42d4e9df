/// A proleptic-Gregorian calendar date (internal: Simulation has its own public `CivilDate`), and the day arithmetic every series is built on.
///
/// Days are counted from 1970-01-01 (day 0, a Thursday). ISO weeks run Monday to Sunday and are
/// counted from the week of 1970-01-05 (week 1 starts on day 4): `week = ⌊(day + 3) / 7⌋`, so the
/// Monday of week `w` is day `7w − 3`.
/// Reference: Howard Hinnant, "chrono-Compatible Low-Level Date Algorithms"
/// (https://howardhinnant.github.io/date_algorithms.html).
struct CivilDate: Hashable, Sendable, Comparable, CustomStringConvertible {
  /// Year, e.g. 2024.
  var year: Int
  /// Month, 1…12.
  var month: Int
  /// Day of the month, 1…31.
  var day: Int

  /// A date from its parts (not validated; see `init?(validating:)`).
  init(year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// The date of day number `dayNumber` (days since 1970-01-01).
  init(dayNumber: Int) {
    let z = dayNumber + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
  }

  /// Days since 1970-01-01.
  var dayNumber: Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = month > 2 ? month - 3 : month + 9
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// True when the parts name a real date (February 29 only in leap years).
  var isValid: Bool {
    guard (1...12).contains(month), day >= 1 else { return false }
    return day <= CivilDate.daysInMonth(year: year, month: month)
  }

  /// The number of days of a month.
  static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Gregorian leap-year rule.
  static func isLeapYear(_ year: Int) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  /// `YYYY-MM-DD`.
  var description: String {
    func pad(_ v: Int, _ width: Int) -> String {
      let s = String(v)
      return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }

  static func < (a: CivilDate, b: CivilDate) -> Bool { a.dayNumber < b.dayNumber }
}

/// Day and ISO-week arithmetic on day numbers (days since 1970-01-01).
public enum DayArithmetic {
  /// Milliseconds per day.
  public static let millisecondsPerDay: Int64 = 86_400_000

  /// `⌊a / b⌋` for b > 0 (Swift's `/` truncates toward zero).
  @inlinable
  public static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }

  /// The day number of an instant (Unix milliseconds) shifted by `offsetSeconds` (the local
  /// offset from UTC; 0 for the UTC calendar).
  @inlinable
  public static func dayNumber(millis: Int64, offsetSeconds: Int32) -> Int {
    Int(floorDivide(millis + Int64(offsetSeconds) * 1000, millisecondsPerDay))
  }

  /// ISO weekday, Monday = 1 … Sunday = 7 (day 0, 1970-01-01, is a Thursday).
  public static func isoWeekday(dayNumber: Int) -> Int {
    let shifted = Int64(dayNumber) + 3  // Monday-based: 0 = Monday
    return Int(shifted - 7 * floorDivide(shifted, 7)) + 1
  }

  /// The Monday-based week index of a day: `⌊(day + 3) / 7⌋` (its Monday is `7·week − 3`).
  public static func weekIndex(dayNumber: Int) -> Int {
    Int(floorDivide(Int64(dayNumber) + 3, 7))
  }

  /// The day number of the Monday of week index `week`.
  public static func mondayOfWeek(_ week: Int) -> Int { 7 * week - 3 }

  /// ISO 8601 week-numbering year and week number (1…53) of a day: the week belongs to the year
  /// of its Thursday.
  public static func isoWeek(dayNumber: Int) -> (year: Int, week: Int) {
    let thursday = mondayOfWeek(weekIndex(dayNumber: dayNumber)) + 3
    let date = CivilDate(dayNumber: thursday)
    let january1 = CivilDate(year: date.year, month: 1, day: 1).dayNumber
    return (date.year, (thursday - january1) / 7 + 1)
  }

  /// Day of the year, 1…366.
  public static func dayOfYear(dayNumber: Int) -> Int {
    let date = CivilDate(dayNumber: dayNumber)
    return dayNumber - CivilDate(year: date.year, month: 1, day: 1).dayNumber + 1
  }
}
