/// Elementary functions with one definition on every x86-64 machine: plain `Double` additions,
/// multiplications and divisions in a fixed order (Swift never fuses them into FMAs), so the
/// same input gives the same bits whatever CPU runs them. The C library's `log`, `cos`, `sin` and
/// `pow` choose FMA or SSE2 code at load time and disagree in the last bit on about one input in
/// 1,400; the training arithmetic (weight initialisation, learning-rate schedule, Adam's bias
/// corrections, calendar features) uses these instead, so the model bytes cannot depend on it.
///
/// Accuracy: `log`, `sin` and `cos` within 1 ulp of the C library's on the domains used (tested
/// over millions of inputs); `pow` by repeated squaring, within about n·ε relative for the
/// exponent n (Adam's β^t: 1e-12 at t = 12,345). Not correctly rounded.
public enum PortableMath {
  /// Natural logarithm of `x` (> 0; 0 gives −∞, negative or NaN gives NaN, +∞ gives +∞).
  public static func log(_ x: Double) -> Double {
    guard x > 0 else { return x == 0 ? -.infinity : .nan }
    guard x.isFinite else { return x }
    var x = x
    var k = 0
    if x < Double.leastNormalMagnitude {
      x *= 0x1p54
      k -= 54
    }
    // x = 2^k · m with m in [√½, √2).
    let bits = x.bitPattern
    k += Int((bits >> 52) & 0x7FF) - 1023
    var m = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FF0_0000_0000_0000)
    if m > 1.4142135623730951 {
      m *= 0.5
      k += 1
    }
    // log m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716: the odd series to s²¹.
    let f = m - 1
    let s = f / (2 + f)
    let z = s * s
    var r = 1.0 / 21
    for d in stride(from: 19.0, through: 3, by: -2) { r = r * z + 1 / d }
    // log m = 2s (1 + z r), and 2s = f − s f = f − hf + s hf (hf = f²/2): the large part f is
    // kept apart from the small corrections.
    let hf = 0.5 * f * f
    let logm = f - (hf - s * (hf + 2 * z * r))
    let kd = Double(k)
    return kd * ln2Hi + (logm + kd * ln2Lo)
  }

  /// Cosine of `x` (radians).
  public static func cos(_ x: Double) -> Double {
    guard x.isFinite else { return .nan }
    let (n, r) = reduce(x)
    switch n & 3 {
    case 0: return cosKernel(r)
    case 1: return -sinKernel(r)
    case 2: return -cosKernel(r)
    default: return sinKernel(r)
    }
  }

  /// Sine of `x` (radians).
  public static func sin(_ x: Double) -> Double {
    guard x.isFinite else { return .nan }
    let (n, r) = reduce(x)
    switch n & 3 {
    case 0: return sinKernel(r)
    case 1: return cosKernel(r)
    case 2: return -sinKernel(r)
    default: return -cosKernel(r)
    }
  }

  /// `base` to the integer power `n` (≥ 0) by repeated squaring.
  public static func pow(_ base: Double, _ n: Int) -> Double {
    precondition(n >= 0, "PortableMath.pow: negative exponent \(n)")
    var result = 1.0
    var b = base
    var e = n
    while e > 0 {
      if e & 1 == 1 { result *= b }
      e >>= 1
      if e > 0 { b *= b }
    }
    return result
  }

  // ln 2 split so that k · ln2Hi is exact for |k| < 2^11.
  static let ln2Hi = 6.93147180369123816490e-01
  static let ln2Lo = 1.90821492927058770002e-10

  // π/2 split in three (the first two with trailing zero bits, so n · part is exact for
  // |n| < 2^20), and 2/π.
  static let halfPi1 = 1.57079632673412561417e+00
  static let halfPi2 = 6.07710050630396597660e-11
  static let halfPi3 = 2.02226624879595063154e-21
  static let twoOverPi = 6.36619772367581382433e-01

  /// `x = n · π/2 + r` with |r| ≤ about π/4 (exact enough for |x| < 2^20 · π/2; beyond, still
  /// the same bits everywhere, less accurate).
  @inline(__always)
  static func reduce(_ x: Double) -> (Int, Double) {
    let q = (x * twoOverPi).rounded(.toNearestOrEven)
    let r = ((x - q * halfPi1) - q * halfPi2) - q * halfPi3
    let n = abs(q) < 0x1p62 ? Int(q) : 0
    return (n, r)
  }

  /// sin r for |r| ≤ π/4: the Taylor series to r¹⁹.
  @inline(__always)
  static func sinKernel(_ r: Double) -> Double {
    let z = r * r
    var p = -1.0 / 121_645_100_408_832_000  // −1/19!
    p = p * z + 1.0 / 355_687_428_096_000  // 1/17!
    p = p * z - 1.0 / 1_307_674_368_000  // −1/15!
    p = p * z + 1.0 / 6_227_020_800  // 1/13!
    p = p * z - 1.0 / 39_916_800  // −1/11!
    p = p * z + 1.0 / 362_880  // 1/9!
    p = p * z - 1.0 / 5040  // −1/7!
    p = p * z + 1.0 / 120  // 1/5!
    p = p * z - 1.0 / 6  // −1/3!
    return r + r * z * p
  }

  /// cos r for |r| ≤ π/4: the Taylor series to r²⁰.
  @inline(__always)
  static func cosKernel(_ r: Double) -> Double {
    let z = r * r
    var p = 1.0 / 2_432_902_008_176_640_000  // 1/20!
    p = p * z - 1.0 / 6_402_373_705_728_000  // −1/18!
    p = p * z + 1.0 / 20_922_789_888_000  // 1/16!
    p = p * z - 1.0 / 87_178_291_200  // −1/14!
    p = p * z + 1.0 / 479_001_600  // 1/12!
    p = p * z - 1.0 / 3_628_800  // −1/10!
    p = p * z + 1.0 / 40320  // 1/8!
    p = p * z - 1.0 / 720  // −1/6!
    p = p * z + 1.0 / 24  // 1/4!
    let hz = 0.5 * z
    let w = 1 - hz
    // 1 − z/2 + z² p, with the rounding of 1 − z/2 carried.
    return w + (((1 - w) - hz) + z * z * p)
  }
}
