import Events
import Plumbing

/// How well the inferred personalities match the ones a history records (the simulator writes
/// the personality it drew for each listener): per trait accuracy and Cohen's κ, exact
/// four-letter accuracy, the 16 × 16 confusion matrix, and the same by activity decile.
///
/// Only listeners with an inferred personality (≥ 50 streams) and a recorded four-letter code
/// count.
public struct PersonalityEvaluation: Sendable {
  /// Listeners compared.
  public var listeners: Int
  /// Per trait (F/E, L/V, T/N, C/U): accuracy and κ.
  public var traits: [(name: String, accuracy: Double, kappa: Double, confusion: [[Int]])]
  /// Share of listeners whose four letters all match.
  public var exactAccuracy: Double
  /// [recorded code][inferred code] counts, codes in `codes` order.
  public var confusion: [[Int]]
  /// The 16 codes, sorted.
  public var codes: [String]
  /// By activity decile (listeners sorted by streams, ten equal groups).
  public var deciles:
    [(
      decile: Int, listeners: Int, minStreams: Int64, maxStreams: Int64, exact: Double,
      traitAccuracy: [Double]
    )]

  /// Compares the rows' inferred and recorded personalities; nil when no row has both.
  ///
  /// Each compared listener's two codes are taken as four bits (bit k set: trait k's second
  /// letter), so that counting touches no string.
  public init?(_ rows: [ListenerRow]) {
    var valid: [(streams: Int64, userID: Int64, truth: Int, guess: Int)] = []
    for r in rows {
      guard let guess = Self.bits(r.personality), let truth = Self.bits(r.recordedPersonality)
      else { continue }
      valid.append((r.streams, r.userID, truth, guess))
    }
    guard !valid.isEmpty else { return nil }
    valid.sort { ($0.streams, $0.userID) < ($1.streams, $1.userID) }
    listeners = valid.count
    let names = ["F/E", "L/V", "T/N", "C/U"]
    func hits(_ rows: ArraySlice<(streams: Int64, userID: Int64, truth: Int, guess: Int)>) -> (
      exact: Int, traits: [Int]
    ) {
      var exact = 0
      var traits = [0, 0, 0, 0]
      for r in rows {
        let differ = r.truth ^ r.guess
        if differ == 0 { exact += 1 }
        for k in 0..<4 where differ >> k & 1 == 0 { traits[k] += 1 }
      }
      return (exact, traits)
    }
    var traits: [(String, Double, Double, [[Int]])] = []
    for k in 0..<4 {
      var m = [[0, 0], [0, 0]]  // [recorded][inferred]
      for r in valid { m[r.truth >> k & 1][r.guess >> k & 1] += 1 }
      let n = Double(valid.count)
      let po = Double(m[0][0] + m[1][1]) / n
      let pe =
        (Double(m[0][0] + m[0][1]) * Double(m[0][0] + m[1][0])
          + Double(m[1][0] + m[1][1]) * Double(m[0][1] + m[1][1])) / (n * n)
      traits.append((names[k], po, pe < 1 ? (po - pe) / (1 - pe) : 0, m))
    }
    self.traits = traits
    exactAccuracy = Double(hits(valid[...]).exact) / Double(valid.count)
    // The 16 codes sorted, and each one's place among them by its bits.
    let byBits = (0..<16).map { b in
      String(
        decoding: (0..<4).map { k in
          b >> k & 1 == 0 ? Self.letters[k].first : Self.letters[k].second
        },
        as: UTF8.self)
    }
    let codes = byBits.sorted()
    self.codes = codes
    let place = byBits.map { code in codes.firstIndex(of: code) ?? 0 }
    var confusion = Array(repeating: Array(repeating: 0, count: 16), count: 16)
    for r in valid { confusion[place[r.truth]][place[r.guess]] += 1 }
    self.confusion = confusion
    var deciles: [(Int, Int, Int64, Int64, Double, [Double])] = []
    for d in 0..<10 {
      let slice = valid[(valid.count * d / 10)..<(valid.count * (d + 1) / 10)]
      guard let first = slice.first, let last = slice.last else { continue }
      let (exact, traitHits) = hits(slice)
      let n = Double(slice.count)
      deciles.append(
        (
          d + 1, slice.count, first.streams, last.streams, Double(exact) / n,
          traitHits.map { Double($0) / n }
        ))
    }
    self.deciles = deciles
  }

  /// Each trait's two letters (ASCII): F/E, L/V, T/N, C/U.
  private static let letters: [(first: UInt8, second: UInt8)] = [
    (UInt8(ascii: "F"), UInt8(ascii: "E")), (UInt8(ascii: "L"), UInt8(ascii: "V")),
    (UInt8(ascii: "T"), UInt8(ascii: "N")), (UInt8(ascii: "C"), UInt8(ascii: "U")),
  ]

  /// A four-letter code as bits (bit k set: trait k's second letter); nil for anything else.
  static func bits(_ code: String) -> Int? {
    var code = code
    return code.withUTF8 { u -> Int? in
      guard u.count == 4 else { return nil }
      var bits = 0
      for k in 0..<4 {
        if u[k] == letters[k].second {
          bits |= 1 << k
        } else if u[k] != letters[k].first {
          return nil
        }
      }
      return bits
    }
  }

  /// `personality_eval.json`.
  public var json: String {
    func num(_ d: Double) -> JSONValue { .number((d * 1e6).rounded() / 1e6, integer: nil) }
    func int(_ i: Int) -> JSONValue { .number(Double(i), integer: Int64(i)) }
    let value: JSONValue = .object([
      ("listeners", int(listeners)),
      ("exact_accuracy", num(exactAccuracy)),
      (
        "traits",
        .array(
          traits.map { t in
            .object([
              ("trait", .string(t.name)), ("accuracy", num(t.accuracy)), ("kappa", num(t.kappa)),
              ("confusion_recorded_by_inferred", .array(t.confusion.map { .array($0.map(int)) })),
            ])
          })
      ),
      ("codes", .array(codes.map { .string($0) })),
      ("confusion_recorded_by_inferred", .array(confusion.map { .array($0.map(int)) })),
      (
        "by_activity_decile",
        .array(
          deciles.map { d in
            .object([
              ("decile", int(d.decile)), ("listeners", int(d.listeners)),
              ("min_streams", .number(Double(d.minStreams), integer: d.minStreams)),
              ("max_streams", .number(Double(d.maxStreams), integer: d.maxStreams)),
              ("exact_accuracy", num(d.exact)),
              ("trait_accuracy", .array(d.traitAccuracy.map(num))),
            ])
          })
      ),
    ])
    return value.description
  }
}
