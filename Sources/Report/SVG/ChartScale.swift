import Events
import Foundation

/// A linear map from a data interval onto a pixel interval (the pixel interval may run
/// backwards: a y axis grows upwards).
public struct LinearScale: Sendable, Equatable {
  /// The data interval.
  public var domain: ClosedRange<Double>
  /// Pixel coordinates of `domain.lowerBound` and `domain.upperBound`.
  public var range: (Double, Double)

  /// A scale; an empty domain is widened by one on each side so it still maps.
  public init(domain: ClosedRange<Double>, range: (Double, Double)) {
    self.domain =
      domain.lowerBound == domain.upperBound
      ? (domain.lowerBound - 1)...(domain.upperBound + 1) : domain
    self.range = range
  }

  /// The pixel coordinate of `value`.
  public func callAsFunction(_ value: Double) -> Double {
    let t = (value - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
    return range.0 + t * (range.1 - range.0)
  }

  public static func == (a: LinearScale, b: LinearScale) -> Bool {
    a.domain == b.domain && a.range == b.range
  }
}

/// Axis ticks: round numbers, and readable dates.
public enum Ticks {
  /// About `count` ticks at multiples of 1, 2 or 5 × 10^k covering `lo…hi`, and the domain
  /// widened to the outer ticks (so the axis starts and ends on a round value).
  public static func nice(_ lo: Double, _ hi: Double, count: Int = 5) -> (
    ticks: [Double], domain: ClosedRange<Double>
  ) {
    var lo = lo
    var hi = hi
    if !(lo.isFinite && hi.isFinite) { return ([0, 1], 0...1) }
    if lo == hi {
      lo -= lo == 0 ? 1 : abs(lo) * 0.1
      hi += hi == 0 ? 1 : abs(hi) * 0.1
    }
    let raw = (hi - lo) / Double(max(1, count))
    let exponent = Int(floor(log10(raw)))
    let magnitude = pow(10, Double(exponent))
    let mantissa = [1.0, 2, 2.5, 5, 10].first { $0 * magnitude >= raw } ?? 10
    let step = mantissa * magnitude
    // Tick k is k·mantissa·10^e, computed as (k·mantissa)/10^−e for e < 0 so 6 × 0.2 is 1.2.
    func tick(_ k: Double) -> Double {
      exponent < 0 ? k * mantissa / pow(10, Double(-exponent)) : k * mantissa * magnitude
    }
    let firstK = floor(lo / step + 1e-9)
    let lastK = ceil(hi / step - 1e-9)
    let ticks = stride(from: firstK, through: lastK, by: 1).map { tick($0) == 0 ? 0 : tick($0) }
    let first = tick(firstK)
    let last = tick(lastK)
    return (ticks, first...last)
  }

  /// A tick label: thousands as `k`, millions as `M`, otherwise the shortest form with at
  /// most the decimals the tick step needs.
  public static func label(_ v: Double, step: Double) -> String {
    let a = abs(v)
    if a >= 1_000_000 && step >= 100_000 { return trim(v / 1_000_000, step / 1_000_000) + "M" }
    if a >= 10_000 && step >= 1_000 { return trim(v / 1_000, step / 1_000) + "k" }
    return trim(v, step)
  }

  private static func trim(_ v: Double, _ step: Double) -> String {
    // The decimals the step needs: 2.5 needs one, 0.25 two, 20 none.
    var decimals = 0
    var scaled = step
    while decimals < 6 && abs(scaled - scaled.rounded()) > 1e-9 * max(1, scaled) {
      decimals += 1
      scaled *= 10
    }
    return String(format: "%.\(decimals)f", v)
  }

  /// Date ticks between Unix seconds `lo` and `hi`: whole days, weeks (Mondays), months or
  /// years, whichever gives 3 to about `count` ticks, with labels such as `Mar 4`,
  /// `Mar 2024` or `2024`.
  public static func dates(_ lo: Int64, _ hi: Int64, count: Int = 6) -> [(
    seconds: Int64, label: String
  )] {
    let day: Int64 = 86_400
    let firstDay = Int(floorDiv(lo + day - 1, day))
    let lastDay = Int(floorDiv(hi, day))
    let spanDays = max(1, lastDay - firstDay)
    func dayTicks(every n: Int, mondays: Bool) -> [(Int64, String)] {
      var d = firstDay
      if mondays { while CivilDate(daysSinceEpoch: d).weekday != 1 { d += 1 } }
      var result: [(Int64, String)] = []
      while d <= lastDay {
        let c = CivilDate(daysSinceEpoch: d)
        result.append((Int64(d) * day, "\(monthNames[c.month - 1]) \(c.day)"))
        d += n
      }
      return result
    }
    func monthTicks(every n: Int) -> [(Int64, String)] {
      let start = CivilDate(daysSinceEpoch: firstDay)
      var y = start.year
      var m = start.month
      if start.day != 1 { m += 1 }
      if m > 12 { (y, m) = (y + 1, 1) }
      while (m - 1) % n != 0 {
        m += 1
        if m > 12 { (y, m) = (y + 1, 1) }
      }
      var result: [(Int64, String)] = []
      while true {
        let d = CivilDate(year: y, month: m, day: 1).daysSinceEpoch
        if d > lastDay { break }
        let label =
          n >= 12
          ? "\(y)" : (m == 1 || result.isEmpty ? "\(monthNames[m - 1]) \(y)" : monthNames[m - 1])
        result.append((Int64(d) * day, label))
        m += n
        while m > 12 { (y, m) = (y + 1, m - 12) }
      }
      return result
    }
    let candidates: [() -> [(Int64, String)]] = [
      { dayTicks(every: 1, mondays: false) }, { dayTicks(every: 2, mondays: false) },
      { dayTicks(every: 7, mondays: true) }, { dayTicks(every: 14, mondays: true) },
      { monthTicks(every: 1) }, { monthTicks(every: 2) }, { monthTicks(every: 3) },
      { monthTicks(every: 6) }, { monthTicks(every: 12) }, { monthTicks(every: 24) },
      { monthTicks(every: 60) }, { monthTicks(every: 120) },
    ]
    // Cheap estimates first, so a long range never enumerates its days.
    let estimates = [
      spanDays, spanDays / 2, spanDays / 7, spanDays / 14, spanDays / 30,
      spanDays / 61, spanDays / 91, spanDays / 182, spanDays / 365, spanDays / 730,
      spanDays / 1_826, spanDays / 3_652,
    ]
    for (estimate, make) in zip(estimates, candidates) where estimate <= count + 1 {
      let ticks = make()
      if ticks.count <= count { return ticks.map { (seconds: $0.0, label: $0.1) } }
    }
    return candidates[candidates.count - 1]().map { (seconds: $0.0, label: $0.1) }
  }

  static let monthNames = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]

  private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }

  /// A date as `2024-03-04`.
  public static func isoDate(_ seconds: Int64) -> String {
    let d = CivilDate(daysSinceEpoch: Int(floorDiv(seconds, 86_400)))
    return d.description
  }
}
