/// A JSON value (RFC 8259), parsed and printed without Foundation: the one JSON of the package
/// (Avro schemas and defaults, safetensors headers, `inspect --json`, predictions as JSON).
///
/// Object members keep their order (Avro's canonical form, error messages and stable output
/// depend on it). Numbers keep the exact integer when the text was an integer that fits Int64.
package indirect enum JSONValue: Hashable, Sendable, CustomStringConvertible {
  case null
  case bool(Bool)
  /// A number: the value as a Double, and the exact integer when the text was an integer that
  /// fits in Int64.
  case number(Double, integer: Int64?)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  /// An integer number.
  package static func integer(_ v: Int) -> JSONValue { .number(Double(v), integer: Int64(v)) }

  /// The member named `key` of an object (nil for other values or absent keys).
  package subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// The string, if this is a string.
  package var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// A short name of the kind, for error messages: "an object", "a string", …
  package var kind: String {
    switch self {
    case .object: return "an object"
    case .array: return "an array"
    case .string: return "a string"
    case .number: return "a number"
    case .bool: return "a boolean"
    case .null: return "null"
    }
  }

  /// Compact JSON text (members in their order, strings escaped as RFC 8259 requires;
  /// non-finite numbers, which JSON cannot hold, as `null`).
  package var description: String {
    var out = ""
    write(to: &out)
    return out
  }

  /// Appends the compact JSON text to `out`.
  package func write(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let d, let integer):
      if let integer { out += String(integer) } else { out += d.isFinite ? "\(d)" : "null" }
    case .string(let s): JSONValue.writeQuoted(s, to: &out)
    case .array(let items):
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        item.write(to: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      for (i, member) in members.enumerated() {
        if i > 0 { out += "," }
        JSONValue.writeQuoted(member.key, to: &out)
        out += ":"
        member.value.write(to: &out)
      }
      out += "}"
    }
  }

  /// The JSON string literal of `s` (quotes, escapes).
  package static func quoted(_ s: String) -> String {
    var out = ""
    writeQuoted(s, to: &out)
    return out
  }

  /// Appends the JSON string literal of `s` to `out`.
  package static func writeQuoted(_ s: String, to out: inout String) {
    out += "\""
    // Most strings need no escape: appended whole.
    guard s.utf8.contains(where: { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 }) else {
      out += s
      out += "\""
      return
    }
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }

  package static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.number(let a, let ai), .number(let b, let bi)): return a == b && ai == bi
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  package func hash(into hasher: inout Hasher) {
    hasher.combine(description)
  }
}

/// Why a JSON text could not be parsed: the byte offset and what was expected there.
package struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
  /// Byte offset into the text.
  package var offset: Int
  /// What was wrong: "expected ',' or '}', found '\"'", "duplicate key \"a\"", …
  package var reason: String
  package var description: String { "invalid JSON at byte \(offset): \(reason)" }

  /// An error at `offset` for `reason`.
  package init(offset: Int, reason: String) {
    self.offset = offset
    self.reason = reason
  }
}

extension JSONValue {
  /// Parses a complete JSON text (one value, surrounding whitespace allowed). Strict: no
  /// trailing commas, no comments, no duplicate keys in an object, valid UTF-8, at most 512
  /// levels of nesting.
  ///
  /// - Throws: `JSONParseError` with the byte offset of the first problem.
  package static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    try parse(bytes: Array(text.utf8))
  }

  /// Parses a complete JSON text given as UTF-8 bytes (see `parse(_:)`).
  package static func parse(bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
    var parser = JSONParser(bytes: bytes)
    let value = try parser.value()
    parser.skipWhitespace()
    if parser.position != bytes.count { throw parser.fail("the end of the text") }
    return value
  }
}

/// A strict recursive-descent JSON parser over UTF-8 bytes.
private struct JSONParser {
  static let maximumDepth = 512
  let bytes: [UInt8]
  var position = 0
  var depth = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  func fail(_ expected: String) -> JSONParseError {
    if position >= bytes.count {
      return JSONParseError(
        offset: position, reason: "expected \(expected), found the end of the text")
    }
    let c = bytes[position]
    let shown = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte \(c)"
    return JSONParseError(offset: position, reason: "expected \(expected), found \(shown)")
  }

  mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0A, 0x0D: position += 1
      default: return
      }
    }
  }

  mutating func value() throws(JSONParseError) -> JSONValue {
    skipWhitespace()
    guard position < bytes.count else { throw fail("a value") }
    switch bytes[position] {
    case UInt8(ascii: "{"): return try object()
    case UInt8(ascii: "["): return try array()
    case UInt8(ascii: "\""): return .string(try string())
    case UInt8(ascii: "t"):
      try literal("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try literal("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try literal("null")
      return .null
    default: return try number()
    }
  }

  mutating func literal(_ word: String) throws(JSONParseError) {
    for b in word.utf8 {
      guard position < bytes.count, bytes[position] == b else { throw fail("'\(word)'") }
      position += 1
    }
  }

  mutating func enter() throws(JSONParseError) {
    depth += 1
    if depth > Self.maximumDepth {
      throw JSONParseError(
        offset: position, reason: "nesting deeper than \(Self.maximumDepth) levels")
    }
  }

  mutating func object() throws(JSONParseError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    position += 1
    var members: [(key: String, value: JSONValue)] = []
    var keys = Set<String>()
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
      position += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
        throw fail("a quoted key")
      }
      let keyOffset = position
      let key = try string()
      if !keys.insert(key).inserted {
        throw JSONParseError(offset: keyOffset, reason: "duplicate key \"\(key)\"")
      }
      skipWhitespace()
      guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("':'") }
      position += 1
      members.append((key, try value()))
      skipWhitespace()
      guard position < bytes.count else { throw fail("',' or '}'") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
      } else if bytes[position] == UInt8(ascii: "}") {
        position += 1
        return .object(members)
      } else {
        throw fail("',' or '}'")
      }
    }
  }

  mutating func array() throws(JSONParseError) -> JSONValue {
    try enter()
    defer { depth -= 1 }
    position += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
      position += 1
      return .array(elements)
    }
    while true {
      elements.append(try value())
      skipWhitespace()
      guard position < bytes.count else { throw fail("',' or ']'") }
      if bytes[position] == UInt8(ascii: ",") {
        position += 1
      } else if bytes[position] == UInt8(ascii: "]") {
        position += 1
        return .array(elements)
      } else {
        throw fail("',' or ']'")
      }
    }
  }

  mutating func hex4() throws(JSONParseError) -> UInt32 {
    var v: UInt32 = 0
    for _ in 0..<4 {
      guard position < bytes.count else { throw fail("4 hex digits") }
      let c = bytes[position]
      let d: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw fail("a hex digit")
      }
      v = v * 16 + d
      position += 1
    }
    return v
  }

  mutating func string() throws(JSONParseError) -> String {
    position += 1  // opening quote
    var out: [UInt8] = []
    while true {
      guard position < bytes.count else { throw fail("closing '\"'") }
      let c = bytes[position]
      position += 1
      if c == UInt8(ascii: "\"") { break }
      if c < 0x20 {
        position -= 1
        throw fail("no raw control character inside a string")
      }
      if c != UInt8(ascii: "\\") {
        out.append(c)
        continue
      }
      guard position < bytes.count else { throw fail("an escape") }
      let e = bytes[position]
      position += 1
      switch e {
      case UInt8(ascii: "\""): out.append(0x22)
      case UInt8(ascii: "\\"): out.append(0x5C)
      case UInt8(ascii: "/"): out.append(0x2F)
      case UInt8(ascii: "b"): out.append(0x08)
      case UInt8(ascii: "f"): out.append(0x0C)
      case UInt8(ascii: "n"): out.append(0x0A)
      case UInt8(ascii: "r"): out.append(0x0D)
      case UInt8(ascii: "t"): out.append(0x09)
      case UInt8(ascii: "u"):
        var scalar = try hex4()
        if scalar >= 0xD800 && scalar < 0xDC00 {
          guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
            bytes[position + 1] == UInt8(ascii: "u")
          else { throw fail("a low surrogate escape") }
          position += 2
          let low = try hex4()
          guard low >= 0xDC00 && low < 0xE000 else { throw fail("a low surrogate") }
          scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        guard let u = Unicode.Scalar(scalar) else { throw fail("a valid unicode escape") }
        out.append(contentsOf: Array(String(Character(u)).utf8))
      default:
        position -= 1
        throw fail("a valid escape")
      }
    }
    guard let text = String(validating: out, as: UTF8.self) else {
      throw JSONParseError(offset: position, reason: "the string is not valid UTF-8")
    }
    return text
  }

  mutating func number() throws(JSONParseError) -> JSONValue {
    let start = position
    if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
    var digits = 0
    var isInteger = true
    while position < bytes.count {
      let c = bytes[position]
      if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
        digits += 1
      } else if c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E")
        || c == UInt8(ascii: "+") || c == UInt8(ascii: "-")
      {
        isInteger = false
      } else {
        break
      }
      position += 1
    }
    guard digits > 0 else {
      position = start
      throw fail("a value")
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    guard let d = Double(text) else {
      position = start
      throw fail("a number")
    }
    return .number(d, integer: isInteger ? Int64(text) : nil)
  }
}
