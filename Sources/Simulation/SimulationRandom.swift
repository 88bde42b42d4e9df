import Foundation

/// The simulator's random numbers: SplitMix64, one small stream per user (or per purpose), seeded
/// by hashing the run's seed with the stream's key.
///
///     state_{k+1} = state_k + 0x9E3779B97F4A7C15
///     output      = mix(state_{k+1})                 // Stafford's variant 13 finaliser
///
/// A stream's numbers depend only on the seed and its key, never on which thread runs it or in
/// which order streams are advanced, so output is the same for any thread count.
/// Reference: Steele, Lea, Flood, "Fast splittable pseudorandom number generators" (OOPSLA 2014).
@usableFromInline
struct SimulationRandom: RandomNumberGenerator, Sendable {
  @usableFromInline var state: UInt64

  /// A stream keyed by `seed` and up to two keys (a purpose and an index, say).
  @inlinable
  init(seed: UInt64, key: UInt64 = 0, index: UInt64 = 0) {
    state = Self.mix(
      seed ^ Self.mix(key &+ 0x6A09_E667_F3BC_C909) ^ Self.mix(index &* 0xD1B5_4A32_D192_ED03 &+ 1))
  }

  @inlinable
  static func mix(_ value: UInt64) -> UInt64 {
    var z = value
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  @inlinable
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    return Self.mix(state)
  }

  /// Uniform in [0, 1), 53 bits.
  @inlinable
  mutating func unit() -> Double {
    Double(next() >> 11) * 0x1.0p-53
  }

  /// Uniform in 0..<bound (Lemire's multiply-shift; the bias is below 2⁻³² for our bounds).
  @inlinable
  mutating func below(_ bound: Int) -> Int {
    Int(truncatingIfNeeded: (next().multipliedFullWidth(by: UInt64(bound))).high)
  }

  /// True with probability `p`.
  @inlinable
  mutating func chance(_ p: Double) -> Bool {
    unit() < p
  }

  /// Exponential with the given mean.
  @inlinable
  mutating func exponential(mean: Double) -> Double {
    -mean * log1p(-unit())
  }

  /// Standard normal, Box–Muller (one of the pair).
  @inlinable
  mutating func normal() -> Double {
    let u1 = 1 - unit()  // (0, 1]
    let u2 = unit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  /// Poisson with mean `lambda` (inversion; the simulator's means are small, ≲ 30).
  @inlinable
  mutating func poisson(_ lambda: Double) -> Int {
    if lambda <= 0 { return 0 }
    if lambda > 30 {
      // Normal approximation, continuity-corrected; only the synthetic bots reach this.
      return max(0, Int((lambda + lambda.squareRoot() * normal()).rounded()))
    }
    var p = exp(-lambda)
    var cumulative = p
    let u = unit()
    var k = 0
    while u > cumulative && k < 200 {
      k += 1
      p *= lambda / Double(k)
      cumulative += p
    }
    return k
  }

  /// Geometric on 1, 2, … with the given mean (≥ 1).
  @inlinable
  mutating func geometric(mean: Double) -> Int {
    if mean <= 1 { return 1 }
    let q = 1 - 1 / mean
    return 1 + Int(log(1 - unit()) / log(q))
  }
}
