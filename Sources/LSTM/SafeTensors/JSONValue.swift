/// A parsed JSON value: just enough JSON for safetensors headers (RFC 8259, strict: no trailing
/// commas, no comments, duplicate keys refused).
enum JSONValue: Equatable {
  case object([(key: String, value: JSONValue)])
  case array([JSONValue])
  case string(String)
  case number(Double, integer: Int?)
  case bool(Bool)
  case null

  static func == (a: JSONValue, b: JSONValue) -> Bool {
    switch (a, b) {
    case (.object(let x), .object(let y)):
      return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    case (.array(let x), .array(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y
    case (.number(let x, _), .number(let y, _)): return x == y
    case (.bool(let x), .bool(let y)): return x == y
    case (.null, .null): return true
    default: return false
    }
  }

  /// A short name of the kind, for error messages.
  var kind: String {
    switch self {
    case .object: return "an object"
    case .array: return "an array"
    case .string: return "a string"
    case .number: return "a number"
    case .bool: return "a boolean"
    case .null: return "null"
    }
  }
}

/// Why JSON text could not be parsed: what was expected, at which byte.
struct JSONParseError: Error {
  var message: String
  var offset: Int
}

/// A strict recursive-descent JSON parser over UTF-8 bytes.
struct JSONParser {
  let bytes: [UInt8]
  var position = 0
  var depth = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// Parses one value that must fill the whole text (surrounding whitespace allowed).
  static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
    var parser = JSONParser(bytes)
    let value = try parser.value()
    parser.skipWhitespace()
    if parser.position != bytes.count { throw parser.fail("end of JSON") }
    return value
  }

  func fail(_ expected: String) -> JSONParseError {
    if position >= bytes.count {
      return JSONParseError(
        message: "expected \(expected), found the end of the text", offset: position)
    }
    let c = bytes[position]
    let shown = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte \(c)"
    return JSONParseError(message: "expected \(expected), found \(shown)", offset: position)
  }

  mutating func skipWhitespace() {
    while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) {
      position += 1
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
    if depth > 64 {
      throw JSONParseError(message: "nesting deeper than 64 levels", offset: position)
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
        throw JSONParseError(message: "duplicate key \"\(key)\"", offset: keyOffset)
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
      throw JSONParseError(message: "string is not valid UTF-8", offset: position)
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
    return .number(d, integer: isInteger ? Int(text) : nil)
  }
}

/// JSON text for a string (quotes and escapes).
func jsonQuoted(_ s: String) -> String {
  var out = "\""
  for u in s.unicodeScalars {
    switch u {
    case "\"": out += "\\\""
    case "\\": out += "\\\\"
    case "\n": out += "\\n"
    case "\r": out += "\\r"
    case "\t": out += "\\t"
    default:
      if u.value < 0x20 {
        let hex = String(u.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      } else {
        out.unicodeScalars.append(u)
      }
    }
  }
  return out + "\""
}
