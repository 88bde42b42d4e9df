import Events

/// One of the 16 listening personalities: one letter of each of Spotify's four trait pairs.
///
/// | Trait | Letter | Song choice in the simulator |
/// |---|---|---|
/// | Familiarity / Exploration | F / E | a song of one of five favourite artists with p = 0.75 / 0.20 |
/// | Loyalty / Variety | L / V | replay one of the last 16 songs with p = 0.40 / 0.06 |
/// | Timelessness / Newness | T / N | release years even across decades / weight exp((year − latest) / 3) |
/// | Commonality / Uniqueness | C / U | weight (popularity / 100)³ / ((101 − popularity) / 100)² |
///
/// Interactions (played, skipped, paused, repeated, liked) have per-personality probabilities:
/// `interactionProbabilities`.
public struct Personality: Hashable, Sendable, CustomStringConvertible {
  /// Bit 0: Exploration (else Familiarity); bit 1: Variety (else Loyalty); bit 2: Newness (else
  /// Timelessness); bit 3: Uniqueness (else Commonality).
  public let bits: UInt8

  /// The personality with the given trait bits (0…15).
  public init(bits: UInt8) {
    precondition(bits < 16, "Personality: expected bits 0…15, got \(bits)")
    self.bits = bits
  }

  /// Parses four letters such as `"ELNC"`; nil unless one of F/E, L/V, T/N, C/U in that order.
  public init?(_ code: String) {
    let letters = Array(code)
    guard letters.count == 4 else { return nil }
    var bits: UInt8 = 0
    for (i, pair) in Self.letters.enumerated() {
      if letters[i] == pair.1 {
        bits |= 1 << UInt8(i)
      } else if letters[i] != pair.0 {
        return nil
      }
    }
    self.bits = bits
  }

  static let letters: [(Character, Character)] = [("F", "E"), ("L", "V"), ("T", "N"), ("C", "U")]

  /// All 16, in bit order.
  public static let all: [Personality] = (0..<16).map { Personality(bits: UInt8($0)) }

  /// Prefers discovering artists over favourite ones.
  public var explores: Bool { bits & 1 != 0 }
  /// Prefers variety over replaying.
  public var seeksVariety: Bool { bits & 2 != 0 }
  /// Prefers new releases.
  public var prefersNew: Bool { bits & 4 != 0 }
  /// Prefers lesser-known songs.
  public var prefersUnique: Bool { bits & 8 != 0 }

  /// The four letters, e.g. `"ELNC"`.
  public var description: String {
    String(
      Self.letters.enumerated().map {
        bits & (1 << UInt8($0.offset)) != 0 ? $0.element.1 : $0.element.0
      })
  }

  /// Probability that a song is by one of the listener's five favourite artists.
  var favouriteArtistProbability: Double { explores ? 0.20 : 0.75 }
  /// Probability that a song replays one of the listener's last 16.
  var replayProbability: Double { seeksVariety ? 0.06 : 0.40 }

  /// The interaction probabilities, in `Personality.interactions` order
  /// (played, skipped, paused, repeated, liked):
  ///
  ///     base            0.68  0.16  0.05  0.05  0.06
  ///     Exploration    −0.06 +0.06
  ///     Variety        −0.00 +0.03        −0.03
  ///     Loyalty        −0.06              +0.06
  ///     Uniqueness     −0.02                    +0.02
  public var interactionProbabilities: [Double] {
    var p = [0.68, 0.16, 0.05, 0.05, 0.06]
    if explores {
      p[0] -= 0.06
      p[1] += 0.06
    }
    if seeksVariety {
      p[1] += 0.03
      p[3] -= 0.03
    } else {
      p[0] -= 0.06
      p[3] += 0.06
    }
    if prefersUnique {
      p[0] -= 0.02
      p[4] += 0.02
    }
    return p
  }

  /// The order of `interactionProbabilities`.
  public static let interactions: [Interaction] = [.played, .skipped, .paused, .repeated, .liked]
}

/// The subscription tiers with their shares of new users, their activity relative to the mean,
/// and their mean lifetime before churning (years).
enum SubscriptionModel {
  static let tiers: [(tier: Subscription, share: Double, activity: Double, lifetimeYears: Double)] =
    [
      (.free, 0.46, 0.85, 2.5), (.premium, 0.36, 1.15, 6), (.family, 0.11, 1.1, 8),
      (.student, 0.07, 1.05, 3),
    ]
}
