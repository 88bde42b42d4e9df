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
  public init?(_ rows: [ListenerRow]) {
    let valid = rows.filter {
      !$0.personality.isEmpty && Self.isCode($0.recordedPersonality)
    }.sorted { ($0.streams, $0.userID) < ($1.streams, $1.userID) }
    guard !valid.isEmpty else { return nil }
    listeners = valid.count
    let names = ["F/E", "L/V", "T/N", "C/U"]
    let letters: [[Character]] = [["F", "E"], ["L", "V"], ["T", "N"], ["C", "U"]]
    func accuracy(_ rows: ArraySlice<ListenerRow>, trait k: Int) -> Double {
      guard !rows.isEmpty else { return 0 }
      let hits = rows.filter {
        Array($0.personality)[k] == Array($0.recordedPersonality)[k]
      }.count
      return Double(hits) / Double(rows.count)
    }
    var traits: [(String, Double, Double, [[Int]])] = []
    for k in 0..<4 {
      var m = [[0, 0], [0, 0]]  // [recorded][inferred]
      for r in valid {
        let truth = Array(r.recordedPersonality)[k] == letters[k][0] ? 0 : 1
        let guess = Array(r.personality)[k] == letters[k][0] ? 0 : 1
        m[truth][guess] += 1
      }
      let n = Double(valid.count)
      let po = Double(m[0][0] + m[1][1]) / n
      let pe =
        (Double(m[0][0] + m[0][1]) * Double(m[0][0] + m[1][0])
          + Double(m[1][0] + m[1][1]) * Double(m[0][1] + m[1][1])) / (n * n)
      traits.append((names[k], po, pe < 1 ? (po - pe) / (1 - pe) : 0, m))
    }
    self.traits = traits
    exactAccuracy =
      Double(valid.filter { $0.personality == $0.recordedPersonality }.count)
      / Double(valid.count)
    var codes: [String] = []
    for b in 0..<16 {
      var s = ""
      for k in 0..<4 { s.append(letters[k][(b >> k) & 1]) }
      codes.append(s)
    }
    codes.sort()
    self.codes = codes
    var confusion = Array(repeating: Array(repeating: 0, count: 16), count: 16)
    for r in valid {
      if let t = codes.firstIndex(of: r.recordedPersonality),
        let g = codes.firstIndex(of: r.personality)
      {
        confusion[t][g] += 1
      }
    }
    self.confusion = confusion
    var deciles: [(Int, Int, Int64, Int64, Double, [Double])] = []
    for d in 0..<10 {
      let slice = valid[(valid.count * d / 10)..<(valid.count * (d + 1) / 10)]
      guard let first = slice.first, let last = slice.last else { continue }
      deciles.append(
        (
          d + 1, slice.count, first.streams, last.streams,
          Double(slice.filter { $0.personality == $0.recordedPersonality }.count)
            / Double(slice.count), (0..<4).map { accuracy(slice, trait: $0) }
        ))
    }
    self.deciles = deciles
  }

  static func isCode(_ s: String) -> Bool {
    let c = Array(s)
    return c.count == 4 && "FE".contains(c[0]) && "LV".contains(c[1]) && "TN".contains(c[2])
      && "CU".contains(c[3])
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
