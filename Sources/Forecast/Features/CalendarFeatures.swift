import Foundation

/// Calendar features known in advance for any timestamp, chosen by the series' spacing:
///
///     daily:   dow_sin, dow_cos, woy_sin, woy_cos, holiday
///     weekly:  woy_sin, woy_cos
///     hourly:  hod_sin, hod_cos, dow_sin, dow_cos
///     other:   none
///
/// with angles `2π (weekday − 1)/7` (ISO weekday, Monday = 1), `2π (week − 1 + (weekday − 1)/7)
/// / 52.1775` (ISO week) and `2π hour/24`; `holiday` is 1 on the fixed-date holidays most
/// countries share (`holidays`), else 0.
public enum CalendarFeatures {
  /// Fixed-date holidays (month, day) kept in most countries: New Year's Day, Labour Day,
  /// Christmas Eve, Christmas Day, Boxing Day (St Stephen's Day), New Year's Eve.
  public static let holidays: [(Int, Int)] = [
    (1, 1), (5, 1), (12, 24), (12, 25), (12, 26), (12, 31),
  ]

  /// The feature names for a spacing in seconds.
  public static func names(step: Int64) -> [String] {
    switch step {
    case 86_400: return ["dow_sin", "dow_cos", "woy_sin", "woy_cos", "holiday"]
    case 604_800: return ["woy_sin", "woy_cos"]
    case 3_600: return ["hod_sin", "hod_cos", "dow_sin", "dow_cos"]
    default: return []
    }
  }

  /// Writes the features of `timestamp` (Unix seconds) into `out` (`names(step:).count` values).
  public static func write(timestamp: Int64, step: Int64, into out: inout [Float]) {
    out.removeAll(keepingCapacity: true)
    let day = Int(DayArithmetic.floorDivide(timestamp, 86_400))
    let weekday = DayArithmetic.isoWeekday(dayNumber: day)
    let dowAngle = 2 * Double.pi * Double(weekday - 1) / 7
    func weekAngle() -> Double {
      let week = DayArithmetic.isoWeek(dayNumber: day).week
      return 2 * Double.pi * (Double(week - 1) + Double(weekday - 1) / 7) / 52.1775
    }
    switch step {
    case 86_400:
      let w = weekAngle()
      let date = CivilDate(dayNumber: day)
      let holiday: Float = holidays.contains { $0 == (date.month, date.day) } ? 1 : 0
      out += [
        Float(sin(dowAngle)), Float(cos(dowAngle)), Float(sin(w)), Float(cos(w)), holiday,
      ]
    case 604_800:
      let w = weekAngle()
      out += [Float(sin(w)), Float(cos(w))]
    case 3_600:
      let hour = Double(timestamp - Int64(day) * 86_400) / 3600
      let h = 2 * Double.pi * hour / 24
      out += [Float(sin(h)), Float(cos(h)), Float(sin(dowAngle)), Float(cos(dowAngle))]
    default:
      break
    }
  }
}
