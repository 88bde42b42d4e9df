/// A seeded random number generator that gives the same numbers on every machine: xoshiro256**
/// (Blackman & Vigna), its 256-bit state filled from the seed by SplitMix64.
///
/// Everything random in the toolkit (initialisers, shuffles, dropout) takes one of these or any
/// `RandomNumberGenerator`, so the same seed gives the same model bit for bit.
/// Reference: https://prng.di.unimi.it/xoshiro256starstar.c
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  @usableFromInline var s0: UInt64
  @usableFromInline var s1: UInt64
  @usableFromInline var s2: UInt64
  @usableFromInline var s3: UInt64

  /// A generator whose whole sequence is determined by `seed`.
  public init(seed: UInt64) {
    var sm = seed
    func splitMix() -> UInt64 {
      sm &+= 0x9E37_79B9_7F4A_7C15
      var z = sm
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    s0 = splitMix()
    s1 = splitMix()
    s2 = splitMix()
    s3 = splitMix()
  }

  /// The next 64 random bits.
  @inlinable
  public mutating func next() -> UInt64 {
    let result = rotateLeft(s1 &* 5, 7) &* 9
    let t = s1 << 17
    s2 ^= s0
    s3 ^= s1
    s1 ^= s2
    s0 ^= s3
    s2 ^= t
    s3 = rotateLeft(s3, 45)
    return result
  }

  @inlinable
  func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}

extension RandomNumberGenerator {
  /// A uniform double in [0, 1) from the top 53 bits of one draw (machine-independent, unlike
  /// `Double.random(in:using:)`, whose algorithm the standard library does not promise).
  @inlinable
  public mutating func nextUnitDouble() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// A standard normal draw by the Box–Muller transform on two `nextUnitDouble()` values
  /// (one draw per call; the second value is discarded so the sequence has no hidden state).
  @inlinable
  public mutating func nextStandardNormal() -> Double {
    let u1 = 1 - nextUnitDouble()  // (0, 1]: log is finite
    let u2 = nextUnitDouble()
    return (-2 * PortableMath.log(u1)).squareRoot() * cosTwoPi(u2)
  }
}

@usableFromInline
func cosTwoPi(_ u: Double) -> Double {
  PortableMath.cos(2 * Double.pi * u)
}
