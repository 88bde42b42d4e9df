/// How a ranking of accounts compares with a ground truth (`user_id,kind,detail`; kinds
/// starting `honest_` are honest extremes, the others anomalies): average precision, precision
/// at k = the number of true anomalies, recall per kind within that top k, and the honest
/// extremes that rank above the lowest-scored true anomaly.
public struct AnomalyEvaluation: Sendable {
  public var anomalies: Int
  public var averagePrecision: Double
  public var k: Int
  public var precisionAtK: Double
  /// Per kind (anomalous and honest): accounts, and how many are in the top k.
  public var perKind: [(kind: String, accounts: Int, inTopK: Int)]
  /// Honest extremes scored above the lowest-scored true anomaly.
  public var honestAboveLowestAnomaly: Int
  /// True anomalies the history has no event of (unscored).
  public var unscored: Int

  /// Compares `ranking` (sorted by score, best first) with `truth` (user id → kind).
  public init(ranking: [AnomalyDetector.Account], truth: [Int64: String]) {
    let isAnomaly: (String) -> Bool = { !$0.hasPrefix("honest_") }
    let positives = Set(truth.filter { isAnomaly($0.value) }.keys)
    anomalies = positives.count
    k = positives.count
    var hits = 0
    var precisionSum = 0.0
    var lowestAnomalyScore = Double.infinity
    for (i, a) in ranking.enumerated() where positives.contains(a.userID) {
      hits += 1
      precisionSum += Double(hits) / Double(i + 1)
      lowestAnomalyScore = min(lowestAnomalyScore, a.score)
    }
    averagePrecision = positives.isEmpty ? 0 : precisionSum / Double(positives.count)
    let top = ranking.prefix(k)
    precisionAtK =
      k == 0 ? 0 : Double(top.filter { positives.contains($0.userID) }.count) / Double(k)
    let topIDs = Set(top.map(\.userID))
    var kinds: [String: (Int, Int)] = [:]
    for (id, kind) in truth {
      var entry = kinds[kind] ?? (0, 0)
      entry.0 += 1
      if topIDs.contains(id) { entry.1 += 1 }
      kinds[kind] = entry
    }
    perKind = kinds.keys.sorted().map { ($0, kinds[$0]?.0 ?? 0, kinds[$0]?.1 ?? 0) }
    let scored = Set(ranking.map(\.userID))
    unscored = positives.filter { !scored.contains($0) }.count
    honestAboveLowestAnomaly =
      ranking.filter {
        (truth[$0.userID].map { !isAnomaly($0) } ?? false) && $0.score > lowestAnomalyScore
      }.count
  }

  /// A few lines for the terminal.
  public var text: String {
    var s =
      "average precision \(String(format3: averagePrecision)); precision at k=\(k): "
      + "\(String(format3: precisionAtK)); honest extremes above the lowest-scored anomaly: "
      + "\(honestAboveLowestAnomaly)\n"
    for p in perKind {
      let label = p.kind.hasPrefix("honest_") ? "false alarms" : "recall"
      s += "  \(p.kind): \(p.inTopK)/\(p.accounts) in the top \(k) (\(label))\n"
    }
    return s
  }
}

/// Reads a ground-truth CSV (`user_id,kind,detail`, RFC 4180 quoting) into user id → kind.
public enum GroundTruth {
  /// - Throws: `WrappedError.badTruthFile` naming the line and the problem.
  public static func parse(_ text: String, path: String) throws(WrappedError) -> [Int64: String] {
    var lines = text.split(omittingEmptySubsequences: true) { $0 == "\n" || $0 == "\r\n" }
      .makeIterator()
    guard let header = lines.next() else {
      throw .badTruthFile(path: path, reason: "it is empty")
    }
    guard header.hasPrefix("user_id,kind") else {
      throw .badTruthFile(path: path, reason: "its header is \"\(header.prefix(60))\"")
    }
    var truth: [Int64: String] = [:]
    var line = 1
    while let row = lines.next() {
      line += 1
      let fields = row.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count >= 2, let id = Int64(fields[0]) else {
        throw .badTruthFile(
          path: path, reason: "line \(line) does not start with a user id and a kind")
      }
      truth[id] = String(fields[1])
    }
    guard !truth.isEmpty else {
      throw .badTruthFile(path: path, reason: "it holds no account after the header")
    }
    return truth
  }
}
