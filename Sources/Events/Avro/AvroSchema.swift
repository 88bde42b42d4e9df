import Plumbing

/// An Avro schema (specification 1.11/1.12): primitives, named types (record, enum, fixed) with
/// their full names and aliases, arrays, maps, unions, and logical types on their underlying type.
///
/// Named types are reference types (`AvroRecordSchema`, …) so that recursive records and
/// references by name share one definition. Parse with `AvroSchema(json:)`.
public indirect enum AvroSchema: Sendable, CustomStringConvertible {
  case null
  case boolean
  case int
  case long
  case float
  case double
  case bytes
  case string
  case record(AvroRecordSchema)
  case enumeration(AvroEnumSchema)
  case array(AvroSchema)
  case map(AvroSchema)
  case union([AvroSchema])
  case fixed(AvroFixedSchema)
  /// A logical type over its underlying type (`timestamp-millis` over `long`, …). Encoding and
  /// resolution use the underlying type, as the specification says.
  case logical(AvroLogicalType, AvroSchema)

  /// The schema without its logical-type annotation.
  public var underlying: AvroSchema {
    if case .logical(_, let base) = self { return base.underlying }
    return self
  }

  /// The type name as the specification writes it (`"int"`, `"record"`, a full name, …).
  public var typeName: String {
    switch self {
    case .null: return "null"
    case .boolean: return "boolean"
    case .int: return "int"
    case .long: return "long"
    case .float: return "float"
    case .double: return "double"
    case .bytes: return "bytes"
    case .string: return "string"
    case .record(let r): return r.name.fullName
    case .enumeration(let e): return e.name.fullName
    case .fixed(let f): return f.name.fullName
    case .array: return "array"
    case .map: return "map"
    case .union: return "union"
    case .logical(let l, let base): return "\(base.typeName) (\(l.rawValue))"
    }
  }

  /// The full name of a named type (nil for the others).
  public var fullName: String? {
    switch self.underlying {
    case .record(let r): return r.name.fullName
    case .enumeration(let e): return e.name.fullName
    case .fixed(let f): return f.name.fullName
    default: return nil
    }
  }

  /// The schema as JSON text (named types defined at their first use, referenced by full name
  /// afterwards), readable by any Avro implementation.
  public var description: String { jsonValue.description }

  /// The schema as a JSON value (see `description`).
  package var jsonValue: JSONValue {
    var defined = Set<String>()
    return json(defined: &defined, namespace: "")
  }

  func json(defined: inout Set<String>, namespace: String) -> JSONValue {
    switch self {
    case .null, .boolean, .int, .long, .float, .double, .bytes, .string:
      return .string(typeName)
    case .array(let items):
      return .object([
        ("type", .string("array")), ("items", items.json(defined: &defined, namespace: namespace)),
      ])
    case .map(let values):
      return .object([
        ("type", .string("map")), ("values", values.json(defined: &defined, namespace: namespace)),
      ])
    case .union(let branches):
      return .array(branches.map { $0.json(defined: &defined, namespace: namespace) })
    case .logical(let l, let base):
      var object: [(key: String, value: JSONValue)]
      switch base.json(defined: &defined, namespace: namespace) {
      case .object(let members): object = members
      case let other: object = [("type", other)]
      }
      object.append(("logicalType", .string(l.rawValue)))
      if case .decimal(let precision, let scale) = l {
        object.append(("precision", .number(Double(precision), integer: Int64(precision))))
        object.append(("scale", .number(Double(scale), integer: Int64(scale))))
      }
      return .object(object)
    case .record(let r):
      if defined.contains(r.name.fullName) { return .string(r.name.fullName) }
      defined.insert(r.name.fullName)
      var object: [(key: String, value: JSONValue)] = [
        ("type", .string("record")), ("name", .string(r.name.fullName)),
        ("namespace", .string(r.name.namespace)),
      ]
      if !r.aliases.isEmpty { object.append(("aliases", .array(r.aliases.map { .string($0) }))) }
      if let doc = r.doc { object.append(("doc", .string(doc))) }
      var fields: [JSONValue] = []
      for field in r.fields {
        var f: [(key: String, value: JSONValue)] = [
          ("name", .string(field.name)),
          ("type", field.type.json(defined: &defined, namespace: r.name.namespace)),
        ]
        if let d = field.defaultValue { f.append(("default", d)) }
        if !field.aliases.isEmpty {
          f.append(("aliases", .array(field.aliases.map { .string($0) })))
        }
        if let doc = field.doc { f.append(("doc", .string(doc))) }
        fields.append(.object(f))
      }
      object.append(("fields", .array(fields)))
      return .object(object)
    case .enumeration(let e):
      if defined.contains(e.name.fullName) { return .string(e.name.fullName) }
      defined.insert(e.name.fullName)
      var object: [(key: String, value: JSONValue)] = [
        ("type", .string("enum")), ("name", .string(e.name.fullName)),
        ("namespace", .string(e.name.namespace)),
        ("symbols", .array(e.symbols.map { .string($0) })),
      ]
      if !e.aliases.isEmpty { object.append(("aliases", .array(e.aliases.map { .string($0) }))) }
      if let d = e.defaultSymbol { object.append(("default", .string(d))) }
      return .object(object)
    case .fixed(let f):
      if defined.contains(f.name.fullName) { return .string(f.name.fullName) }
      defined.insert(f.name.fullName)
      var object: [(key: String, value: JSONValue)] = [
        ("type", .string("fixed")), ("name", .string(f.name.fullName)),
        ("namespace", .string(f.name.namespace)),
        ("size", .number(Double(f.size), integer: Int64(f.size))),
      ]
      if !f.aliases.isEmpty { object.append(("aliases", .array(f.aliases.map { .string($0) }))) }
      return .object(object)
    }
  }
}

/// A full Avro name: `namespace.name` (the namespace may be empty).
public struct AvroName: Hashable, Sendable, CustomStringConvertible {
  /// The last component.
  public var name: String
  /// The dotted namespace, or `""`.
  public var namespace: String
  /// `namespace.name`, or `name` without a namespace.
  public var fullName: String { namespace.isEmpty ? name : namespace + "." + name }
  public var description: String { fullName }

  /// A name from a possibly dotted `name` and the enclosing namespace (used when `name` has no
  /// dot), as the specification resolves them.
  public init(_ name: String, enclosingNamespace: String) {
    if let dot = name.lastIndex(of: ".") {
      self.name = String(name[name.index(after: dot)...])
      self.namespace = String(name[..<dot])
    } else {
      self.name = name
      self.namespace = enclosingNamespace
    }
  }
}

/// A record type: its name, aliases (full names), documentation and fields.
public final class AvroRecordSchema: @unchecked Sendable {
  /// The record's full name.
  public let name: AvroName
  /// Alternative full names, used to match a writer's record during resolution.
  public let aliases: [String]
  /// The `doc` attribute.
  public let doc: String?
  /// The fields, in order. Set once while parsing (records may refer to themselves).
  public internal(set) var fields: [AvroField]

  /// A record with the given fields.
  public init(name: AvroName, aliases: [String] = [], doc: String? = nil, fields: [AvroField]) {
    self.name = name
    self.aliases = aliases
    self.doc = doc
    self.fields = fields
  }

  /// The index of the field called `name` (aliases not considered).
  public func fieldIndex(named name: String) -> Int? {
    fields.firstIndex { $0.name == name }
  }
}

/// A record field.
public struct AvroField: Sendable {
  /// The field name.
  public var name: String
  /// The field's schema.
  public var type: AvroSchema
  /// The default value (JSON, as written in the schema), used when a writer lacks the field.
  package var defaultValue: JSONValue?
  /// Alternative names, used to match a writer's field during resolution.
  public var aliases: [String]
  /// The `doc` attribute.
  public var doc: String?

  /// A field with every attribute given.
  package init(
    name: String, type: AvroSchema, defaultValue: JSONValue? = nil, aliases: [String] = [],
    doc: String? = nil
  ) {
    self.name = name
    self.type = type
    self.defaultValue = defaultValue
    self.aliases = aliases
    self.doc = doc
  }
}

/// An enum type: its symbols and the default symbol readers use for symbols they lack.
public final class AvroEnumSchema: Sendable {
  /// The enum's full name.
  public let name: AvroName
  /// Alternative full names.
  public let aliases: [String]
  /// The symbols, in order (the binary encoding is the index).
  public let symbols: [String]
  /// The symbol a reader uses for a writer symbol it does not know.
  public let defaultSymbol: String?

  /// An enum with every attribute given.
  public init(
    name: AvroName, aliases: [String] = [], symbols: [String], defaultSymbol: String? = nil
  ) {
    self.name = name
    self.aliases = aliases
    self.symbols = symbols
    self.defaultSymbol = defaultSymbol
  }
}

/// A fixed type: `size` raw bytes.
public final class AvroFixedSchema: Sendable {
  /// The type's full name.
  public let name: AvroName
  /// Alternative full names.
  public let aliases: [String]
  /// Number of bytes.
  public let size: Int

  /// A fixed type with every attribute given.
  public init(name: AvroName, aliases: [String] = [], size: Int) {
    self.name = name
    self.aliases = aliases
    self.size = size
  }
}

/// The logical types this toolkit knows (others are read as their underlying type, as the
/// specification says).
public enum AvroLogicalType: Sendable, Hashable {
  case timestampMillis
  case timestampMicros
  case localTimestampMillis
  case localTimestampMicros
  case date
  case timeMillis
  case timeMicros
  case uuid
  case decimal(precision: Int, scale: Int)

  /// The name written in schemas.
  public var rawValue: String {
    switch self {
    case .timestampMillis: return "timestamp-millis"
    case .timestampMicros: return "timestamp-micros"
    case .localTimestampMillis: return "local-timestamp-millis"
    case .localTimestampMicros: return "local-timestamp-micros"
    case .date: return "date"
    case .timeMillis: return "time-millis"
    case .timeMicros: return "time-micros"
    case .uuid: return "uuid"
    case .decimal: return "decimal"
    }
  }
}
