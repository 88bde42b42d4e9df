import Plumbing

/// A generic Avro datum, for any schema: what the generic reader returns and the generic writer
/// takes. Records hold their field values in the schema's field order; unions hold the branch
/// index in the (reader's) union and the value.
public indirect enum AvroValue: Hashable, Sendable {
  case null
  case boolean(Bool)
  case int(Int32)
  case long(Int64)
  case float(Float)
  case double(Double)
  case bytes([UInt8])
  case string(String)
  case fixed([UInt8])
  /// The symbol's index in the enum and the symbol.
  case enumeration(index: Int, symbol: String)
  case array([AvroValue])
  case map([String: AvroValue])
  /// Field values in schema order.
  case record([AvroValue])
  /// The branch index and the branch's value.
  case union(index: Int, AvroValue)

  /// The value a field's JSON default stands for under `schema`, or nil if the default does not
  /// match the schema (for a union: the first branch, then any branch, leniently).
  package static func fromDefault(_ json: JSONValue, schema: AvroSchema) -> AvroValue? {
    var visiting = Set<String>()
    return fromDefault(json, schema: schema, visiting: &visiting)
  }

  private static func fromDefault(
    _ json: JSONValue, schema: AvroSchema, visiting: inout Set<String>
  )
    -> AvroValue?
  {
    switch (schema.underlying, json) {
    case (.null, .null): return .null
    case (.boolean, .bool(let b)): return .boolean(b)
    case (.int, .number(_, let i?)):
      guard let v = Int32(exactly: i) else { return nil }
      return .int(v)
    case (.long, .number(_, let i?)): return .long(i)
    case (.float, .number(let d, _)): return .float(Float(d))
    case (.double, .number(let d, _)): return .double(d)
    case (.float, .string(let s)) where s == "NaN" || s == "Infinity" || s == "-Infinity":
      return .float(Float(s) ?? .nan)
    case (.double, .string(let s)) where s == "NaN" || s == "Infinity" || s == "-Infinity":
      return .double(Double(s) ?? .nan)
    case (.string, .string(let s)): return .string(s)
    case (.bytes, .string(let s)):
      // Bytes defaults are strings whose code points 0–255 are the bytes.
      var out: [UInt8] = []
      for scalar in s.unicodeScalars {
        guard scalar.value < 256 else { return nil }
        out.append(UInt8(scalar.value))
      }
      return .bytes(out)
    case (.fixed(let f), .string(let s)):
      var out: [UInt8] = []
      for scalar in s.unicodeScalars {
        guard scalar.value < 256 else { return nil }
        out.append(UInt8(scalar.value))
      }
      guard out.count == f.size else { return nil }
      return .fixed(out)
    case (.enumeration(let e), .string(let s)):
      guard let i = e.symbols.firstIndex(of: s) else { return nil }
      return .enumeration(index: i, symbol: s)
    case (.array(let items), .array(let values)):
      var out: [AvroValue] = []
      for v in values {
        guard let item = fromDefault(v, schema: items, visiting: &visiting) else { return nil }
        out.append(item)
      }
      return .array(out)
    case (.map(let valueSchema), .object(let members)):
      var out: [String: AvroValue] = [:]
      for m in members {
        guard let item = fromDefault(m.value, schema: valueSchema, visiting: &visiting) else {
          return nil
        }
        out[m.key] = item
      }
      return .map(out)
    case (.record(let r), .object):
      if visiting.contains(r.name.fullName) && r.fields.isEmpty { return nil }
      visiting.insert(r.name.fullName)
      defer { visiting.remove(r.name.fullName) }
      var out: [AvroValue] = []
      for field in r.fields {
        if let v = json[field.name] {
          guard let item = fromDefault(v, schema: field.type, visiting: &visiting) else {
            return nil
          }
          out.append(item)
        } else if let d = field.defaultValue,
          let item = fromDefault(d, schema: field.type, visiting: &visiting)
        {
          out.append(item)
        } else {
          return nil
        }
      }
      return .record(out)
    case (.union(let branches), _):
      for (i, branch) in branches.enumerated() {
        if let v = fromDefault(json, schema: branch, visiting: &visiting) {
          return .union(index: i, v)
        }
      }
      return nil
    default:
      return nil
    }
  }
}

/// Why a value does not fit the schema it is written with (a programmer error in the caller's
/// data, reported rather than trapped because values may come from user files).
public struct AvroEncodingError: Error, CustomStringConvertible, Sendable, Equatable {
  /// Where in the value (`record.field[3]`).
  public var path: String
  /// What the schema expected there.
  public var expected: String
  public var description: String {
    "cannot encode the value at \(path): the schema expects \(expected). Fix the value or the schema."
  }
}

extension AvroValue {
  /// Appends the binary encoding of `self` under `schema`.
  func encode(_ schema: AvroSchema, into out: AvroByteBuffer, path: String)
    throws(AvroEncodingError)
  {
    switch (schema.underlying, self) {
    case (.null, .null): break
    case (.boolean, .boolean(let b)): out.writeByte(b ? 1 : 0)
    case (.int, .int(let v)): out.writeLong(Int64(v))
    case (.long, .long(let v)): out.writeLong(v)
    case (.float, .float(let v)): out.writeFloat(v)
    case (.double, .double(let v)): out.writeDouble(v)
    case (.bytes, .bytes(let b)): b.withUnsafeBufferPointer { out.writeBytes($0) }
    case (.string, .string(let s)): out.writeString(s)
    case (.fixed(let f), .fixed(let b)) where b.count == f.size: out.writeRaw(b)
    case (.enumeration(let e), .enumeration(let i, _)) where i >= 0 && i < e.symbols.count:
      out.writeLong(Int64(i))
    case (.array(let itemSchema), .array(let items)):
      if !items.isEmpty {
        out.writeLong(Int64(items.count))
        for (i, item) in items.enumerated() {
          try item.encode(itemSchema, into: out, path: "\(path)[\(i)]")
        }
      }
      out.writeLong(0)
    case (.map(let valueSchema), .map(let entries)):
      if !entries.isEmpty {
        out.writeLong(Int64(entries.count))
        for key in entries.keys.sorted() {
          out.writeString(key)
          try entries[key]?.encode(valueSchema, into: out, path: "\(path)[\(key)]")
        }
      }
      out.writeLong(0)
    case (.record(let r), .record(let values)) where values.count == r.fields.count:
      for (field, value) in zip(r.fields, values) {
        try value.encode(field.type, into: out, path: "\(path).\(field.name)")
      }
    case (.union(let branches), .union(let i, let value)) where i >= 0 && i < branches.count:
      out.writeLong(Int64(i))
      try value.encode(branches[i], into: out, path: "\(path)<\(i)>")
    default:
      throw AvroEncodingError(path: path, expected: schema.typeName)
    }
  }

  /// The binary encoding of `self` under `schema` (the Avro "binary encoding").
  ///
  /// - Throws: `AvroEncodingError` if the value does not fit the schema.
  public func encoded(with schema: AvroSchema) throws(AvroEncodingError) -> [UInt8] {
    let out = AvroByteBuffer(capacity: 256)
    try encode(schema, into: out, path: schema.fullName ?? "value")
    return out.array
  }
}
