import Events

/// `forecast anomalies` as a library call: one pass over a history (a file or a directory of
/// files), every account scored, optionally evaluated against a ground truth.
public struct AnomalyJob: Sendable {
  public var history: String
  public var salvage = false
  /// How a foreign schema's fields map onto the event model (`--map`).
  public var mapping = EventFieldMapping()
  /// A ground-truth CSV (`user_id,kind,detail`) to evaluate the ranking against.
  public var truthPath: String?
  /// Plausible event times (`--time-range`) and what to do with an event outside them.
  public var timeWindow = EventTimeWindow.standard
  public var outOfRange = OutOfRangeEvents.refuse

  public init(history: String) {
    self.history = history
  }

  public struct Result: Sendable {
    public var accounts: [AnomalyDetector.Account]
    public var evaluation: AnomalyEvaluation?
    public var eventsRead: Int64
    public var eventsSkipped: Int64
    public var notes: [String]
  }

  /// Reads the truth file first (so a bad one fails before the pass), then scores.
  ///
  /// - Throws: `WrappedError.badTruthFile`, `AvroReadError`.
  public func run(
    progress: ((_ file: Int, _ files: Int, _ bytes: Int, _ total: Int) -> Void)? = nil
  ) throws -> Result {
    var truth: [Int64: String]?
    if let truthPath {
      let text: String
      do {
        text = try TextFile.read(truthPath, limit: 64 << 20)
      } catch {
        throw WrappedError.badTruthFile(path: truthPath, reason: error.reason)
      }
      truth = try GroundTruth.parse(text, path: truthPath)
    }
    let files = try HistoryFiles.list(history)
    var detector = AnomalyDetector()
    detector.timeWindow = timeWindow
    var notes: [String] = []
    var damaged: DamagedEventsReport?
    for (k, path) in files.enumerated() {
      let reader = try EventFileReader(
        path: path,
        options: EventReadOptions(salvage: salvage, mapping: mapping, damagedEvents: outOfRange))
      try detector.add(file: reader) { bytes, total in progress?(k, files.count, bytes, total) }
      if let report = reader.salvageReport { notes.append("\(path): \(report)") }
      if let report = reader.damagedEventsReport {
        damaged = report
        notes.append("--out-of-range skip: \(path): \(report)")
      }
    }
    guard detector.eventsRead > 0 else {
      if let damaged {
        throw WrappedError.everyEventDamaged(path: history, report: "\(damaged)")
      }
      throw WrappedError.noEvents(path: history)
    }
    if let note = try WrappedError.outsideTimeWindow(
      path: history, count: detector.outsideTimeWindow, first: detector.firstOutsideTimeWindow,
      window: timeWindow, policy: outOfRange)
    {
      notes.append(note)
    }
    if detector.repeatedEvents > 0 {
      notes.append(
        "\(detector.repeatedEvents) event\(detector.repeatedEvents == 1 ? "" : "s") repeated "
          + "the account's previous event exactly (same start, end and song: a record "
          + "delivered twice) and \(detector.repeatedEvents == 1 ? "was" : "were") counted once")
    }
    let accounts = detector.scores()
    if let truth {
      // A truth file of another history scores every account as a miss: say so.
      let seen = Set(accounts.map(\.userID))
      let absent = truth.keys.filter { !seen.contains($0) }.sorted()
      if let first = absent.first {
        notes.append(
          "\(absent.count) of the \(truth.count) accounts of \(truthPath ?? "the truth file") "
            + "never appear in the history (the first is user \(first)); check that the file "
            + "belongs to this history")
      }
    }
    return Result(
      accounts: accounts, evaluation: truth.map { AnomalyEvaluation(ranking: accounts, truth: $0) },
      eventsRead: detector.eventsRead, eventsSkipped: detector.eventsSkipped, notes: notes)
  }
}
