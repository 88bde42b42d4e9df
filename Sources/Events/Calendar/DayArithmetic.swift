/// Day and ISO-week arithmetic on day numbers (days since 1970-01-01): the one owner of weekdays
/// and ISO weeks in the package (`CivilDate` converts day numbers to and from dates).
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

  /// The Unix milliseconds of the Monday 00:00 UTC that starts the ISO week holding `millis`.
  public static func weekStart(millis: Int64) -> Int64 {
    let day = dayNumber(millis: millis, offsetSeconds: 0)
    return Int64(mondayOfWeek(weekIndex(dayNumber: day))) * millisecondsPerDay
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
    let date = CivilDate(daysSinceEpoch: thursday)
    let january1 = CivilDate(year: date.year, month: 1, day: 1).daysSinceEpoch
    return (date.year, (thursday - january1) / 7 + 1)
  }

  /// Day of the year, 1…366.
  public static func dayOfYear(dayNumber: Int) -> Int {
    let date = CivilDate(daysSinceEpoch: dayNumber)
    return dayNumber - CivilDate(year: date.year, month: 1, day: 1).daysSinceEpoch + 1
  }
}
