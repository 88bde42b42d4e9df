import Plumbing

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
    if let q = millionths {
      var t = CSVText(capacity: 32)
      t.appendMillionths(q)
      return t.string
    }
    let q = roundedMillionths
    let whole = q / 1_000_000
    let fraction = String(q % 1_000_000)
    return "\(whole)." + String(repeating: "0", count: 6 - fraction.count) + fraction
  }

  /// The value in millionths, rounded half to even, when it fits 64 bits (counts always do):
  /// the same number as `description`'s, in machine integers.
  var millionths: UInt64? {
    guard denominator > 0, numerator >= 0, numerator <= Int128(UInt64.max / 1_000_000),
      denominator <= Int128(UInt64.max >> 1)
    else { return denominator == 0 ? 0 : nil }
    let (n, d) = (UInt64(numerator) * 1_000_000, UInt64(denominator))
    var q = n / d
    let r = n % d
    if 2 * r > d || (2 * r == d && q % 2 == 1) { q += 1 }
    return q
  }

  /// `numerator / denominator` in millionths, rounded half to even, in 128 bits.
  private var roundedMillionths: Int128 {
    let scaled = numerator * 1_000_000
    var q = scaled / denominator
    let r = scaled % denominator
    if 2 * r > denominator || (2 * r == denominator && q % 2 == 1) { q += 1 }
    return q
  }
}

extension CSVText {
  /// The next field: `r` with six decimals (`Ratio.description`), written as bytes.
  mutating func field(_ r: Ratio) {
    if let q = r.millionths {
      separate()
      appendMillionths(q)
    } else {
      field(r.description)
    }
  }
}
