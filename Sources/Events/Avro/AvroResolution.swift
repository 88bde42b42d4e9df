/// Why a writer's schema cannot be read with a reader's schema (the specification's "Schema
/// Resolution" rules), naming the place and what to change.
public enum AvroResolutionError: Error, CustomStringConvertible, Sendable, Equatable {
  /// Types that no rule reconciles (`writer` `long` read as `int`, …).
  case typeMismatch(writer: String, reader: String, at: String)
  /// Named types whose names (and aliases) differ.
  case nameMismatch(writer: String, reader: String, at: String)
  /// Fixed types of different sizes.
  case fixedSizeMismatch(writer: Int, reader: Int, at: String)
  /// Reader fields the writer lacks and that have no default: every such field, as paths.
  case missingFields([String])

  public var description: String {
    switch self {
    case .typeMismatch(let w, let r, let at):
      return "at \(at): data written as \(w) cannot be read as \(r). Read it with a schema whose "
        + "type at \(at) is \(w) or a promotion of it (int→long→float→double, string↔bytes)."
    case .nameMismatch(let w, let r, let at):
      return "at \(at): the data's type \(w) is not \(r). Add \"\(w)\" to the aliases of \(r)."
    case .fixedSizeMismatch(let w, let r, let at):
      return "at \(at): fixed of \(w) bytes cannot be read as fixed of \(r) bytes."
    case .missingFields(let fields):
      return
        "the data lacks the field(s) \(fields.joined(separator: ", ")), which have no default. "
        + "Write them, or read with a schema that gives them defaults."
    }
  }
}

/// How `AvroResolver` may go beyond the specification (only the event reader turns these on).
struct AvroResolutionOptions {
  /// Reads a writer's top-level record whatever its name (the seed's Milestone-2 record name was
  /// never published).
  var ignoreTopLevelName = false
  /// A reader field of record type that the writer lacks is filled from the writer's enclosing
  /// record (the seed's Milestone-2 "flattened" record), by field name or alias.
  var flattenNestedRecords = false
  /// A writer's enum is read as a reader's string (the symbol).
  var enumAsString = false
  /// A writer's double is read as a reader's float (rounded to the nearest float): coordinates
  /// written as doubles by other tools.
  var doubleAsFloat = false
  /// Reader fields matched by their first alias only, never by their name (paths as in errors,
  /// `forecast.ListeningEvent.user_id`): the fields a user mapped onto a writer's field
  /// (`--map`), so the mapping wins over a writer field of the reader field's name.
  var aliasOnly: Set<String> = []
}

/// A decoding plan: a writer's schema resolved against a reader's, computed once per file.
indirect enum ResolvedNode {
  case null
  case boolean
  case int
  case long
  case float
  case double
  case bytes
  case string
  case intToLong
  case intToFloat
  case intToDouble
  case longToFloat
  case longToDouble
  case floatToDouble
  /// A writer's double read as a float (extension, see `AvroResolutionOptions`).
  case doubleToFloat
  case fixed(Int)
  /// Writer enum index → reader symbol index (nil: unknown, and the reader has no default).
  case enumeration(table: [Int?], writerSymbols: [String], readerSymbols: [String])
  /// A writer enum read as a string (extension, see `AvroResolutionOptions`).
  case enumToString([String])
  case array(ResolvedNode, minimumItemSize: Int)
  case map(ResolvedNode, minimumItemSize: Int)
  case record(ResolvedRecord)
  /// The writer wrote a union: per writer branch, the plan (nil: the reader cannot read it).
  case writerUnion([ResolvedNode?], branchNames: [String])
  /// The writer wrote a non-union; the reader has a union: reader branch index and plan.
  case readerUnion(Int, ResolvedNode)
}

/// The plan for one record: the writer's fields in order, each read into a reader field (a path,
/// one index, or two for a flattened nested record) or skipped; then the reader's defaults.
final class ResolvedRecord {
  enum Step {
    case read(path: [Int], ResolvedNode)
    /// One writer value read into two reader fields (a field mapped onto a writer field that
    /// another reader field reads by name).
    case readTwice(path: [Int], ResolvedNode, also: [Int], ResolvedNode)
    case skip(AvroSchema)
  }
  var steps: [Step] = []
  /// The reader record's field values before any writer field is read: the defaults, and
  /// placeholders where the writer supplies the value.
  var template: [AvroValue] = []
  let reader: AvroRecordSchema
  let writer: AvroRecordSchema

  init(writer: AvroRecordSchema, reader: AvroRecordSchema) {
    self.writer = writer
    self.reader = reader
  }
}

/// Resolves a writer's schema against a reader's, once; the result decodes with no lookups.
struct AvroResolver {
  var options = AvroResolutionOptions()
  private var records: [String: ResolvedRecord] = [:]
  private var missing: [String] = []
  /// Mapped fields (`aliasOnly`) of nested records whose alias the writer's nested record
  /// lacks: path → alias, for the enclosing record to read from its own writer field.
  private var hoisted: [String: String] = [:]

  init(options: AvroResolutionOptions = AvroResolutionOptions()) { self.options = options }

  /// The decoding plan for data written with `writer`, read as `reader`.
  mutating func resolve(writer: AvroSchema, reader: AvroSchema) throws(AvroResolutionError)
    -> ResolvedNode
  {
    let node = try resolve(writer, reader, at: reader.fullName ?? reader.typeName, top: true)
    if !missing.isEmpty { throw .missingFields(missing) }
    return node
  }

  private func namesMatch(
    _ writer: AvroName, _ writerAliases: [String], _ reader: AvroName,
    _ readerAliases: [String], top: Bool
  ) -> Bool {
    if top && options.ignoreTopLevelName { return true }
    // Since 1.11 the unqualified names are compared; aliases of the reader are full names.
    return writer.name == reader.name || writer.fullName == reader.fullName
      || readerAliases.contains(writer.fullName)
      || readerAliases.contains { AvroName($0, enclosingNamespace: "").name == writer.name }
  }

  private mutating func resolve(_ writer: AvroSchema, _ reader: AvroSchema, at: String, top: Bool)
    throws(AvroResolutionError) -> ResolvedNode
  {
    let w = writer.underlying
    let r = reader.underlying
    // A writer union: each branch resolved against the whole reader schema.
    if case .union(let branches) = w {
      var nodes: [ResolvedNode?] = []
      for branch in branches {
        nodes.append(try? resolve(branch, reader, at: at, top: false))
      }
      if nodes.allSatisfy({ $0 == nil }) {
        throw .typeMismatch(writer: "union", reader: r.typeName, at: at)
      }
      return .writerUnion(nodes, branchNames: branches.map(\.typeName))
    }
    // A reader union: the first branch that matches the writer's type exactly, then the first
    // reachable by promotion.
    if case .union(let branches) = r {
      for (i, branch) in branches.enumerated() where sameKind(w, branch.underlying) {
        if let node = try? resolve(writer, branch, at: at, top: false) {
          return .readerUnion(i, node)
        }
      }
      for (i, branch) in branches.enumerated() {
        if let node = try? resolve(writer, branch, at: at, top: false) {
          return .readerUnion(i, node)
        }
      }
      throw .typeMismatch(writer: w.typeName, reader: "union", at: at)
    }
    switch (w, r) {
    case (.null, .null): return .null
    case (.boolean, .boolean): return .boolean
    case (.int, .int): return .int
    case (.int, .long): return .intToLong
    case (.int, .float): return .intToFloat
    case (.int, .double): return .intToDouble
    case (.long, .long): return .long
    case (.long, .float): return .longToFloat
    case (.long, .double): return .longToDouble
    case (.float, .float): return .float
    case (.float, .double): return .floatToDouble
    case (.double, .double): return .double
    case (.double, .float) where options.doubleAsFloat: return .doubleToFloat
    case (.string, .string), (.bytes, .string): return .string
    case (.bytes, .bytes), (.string, .bytes): return .bytes
    case (.fixed(let wf), .fixed(let rf)):
      guard namesMatch(wf.name, wf.aliases, rf.name, rf.aliases, top: top) else {
        throw .nameMismatch(writer: wf.name.fullName, reader: rf.name.fullName, at: at)
      }
      guard wf.size == rf.size else {
        throw .fixedSizeMismatch(writer: wf.size, reader: rf.size, at: at)
      }
      return .fixed(wf.size)
    case (.enumeration(let we), .enumeration(let re)):
      guard namesMatch(we.name, we.aliases, re.name, re.aliases, top: top) else {
        throw .nameMismatch(writer: we.name.fullName, reader: re.name.fullName, at: at)
      }
      let defaultIndex = re.defaultSymbol.flatMap { re.symbols.firstIndex(of: $0) }
      let table = we.symbols.map { re.symbols.firstIndex(of: $0) ?? defaultIndex }
      return .enumeration(table: table, writerSymbols: we.symbols, readerSymbols: re.symbols)
    case (.enumeration(let we), .string) where options.enumAsString:
      return .enumToString(we.symbols)
    case (.array(let wi), .array(let ri)):
      return .array(
        try resolve(wi, ri, at: at + "[]", top: false), minimumItemSize: minimumEncodedSize(wi))
    case (.map(let wv), .map(let rv)):
      return .map(
        try resolve(wv, rv, at: at + "{}", top: false), minimumItemSize: 1 + minimumEncodedSize(wv))
    case (.record(let wr), .record(let rr)):
      guard namesMatch(wr.name, wr.aliases, rr.name, rr.aliases, top: top) else {
        throw .nameMismatch(writer: wr.name.fullName, reader: rr.name.fullName, at: at)
      }
      let key = wr.name.fullName + "\u{0}" + rr.name.fullName
      if let existing = records[key] { return .record(existing) }
      let plan = ResolvedRecord(writer: wr, reader: rr)
      records[key] = plan
      try resolveFields(plan, at: at)
      return .record(plan)
    default:
      throw .typeMismatch(writer: w.typeName, reader: r.typeName, at: at)
    }
  }

  private func sameKind(_ a: AvroSchema, _ b: AvroSchema) -> Bool {
    switch (a, b) {
    case (.record(let x), .record(let y)): return x.name.name == y.name.name
    case (.enumeration(let x), .enumeration(let y)): return x.name.name == y.name.name
    case (.fixed(let x), .fixed(let y)): return x.name.name == y.name.name
    default: return a.typeName == b.typeName
    }
  }

  private func writerFieldIndex(
    _ writer: AvroRecordSchema, for field: AvroField, claimed: [Bool], at: String
  ) -> Int? {
    if options.aliasOnly.contains(at) {
      guard let alias = field.aliases.first,
        let i = writer.fields.firstIndex(where: { $0.name == alias }), !claimed[i]
      else { return nil }
      return i
    }
    if let i = writer.fields.firstIndex(where: { $0.name == field.name }), !claimed[i] { return i }
    for alias in field.aliases {
      if let i = writer.fields.firstIndex(where: { $0.name == alias }), !claimed[i] { return i }
    }
    return nil
  }

  private mutating func resolveFields(_ plan: ResolvedRecord, at: String)
    throws(AvroResolutionError)
  {
    let writer = plan.writer
    let reader = plan.reader
    var claimed = [Bool](repeating: false, count: writer.fields.count)
    var targets: [(path: [Int], node: ResolvedNode)?] = Array(
      repeating: nil, count: writer.fields.count)
    // A second reader field for a writer field (a mapped field and a field of the writer
    // field's name both read it: `--map listening_time.start_time=user_id`).
    var seconds: [(path: [Int], node: ResolvedNode)?] = Array(
      repeating: nil, count: writer.fields.count)
    var mappedClaims = Set<Int>()
    var template = [AvroValue](repeating: .null, count: reader.fields.count)
    var flattenCandidates: [Int] = []
    /// Reads writer field `wi` into `path` too, when a mapping took it first (or takes it
    /// from a field that has it); false when it has a second reader already.
    func alsoRead(_ wi: Int, into path: [Int], _ node: ResolvedNode) -> Bool {
      guard seconds[wi] == nil else { return false }
      seconds[wi] = (path, node)
      return true
    }
    // Mapped fields claim their writer fields first: a mapping wins over a name.
    let mapped = reader.fields.indices.filter {
      options.aliasOnly.contains("\(at).\(reader.fields[$0].name)")
    }
    for ri in mapped + reader.fields.indices.filter({ !mapped.contains($0) }) {
      let field = reader.fields[ri]
      let fieldAt = "\(at).\(field.name)"
      if let wi = writerFieldIndex(writer, for: field, claimed: claimed, at: fieldAt) {
        claimed[wi] = true
        if mapped.contains(ri) { mappedClaims.insert(wi) }
        targets[wi] = (
          [ri], try resolve(writer.fields[wi].type, field.type, at: fieldAt, top: false)
        )
      } else if !mapped.contains(ri),
        let wi = writer.fields.firstIndex(where: { $0.name == field.name }),
        mappedClaims.contains(wi),
        alsoRead(
          wi, into: [ri], try resolve(writer.fields[wi].type, field.type, at: fieldAt, top: false))
      {
        // The writer field of this name is mapped onto another field too.
      } else if case .record = field.type.underlying, options.flattenNestedRecords {
        flattenCandidates.append(ri)
      } else {
        if mapped.contains(ri), let alias = field.aliases.first {
          // Perhaps beside this record in the writer: the enclosing record looks.
          hoisted[fieldAt] = alias
        }
        if let d = field.defaultValue, let v = AvroValue.fromDefault(d, schema: field.type) {
          template[ri] = v
        } else {
          missing.append(fieldAt)
        }
      }
    }
    flattenCandidates.sort()
    // Flattened nested records: the reader's sub-fields come from the writer's own fields.
    for ri in flattenCandidates {
      let field = reader.fields[ri]
      guard case .record(let sub) = field.type.underlying else { continue }
      let fieldAt = "\(at).\(field.name)"
      var subTemplate: [AvroValue] = []
      var found = false
      for (si, subField) in sub.fields.enumerated() {
        let subAt = "\(fieldAt).\(subField.name)"
        if let wi = writerFieldIndex(writer, for: subField, claimed: claimed, at: subAt) {
          claimed[wi] = true
          found = true
          targets[wi] = (
            [ri, si], try resolve(writer.fields[wi].type, subField.type, at: subAt, top: false)
          )
          subTemplate.append(.null)
        } else if options.aliasOnly.contains(subAt), let alias = subField.aliases.first,
          let wi = writer.fields.firstIndex(where: { $0.name == alias }),
          alsoRead(
            wi, into: [ri, si],
            try resolve(writer.fields[wi].type, subField.type, at: subAt, top: false))
        {
          // Mapped onto a writer field another reader field reads too.
          found = true
          subTemplate.append(.null)
        } else if let d = subField.defaultValue,
          let v = AvroValue.fromDefault(d, schema: subField.type)
        {
          subTemplate.append(v)
        } else {
          missing.append(subAt)
          subTemplate.append(.null)
        }
      }
      if !found, let d = field.defaultValue, let v = AvroValue.fromDefault(d, schema: field.type) {
        // Nothing of it is in the writer: the whole field takes its default (errors withdrawn).
        missing.removeAll { $0.hasPrefix(fieldAt + ".") }
        template[ri] = v
      } else {
        template[ri] = .record(subTemplate)
      }
    }
    // Fields of nested records mapped onto this record's fields (`hoisted` by the nested
    // record's resolution): `--map listening_time.start_time=ts` with `ts` beside the writer's
    // own `listening_time`.
    for (ri, field) in reader.fields.enumerated() {
      guard case .record(let sub) = field.type.underlying else { continue }
      let fieldAt = "\(at).\(field.name)"
      for (si, subField) in sub.fields.enumerated() {
        let subAt = "\(fieldAt).\(subField.name)"
        guard let alias = hoisted.removeValue(forKey: subAt),
          let wi = writer.fields.firstIndex(where: { $0.name == alias })
        else { continue }
        let node = try resolve(writer.fields[wi].type, subField.type, at: subAt, top: false)
        if !claimed[wi] {
          claimed[wi] = true
          targets[wi] = ([ri, si], node)
        } else if !alsoRead(wi, into: [ri, si], node) {
          continue
        }
        missing.removeAll { $0 == subAt }
      }
    }
    plan.template = template
    plan.steps = writer.fields.enumerated().map { wi, field in
      switch (targets[wi], seconds[wi]) {
      case (let first?, let second?):
        return .readTwice(path: first.path, first.node, also: second.path, second.node)
      case (let first?, nil): return .read(path: first.path, first.node)
      case (nil, let second?): return .read(path: second.path, second.node)
      case (nil, nil): return .skip(field.type)
      }
    }
  }
}

/// The fewest bytes any value of `schema` takes in the binary encoding (bounds array and block
/// counts before anything is allocated).
func minimumEncodedSize(_ schema: AvroSchema) -> Int {
  var visiting = Set<String>()
  return minimumEncodedSize(schema, visiting: &visiting)
}

private func minimumEncodedSize(_ schema: AvroSchema, visiting: inout Set<String>) -> Int {
  switch schema.underlying {
  case .null: return 0
  case .boolean, .int, .long, .bytes, .string, .enumeration, .array, .map: return 1
  case .float: return 4
  case .double: return 8
  case .fixed(let f): return f.size
  case .union(let branches):
    return 1 + (branches.map { minimumEncodedSize($0, visiting: &visiting) }.min() ?? 0)
  case .record(let r):
    if visiting.contains(r.name.fullName) { return 0 }
    visiting.insert(r.name.fullName)
    defer { visiting.remove(r.name.fullName) }
    return r.fields.reduce(0) { $0 + minimumEncodedSize($1.type, visiting: &visiting) }
  case .logical: return 0
  }
}

// MARK: - Generic decoding with a plan

extension ResolvedNode {
  /// Decodes one value. `depth` counts nested records, arrays, maps and unions: recursive
  /// schemas nest as deep as the data says, so it is bounded (no stack overflow from a file).
  func decode(_ c: inout AvroCursor, depth: Int = 0) throws(AvroDecodeFailure) -> AvroValue {
    guard depth < maximumNestingDepth else { throw .nestingTooDeep }
    switch self {
    case .null: return .null
    case .boolean: return .boolean(try c.readBoolean())
    case .int: return .int(try c.readInt())
    case .long: return .long(try c.readLong())
    case .float: return .float(try c.readFloat())
    case .double: return .double(try c.readDouble())
    case .bytes: return .bytes(Array(try c.readBytesSpan()))
    case .string: return .string(try c.readString())
    case .intToLong: return .long(Int64(try c.readInt()))
    case .intToFloat: return .float(Float(try c.readInt()))
    case .intToDouble: return .double(Double(try c.readInt()))
    case .longToFloat: return .float(Float(try c.readLong()))
    case .longToDouble: return .double(Double(try c.readLong()))
    case .floatToDouble: return .double(Double(try c.readFloat()))
    case .doubleToFloat: return .float(Float(try c.readDouble()))
    case .fixed(let n): return .fixed(Array(try c.readFixedSpan(n)))
    case .enumeration(let table, let writerSymbols, let readerSymbols):
      let i = try c.readLong()
      guard i >= 0 && i < Int64(table.count) else {
        throw .enumIndex(i, symbols: table.count)
      }
      guard let r = table[Int(i)] else { throw .unknownSymbol(writerSymbols[Int(i)]) }
      return .enumeration(index: r, symbol: readerSymbols[r])
    case .enumToString(let symbols):
      let i = try c.readLong()
      guard i >= 0 && i < Int64(symbols.count) else { throw .enumIndex(i, symbols: symbols.count) }
      return .string(symbols[Int(i)])
    case .array(let item, let minimumItemSize):
      var out: [AvroValue] = []
      while true {
        let n = try c.readBlockCount(minimumItemSize: minimumItemSize)
        if n == 0 { break }
        // Items of no byte are all alike; materialising billions of them (in one array or in
        // many nested ones) would exhaust memory, so one cursor holds at most
        // `zeroSizeItemLimit` of them.
        if minimumItemSize == 0 { try c.takeZeroSizeItems(n) }
        for _ in 0..<n { out.append(try item.decode(&c, depth: depth + 1)) }
      }
      return .array(out)
    case .map(let value, let minimumItemSize):
      var out: [String: AvroValue] = [:]
      while true {
        let n = try c.readBlockCount(minimumItemSize: minimumItemSize)
        if n == 0 { break }
        for _ in 0..<n {
          let key = try c.readString()
          out[key] = try value.decode(&c, depth: depth + 1)
        }
      }
      return .map(out)
    case .record(let plan):
      var values = plan.template
      func store(_ v: AvroValue, at path: [Int]) {
        if path.count == 1 {
          values[path[0]] = v
        } else if case .record(var inner) = values[path[0]] {
          values[path[0]] = .null
          inner[path[1]] = v
          values[path[0]] = .record(inner)
        }
      }
      for step in plan.steps {
        switch step {
        case .read(let path, let node):
          store(try node.decode(&c, depth: depth + 1), at: path)
        case .readTwice(let path, let node, let also, let second):
          var again = c
          store(try second.decode(&again, depth: depth + 1), at: also)
          store(try node.decode(&c, depth: depth + 1), at: path)
        case .skip(let schema):
          try skipValue(schema, &c, depth: depth + 1)
        }
      }
      return .record(values)
    case .writerUnion(let nodes, let names):
      let i = try c.readLong()
      guard i >= 0 && i < Int64(nodes.count) else { throw .unionIndex(i, branches: nodes.count) }
      guard let node = nodes[Int(i)] else { throw .unreadableBranch(names[Int(i)]) }
      return try node.decode(&c, depth: depth + 1)
    case .readerUnion(let index, let node):
      return .union(index: index, try node.decode(&c, depth: depth + 1))
    }
  }
}

/// The most array items of zero encoded size (nulls) one decoded value, or one block of a
/// container file, may hold, over all its arrays (about a million: a few megabytes, well under a
/// second); skipping such arrays is not limited.
let zeroSizeItemLimit = 1 << 20

/// The deepest nesting of records, arrays, maps and unions the decoders follow.
let maximumNestingDepth = 1000

/// Skips one value written with `schema` (writer fields the reader lacks).
func skipValue(_ schema: AvroSchema, _ c: inout AvroCursor, depth: Int = 0)
  throws(AvroDecodeFailure)
{
  guard depth < maximumNestingDepth else { throw .nestingTooDeep }
  switch schema.underlying {
  case .null: break
  case .boolean: try c.skip(1)
  case .int, .long, .enumeration: _ = try c.readLong()
  case .float: try c.skip(4)
  case .double: try c.skip(8)
  case .bytes, .string: _ = try c.readBytesSpan()
  case .fixed(let f): try c.skip(f.size)
  case .array(let items):
    let m = minimumEncodedSize(items)
    while true {
      let n = try c.readBlockCount(minimumItemSize: m)
      if n == 0 { break }
      // Items that encode in no byte (null, fixed(0), records of those): counted, not walked
      // (a 6-byte array<null> may declare two billion of them).
      if m == 0 { continue }
      for _ in 0..<n { try skipValue(items, &c, depth: depth + 1) }
    }
  case .map(let values):
    // Never zero: each key takes at least its length byte.
    let m = 1 + minimumEncodedSize(values)
    while true {
      let n = try c.readBlockCount(minimumItemSize: m)
      if n == 0 { break }
      for _ in 0..<n {
        _ = try c.readBytesSpan()
        try skipValue(values, &c, depth: depth + 1)
      }
    }
  case .record(let r):
    for f in r.fields { try skipValue(f.type, &c, depth: depth + 1) }
  case .union(let branches):
    let i = try c.readLong()
    guard i >= 0 && i < Int64(branches.count) else {
      throw .unionIndex(i, branches: branches.count)
    }
    try skipValue(branches[Int(i)], &c, depth: depth + 1)
  case .logical: break
  }
}
