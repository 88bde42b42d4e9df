/// An exact non-negative quotient of counts, printed with six decimals rounded half to even
/// from the exact value (never from a binary floating-point approximation), so every number a
/// file holds can be recomputed exactly from the counts beside it.
public struct Ratio: Sendable, Equatable, Comparable, CustomStringConvertible {
  public var numerator: Int128
  public var denominator: Int128

  /// `numerator / denominator`; a zero denominator reads as 0.
  public init(_ numerator: Int128, _ denominator: Int128) {
    self.numerator = numerator
    self.denominator = denominator
  }

  /// `ms / 60,000`: minutes.
  public static func minutes(_ milliseconds: Int64) -> Ratio {
    Ratio(Int128(milliseconds), 60_000)
  }

  /// The nearest `Double`.
  public var value: Double {
    denominator == 0 ? 0 : Double(numerator) / Double(denominator)
  }

  public static func < (a: Ratio, b: Ratio) -> Bool {
    a.numerator * b.denominator < b.numerator * a.denominator
  }

  public static func == (a: Ratio, b: Ratio) -> Bool {
    a.numerator * b.denominator == b.numerator * a.denominator
  }

  /// Six decimals, half to even: `0.007812` for 1/128, `12.345667` for 740,740 ms in minutes.
  public var description: String {
    guard denominator != 0 else { return "0.000000" }
    let scaled = numerator * 1_000_000
    var q = scaled / denominator
    let r = scaled % denominator
    if 2 * r > denominator || (2 * r == denominator && q % 2 == 1) { q += 1 }
    let whole = q / 1_000_000
    let fraction = String(q % 1_000_000)
    return "\(whole)." + String(repeating: "0", count: 6 - fraction.count) + fraction
  }
}
