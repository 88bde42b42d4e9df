/// ISO-8601 timestamps: parsing (dates and date-times) and formatting, the one owner of
/// timestamps as text in the package (series and predictions CSV, `inspect`, messages).
///
/// Accepted forms: `2024-03-01`, `2024-03-01T13:00`, `2024-03-01T13:00:00`, `2024-03-01 13:00:00`,
/// each optionally followed by fractional seconds (ignored if zero) and `Z` or `±HH:MM` / `±HHMM`.
/// A time without an offset is UTC. Values are Unix seconds.
public enum Timestamp {
  /// Unix seconds of an ISO-8601 text, or nil when it is not one.
  public static func parse(_ text: some StringProtocol) -> Int64? {
    let bytes = Array(text.utf8)
    var i = 0
    func number(_ width: Int) -> Int? {
      guard i + width <= bytes.count else { return nil }
      var v = 0
      for j in i..<(i + width) {
        let b = bytes[j]
        guard b >= 48, b <= 57 else { return nil }
        v = v * 10 + Int(b - 48)
      }
      i += width
      return v
    }
    func expect(_ c: UInt8) -> Bool {
      guard i < bytes.count, bytes[i] == c else { return false }
      i += 1
      return true
    }
    guard let year = number(4), expect(45), let month = number(2), expect(45),
      let day = number(2)
    else { return nil }
    let date = CivilDate(year: year, month: month, day: day)
    guard date.isValid else { return nil }
    var seconds = Int64(date.daysSinceEpoch) * 86_400
    if i == bytes.count { return seconds }
    guard bytes[i] == 84 || bytes[i] == 32 else { return nil }  // "T" or " "
    i += 1
    guard let hour = number(2), hour < 24, expect(58), let minute = number(2), minute < 60
    else { return nil }
    var second = 0
    if expect(58) {
      guard let s = number(2), s < 60 else { return nil }
      second = s
      if expect(46) {  // fractional seconds: only zeros are exact
        var digits = 0
        while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
          guard bytes[i] == 48 else { return nil }
          i += 1
          digits += 1
        }
        guard digits > 0 else { return nil }
      }
    }
    seconds += Int64(hour * 3600 + minute * 60 + second)
    if i == bytes.count { return seconds }
    if expect(90) { return i == bytes.count ? seconds : nil }  // "Z"
    guard i < bytes.count, bytes[i] == 43 || bytes[i] == 45 else { return nil }
    let sign: Int64 = bytes[i] == 43 ? 1 : -1
    i += 1
    guard let offsetHours = number(2) else { return nil }
    _ = expect(58)
    guard let offsetMinutes = number(2), i == bytes.count, offsetHours < 24, offsetMinutes < 60
    else { return nil }
    return seconds - sign * Int64(offsetHours * 3600 + offsetMinutes * 60)
  }

  /// `YYYY-MM-DD` when the instant (Unix seconds) is a UTC midnight, else
  /// `YYYY-MM-DDTHH:MM:SSZ`.
  public static func format(_ seconds: Int64) -> String {
    // The remainder first: `day * 86_400` overflows for the extreme Int64 values.
    let day = DayArithmetic.floorDivide(seconds, 86_400)
    let rest = Int((seconds % 86_400 + 86_400) % 86_400)
    let date = CivilDate(daysSinceEpoch: Int(day)).description
    if rest == 0 { return date }
    return "\(date)T\(timeOfDay(rest))Z"
  }

  /// `YYYY-MM-DDTHH:MM:SS.mmmZ` for Unix epoch milliseconds (always with the time and the
  /// milliseconds: event times).
  public static func format(milliseconds: Int64) -> String {
    // The remainder first: `day * millisecondsPerDay` overflows for the extreme Int64 values.
    let perDay = DayArithmetic.millisecondsPerDay
    let day = DayArithmetic.floorDivide(milliseconds, perDay)
    let rest = (milliseconds % perDay + perDay) % perDay
    let ms = Int(rest % 1000)
    let date = CivilDate(daysSinceEpoch: Int(day)).description
    let fraction = ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
    return "\(date)T\(timeOfDay(Int(rest / 1000))).\(fraction)Z"
  }

  /// `HH:MM:SS` of a second of the day.
  private static func timeOfDay(_ second: Int) -> String {
    func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
    return "\(pad(second / 3600)):\(pad(second / 60 % 60)):\(pad(second % 60))"
  }
}
