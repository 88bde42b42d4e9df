import Plumbing

/// What `forecast inspect` shows about any Avro object container file, whatever its schema:
/// the schema, codec, blocks and records, and per primitive field (top-level or inside
/// records) the values seen, the nulls, and the minimum and maximum (numbers, booleans,
/// strings and enum symbols; timestamps also as ISO 8601). One pass, constant memory.
public struct AvroFileSummary: Sendable {
  /// One leaf field of the writer's schema and what its values were.
  public struct FieldStatistics: Sendable, Equatable {
    /// The field's path: `user_id`, `listening_time.start_time`; `(value)` when the file's
    /// values are not records.
    public var path: String
    /// Its type as the schema writes it (`long`, `["null", "string"]`, `music.Interaction`).
    public var type: String
    /// Values that were not null.
    public var values = 0
    /// Null values (a null type, or the null branch of a union).
    public var nulls = 0
    /// The smallest value seen, as text; nil when there is none or the kind has no order here
    /// (bytes, fixed, arrays, maps, or values of several kinds).
    public var minimum: String?
    /// The largest value seen (see `minimum`).
    public var maximum: String?

    /// Statistics with every field given (for tests).
    package init(
      path: String, type: String, values: Int = 0, nulls: Int = 0, minimum: String? = nil,
      maximum: String? = nil
    ) {
      self.path = path
      self.type = type
      self.values = values
      self.nulls = nulls
      self.minimum = minimum
      self.maximum = maximum
    }
  }

  /// The file.
  public var path: String
  /// The writer's schema full name (`music.ListeningHistory`), or its type name.
  public var schemaName: String
  /// The writer's schema as JSON text.
  public var schemaJSON: String
  /// The codec.
  public var codec: AvroCodec
  /// Records read.
  public var records: Int
  /// Blocks read.
  public var blocks: Int
  /// The leaf fields in schema order.
  public var fields: [FieldStatistics]
  /// With `salvage`, the first damage (nil: the whole file was read).
  public var damage: AvroReadError?
  /// With `salvage`, the blocks dropped: each damaged one (reading resumes after it, at the
  /// next sync marker) and the rest of the file after damage that ends it.
  public var blocksDropped = 0

  /// Reads the whole file, decoding each field straight into its statistics (no values are
  /// built).
  ///
  /// - Parameters:
  ///   - path: the file.
  ///   - salvage: stop at the first damage and describe what was read before it, instead of
  ///     throwing.
  /// - Throws: `AvroReadError` for a file that is not Avro, a damaged header, or (without
  ///   `salvage`) damaged blocks.
  public init(path: String, salvage: Bool = false) throws(AvroReadError) {
    let reader = try AvroFileReader(path: path)
    let schema = reader.writerSchema
    self.path = path
    schemaName = schema.fullName ?? schema.typeName
    schemaJSON = schema.description
    codec = reader.codec
    var leaves: [Leaf] = []
    var visiting = Set<String>()
    var isRecord = false
    if case .record = schema.underlying { isRecord = true }
    let walk = Self.compile(
      schema, path: isRecord ? "" : "(value)", into: &leaves, visiting: &visiting)
    var records = 0
    var damage: AvroReadError?
    var dropped = 0
    var skippedIndices = 0
    let damaged: (AvroReadError, Int, Bool) -> Void = { error, blocks, ends in
      damage = damage ?? error
      dropped += blocks
      if !ends { skippedIndices += blocks }
    }
    do {
      try reader.forEachRecordBlock(damaged: salvage ? damaged : nil) {
        (c: inout AvroCursor, count: Int, block: Int) throws(AvroReadError) in
        for record in 0..<count {
          do throws(AvroDecodeFailure) {
            try Self.decode(walk, &c, leaves: &leaves)
          } catch {
            throw .corruptRecord(path: path, block: block, record: record, reason: error.reason)
          }
          records += 1
        }
      }
    }
    self.damage = damage
    blocksDropped = dropped
    self.records = records
    blocks = reader.blocksRead - skippedIndices
    for i in leaves.indices { leaves[i].finish() }
    fields = leaves.map(\.statistics)
  }

  /// How one leaf's values are encoded.
  indirect enum LeafCoding {
    case null
    case boolean
    case integer  // int or long: a zigzag varint
    case float
    case double
    case string
    case enumeration(symbols: [[UInt8]])
    case union([LeafCoding])
    /// Anything else (bytes, fixed, arrays, maps, a record inside a union, a recursive record):
    /// skipped, counted as a value without an order.
    case skipped(AvroSchema)

    init(_ schema: AvroSchema) {
      switch schema.underlying {
      case .null: self = .null
      case .boolean: self = .boolean
      case .int, .long: self = .integer
      case .float: self = .float
      case .double: self = .double
      case .string: self = .string
      case .enumeration(let e): self = .enumeration(symbols: e.symbols.map { Array($0.utf8) })
      case .union(let branches): self = .union(branches.map(LeafCoding.init))
      default: self = .skipped(schema)
      }
    }
  }

  /// How a record's leaves are reached: a leaf (its index and coding), or a record's fields in
  /// order.
  indirect enum Walk {
    case leaf(Int, LeafCoding)
    case record([Walk])
  }

  /// The leaves of a schema, depth first through records (a record met again inside itself is
  /// a leaf), and the walk that decodes them.
  static func compile(
    _ schema: AvroSchema, path: String, into leaves: inout [Leaf], visiting: inout Set<String>
  ) -> Walk {
    guard case .record(let r) = schema.underlying, !visiting.contains(r.name.fullName) else {
      leaves.append(Leaf(path: path, schema: schema))
      return .leaf(leaves.count - 1, LeafCoding(schema))
    }
    visiting.insert(r.name.fullName)
    defer { visiting.remove(r.name.fullName) }
    return .record(
      r.fields.map {
        compile(
          $0.type, path: path.isEmpty ? $0.name : path + "." + $0.name, into: &leaves,
          visiting: &visiting)
      })
  }

  /// Decodes one value along `walk` into the leaves' statistics.
  static func decode(_ walk: Walk, _ c: inout AvroCursor, leaves: inout [Leaf])
    throws(AvroDecodeFailure)
  {
    switch walk {
    case .leaf(let i, let coding):
      try decode(coding, &c, into: &leaves[i])
    case .record(let fields):
      for field in fields { try decode(field, &c, leaves: &leaves) }
    }
  }

  private static func decode(_ coding: LeafCoding, _ c: inout AvroCursor, into leaf: inout Leaf)
    throws(AvroDecodeFailure)
  {
    switch coding {
    case .null:
      leaf.statistics.nulls += 1
      return
    case .boolean: leaf.addInteger(try c.readBoolean() ? 1 : 0, kind: 3)
    case .integer: leaf.addInteger(try c.readLong(), kind: 0)
    case .float: leaf.addDouble(Double(try c.readFloat()))
    case .double: leaf.addDouble(try c.readDouble())
    case .string: leaf.addString(try c.readBytesSpan())
    case .enumeration(let symbols):
      let index = try c.readLong()
      guard index >= 0 && index < Int64(symbols.count) else {
        throw .enumIndex(index, symbols: symbols.count)
      }
      symbols[Int(index)].withUnsafeBufferPointer { leaf.addString($0) }
    case .union(let branches):
      let index = try c.readLong()
      guard index >= 0 && index < Int64(branches.count) else {
        throw .unionIndex(index, branches: branches.count)
      }
      try decode(branches[Int(index)], &c, into: &leaf)
      return
    case .skipped(let schema):
      try skipValue(schema, &c)
      leaf.kinds |= 1 << 4
    }
    leaf.statistics.values += 1
  }

  /// A leaf and its running statistics.
  struct Leaf {
    var statistics: FieldStatistics
    let timestampUnit: Int64?  // ms per unit for timestamps (1) and dates (86 400 000)
    let divisor: Int64  // micros → ms
    var intRange: (Int64, Int64)?
    var doubleRange: (Double, Double)?
    var stringRange: ([UInt8], [UInt8])?
    var kinds = 0  // bit 0 integer, 1 double, 2 string, 3 boolean, 4 other

    init(path: String, schema: AvroSchema) {
      statistics = FieldStatistics(path: path, type: Leaf.typeText(schema))
      var unit: Int64?
      var divisor: Int64 = 1
      var s = schema
      if case .union(let branches) = schema, branches.count == 2,
        let other = branches.first(where: { if case .null = $0 { false } else { true } })
      {
        s = other
      }
      if case .logical(let logical, _) = s {
        switch logical {
        case .timestampMillis, .localTimestampMillis: unit = 1
        case .timestampMicros, .localTimestampMicros:
          unit = 1
          divisor = 1000
        case .date: unit = 86_400_000
        default: break
        }
      }
      timestampUnit = unit
      self.divisor = divisor
    }

    static func typeText(_ schema: AvroSchema) -> String {
      if case .union(let branches) = schema {
        return "[" + branches.map { "\"\(typeText($0))\"" }.joined(separator: ", ") + "]"
      }
      return schema.typeName
    }

    mutating func addInteger(_ v: Int64, kind: Int) {
      kinds |= 1 << kind
      if let (lo, hi) = intRange { intRange = (min(lo, v), max(hi, v)) } else { intRange = (v, v) }
    }

    mutating func addDouble(_ v: Double) {
      kinds |= 1 << 1
      guard !v.isNaN else { return }
      if let (lo, hi) = doubleRange {
        doubleRange = (min(lo, v), max(hi, v))
      } else {
        doubleRange = (v, v)
      }
    }

    /// A string as UTF-8 bytes: byte order is code-point order.
    mutating func addString(_ s: UnsafeBufferPointer<UInt8>) {
      kinds |= 1 << 2
      guard let (lo, hi) = stringRange else {
        stringRange = (Array(s), Array(s))
        return
      }
      if s.lexicographicallyPrecedes(lo) {
        stringRange = (Array(s), hi)
      } else if hi.lexicographicallyPrecedes(s) {
        stringRange = (lo, Array(s))
      }
    }

    /// The minimum and maximum as text, once reading is done.
    mutating func finish() {
      switch kinds {
      case 1 << 0:
        guard let (lo, hi) = intRange else { return }
        statistics.minimum = integerText(lo)
        statistics.maximum = integerText(hi)
      case 1 << 3:
        guard let (lo, hi) = intRange else { return }
        statistics.minimum = lo == 1 ? "true" : "false"
        statistics.maximum = hi == 1 ? "true" : "false"
      case 1 << 1:
        guard let (lo, hi) = doubleRange else { return }
        statistics.minimum = "\(lo)"
        statistics.maximum = "\(hi)"
      case 1 << 2:
        guard let (lo, hi) = stringRange else { return }
        statistics.minimum = JSONValue.quoted(String(decoding: lo, as: UTF8.self))
        statistics.maximum = JSONValue.quoted(String(decoding: hi, as: UTF8.self))
      default: break
      }
    }

    func integerText(_ v: Int64) -> String {
      guard let unit = timestampUnit else { return String(v) }
      let (ms, overflow) = (v / divisor).multipliedReportingOverflow(by: unit)
      guard !overflow else { return String(v) }
      return "\(v) (\(Timestamp.format(milliseconds: ms)))"
    }
  }

  /// The summary for people.
  public var text: String {
    var lines: [String] = []
    lines.append("file:           \(path)")
    lines.append("schema:         \(schemaName)")
    lines.append("codec:          \(codec.rawValue)")
    lines.append("records:        \(records)")
    lines.append("blocks:         \(blocks)")
    lines += fieldLines
    if let damage {
      lines.append(
        "salvage:        dropped \(blocksDropped) block\(blocksDropped == 1 ? "" : "s"), "
          + "reading on at the next sync marker after damage; the first: \(damage.damage)")
    }
    return lines.joined(separator: "\n")
  }

  /// `fields:` and one line per leaf: path, type, values, nulls, minimum … maximum.
  var fieldLines: [String] {
    var lines = ["fields (values, nulls, minimum … maximum):"]
    for f in fields {
      var line = "  \(f.path): \(f.type)  \(f.values) values, \(f.nulls) nulls"
      if let lo = f.minimum, let hi = f.maximum { line += ", \(lo) … \(hi)" }
      lines.append(line)
    }
    return lines
  }

  /// The `fields` array of the JSON summary.
  var fieldsJSON: JSONValue {
    .array(
      fields.map { f in
        var members: [(key: String, value: JSONValue)] = [
          ("path", .string(f.path)), ("type", .string(f.type)),
          ("values", .integer(f.values)), ("nulls", .integer(f.nulls)),
        ]
        members.append(("min", f.minimum.map { .string($0) } ?? .null))
        members.append(("max", f.maximum.map { .string($0) } ?? .null))
        return .object(members)
      })
  }

  /// The JSON members: `file`, `records`, `blocks`, `codec`, `schema` (`name`, `json`: the
  /// schema itself), `fields`, and `damage` with salvage.
  var jsonMembers: [(key: String, value: JSONValue)] {
    var members: [(key: String, value: JSONValue)] = [
      ("file", .string(path)), ("records", .integer(records)), ("blocks", .integer(blocks)),
      ("codec", .string(codec.rawValue)),
      (
        "schema",
        .object([
          ("name", .string(schemaName)),
          ("json", (try? JSONValue.parse(schemaJSON)) ?? .string(schemaJSON)),
        ])
      ),
      ("fields", fieldsJSON),
    ]
    if let damage { members.append(("damage", .string(damage.damage))) }
    return members
  }

  /// The summary for machines (see `jsonMembers`).
  public var json: String { JSONValue.object(jsonMembers).description }
}
