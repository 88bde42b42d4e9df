/// A JSON value, as Avro schemas and default values are written (RFC 8259), parsed without
/// Foundation. Object members keep their order (Avro's canonical form and error messages use it).
public indirect enum JSONValue: Hashable, Sendable, CustomStringConvertible {
  case null
  case bool(Bool)
  /// A number: the value as a Double, and the exact integer when the text was an integer that
  /// fits in Int64.
  case number(Double, integer: Int64?)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  /// The member named `key` of an object (nil for other values or absent keys).
  public subscript(key: String) -> JSONValue? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.key == key }?.value
  }

  /// The string, if this is a string.
  public var stringValue: String? {
    if case .string(let s) = self { return s }
    return nil
  }

  /// Compact JSON text (members in their order, strings escaped as RFC 8259 requires).
  public var description: String {
    var out = ""
    write(to: &out)
    return out
  }

  func write(to out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .number(let d, let integer):
      if let integer { out += String(integer) } else { out += d.isFinite ? "\(d)" : "null" }
    case .string(let s): JSONValue.writeString(s, to: &out)
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
        JSONValue.writeString(member.key, to: &out)
        out += ":"
        member.value.write(to: &out)
      }
      out += "}"
    }
  }

  static func writeString(_ s: String, to out: inout String) {
    out += "\""
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

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
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

  public func hash(into hasher: inout Hasher) {
    hasher.combine(description)
  }
}

/// Why a JSON text could not be parsed: the byte offset and what was expected there.
public struct JSONParseError: Error, CustomStringConvertible, Sendable, Equatable {
  /// Byte offset into the text.
  public var offset: Int
  /// What was wrong.
  public var reason: String
  public var description: String { "invalid JSON at byte \(offset): \(reason)" }

  /// An error at `offset` for `reason`.
  public init(offset: Int, reason: String) {
    self.offset = offset
    self.reason = reason
  }
}

extension JSONValue {
  /// Parses a complete JSON text (one value, surrounding whitespace allowed).
  ///
  /// - Throws: `JSONParseError` with the byte offset of the first problem.
  public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    var parser = JSONParser(bytes: Array(text.utf8))
    let value = try parser.parseValue(depth: 0)
    parser.skipWhitespace()
    if parser.index != parser.bytes.count {
      throw JSONParseError(offset: parser.index, reason: "unexpected text after the value")
    }
    return value
  }
}

private struct JSONParser {
  let bytes: [UInt8]
  var index = 0

  init(bytes: [UInt8]) { self.bytes = bytes }

  mutating func skipWhitespace() {
    while index < bytes.count,
      bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
    {
      index += 1
    }
  }

  func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

  mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
    if depth > 512 { throw fail("nesting deeper than 512 levels") }
    skipWhitespace()
    guard index < bytes.count else { throw fail("unexpected end of text") }
    switch bytes[index] {
    case UInt8(ascii: "{"):
      index += 1
      var members: [(key: String, value: JSONValue)] = []
      skipWhitespace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      }
      while true {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
          throw fail("expected a string key")
        }
        let key = try parseString()
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
          throw fail("expected ':'")
        }
        index += 1
        members.append((key, try parseValue(depth: depth + 1)))
        skipWhitespace()
        guard index < bytes.count else { throw fail("unterminated object") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
        } else if bytes[index] == UInt8(ascii: "}") {
          index += 1
          return .object(members)
        } else {
          throw fail("expected ',' or '}'")
        }
      }
    case UInt8(ascii: "["):
      index += 1
      var items: [JSONValue] = []
      skipWhitespace()
      if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(items)
      }
      while true {
        items.append(try parseValue(depth: depth + 1))
        skipWhitespace()
        guard index < bytes.count else { throw fail("unterminated array") }
        if bytes[index] == UInt8(ascii: ",") {
          index += 1
        } else if bytes[index] == UInt8(ascii: "]") {
          index += 1
          return .array(items)
        } else {
          throw fail("expected ',' or ']'")
        }
      }
    case UInt8(ascii: "\""):
      return .string(try parseString())
    case UInt8(ascii: "t"):
      try expectWord("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectWord("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectWord("null")
      return .null
    default:
      return try parseNumber()
    }
  }

  mutating func expectWord(_ word: String) throws(JSONParseError) {
    let w = Array(word.utf8)
    guard index + w.count <= bytes.count, Array(bytes[index..<index + w.count]) == w else {
      throw fail("expected '\(word)'")
    }
    index += w.count
  }

  mutating func parseNumber() throws(JSONParseError) -> JSONValue {
    let start = index
    var isInteger = true
    if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
    let digitsStart = index
    while index < bytes.count {
      let b = bytes[index]
      if b >= 0x30 && b <= 0x39 {
        index += 1
      } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
        || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
      {
        isInteger = false
        index += 1
      } else {
        break
      }
    }
    guard index > digitsStart else {
      index = start
      throw fail("expected a value")
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    guard let d = Double(text) else { throw JSONParseError(offset: start, reason: "bad number") }
    return .number(d, integer: isInteger ? Int64(text) : nil)
  }

  mutating func parseHex4() throws(JSONParseError) -> UInt32 {
    guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let b = bytes[index]
      let d: UInt32
      switch b {
      case 0x30...0x39: d = UInt32(b - 0x30)
      case 0x41...0x46: d = UInt32(b - 0x41 + 10)
      case 0x61...0x66: d = UInt32(b - 0x61 + 10)
      default: throw fail("bad hex digit in \\u escape")
      }
      v = v << 4 | d
      index += 1
    }
    return v
  }

  mutating func parseString() throws(JSONParseError) -> String {
    index += 1  // opening quote
    var scalars = String.UnicodeScalarView()
    var runStart = index
    func flushRun(_ end: Int) {
      if end > runStart {
        scalars.append(
          contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars)
      }
    }
    while true {
      guard index < bytes.count else { throw fail("unterminated string") }
      let b = bytes[index]
      if b == UInt8(ascii: "\"") {
        flushRun(index)
        index += 1
        return String(scalars)
      } else if b == UInt8(ascii: "\\") {
        flushRun(index)
        index += 1
        guard index < bytes.count else { throw fail("unterminated escape") }
        let e = bytes[index]
        index += 1
        switch e {
        case UInt8(ascii: "\""): scalars.append("\"")
        case UInt8(ascii: "\\"): scalars.append("\\")
        case UInt8(ascii: "/"): scalars.append("/")
        case UInt8(ascii: "b"): scalars.append("\u{08}")
        case UInt8(ascii: "f"): scalars.append("\u{0C}")
        case UInt8(ascii: "n"): scalars.append("\n")
        case UInt8(ascii: "r"): scalars.append("\r")
        case UInt8(ascii: "t"): scalars.append("\t")
        case UInt8(ascii: "u"):
          var v = try parseHex4()
          if v >= 0xD800 && v < 0xDC00, index + 6 <= bytes.count, bytes[index] == 0x5C,
            bytes[index + 1] == UInt8(ascii: "u")
          {
            index += 2
            let low = try parseHex4()
            v = 0x10000 + ((v - 0xD800) << 10) + (low &- 0xDC00)
          }
          scalars.append(Unicode.Scalar(v) ?? "\u{FFFD}")
        default: throw fail("bad escape")
        }
        runStart = index
      } else if b < 0x20 {
        throw fail("control character in string")
      } else {
        index += 1
      }
    }
  }
}
