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

    /// Statistics with every field given.
    public init(
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
  /// With `salvage`, the damage that stopped the reading (nil: the whole file was read).
  public var damage: AvroReadError?

  /// Reads the whole file.
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
    if case .record = schema.underlying {
      Self.collect(schema, path: "", into: &leaves, visiting: &visiting)
    } else {
      leaves = [Leaf(path: "(value)", schema: schema)]
    }
    var records = 0
    do {
      while let value = try reader.next() {
        var index = 0
        visiting.removeAll(keepingCapacity: true)
        if case .record = schema.underlying {
          Self.observe(value, schema, leaves: &leaves, index: &index, visiting: &visiting)
        } else {
          leaves[0].add(value)
        }
        records += 1
      }
    } catch {
      guard salvage else { throw error }
      damage = error
    }
    self.records = records
    blocks = reader.blocksRead
    for i in leaves.indices { leaves[i].finish() }
    fields = leaves.map(\.statistics)
  }

  /// A leaf and its running statistics.
  struct Leaf {
    var statistics: FieldStatistics
    let timestampUnit: Int64?  // ms per unit for timestamps (1) and dates (86 400 000)
    let divisor: Int64  // micros → ms
    var intRange: (Int64, Int64)?
    var doubleRange: (Double, Double)?
    var stringRange: (String, String)?
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

    mutating func add(_ value: AvroValue) {
      switch value {
      case .null:
        statistics.nulls += 1
        return
      case .union(_, let inner):
        add(inner)
        return
      case .int(let v): addInteger(Int64(v), kind: 0)
      case .long(let v): addInteger(v, kind: 0)
      case .boolean(let b): addInteger(b ? 1 : 0, kind: 3)
      case .float(let v): addDouble(Double(v))
      case .double(let v): addDouble(v)
      case .string(let s): addString(s)
      case .enumeration(_, let symbol): addString(symbol)
      default: kinds |= 1 << 4
      }
      statistics.values += 1
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

    mutating func addString(_ s: String) {
      kinds |= 1 << 2
      if let (lo, hi) = stringRange {
        if s < lo { stringRange = (s, hi) } else if s > hi { stringRange = (lo, s) }
      } else {
        stringRange = (s, s)
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
        statistics.minimum = JSONValue.quoted(lo)
        statistics.maximum = JSONValue.quoted(hi)
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

  /// The leaves of a record schema, depth first (a record met again inside itself is a leaf).
  static func collect(
    _ schema: AvroSchema, path: String, into leaves: inout [Leaf], visiting: inout Set<String>
  ) {
    guard case .record(let r) = schema.underlying, !visiting.contains(r.name.fullName) else {
      leaves.append(Leaf(path: path, schema: schema))
      return
    }
    visiting.insert(r.name.fullName)
    for f in r.fields {
      collect(
        f.type, path: path.isEmpty ? f.name : path + "." + f.name, into: &leaves,
        visiting: &visiting)
    }
    visiting.remove(r.name.fullName)
  }

  /// Adds one value to the leaves, in `collect`'s order.
  static func observe(
    _ value: AvroValue, _ schema: AvroSchema, leaves: inout [Leaf], index: inout Int,
    visiting: inout Set<String>
  ) {
    guard case .record(let r) = schema.underlying, !visiting.contains(r.name.fullName) else {
      leaves[index].add(value)
      index += 1
      return
    }
    guard case .record(let values) = value, values.count == r.fields.count else {
      index += leafCount(schema, visiting: &visiting)
      return
    }
    visiting.insert(r.name.fullName)
    for (f, v) in zip(r.fields, values) {
      observe(v, f.type, leaves: &leaves, index: &index, visiting: &visiting)
    }
    visiting.remove(r.name.fullName)
  }

  private static func leafCount(_ schema: AvroSchema, visiting: inout Set<String>) -> Int {
    var leaves: [Leaf] = []
    collect(schema, path: "", into: &leaves, visiting: &visiting)
    return leaves.count
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
    if let damage { lines.append("salvage:        stopped at damage: \(damage.damage)") }
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
