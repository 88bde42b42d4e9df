import Events
import Foundation

/// When listeners listen: the rate functions of the simulation, in the listener's local time.
///
/// A listener of activity `a` starts sessions as a Poisson process whose rate in local hour `h`
/// of local date `D` is
///
///     λ(D, h) = meanSessionsPerDay · a · hourWeight(h, weekendLike(D)) · dayFactor(D)
///               · seasonalFactor(D, hemisphere) · releaseBoost(day)
///
/// where `hourWeight` sums to 1 over a day, so a plain weekday of activity 1 away from December
/// and summer averages `meanSessionsPerDay` sessions.
public enum ActivityModel {
  /// Relative weight of each local hour on a working day: a morning commute, lunch, and an
  /// evening peak; near silence from 2 to 5.
  static let weekdayHours: [Double] = normalised([
    2.5, 1.5, 0.8, 0.5, 0.5, 1.0, 3.0, 5.5, 6.5, 5.0, 4.5, 4.5,
    5.5, 5.0, 4.5, 4.5, 5.0, 6.5, 7.0, 6.5, 6.5, 6.0, 5.0, 3.5,
  ])
  /// Relative weight of each local hour on a weekend day or holiday: a late start and a long,
  /// flat afternoon and evening.
  static let weekendHours: [Double] = normalised([
    4.0, 3.0, 2.0, 1.0, 0.6, 0.5, 0.8, 1.5, 3.0, 4.5, 6.0, 6.5,
    6.5, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 5.5, 5.0,
  ])

  static func normalised(_ w: [Double]) -> [Double] {
    let total = w.reduce(0, +)
    return w.map { $0 / total }
  }

  /// Sessions on a Saturday or Sunday relative to a working day.
  public static let weekendFactor = 1.2

  /// Fixed-date holidays (month, day, factor relative to a working day); they follow the
  /// weekend rhythm.
  public static let holidays: [(month: Int, day: Int, factor: Double)] = [
    (1, 1, 0.85), (5, 1, 1.25), (12, 24, 1.3), (12, 25, 1.0), (12, 26, 1.3), (12, 31, 1.4),
  ]

  /// Amplitude of the December peak (centred on 18 December, σ = 12 days).
  public static let decemberPeak = 0.22
  /// Depth of the summer dip (centred on 28 July north of the equator and 28 January south of
  /// it, σ = 25 days).
  public static let summerDip = 0.18

  /// The weight of local hour `hour` (0…23), summing to 1 over a day.
  public static func hourWeight(_ hour: Int, weekendLike: Bool) -> Double {
    weekendLike ? weekendHours[hour] : weekdayHours[hour]
  }

  /// The holiday factor of `date`, or nil on an ordinary day.
  public static func holidayFactor(_ date: CivilDate) -> Double? {
    holidays.first { $0.month == date.month && $0.day == date.day }?.factor
  }

  /// True on Saturdays, Sundays and holidays.
  public static func isWeekendLike(_ date: CivilDate) -> Bool {
    date.weekday >= 6 || holidayFactor(date) != nil
  }

  /// Sessions on `date` relative to an ordinary working day: 1, `weekendFactor`, or the
  /// holiday's factor.
  public static func dayFactor(_ date: CivilDate) -> Double {
    if let h = holidayFactor(date) { return h }
    return date.weekday >= 6 ? weekendFactor : 1
  }

  /// The yearly cycle:
  ///
  ///     1 + decemberPeak · g(d − Dec 18, 12) − summerDip · g(d − summer centre, 25)
  ///     g(x, σ) = exp(−x² / 2σ²),  x the circular distance in days
  public static func seasonalFactor(_ date: CivilDate, southernHemisphere: Bool) -> Double {
    let day = date.daysSinceEpoch
    func distance(toMonth month: Int, day d: Int) -> Double {
      var best = Int.max
      for y in (date.year - 1)...(date.year + 1) {
        best = min(best, abs(day - CivilDate(year: y, month: month, day: d).daysSinceEpoch))
      }
      return Double(best)
    }
    let december = distance(toMonth: 12, day: 18)
    let summer = southernHemisphere ? distance(toMonth: 1, day: 28) : distance(toMonth: 7, day: 28)
    return 1 + decemberPeak * exp(-december * december / (2 * 144))
      - summerDip * exp(-summer * summer / (2 * 625))
  }

  /// Expected sessions in local hour `hour` of `date` for a listener of activity 1 averaging
  /// `meanSessionsPerDay` on ordinary days (before release boosts).
  public static func rate(
    date: CivilDate, hour: Int, southernHemisphere: Bool, meanSessionsPerDay: Double
  ) -> Double {
    meanSessionsPerDay * hourWeight(hour, weekendLike: isWeekendLike(date)) * dayFactor(date)
      * seasonalFactor(date, southernHemisphere: southernHemisphere)
  }
}
