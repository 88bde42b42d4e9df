/// The four trait pairs of the seed's listening personalities, inferred from behaviour only
/// (never from the `personality` field, which only the evaluation reads).
///
/// Each trait is one behavioural score per listener with at least 50 streams; the letter is the
/// side of a threshold that splits the population where it separates most (Otsu's criterion:
/// the split maximising the between-group variance of the scores). Letters are therefore
/// relative to the listeners analysed, as Spotify's are ("more than most listeners").
///
/// | Pair | Score (high → first letter) |
/// |---|---|
/// | Familiarity / Exploration | share of streams from the listener's five most-streamed artists |
/// | Loyalty / Variety | share of events put on repeat (`repeated`); where the history records no repeat at all, the share of streams that replay a song: 1 − distinct songs ÷ streams |
/// | Timelessness / Newness | stream-weighted mean release year (high → Newness, the second letter) |
/// | Commonality / Uniqueness | stream-weighted mean popularity of the songs; where the history carries no popularity, the mean of log₂(world listeners of the song) |
public struct PersonalityModel: Sendable, Equatable {
  /// One trait: its letters, and the threshold on its score.
  public struct Trait: Sendable, Equatable {
    /// `"F/E"`, `"L/V"`, `"T/N"`, `"C/U"`.
    public var name: String
    /// The letter for scores at or above the threshold.
    public var high: Character
    /// The letter below it.
    public var low: Character
    /// The split; nil when fewer than two listeners differ (everyone gets `high`).
    public var threshold: Double?
  }

  public var traits: [Trait]

  /// The trait names, letters and score direction, in the code's letter order.
  static let layout: [(name: String, high: Character, low: Character)] = [
    ("F/E", "F", "E"), ("L/V", "L", "V"), ("T/N", "N", "T"), ("C/U", "C", "U"),
  ]

  /// Fits the thresholds on the listeners' scores (`scores[i]` holds the four scores of
  /// listener `i`).
  static func fit(_ scores: [[Double]]) -> PersonalityModel {
    var traits: [Trait] = []
    for (k, t) in layout.enumerated() {
      traits.append(
        Trait(name: t.name, high: t.high, low: t.low, threshold: otsu(scores.map { $0[k] })))
    }
    return PersonalityModel(traits: traits)
  }

  /// The four letters of one listener's scores, in F/E, L/V, T/N, C/U order.
  func letters(_ scores: [Double]) -> String {
    var s = ""
    for (k, trait) in traits.enumerated() {
      let high = trait.threshold.map { scores[k] >= $0 } ?? true
      s.append(high ? trait.high : trait.low)
    }
    return s
  }

  /// Otsu's threshold: the midpoint between the two sorted neighbours that maximises
  /// `w₀ w₁ (μ₀ − μ₁)²`; nil when all values are equal.
  static func otsu(_ values: [Double]) -> Double? {
    let v = values.sorted()
    let n = v.count
    guard n >= 2, let first = v.first, let last = v.last, first < last else { return nil }
    let total = v.reduce(0, +)
    var left = 0.0
    var best = -1.0
    var threshold: Double?
    for k in 1..<n {
      left += v[k - 1]
      if v[k] == v[k - 1] { continue }
      let w0 = Double(k) / Double(n)
      let w1 = 1 - w0
      let m0 = left / Double(k)
      let m1 = (total - left) / Double(n - k)
      let between = w0 * w1 * (m0 - m1) * (m0 - m1)
      if between > best {
        best = between
        threshold = (v[k - 1] + v[k]) / 2
      }
    }
    return threshold
  }
}
