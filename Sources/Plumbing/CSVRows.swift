/// RFC 4180 rows from UTF-8 bytes: comma-separated, fields optionally double-quoted with `""`
/// for a quote (a quoted field may hold commas and line breaks), LF or CRLF line ends, a leading
/// byte-order mark ignored. The one CSV reader of the package: it knows the line each row starts
/// on, for messages, and reads millions of rows.
package struct CSVRows {
  private let bytes: [UInt8]
  private var position = 0
  /// The 1-based line on which the row last returned starts.
  package private(set) var line = 0
  private var nextLine = 1

  /// Rows of `bytes` (the whole file).
  package init(bytes: [UInt8]) {
    self.bytes = bytes
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
  }

  /// The next row, nil at the end. A blank line is a row of one empty field.
  ///
  /// - Throws: `CSVRowsError.unclosedQuote` with the line where the quoted field began.
  package mutating func next() throws(CSVRowsError) -> [String]? {
    guard position < bytes.count else { return nil }
    line = nextLine
    var fields: [String] = []
    var field: [UInt8] = []
    var quoted = false
    var quoteLine = line
    while position < bytes.count {
      let b = bytes[position]
      position += 1
      if quoted {
        if b == 34 {
          if position < bytes.count, bytes[position] == 34 {
            field.append(34)
            position += 1
          } else {
            quoted = false
          }
        } else {
          if b == 10 { nextLine += 1 }
          field.append(b)
        }
        continue
      }
      switch b {
      case 34 where field.isEmpty:
        quoted = true
        quoteLine = nextLine
      case 44:
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
      case 10:
        nextLine += 1
        if field.last == 13 { field.removeLast() }
        fields.append(String(decoding: field, as: UTF8.self))
        return fields
      default:
        field.append(b)
      }
    }
    if quoted { throw CSVRowsError.unclosedQuote(line: quoteLine) }
    if field.last == 13 { field.removeLast() }
    fields.append(String(decoding: field, as: UTF8.self))
    return fields
  }
}

/// Why CSV text is not RFC 4180 rows.
package enum CSVRowsError: Error, Equatable {
  /// A quoted field opened on `line` never closes.
  case unclosedQuote(line: Int)
}

/// CSV fields as text: the one CSV writer's quoting rule of the package.
package enum CSVField {
  /// `s` as a CSV field: quoted (with `""` for a quote) when it holds a comma, a quote or a line
  /// break, or always when `always` is set; else as it is.
  package static func quoted(_ s: String, always: Bool = false) -> String {
    guard always || s.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 })
    else { return s }
    var out = "\""
    for c in s {
      if c == "\"" { out += "\"\"" } else { out.append(c) }
    }
    return out + "\""
  }

  /// One CSV line (no line end) of `fields`, each quoted as `quoted(_:)` says.
  package static func line(_ fields: [String]) -> String {
    fields.map { quoted($0) }.joined(separator: ",")
  }
}
