/// The decoding program for one file's events: the writer's schema resolved against the
/// toolkit's (once per file), flattened into a list of operations that write each value into a
/// numbered slot. Decoding a record runs the list; nothing is looked up by name per record.
///
/// Slots: 6 integers, 4 floats, 10 strings (ids in per-column dictionaries), as `EventSlot`.
enum EventSlot {
  // Integer slots.
  static let userID = 0
  static let startTime = 1
  static let endTime = 2
  static let year = 3
  static let popularity = 4
  static let lengthSeconds = 5
  static let intCount = 6
  // Float slots.
  static let latitude = 0
  static let longitude = 1
  static let danceability = 2
  static let energy = 3
  static let floatCount = 4
  // String slots.
  static let country = 0
  static let city = 1
  static let timezone = 2
  static let continent = 3
  static let subscription = 4
  static let interaction = 5
  static let songName = 6
  static let artist = 7
  static let genre = 8
  static let personality = 9
  static let stringCount = 10

  enum Target {
    case int(Int)
    case float(Int)
    case string(Int)
  }

  /// The fields no event can do without, whose default (0) would be a made-up user or time:
  /// a null there is damage (`EventFlaw`). Other fields keep their default for a null (an
  /// empty genre, interaction `other`, …), as when the writer lacks them.
  static let needed: Set<String> = [
    "user_id", "listening_time", "listening_time.start_time", "listening_time.end_time",
  ]

  /// Reader (toolkit schema) field paths to slots.
  static let targets: [String: Target] = [
    "user_id": .int(userID),
    "user_location.latitude": .float(latitude),
    "user_location.longitude": .float(longitude),
    "user_location.country": .string(country),
    "user_location.city": .string(city),
    "user_location.timezone": .string(timezone),
    "interaction": .string(interaction),
    "song_name": .string(songName),
    "artist": .string(artist),
    "genre": .string(genre),
    "year": .int(year),
    "popularity": .int(popularity),
    "danceability": .float(danceability),
    "energy": .float(energy),
    "length_seconds": .int(lengthSeconds),
    "listening_time.start_time": .int(startTime),
    "listening_time.end_time": .int(endTime),
    "personality": .string(personality),
    "continent": .string(continent),
    "subscription": .string(subscription),
  ]
}

enum EventOp {
  /// A varint into an integer slot, divided by `divisor` (1, or 1000 for microseconds).
  case long(Int, divisor: Int64)
  /// A varint into a float slot.
  case longToFloat(Int)
  /// A double into a float slot (coordinates other tools write as doubles).
  case doubleToFloat(Int)
  case float(Int)
  case string(Int)
  /// An enum index; the symbol (per writer index; nil: unreadable) into a string slot.
  case enumSymbol(Int, symbols: [[UInt8]?], names: [String])
  case skipVarint
  case skipBytes(Int)
  case skipString
  case skipValue(AvroSchema)
  /// A writer union: per branch, its program.
  case union([[EventOp]], names: [String])
  /// A union branch the toolkit cannot use (a null in a field every event needs, or a type
  /// the field cannot hold): the record is damaged (`EventFlaw`); the branch's value follows
  /// as skip operations.
  case flaw(EventFlaw)
  /// Remembers the read position (mark `n`), to read one writer value into two fields.
  case mark(Int)
  /// Goes back to mark `n`.
  case rewind(Int)
}

/// An operation as the decoder runs it: plain data, no reference counting in the loop.
/// `argument` is the divisor (`long`), the byte count (`skipBytes`), or an index into the
/// program's side tables (`enumSymbol`, `skipValue`, `union`, `flaw`); for `union`, `slot` is
/// the branch count and `argument` the first of its branch ranges.
struct FlatOp {
  enum Kind: UInt8 {
    case long
    case longToFloat
    case doubleToFloat
    case float
    case string
    case enumSymbol
    case skipVarint
    case skipBytes
    case skipString
    case skipValue
    case union
    case flaw
    case mark
    case rewind
  }
  var kind: Kind
  var slot: Int32
  var argument: Int64
}

/// The compiled program and the defaults every record starts from.
struct EventProgram {
  var ops: [EventOp] = []
  /// `ops` flattened: the record's program in `flat[0..<mainCount]`, union branches after it.
  var flat: [FlatOp] = []
  var mainCount = 0
  /// Union branch programs: ranges of `flat`.
  var branchRanges: [Range<Int>] = []
  var enumSymbols: [[[UInt8]?]] = []
  var enumNames: [[String]] = []
  var skipSchemas: [AvroSchema] = []
  /// The flaws `.flaw` operations record, by index.
  var flaws: [EventFlaw] = []
  /// Read positions `.mark` operations remember (one per value read twice).
  var markCount = 0
  var intDefaults = [Int64](repeating: 0, count: EventSlot.intCount)
  var floatDefaults = [Float](repeating: 0, count: EventSlot.floatCount)
  var stringDefaults = [String](repeating: "", count: EventSlot.stringCount)
  /// The fewest bytes a writer's record takes (bounds declared record counts).
  var minimumRecordSize = 0
  /// The toolkit fields (paths such as `user_location.city`) that the writer's schema carries.
  var present: Set<String> = []
  /// The end-time slot holds a duration: the end is start + it (`EventFieldMapping`).
  var endIsDuration = false

  /// Compiles the program for data written with `writer`. `wanted` limits the slots filled
  /// (the columnar reader skips what it does not deliver).
  ///
  /// - Throws: `AvroReadError.missingFields` (with the writer's fields) or `.incompatibleSchema`.
  init(
    writer: AvroSchema, path: String, wanted: Set<String>? = nil,
    mapping: EventFieldMapping = EventFieldMapping()
  ) throws(AvroReadError) {
    var resolver = AvroResolver(
      options: AvroResolutionOptions(
        ignoreTopLevelName: true, flattenNestedRecords: true, enumAsString: true,
        doubleAsFloat: true,
        aliasOnly: Set(mapping.fields.keys.map { "forecast.ListeningEvent." + $0 })))
    let node: ResolvedNode
    let reader = mapping.readerSchema(writer: writer)
    // A mapped field the file does not have, named as mapped (before resolution, which would
    // only see the toolkit field without a source).
    let absent = mapping.absentSources(in: writer)
    if !absent.isEmpty {
      throw .missingFields(path: path, fields: absent, found: EventProgram.fieldList(writer))
    }
    do {
      node = try resolver.resolve(writer: writer, reader: reader)
    } catch {
      switch error {
      case .missingFields(let fields):
        throw .missingFields(
          path: path, fields: fields.map { EventProgram.shortPath($0) },
          found: EventProgram.fieldList(writer))
      case .typeMismatch(let found, let needed, let at)
      where EventSlot.targets[EventProgram.shortPath(at)] != nil:
        // A toolkit field the file holds with a type it cannot read: name both and the fix.
        let field = EventProgram.shortPath(at)
        throw .fieldTypeMismatch(
          path: path, field: field,
          fileField: EventProgram.fileField(for: field, writer: writer, mapping: mapping),
          found: found, needed: needed)
      default:
        throw .incompatibleSchema(path: path, error)
      }
    }
    minimumRecordSize = minimumEncodedSize(writer)
    guard case .record(let plan) = node else {
      throw .incompatibleSchema(
        path: path, .typeMismatch(writer: writer.typeName, reader: "record", at: "schema"))
    }
    endIsDuration = mapping.endFromDuration != nil
    var compiler = Compiler(wanted: wanted)
    ops = compiler.compileRecord(plan, prefix: "", writerPrefix: "")
    present = compiler.present
    markCount = compiler.markCount
    applyDefaults(plan.template, reader: plan.reader, prefix: "")
    var extra: [FlatOp] = []
    var ranges: [Range<Int>] = []
    let main = flatten(ops, extra: &extra, ranges: &ranges)
    mainCount = main.count
    flat = main + extra
    branchRanges = ranges.map { ($0.lowerBound + main.count)..<($0.upperBound + main.count) }
  }

  /// Flattens `ops`; union branches go to `extra` (their ranges, relative to `extra`, to
  /// `ranges`, each union's branches contiguous).
  private mutating func flatten(
    _ ops: [EventOp], extra: inout [FlatOp], ranges: inout [Range<Int>]
  ) -> [FlatOp] {
    var out: [FlatOp] = []
    for op in ops {
      switch op {
      case .long(let slot, let divisor):
        out.append(FlatOp(kind: .long, slot: Int32(slot), argument: divisor))
      case .longToFloat(let slot):
        out.append(FlatOp(kind: .longToFloat, slot: Int32(slot), argument: 0))
      case .doubleToFloat(let slot):
        out.append(FlatOp(kind: .doubleToFloat, slot: Int32(slot), argument: 0))
      case .float(let slot): out.append(FlatOp(kind: .float, slot: Int32(slot), argument: 0))
      case .string(let slot): out.append(FlatOp(kind: .string, slot: Int32(slot), argument: 0))
      case .enumSymbol(let slot, let symbols, let names):
        out.append(FlatOp(kind: .enumSymbol, slot: Int32(slot), argument: Int64(enumSymbols.count)))
        enumSymbols.append(symbols)
        enumNames.append(names)
      case .skipVarint: out.append(FlatOp(kind: .skipVarint, slot: 0, argument: 0))
      case .skipBytes(let n): out.append(FlatOp(kind: .skipBytes, slot: 0, argument: Int64(n)))
      case .skipString: out.append(FlatOp(kind: .skipString, slot: 0, argument: 0))
      case .skipValue(let schema):
        out.append(FlatOp(kind: .skipValue, slot: 0, argument: Int64(skipSchemas.count)))
        skipSchemas.append(schema)
      case .union(let programs, _):
        let branches = programs.map { flatten($0, extra: &extra, ranges: &ranges) }
        var own: [Range<Int>] = []
        for branch in branches {
          own.append(extra.count..<(extra.count + branch.count))
          extra += branch
        }
        out.append(FlatOp(kind: .union, slot: Int32(branches.count), argument: Int64(ranges.count)))
        ranges += own
      case .flaw(let flaw):
        out.append(FlatOp(kind: .flaw, slot: 0, argument: Int64(flaws.count)))
        flaws.append(flaw)
      case .mark(let n): out.append(FlatOp(kind: .mark, slot: 0, argument: Int64(n)))
      case .rewind(let n): out.append(FlatOp(kind: .rewind, slot: 0, argument: Int64(n)))
      }
    }
    return out
  }

  /// The writer's fields as `name: type`, nested records' fields as `record.name: type`.
  static func fieldList(_ schema: AvroSchema) -> [String] {
    guard case .record(let r) = schema.underlying else { return [] }
    var out: [String] = []
    for f in r.fields {
      if case .record(let sub) = f.type.underlying {
        out += sub.fields.map { "\(f.name).\($0.name): \($0.type.typeName)" }
      } else {
        out.append("\(f.name): \(f.type.typeName)")
      }
    }
    return out
  }

  /// The file's field a toolkit field is read from (`uid` for `user_id` mapped to it,
  /// `listening_time.startTime` for an alias), for messages; the toolkit's path when not found.
  static func fileField(
    for field: String, writer: AvroSchema, mapping: EventFieldMapping
  ) -> String {
    if let source = mapping.fields[field] { return source }
    guard case .record(var w) = writer.underlying,
      case .record(var r) = EventSchema.toolkitSchema.underlying
    else { return field }
    let parts = field.split(separator: ".").map(String.init)
    var path: [String] = []
    for (k, part) in parts.enumerated() {
      guard let rf = r.fields.first(where: { $0.name == part }) else { return field }
      let toolkitPath = parts[0...k].joined(separator: ".")
      let names = mapping.fields[toolkitPath].map { [$0] } ?? [rf.name] + rf.aliases
      guard let wf = names.lazy.compactMap({ n in w.fields.first { $0.name == n } }).first else {
        // A flattened record: its field is among the writer's own.
        guard k + 1 < parts.count, case .record(let rs) = rf.type.underlying,
          let sf = rs.fields.first(where: { $0.name == parts[k + 1] })
        else { return field }
        let own = mapping.fields[field].map { [$0] } ?? [sf.name] + sf.aliases
        return own.first { n in w.fields.contains { $0.name == n } } ?? field
      }
      path.append(wf.name)
      if k + 1 < parts.count {
        guard case .record(let ws) = wf.type.underlying, case .record(let rs) = rf.type.underlying
        else { return path.joined(separator: ".") }
        (w, r) = (ws, rs)
      }
    }
    return path.joined(separator: ".")
  }

  /// `forecast.ListeningEvent.listening_time.start_time` → `listening_time.start_time`.
  static func shortPath(_ path: String) -> String {
    let prefix = "forecast.ListeningEvent."
    return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
  }

  private mutating func applyDefaults(
    _ values: [AvroValue], reader: AvroRecordSchema, prefix: String
  ) {
    for (field, value) in zip(reader.fields, values) {
      let name = prefix + field.name
      switch (value, EventSlot.targets[name]) {
      case (.record(let inner), _):
        if case .record(let sub) = field.type.underlying {
          applyDefaults(inner, reader: sub, prefix: name + ".")
        }
      case (.long(let v), .int(let slot)?): intDefaults[slot] = v
      case (.int(let v), .int(let slot)?): intDefaults[slot] = Int64(v)
      case (.float(let v), .float(let slot)?): floatDefaults[slot] = v
      case (.string(let s), .string(let slot)?): stringDefaults[slot] = s
      case (.enumeration(_, let s), .string(let slot)?): stringDefaults[slot] = s
      default: break
      }
    }
  }

  private struct Compiler {
    let wanted: Set<String>?
    var present: Set<String> = []
    var markCount = 0

    func skip(_ schema: AvroSchema) -> [EventOp] {
      switch schema.underlying {
      case .null: return []
      case .boolean: return [.skipBytes(1)]
      case .int, .long, .enumeration: return [.skipVarint]
      case .float: return [.skipBytes(4)]
      case .double: return [.skipBytes(8)]
      case .string, .bytes: return [.skipString]
      case .fixed(let f): return [.skipBytes(f.size)]
      default: return [.skipValue(schema)]
      }
    }

    mutating func compileRecord(
      _ plan: ResolvedRecord, prefix: String, writerPrefix: String
    ) -> [EventOp] {
      var ops: [EventOp] = []
      for (wi, step) in plan.steps.enumerated() {
        let writerType = plan.writer.fields[wi].type
        switch step {
        case .skip(let schema):
          ops += skip(schema)
        case .read(let path, let node):
          ops += compile(
            node, path: path, plan: plan, prefix: prefix, writerType: writerType,
            fileField: writerPrefix + plan.writer.fields[wi].name)
        case .readTwice(let path, let node, let also, let second):
          // The second reader field first, then back to the value for the first.
          let mark = markCount
          markCount += 1
          let fileField = writerPrefix + plan.writer.fields[wi].name
          ops.append(.mark(mark))
          ops += compile(
            second, path: also, plan: plan, prefix: prefix, writerType: writerType,
            fileField: fileField)
          ops.append(.rewind(mark))
          ops += compile(
            node, path: path, plan: plan, prefix: prefix, writerType: writerType,
            fileField: fileField)
        }
      }
      return ops
    }

    /// The operations reading a writer's value into the reader field at `path` of `plan`.
    mutating func compile(
      _ node: ResolvedNode, path: [Int], plan: ResolvedRecord, prefix: String,
      writerType: AvroSchema, fileField: String
    ) -> [EventOp] {
      var field = plan.reader.fields[path[0]]
      var name = prefix + field.name
      if path.count == 2, case .record(let sub) = field.type.underlying {
        field = sub.fields[path[1]]
        name += "." + field.name
      }
      return compile(
        node, name: name, writerType: writerType, required: EventSlot.needed.contains(name),
        readerType: field.type, fileField: fileField)
    }

    /// The operations reading a writer's value of `writerType` into the toolkit field `name`
    /// (`required`: one of `EventSlot.needed`, so a null there is damage).
    mutating func compile(
      _ node: ResolvedNode, name: String, writerType: AvroSchema, required: Bool,
      readerType: AvroSchema, fileField: String
    ) -> [EventOp] {
      if case .record(let plan) = node {
        return compileRecord(plan, prefix: name + ".", writerPrefix: fileField + ".")
      }
      if case .writerUnion(let nodes, let names) = node,
        case .union(let branches) = writerType.underlying
      {
        var programs: [[EventOp]] = []
        for (node, branch) in zip(nodes, branches) {
          let flaw = EventFlaw(
            field: name, fileField: fileField, found: branch.typeName, branches: names,
            needed: readerType.typeName)
          if let node {
            programs.append(
              compile(
                node, name: name, writerType: branch, required: required, readerType: readerType,
                fileField: fileField))
          } else if case .null = branch.underlying {
            // A null where the toolkit has no null: the field keeps its default (extension),
            // unless no event can do without it (`EventSlot.needed`).
            programs.append(required ? [.flaw(flaw)] : [])
          } else {
            // A type the field cannot hold: damage (the value is skipped, so the reader can
            // leave the event out and go on).
            programs.append([.flaw(flaw)] + skip(branch))
          }
        }
        return [.union(programs, names: names)]
      }
      if case .readerUnion(_, let inner) = node {
        return compile(
          inner, name: name, writerType: writerType, required: required, readerType: readerType,
          fileField: fileField)
      }
      if EventSlot.targets[name] != nil { present.insert(name) }
      guard let target = EventSlot.targets[name], wanted.map({ $0.contains(name) }) ?? true else {
        return skip(writerType)
      }
      var divisor: Int64 = 1
      if case .logical(let logical, _) = writerType,
        logical == .timestampMicros || logical == .localTimestampMicros
      {
        divisor = 1000
      }
      switch (node, target) {
      case (.int, .int(let slot)), (.long, .int(let slot)), (.intToLong, .int(let slot)):
        return [.long(slot, divisor: divisor)]
      case (.intToFloat, .float(let slot)), (.longToFloat, .float(let slot)):
        return [.longToFloat(slot)]
      case (.doubleToFloat, .float(let slot)):
        return [.doubleToFloat(slot)]
      case (.float, .float(let slot)):
        return [.float(slot)]
      case (.string, .string(let slot)):
        return [.string(slot)]
      case (.enumToString(let symbols), .string(let slot)):
        return [.enumSymbol(slot, symbols: symbols.map { Array($0.utf8) }, names: symbols)]
      case (.enumeration(let table, let writerSymbols, let readerSymbols), .string(let slot)):
        // Symbols map by name; a writer's `FREE` reads as `free` (case folded), then the
        // specification's rule: the reader's default for unknown symbols.
        var symbols: [[UInt8]?] = []
        for (i, symbol) in writerSymbols.enumerated() {
          if let folded = readerSymbols.first(where: { $0.lowercased() == symbol.lowercased() }) {
            symbols.append(Array(folded.utf8))
          } else if let r = table[i] {
            symbols.append(Array(readerSymbols[r].utf8))
          } else {
            symbols.append(nil)
          }
        }
        return [.enumSymbol(slot, symbols: symbols, names: writerSymbols)]
      default:
        return skip(writerType)
      }
    }
  }
}
