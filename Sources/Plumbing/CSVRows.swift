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
  private let maximumFieldBytes: Int

  /// The longest field accepted by default: 64 KiB. No name, id, date or number comes near
  /// it; a longer field is damage (a lost quote, a binary file) and is refused as soon as the
  /// limit is passed, so a 100 MB field costs a fraction of a second and no memory beyond it.
  package static let defaultMaximumFieldBytes = 65_536

  /// Rows of `bytes` (the whole file); a field longer than `maximumFieldBytes` is refused.
  package init(bytes: [UInt8], maximumFieldBytes: Int = CSVRows.defaultMaximumFieldBytes) {
    self.maximumFieldBytes = maximumFieldBytes
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
          if field.count > maximumFieldBytes {
            throw CSVRowsError.fieldTooLong(line: line, limit: maximumFieldBytes)
          }
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
        if field.count > maximumFieldBytes {
          throw CSVRowsError.fieldTooLong(line: line, limit: maximumFieldBytes)
        }
      }
    }
    if quoted { throw CSVRowsError.unclosedQuote(line: quoteLine) }
    if field.last == 13 { field.removeLast() }
    fields.append(String(decoding: field, as: UTF8.self))
    return fields
  }
}

/// Why CSV text is not RFC 4180 rows.
package enum CSVRowsError: Error, Equatable, CustomStringConvertible {
  /// A quoted field opened on `line` never closes.
  case unclosedQuote(line: Int)
  /// A field in the row starting on `line` is longer than `limit` bytes.
  case fieldTooLong(line: Int, limit: Int)

  /// The problem, for a message that names the file first.
  package var description: String {
    switch self {
    case .unclosedQuote(let line):
      return "line \(line): a quoted field opened here is never closed. Close the quote (write "
        + "a quote inside a quoted field as two quotes)"
    case .fieldTooLong(let line, let limit):
      return "line \(line): a field is longer than \(limit) bytes, which no CSV value of the "
        + "toolkit needs (a lost quote or a binary file?). Fix the line"
    }
  }
}

extension CSVRows {
  /// Why `bytes` are not CSV text the toolkit reads, or nil: UTF-16 or UTF-32 (a byte-order mark
  /// or NUL bytes), line ends of CR alone (classic Mac OS), or bytes that are not UTF-8 (with
  /// the line and byte offset of the first). Checked before any row is parsed, so the message
  /// says the real reason rather than "column 1 is '��s e r i e s'".
  package static func encodingProblem(_ bytes: [UInt8]) -> String? {
    if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
      return "it is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8"
    }
    if let nul = bytes.firstIndex(of: 0) {
      return "it holds a NUL byte at offset \(nul): UTF-16 or binary data, not UTF-8 text; save "
        + "it as UTF-8"
    }
    if bytes.contains(13) && !bytes.contains(10) {
      return "its lines end in CR alone (classic Mac OS line endings), so it reads as one line; "
        + "save it with LF or CRLF line endings"
    }
    var parser = Unicode.UTF8.ForwardParser()
    var iterator = bytes.makeIterator()
    var offset = 0
    var line = 1
    while true {
      switch parser.parseScalar(from: &iterator) {
      case .valid(let scalar):
        if scalar.count == 1 && scalar.first == 10 { line += 1 }
        offset += scalar.count
      case .emptyInput:
        return nil
      case .error:
        return "it is not UTF-8 text (line \(line), byte offset \(offset): an invalid byte, "
          + "e.g. Latin-1 or Windows-1252); save it as UTF-8"
      }
    }
  }
}

/// CSV fields as text: the one CSV writer's quoting rule of the package.
package enum CSVField {
  /// `s` as a CSV field: quoted (with `""` for a quote) when it holds a comma, a quote or a line
  /// break, or always when `always` is set; else as it is.
  package static func quoted(_ s: String, always: Bool = false) -> String {
    guard always || needsQuotes(s.utf8) else { return s }
    var text = CSVText()
    text.appendQuoted(s)
    return text.string
  }

  /// Whether a field holds a comma, a quote or a line break.
  @inline(__always)
  static func needsQuotes(_ bytes: some Sequence<UInt8>) -> Bool {
    bytes.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
  }

  /// `needsQuotes` of a buffer, byte by byte without a closure.
  @inline(__always)
  static func needsQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    for b in bytes where b <= 44 && (b == 44 || b == 34 || b == 10 || b == 13) { return true }
    return false
  }

  /// One CSV line (no line end) of `fields`, each quoted as `quoted(_:)` says.
  package static func line(_ fields: [String]) -> String {
    fields.map { quoted($0) }.joined(separator: ",")
  }
}

/// A CSV file's text built as UTF-8 bytes, field by field (`CSVField`'s quoting rule): for
/// large tables, without an array and a string per line.
package struct CSVText {
  package private(set) var bytes: [UInt8] = []
  private var atLineStart = true

  /// An empty text, or one starting with `header` (its own line end included).
  package init(header: String = "") {
    bytes.reserveCapacity(1 << 16)
    bytes.append(contentsOf: header.utf8)
  }

  /// Starts the next field of the line (a comma unless it is the first).
  package mutating func separate() {
    if !atLineStart { bytes.append(44) }
    atLineStart = false
  }

  /// The next field of the line.
  package mutating func field(_ s: String) {
    separate()
    var s = s
    s.withUTF8 { u in
      if CSVField.needsQuotes(u) {
        appendQuoted(u)
      } else {
        bytes.append(contentsOf: u)
      }
    }
  }

  /// The next field: `a`, `separator` and `b` joined (as one string would be quoted).
  package mutating func field(_ a: String, _ separator: String, _ b: String) {
    var (a, separator, b) = (a, separator, b)
    let plain =
      a.withUTF8 { !CSVField.needsQuotes($0) } && b.withUTF8 { !CSVField.needsQuotes($0) }
      && separator.withUTF8 { !CSVField.needsQuotes($0) }
    guard plain else { return field(a + separator + b) }
    separate()
    a.withUTF8 { bytes.append(contentsOf: $0) }
    separator.withUTF8 { bytes.append(contentsOf: $0) }
    b.withUTF8 { bytes.append(contentsOf: $0) }
  }

  /// The next field: an integer.
  package mutating func field(_ n: Int64) {
    separate()
    if n < 0 { bytes.append(45) }
    appendDecimal(n.magnitude)
  }
  package mutating func field(_ n: Int) { field(Int64(n)) }

  /// `v` in decimal, at least `width` digits (zeros in front).
  package mutating func appendDecimal(_ v: UInt64, width: Int = 1) {
    if v < 10 && width <= 1 {
      bytes.append(48 + UInt8(v))
      return
    }
    // UInt64.max has 20 digits: formed right to left in a stack buffer, appended at once.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var i = 20
      var v = v
      repeat {
        i -= 1
        digits[i] = 48 + UInt8(v % 10)
        v /= 10
      } while v > 0
      if width > 20 - i { bytes.append(contentsOf: repeatElement(48, count: width - (20 - i))) }
      bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i...]))
    }
  }

  /// `q` millionths as a decimal with six places (`12.345667`).
  package mutating func appendMillionths(_ q: UInt64) {
    appendDecimal(q / 1_000_000)
    bytes.append(46)
    appendDecimal(q % 1_000_000, width: 6)
  }

  /// Ends the line (`\n`).
  package mutating func endLine() {
    bytes.append(10)
    atLineStart = true
  }

  /// The text.
  package var string: String { String(decoding: bytes, as: UTF8.self) }

  mutating func appendQuoted(_ s: String) {
    var s = s
    s.withUTF8 { appendQuoted($0) }
  }

  /// `u` in quotes, each quote doubled.
  private mutating func appendQuoted(_ u: UnsafeBufferPointer<UInt8>) {
    bytes.append(34)
    for b in u {
      if b == 34 { bytes.append(34) }
      bytes.append(b)
    }
    bytes.append(34)
  }
}
