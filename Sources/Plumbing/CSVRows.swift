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
  /// Why `bytes` are not CSV text the toolkit reads, or nil: the toolkit's own other files (an
  /// Avro container, a safetensors model), UTF-16 or UTF-32 (a byte-order mark
  /// or NUL bytes), line ends of CR alone (classic Mac OS), or bytes that are not UTF-8 (with
  /// the line and byte offset of the first). Checked before any row is parsed, so the message
  /// says the real reason rather than "column 1 is '��s e r i e s'".
  package static func encodingProblem(_ bytes: [UInt8]) -> String? {
    if FileSignature.isAvroContainer(bytes) {
      return "it is \(FileSignature.avroDescription), not CSV text; give it where "
        + "a command takes the history (e.g. `forecast train HISTORY.avro`, without --csv)"
    }
    if FileSignature.isSafeTensors(bytes) {
      return "it is a safetensors model (what `forecast train --out` writes), not CSV text; give "
        + "it with --model"
    }
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
    var text = CSVText(capacity: s.utf8.count + 8)
    text.appendQuoted(s)
    return text.string
  }

  /// Whether a field holds a comma, a quote or a line break.
  @inline(__always)
  static func needsQuotes(_ bytes: some Sequence<UInt8>) -> Bool {
    bytes.contains { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }
  }

  /// `needsQuotes` of a buffer without a closure: eight bytes at a time (a word holds one of
  /// the four bytes when one of its bytes XORed with it is zero), then byte by byte.
  @inline(__always)
  static func needsQuotes(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = bytes.baseAddress else { return false }
    let raw = UnsafeRawPointer(base)
    let n = bytes.count
    var i = 0
    @inline(__always)
    func hasZeroByte(_ x: UInt64) -> Bool {
      (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080 != 0
    }
    while i + 8 <= n {
      let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
      if hasZeroByte(w ^ 0x2C2C_2C2C_2C2C_2C2C) || hasZeroByte(w ^ 0x2222_2222_2222_2222)
        || hasZeroByte(w ^ 0x0A0A_0A0A_0A0A_0A0A) || hasZeroByte(w ^ 0x0D0D_0D0D_0D0D_0D0D)
      {
        return true
      }
      i += 8
    }
    while i < n {
      let b = base[i]
      if b <= 44 && (b == 44 || b == 34 || b == 10 || b == 13) { return true }
      i += 1
    }
    return false
  }

  /// One CSV line (no line end) of `fields`, each quoted as `quoted(_:)` says.
  package static func line(_ fields: [String]) -> String {
    fields.map { quoted($0) }.joined(separator: ",")
  }
}

/// A CSV file's text built as UTF-8 bytes, field by field (`CSVField`'s quoting rule): for
/// large tables, without an array and a string per line. The bytes live in a `ByteBuffer` (no
/// reference counting or uniqueness check per byte appended, the tables' inner loop).
package struct CSVText: ~Copyable {
  private var buffer: ByteBuffer
  private var atLineStart = true

  /// An empty text, or one starting with `header` (its own line end included); `capacity`
  /// bytes reserved first.
  package init(header: String = "", capacity: Int = 1 << 16) {
    buffer = ByteBuffer(capacity: capacity)
    var header = header
    header.withUTF8 { buffer.append($0) }
  }

  @inline(__always)
  private mutating func append(_ byte: UInt8) { buffer.append(byte) }

  @inline(__always)
  private mutating func append(_ u: UnsafeBufferPointer<UInt8>) { buffer.append(u) }

  /// Starts the next field of the line (a comma unless it is the first).
  @inline(__always)
  package mutating func separate() {
    if !atLineStart { append(44) }
    atLineStart = false
  }

  /// The next field of the line.
  package mutating func field(_ s: String) {
    separate()
    let done: Void? = s.utf8.withContiguousStorageIfAvailable { u in appendField(u) }
    if done == nil {
      var s = s
      s.withUTF8 { appendField($0) }
    }
  }

  /// `u` as a field: as it is, or quoted when it needs quotes.
  @inline(__always)
  private mutating func appendField(_ u: UnsafeBufferPointer<UInt8>) {
    if CSVField.needsQuotes(u) {
      appendQuoted(u)
    } else {
      append(u)
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
    a.withUTF8 { append($0) }
    separator.withUTF8 { append($0) }
    b.withUTF8 { append($0) }
  }

  /// The next field: an integer.
  package mutating func field(_ n: Int64) {
    separate()
    if n < 0 { append(45) }
    appendDecimal(n.magnitude)
  }
  package mutating func field(_ n: Int) { field(Int64(n)) }

  /// `v` in decimal, at least `width` digits (zeros in front).
  package mutating func appendDecimal(_ v: UInt64, width: Int = 1) {
    if v < 10 && width <= 1 {
      append(48 + UInt8(v))
      return
    }
    var digits = 1
    var power: UInt64 = 10
    while digits < 20 && v >= power {
      digits += 1
      power = power &* 10
    }
    let length = max(digits, width)
    buffer.reserve(length)
    // Formed right to left in place, two digits at a time, zeros in front up to `width`.
    let end = buffer.base + buffer.count + length
    var p = end
    var v = v
    while v >= 100 {
      let pair = UInt8(truncatingIfNeeded: v % 100)
      v /= 100
      p -= 2
      p[0] = 48 + pair / 10
      p[1] = 48 + pair % 10
    }
    if v >= 10 {
      let pair = UInt8(truncatingIfNeeded: v)
      p -= 2
      p[0] = 48 + pair / 10
      p[1] = 48 + pair % 10
    } else {
      p -= 1
      p.pointee = 48 + UInt8(v)
    }
    while p > end - length {
      p -= 1
      p.pointee = 48
    }
    buffer.count += length
  }

  /// `q` millionths as a decimal with six places (`12.345667`).
  package mutating func appendMillionths(_ q: UInt64) {
    appendDecimal(q / 1_000_000)
    append(46)
    appendDecimal(q % 1_000_000, width: 6)
  }

  /// Ends the line (`\n`).
  @inline(__always)
  package mutating func endLine() {
    append(10)
    atLineStart = true
  }

  /// The text's bytes.
  package var bytes: [UInt8] { Array(buffer.bytes) }

  /// The text.
  package var string: String { String(decoding: buffer.bytes, as: UTF8.self) }

  mutating func appendQuoted(_ s: String) {
    var s = s
    s.withUTF8 { appendQuoted($0) }
  }

  /// `u` in quotes, each quote doubled.
  private mutating func appendQuoted(_ u: UnsafeBufferPointer<UInt8>) {
    append(34)
    for b in u {
      if b == 34 { append(34) }
      append(b)
    }
    append(34)
  }
}
