import Events

/// `forecast wrapped` as a library call: reads a history (a file or a directory of files) in
/// one columnar pass, checks that it carries the fields each output needs, and renders every
/// table.
public struct WrappedJob: Sendable {
  public var history: String
  public var period: WrappedPeriod = .all
  public var top: Int = 10
  /// Write the outputs whose fields are present instead of refusing the run.
  public var skipMissing = false
  /// Keep the intact records of a damaged file (reported in the notes).
  public var salvage = false
  /// How a foreign schema's fields map onto the event model (`--map`).
  public var mapping = EventFieldMapping()
  /// Plausible event times (`--time-range`) and what to do with an event outside them.
  public var timeWindow = EventTimeWindow.standard
  public var outOfRange = OutOfRangeEvents.refuse

  public init(history: String) {
    self.history = history
  }

  /// Which outputs need which fields (paths of the toolkit's event schema).
  public static let requirements: [(output: String, fields: [String])] = [
    ("top_songs.csv", ["song_name", "artist"]),
    ("top_artists.csv", ["artist"]),
    ("top_genres.csv", ["genre"]),
    ("users.csv", ["song_name", "artist"]),
    ("artists.csv", ["artist", "continent", "user_location.country"]),
    ("artist_cities.csv", ["artist", "user_location.city"]),
  ]
  /// Place fields that the top lists' continent and country rows need.
  static let scopeFields: [(scope: WrappedScopeType, field: String)] = [
    (.continent, "continent"), (.country, "user_location.country"),
  ]

  /// What a run produced.
  public struct Result: Sendable {
    public var report: WrappedReport
    public var tables: WrappedTables
    /// Notes for the user (salvaged files, outputs skipped).
    public var notes: [String]
    public var evaluation: PersonalityEvaluation?
  }

  /// Runs the analyses.
  ///
  /// - Parameter progress: called with (file index, file count, bytes read, file size).
  /// - Throws: `AvroReadError` for an unreadable or damaged history, `WrappedError` for missing
  ///   fields (without `skipMissing`) or an empty period.
  /// - Returns: the report, its rendered tables, notes and the personality evaluation.
  public func run(
    progress: ((_ file: Int, _ files: Int, _ bytes: Int, _ total: Int) -> Void)? = nil
  ) throws -> Result {
    let files = try HistoryFiles.list(history)
    var accumulator = WrappedAccumulator(period: period, timeWindow: timeWindow)
    var present: Set<String>?
    var notes: [String] = []
    var damaged: DamagedEventsReport?
    for (k, path) in files.enumerated() {
      let reader = try EventFileReader(
        path: path,
        options: EventReadOptions(salvage: salvage, mapping: mapping, damagedEvents: outOfRange))
      present = present.map { $0.intersection(reader.fieldsPresent) } ?? reader.fieldsPresent
      try accumulator.add(file: reader) { bytes, total in progress?(k, files.count, bytes, total) }
      if let report = reader.salvageReport { notes.append("\(path): \(report)") }
      if let report = reader.damagedEventsReport {
        damaged = report
        notes.append("--out-of-range skip: \(path): \(report)")
      }
    }
    if let note = try WrappedError.outsideTimeWindow(
      path: history, count: accumulator.skipped.outsideTimeWindow,
      first: accumulator.firstOutsideTimeWindow, window: timeWindow, policy: outOfRange)
    {
      notes.append(note)
    }
    var missing = Set(
      (present.map { p in Self.allFields.filter { !p.contains($0) } } ?? []))
    // Fields present in the schema but empty in every event count as missing too.
    for (field, table) in [
      ("song_name", accumulator.songNames), ("artist", accumulator.artists),
      ("user_location.country", accumulator.countries), ("user_location.city", accumulator.cities),
    ] where accumulator.eventsCounted > 0 && table.strings.allSatisfy(\.isEmpty) {
      missing.insert(field)
    }
    if accumulator.eventsCounted > 0
      && accumulator.continents.strings.allSatisfy({ $0 == Continent.unknown.rawValue })
    {
      missing.insert("continent")
    }
    var skipped: [(name: String, reason: String)] = []
    var outputs = WrappedTables.knownNames
    var needing: [String] = []
    for (output, fields) in Self.requirements {
      let lacking = fields.filter { missing.contains($0) }
      if !lacking.isEmpty {
        outputs.remove(output)
        needing.append(output)
        skipped.append((output, "the history lacks " + lacking.joined(separator: ", ")))
      }
    }
    for (scope, field) in Self.scopeFields where missing.contains(field) {
      needing.append("the \(scope.rawValue) rows of top_*.csv")
      skipped.append(("\(scope.rawValue) rows of top_*.csv", "the history lacks \(field)"))
    }
    if !needing.isEmpty && !skipMissing {
      let fields = Self.allFields.filter { missing.contains($0) }
      throw WrappedError.missingFields(path: history, fields: fields, outputs: needing)
    }
    guard accumulator.eventsCounted > 0 else {
      if accumulator.eventsRead == 0, let damaged {
        throw WrappedError.everyEventDamaged(path: history, report: "\(damaged)")
      }
      throw WrappedError.emptyPeriod(path: history, read: accumulator.eventsRead)
    }
    var report = accumulator.report(top: top)
    for (scope, field) in Self.scopeFields where missing.contains(field) {
      report.topSongs.removeAll { $0.scopeType == scope }
      report.topArtists.removeAll { $0.scopeType == scope }
      report.topGenres.removeAll { $0.scopeType == scope }
    }
    for s in skipped { notes.append("skipped \(s.name): \(s.reason)") }
    var provenance = WrappedTables.Provenance(sources: files, period: period, top: top)
    provenance.skippedOutputs = skipped
    let evaluation = PersonalityEvaluation(report.listeners)
    let tables = WrappedTables(
      report, provenance: provenance, outputs: outputs, evaluation: evaluation)
    return Result(report: report, tables: tables, notes: notes, evaluation: evaluation)
  }

  static let allFields = [
    "song_name", "artist", "genre", "continent", "user_location.country", "user_location.city",
  ]
}
