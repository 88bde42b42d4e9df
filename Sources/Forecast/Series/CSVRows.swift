/// RFC 4180 rows from UTF-8 bytes: comma-separated, fields optionally double-quoted with `""`
/// for a quote, LF or CRLF line ends, a leading byte-order mark ignored.
///
/// Written here rather than taken from CSV.swift because the series reader needs the line of
/// every row for its messages and reads hundreds of thousands of rows.
struct CSVRows {
  private let bytes: [UInt8]
  private var position = 0
  /// The 1-based line on which the row last returned starts.
  private(set) var line = 0
  private var nextLine = 1

  init(bytes: [UInt8]) {
    self.bytes = bytes
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { position = 3 }
  }

  /// The next row, nil at the end.
  /// - Throws: `CSVRowsError.unclosedQuote` with the line where the quoted field began.
  mutating func next() throws -> [String]? {
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

enum CSVRowsError: Error {
  case unclosedQuote(line: Int)
}
