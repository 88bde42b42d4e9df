import Plumbing

/// What `forecast inspect` shows about an event file: schema, codec, counts, time range,
/// distinct users and events per interaction, computed in one columnar pass.
public struct EventFileSummary: Sendable {
  /// One field of the writer's schema.
  public struct Field: Sendable, Equatable {
    /// The field name.
    public var name: String
    /// Its type (`long`, `music.Location`, …).
    public var type: String

    /// A field summary.
    public init(name: String, type: String) {
      self.name = name
      self.type = type
    }
  }

  /// The file.
  public var path: String
  /// The writer's record full name (`music.ListeningHistory`, …).
  public var schemaName: String
  /// The writer's top-level fields.
  public var fields: [Field]
  /// The codec.
  public var codec: AvroCodec
  /// Records read.
  public var records: Int
  /// Blocks read.
  public var blocks: Int
  /// Earliest start (Unix epoch ms), nil for an empty file.
  public var firstStart: Int64?
  /// Latest end (Unix epoch ms), nil for an empty file.
  public var lastEnd: Int64?
  /// Distinct user ids.
  public var distinctUsers: Int
  /// Events per interaction as written (`played`, …), most frequent first.
  public var interactions: [(name: String, count: Int)]
  /// What `salvage` kept and dropped, if the file is damaged and salvage was asked for.
  public var salvage: SalvageReport?
  /// The records left out of the event summary for a value the toolkit cannot use (a null
  /// where every event needs a value, a union branch the field cannot hold), when
  /// `options.damagedEvents` is `.skip`; the commands that need events refuse them by default.
  public var damaged: DamagedEventsReport?

  /// Reads the whole file (constant memory but for the set of user ids).
  ///
  /// - Throws: `AvroReadError` (no summary of a damaged file unless `options.salvage`).
  public init(path: String, options: EventReadOptions = .init()) throws {
    let reader = try EventFileReader(path: path, options: options)
    self.path = path
    codec = reader.codec
    let schema = reader.writerSchema
    schemaName = schema.fullName ?? schema.typeName
    if case .record(let r) = schema.underlying {
      fields = r.fields.map { Field(name: $0.name, type: $0.type.typeName) }
    } else {
      fields = []
    }
    var records = 0
    var blocks = 0
    var first = Int64.max
    var last = Int64.min
    var users = Set<Int64>()
    var counts: [Int32: Int] = [:]
    var names: [String] = []
    try reader.forEachBatch { batch in
      records += batch.count
      blocks += 1
      for v in batch.startTime where v < first { first = v }
      for v in batch.endTime where v > last { last = v }
      for u in batch.userID { users.insert(u) }
      for i in batch.interaction.indices { counts[i, default: 0] += 1 }
      names = batch.interaction.values
    }
    damaged = reader.damagedEventsReport
    self.records = records + (damaged?.count ?? 0)
    self.blocks = blocks
    firstStart = records > 0 ? first : nil
    lastEnd = records > 0 ? last : nil
    distinctUsers = users.count
    interactions = counts.map { (names[Int($0.key)], $0.value) }
      .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    salvage = reader.salvageReport
  }

  /// The summary for people.
  public var text: String {
    var lines: [String] = []
    lines.append("file:           \(path)")
    lines.append("schema:         \(schemaName)")
    for f in fields { lines.append("  \(f.name): \(f.type)") }
    lines.append("codec:          \(codec.rawValue)")
    lines.append("records:        \(records)")
    lines.append("blocks:         \(blocks)")
    if let firstStart, let lastEnd {
      lines.append("time range:     \(isoTimestamp(firstStart)) … \(isoTimestamp(lastEnd))")
    } else {
      lines.append("time range:     (no events)")
    }
    lines.append("distinct users: \(distinctUsers)")
    lines.append("interactions:")
    for (name, count) in interactions {
      lines.append("  \(name.isEmpty ? "\"\"" : name): \(count)")
    }
    if let salvage {
      lines.append(
        "salvage:        kept \(salvage.recordsKept) records in \(salvage.blocksKept) blocks, "
          + "dropped \(salvage.blocksDropped) blocks: \(salvage.error.damage)")
    }
    if let damaged {
      lines.append(
        "unusable:       \(damaged.count) record\(damaged.count == 1 ? "" : "s") left out of the "
          + "summary above (the first is record \(damaged.firstRecord): \(damaged.flaw.problem)); "
          + "\(damaged.flaw.fix). Commands that need events refuse them, or leave them out with "
          + "--out-of-range skip.")
    }
    return lines.joined(separator: "\n")
  }

  /// The summary for machines: `records`, `blocks`, `codec`, `schema` (name and fields),
  /// `time_range` (ms and ISO-8601), `distinct_users`, `interactions`, `salvage`.
  public var json: String { JSONValue.object(jsonMembers).description }

  /// The members of `json`.
  var jsonMembers: [(key: String, value: JSONValue)] {
    func int(_ v: Int) -> JSONValue { .integer(v) }
    var members: [(key: String, value: JSONValue)] = [
      ("file", .string(path)), ("records", int(records)), ("blocks", int(blocks)),
      ("codec", .string(codec.rawValue)),
      (
        "schema",
        .object([
          ("name", .string(schemaName)),
          (
            "fields",
            .array(
              fields.map { .object([("name", .string($0.name)), ("type", .string($0.type))]) })
          ),
        ])
      ),
    ]
    if let firstStart, let lastEnd {
      members.append(
        (
          "time_range",
          .object([
            ("first_start_ms", .number(Double(firstStart), integer: firstStart)),
            ("last_end_ms", .number(Double(lastEnd), integer: lastEnd)),
            ("first_start", .string(isoTimestamp(firstStart))),
            ("last_end", .string(isoTimestamp(lastEnd))),
          ])
        ))
    } else {
      members.append(("time_range", .null))
    }
    members.append(("distinct_users", int(distinctUsers)))
    members.append(("interactions", .object(interactions.map { ($0.name, int($0.count)) })))
    if let salvage {
      members.append(
        (
          "salvage",
          .object([
            ("records_kept", int(salvage.recordsKept)), ("blocks_kept", int(salvage.blocksKept)),
            ("blocks_dropped", int(salvage.blocksDropped)),
            ("error", .string(salvage.error.damage)),
          ])
        ))
    }
    if let damaged {
      members.append(
        (
          "unusable",
          .object([
            ("records", int(damaged.count)), ("first_record", int(damaged.firstRecord)),
            ("field", .string(damaged.flaw.field)), ("found", .string(damaged.flaw.found)),
            ("problem", .string(damaged.flaw.problem)),
          ])
        ))
    }
    return members
  }
}

/// `2024-01-01T00:00:00.000Z` for Unix epoch milliseconds: `Timestamp.format(milliseconds:)`.
public func isoTimestamp(_ milliseconds: Int64) -> String {
  Timestamp.format(milliseconds: milliseconds)
}
