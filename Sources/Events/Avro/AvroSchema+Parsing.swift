import Plumbing

/// Why a schema is not a valid Avro schema: where in the schema (a path such as
/// `music.ListeningHistory.user_location`) and what to change.
public enum AvroSchemaError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The text is not JSON: the byte offset and what was wrong there.
  case invalidJSON(offset: Int, reason: String)
  /// A type name that is neither primitive nor defined before its use.
  case unknownType(name: String, at: String)
  /// A name that breaks the naming rule `[A-Za-z_][A-Za-z0-9_]*`.
  case invalidName(name: String, at: String)
  /// A named type defined twice, or a primitive name redefined.
  case duplicateName(name: String, at: String)
  /// A required attribute is missing or has the wrong JSON type.
  case missingAttribute(attribute: String, at: String)
  /// Two fields of one record share a name.
  case duplicateField(name: String, at: String)
  /// An enum lists a symbol twice, or its default is not one of its symbols.
  case invalidEnum(reason: String, at: String)
  /// A union that directly contains a union, or two branches of the same type.
  case invalidUnion(reason: String, at: String)
  /// A default value that does not match its field's type.
  case invalidDefault(field: String, expected: String, at: String)
  /// Some other rule of the specification.
  case invalid(reason: String, at: String)

  public var description: String {
    let fix = " Fix the schema (see the Avro specification, section Schema Declaration)."
    switch self {
    case .invalidJSON(let offset, let reason):
      return "the schema is not valid JSON: at byte \(offset): \(reason)." + fix
    case .unknownType(let name, let at):
      return "at \(at): unknown type \"\(name)\"; define a named type before using it or use a "
        + "primitive (null, boolean, int, long, float, double, bytes, string)." + fix
    case .invalidName(let name, let at):
      return "at \(at): \"\(name)\" is not a valid Avro name ([A-Za-z_][A-Za-z0-9_]*)." + fix
    case .duplicateName(let name, let at):
      return "at \(at): the type name \"\(name)\" is already defined." + fix
    case .missingAttribute(let attribute, let at):
      return "at \(at): missing or malformed attribute \"\(attribute)\"." + fix
    case .duplicateField(let name, let at):
      return "at \(at): two fields are named \"\(name)\"." + fix
    case .invalidEnum(let reason, let at):
      return "at \(at): \(reason)." + fix
    case .invalidUnion(let reason, let at):
      return "at \(at): \(reason)." + fix
    case .invalidDefault(let field, let expected, let at):
      return "at \(at): the default of field \"\(field)\" is not a valid \(expected)." + fix
    case .invalid(let reason, let at):
      return "at \(at): \(reason)." + fix
    }
  }
}

extension AvroSchema {
  /// Parses a schema from its JSON text.
  ///
  /// - Parameter json: the schema, as in an `.avsc` file or a container file's `avro.schema`.
  /// - Throws: `AvroSchemaError` naming the place and the rule that failed.
  public init(json: String) throws(AvroSchemaError) {
    let value: JSONValue
    do {
      value = try JSONValue.parse(json)
    } catch {
      throw .invalidJSON(offset: error.offset, reason: error.reason)
    }
    try self.init(jsonValue: value)
  }

  /// Parses a schema from an already-parsed JSON value.
  ///
  /// - Throws: `AvroSchemaError` naming the place and the rule that failed.
  package init(jsonValue: JSONValue) throws(AvroSchemaError) {
    var parser = AvroSchemaParser()
    self = try parser.parse(jsonValue, namespace: "", at: "schema")
  }
}

private let primitiveNames: Set<String> = [
  "null", "boolean", "int", "long", "float", "double", "bytes", "string",
]

func isValidAvroName(_ s: String) -> Bool {
  guard let first = s.utf8.first else { return false }
  func letter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 95 }
  guard letter(first) else { return false }
  return s.utf8.allSatisfy { letter($0) || ($0 >= 48 && $0 <= 57) }
}

private struct AvroSchemaParser {
  var named: [String: AvroSchema] = [:]

  func checkFullName(_ name: AvroName, at: String) throws(AvroSchemaError) {
    guard isValidAvroName(name.name) else { throw .invalidName(name: name.name, at: at) }
    if !name.namespace.isEmpty {
      for part in name.namespace.split(separator: ".", omittingEmptySubsequences: false)
      where !isValidAvroName(String(part)) {
        throw .invalidName(name: name.namespace, at: at)
      }
    }
  }

  mutating func define(_ name: AvroName, _ schema: AvroSchema, at: String) throws(AvroSchemaError) {
    if primitiveNames.contains(name.name) && name.namespace.isEmpty {
      throw .duplicateName(name: name.fullName, at: at)
    }
    if named[name.fullName] != nil { throw .duplicateName(name: name.fullName, at: at) }
    named[name.fullName] = schema
  }

  func aliases(_ object: JSONValue, namespace: String, at: String) throws(AvroSchemaError)
    -> [String]
  {
    guard let value = object["aliases"] else { return [] }
    guard case .array(let items) = value else {
      throw .missingAttribute(attribute: "aliases", at: at)
    }
    var out: [String] = []
    for item in items {
      guard let s = item.stringValue else { throw .missingAttribute(attribute: "aliases", at: at) }
      out.append(AvroName(s, enclosingNamespace: namespace).fullName)
    }
    return out
  }

  func lookup(_ name: String, namespace: String, at: String) throws(AvroSchemaError) -> AvroSchema {
    switch name {
    case "null": return .null
    case "boolean": return .boolean
    case "int": return .int
    case "long": return .long
    case "float": return .float
    case "double": return .double
    case "bytes": return .bytes
    case "string": return .string
    default:
      if !name.contains("."), !namespace.isEmpty, let s = named[namespace + "." + name] { return s }
      if let s = named[name] { return s }
      throw .unknownType(name: name, at: at)
    }
  }

  mutating func parse(_ value: JSONValue, namespace: String, at: String) throws(AvroSchemaError)
    -> AvroSchema
  {
    switch value {
    case .string(let name):
      return try lookup(name, namespace: namespace, at: at)
    case .array(let items):
      var branches: [AvroSchema] = []
      var seen = Set<String>()
      for (i, item) in items.enumerated() {
        let branch = try parse(item, namespace: namespace, at: "\(at)[\(i)]")
        if case .union = branch.underlying {
          throw .invalidUnion(reason: "a union may not contain a union directly", at: at)
        }
        let key: String
        switch branch.underlying {
        case .record, .enumeration, .fixed: key = branch.typeName
        default: key = branch.underlying.typeName
        }
        if !seen.insert(key).inserted {
          throw .invalidUnion(reason: "two branches of type \(key)", at: at)
        }
        branches.append(branch)
      }
      return .union(branches)
    case .object:
      guard let typeValue = value["type"] else {
        throw .missingAttribute(attribute: "type", at: at)
      }
      let base: AvroSchema
      if let type = typeValue.stringValue {
        base = try parseComplex(type: type, value, namespace: namespace, at: at)
      } else {
        base = try parse(typeValue, namespace: namespace, at: at)
      }
      return try logical(value, base: base, at: at)
    default:
      throw .invalid(
        reason: "a schema must be a JSON string, object or array, not \(value)", at: at)
    }
  }

  func logical(_ value: JSONValue, base: AvroSchema, at: String) throws(AvroSchemaError)
    -> AvroSchema
  {
    guard let name = value["logicalType"]?.stringValue else { return base }
    // Invalid or unknown logical types are ignored: the underlying type is used (specification).
    switch (name, base) {
    case ("timestamp-millis", .long): return .logical(.timestampMillis, base)
    case ("timestamp-micros", .long): return .logical(.timestampMicros, base)
    case ("local-timestamp-millis", .long): return .logical(.localTimestampMillis, base)
    case ("local-timestamp-micros", .long): return .logical(.localTimestampMicros, base)
    case ("date", .int): return .logical(.date, base)
    case ("time-millis", .int): return .logical(.timeMillis, base)
    case ("time-micros", .long): return .logical(.timeMicros, base)
    case ("uuid", .string), ("uuid", .fixed): return .logical(.uuid, base)
    case ("decimal", .bytes), ("decimal", .fixed):
      guard case .number(_, let p?) = value["precision"] ?? .null, p > 0 else { return base }
      var scale: Int64 = 0
      if case .number(_, let s?) = value["scale"] ?? .null { scale = s }
      guard scale >= 0, scale <= p else { return base }
      if case .fixed(let f) = base {
        // The largest precision a fixed of this size can hold: floor(log10(2^(8n-1) - 1)).
        let maxPrecision = Int((Double(8 * f.size - 1) * 0.301_029_995_663_981_2).rounded(.down))
        guard p <= maxPrecision else { return base }
      }
      return .logical(.decimal(precision: Int(p), scale: Int(scale)), base)
    default: return base
    }
  }

  mutating func parseComplex(type: String, _ value: JSONValue, namespace: String, at: String)
    throws(AvroSchemaError) -> AvroSchema
  {
    switch type {
    case "record", "error":
      guard let rawName = value["name"]?.stringValue else {
        throw .missingAttribute(attribute: "name", at: at)
      }
      let explicitNamespace = value["namespace"]?.stringValue
      let name = AvroName(
        rawName, enclosingNamespace: explicitNamespace ?? namespace)
      try checkFullName(name, at: at)
      let here = name.fullName
      let record = AvroRecordSchema(
        name: name, aliases: try aliases(value, namespace: name.namespace, at: here),
        doc: value["doc"]?.stringValue, fields: [])
      try define(name, .record(record), at: at)
      guard case .array(let fieldValues) = value["fields"] ?? .null else {
        throw .missingAttribute(attribute: "fields", at: here)
      }
      var fields: [AvroField] = []
      var seen = Set<String>()
      for fieldValue in fieldValues {
        guard let fieldName = fieldValue["name"]?.stringValue else {
          throw .missingAttribute(attribute: "name", at: "\(here).fields[\(fields.count)]")
        }
        let fieldAt = "\(here).\(fieldName)"
        guard isValidAvroName(fieldName) else { throw .invalidName(name: fieldName, at: fieldAt) }
        guard seen.insert(fieldName).inserted else {
          throw .duplicateField(name: fieldName, at: here)
        }
        guard let typeValue = fieldValue["type"] else {
          throw .missingAttribute(attribute: "type", at: fieldAt)
        }
        let type = try parse(typeValue, namespace: name.namespace, at: fieldAt)
        let defaultValue = fieldValue["default"]
        if let defaultValue {
          guard AvroValue.fromDefault(defaultValue, schema: type) != nil else {
            throw .invalidDefault(field: fieldName, expected: type.typeName, at: fieldAt)
          }
        }
        var fieldAliases: [String] = []
        if case .array(let items) = fieldValue["aliases"] ?? .null {
          fieldAliases = items.compactMap(\.stringValue)
        }
        fields.append(
          AvroField(
            name: fieldName, type: type, defaultValue: defaultValue, aliases: fieldAliases,
            doc: fieldValue["doc"]?.stringValue))
      }
      record.fields = fields
      return .record(record)
    case "enum":
      guard let rawName = value["name"]?.stringValue else {
        throw .missingAttribute(attribute: "name", at: at)
      }
      let name = AvroName(rawName, enclosingNamespace: value["namespace"]?.stringValue ?? namespace)
      try checkFullName(name, at: at)
      guard case .array(let symbolValues) = value["symbols"] ?? .null else {
        throw .missingAttribute(attribute: "symbols", at: name.fullName)
      }
      var symbols: [String] = []
      for s in symbolValues {
        guard let symbol = s.stringValue, isValidAvroName(symbol) else {
          throw .invalidEnum(reason: "symbol \(s) is not a valid Avro name", at: name.fullName)
        }
        guard !symbols.contains(symbol) else {
          throw .invalidEnum(reason: "symbol \"\(symbol)\" appears twice", at: name.fullName)
        }
        symbols.append(symbol)
      }
      let defaultSymbol = value["default"]?.stringValue
      if let defaultSymbol, !symbols.contains(defaultSymbol) {
        throw .invalidEnum(
          reason: "the default \"\(defaultSymbol)\" is not one of the symbols", at: name.fullName)
      }
      let schema = AvroSchema.enumeration(
        AvroEnumSchema(
          name: name, aliases: try aliases(value, namespace: name.namespace, at: name.fullName),
          symbols: symbols, defaultSymbol: defaultSymbol))
      try define(name, schema, at: at)
      return schema
    case "fixed":
      guard let rawName = value["name"]?.stringValue else {
        throw .missingAttribute(attribute: "name", at: at)
      }
      let name = AvroName(rawName, enclosingNamespace: value["namespace"]?.stringValue ?? namespace)
      try checkFullName(name, at: at)
      guard case .number(_, let size?) = value["size"] ?? .null, size >= 0, size <= 1 << 30 else {
        throw .missingAttribute(attribute: "size", at: name.fullName)
      }
      let schema = AvroSchema.fixed(
        AvroFixedSchema(
          name: name, aliases: try aliases(value, namespace: name.namespace, at: name.fullName),
          size: Int(size)))
      try define(name, schema, at: at)
      return schema
    case "array":
      guard let items = value["items"] else { throw .missingAttribute(attribute: "items", at: at) }
      return .array(try parse(items, namespace: namespace, at: "\(at).items"))
    case "map":
      guard let values = value["values"] else {
        throw .missingAttribute(attribute: "values", at: at)
      }
      return .map(try parse(values, namespace: namespace, at: "\(at).values"))
    default:
      return try lookup(type, namespace: namespace, at: at)
    }
  }
}
