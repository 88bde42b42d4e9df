import Events
import Foundation
import Tensor

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
    switch SeriesSpacing(seconds: step) {
    case .daily: return ["dow_sin", "dow_cos", "woy_sin", "woy_cos", "holiday"]
    case .weekly: return ["woy_sin", "woy_cos"]
    case .hourly: return ["hod_sin", "hod_cos", "dow_sin", "dow_cos"]
    case .other: return []
    }
  }

  /// National fixed-date holidays (month, day) by ISO 3166-1 alpha-2 code, added to `holidays`
  /// for a series whose key is that country (`--by country`). Movable feasts are left out.
  public static let nationalHolidays: [String: [(Int, Int)]] = [
    "US": [(7, 4), (11, 11)], "CA": [(7, 1), (11, 11)], "MX": [(9, 16), (11, 20)],
    "BR": [(4, 21), (9, 7), (10, 12), (11, 2), (11, 15)], "AR": [(5, 25), (7, 9)],
    "GB": [], "IE": [(3, 17)], "FR": [(5, 8), (7, 14), (8, 15), (11, 1), (11, 11)],
    "DE": [(10, 3)], "ES": [(8, 15), (10, 12), (11, 1), (12, 6), (12, 8)],
    "IT": [(4, 25), (6, 2), (8, 15), (11, 1), (12, 8)], "NL": [(4, 27)],
    "PL": [(5, 3), (8, 15), (11, 1), (11, 11)], "SE": [(6, 6)], "NO": [(5, 17)],
    "IN": [(1, 26), (8, 15), (10, 2)], "CN": [(10, 1), (10, 2), (10, 3)],
    "JP": [(2, 11), (4, 29), (5, 3), (5, 4), (5, 5), (11, 3), (11, 23)],
    "KR": [(3, 1), (8, 15), (10, 3), (10, 9)], "AU": [(1, 26), (4, 25)], "NZ": [(2, 6), (4, 25)],
    "ZA": [(3, 21), (4, 27), (6, 16), (8, 9), (9, 24), (12, 16)], "NG": [(10, 1), (6, 12)],
    "EG": [(7, 23), (10, 6)], "RU": [(1, 7), (2, 23), (3, 8), (5, 9), (6, 12), (11, 4)],
    "TR": [(4, 23), (5, 19), (8, 30), (10, 29)],
  ]

  /// Writes the features of `timestamp` (Unix seconds) into `out` (`names(step:).count` values);
  /// `country` adds that country's `nationalHolidays` to the holiday flag.
  public static func write(
    timestamp: Int64, step: Int64, country: String? = nil, into out: inout [Float]
  ) {
    out.removeAll(keepingCapacity: true)
    let day = Int(DayArithmetic.floorDivide(timestamp, 86_400))
    let weekday = DayArithmetic.isoWeekday(dayNumber: day)
    let dowAngle = 2 * Double.pi * Double(weekday - 1) / 7
    func weekAngle() -> Double {
      let week = DayArithmetic.isoWeek(dayNumber: day).week
      return 2 * Double.pi * (Double(week - 1) + Double(weekday - 1) / 7) / 52.1775
    }
    switch SeriesSpacing(seconds: step) {
    case .daily:
      let w = weekAngle()
      let date = CivilDate(daysSinceEpoch: day)
      let national = country.flatMap { nationalHolidays[$0] } ?? []
      let isHoliday = (holidays + national).contains { $0 == (date.month, date.day) }
      let holiday: Float = isHoliday ? 1 : 0
      out += [
        Float(PortableMath.sin(dowAngle)), Float(PortableMath.cos(dowAngle)),
        Float(PortableMath.sin(w)), Float(PortableMath.cos(w)), holiday,
      ]
    case .weekly:
      let w = weekAngle()
      out += [Float(PortableMath.sin(w)), Float(PortableMath.cos(w))]
    case .hourly:
      let hour = Double(timestamp - Int64(day) * 86_400) / 3600
      let h = 2 * Double.pi * hour / 24
      out += [
        Float(PortableMath.sin(h)), Float(PortableMath.cos(h)), Float(PortableMath.sin(dowAngle)),
        Float(PortableMath.cos(dowAngle)),
      ]
    case .other:
      break
    }
  }
}
