import Foundation

/// A small CSV file read whole: a header and rows of strings (RFC 4180 quoting), checked
/// against a documented layout.
struct CSVTable {
  /// The file, for messages.
  let path: String
  /// The header's column names.
  let header: [String]
  /// The rows, each as wide as the header, with their 1-based line numbers.
  let rows: [(line: Int, fields: [String])]

  /// Reads `path`; the header must start with `expected` (later columns are allowed when
  /// `exact` is false).
  /// - Throws: `ReportError` naming the file and what does not fit.
  init(path: String, expected: [String], exact: Bool = true) throws {
    self.path = path
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ReportError.unreadable(path: path, reason: "no such file, or no permission")
    }
    var records = CSVTable.parse(String(decoding: data, as: UTF8.self))
    guard let first = records.first else {
      throw ReportError.wrongLayout(
        path: path, expected: expected.joined(separator: ","), found: "")
    }
    records.removeFirst()
    let fitting =
      exact ? first.fields == expected : Array(first.fields.prefix(expected.count)) == expected
    guard fitting else {
      throw ReportError.wrongLayout(
        path: path, expected: expected.joined(separator: ",") + (exact ? "" : ",…"),
        found: first.fields.joined(separator: ","))
    }
    header = first.fields
    for r in records where r.fields.count != first.fields.count {
      throw ReportError.badRow(
        path: path, line: r.line,
        problem: "\(r.fields.count) fields, but the header has \(first.fields.count)")
    }
    rows = records
  }

  /// The index of a column.
  func column(_ name: String) -> Int { header.firstIndex(of: name) ?? 0 }

  /// A field as a number.
  /// - Throws: `ReportError.badRow` when it is not one.
  func number(_ row: (line: Int, fields: [String]), _ name: String) throws -> Double {
    let text = row.fields[column(name)]
    guard let v = Double(text), v.isFinite else {
      throw ReportError.badRow(
        path: path, line: row.line, problem: "\(name) is \"\(text)\", not a number")
    }
    return v
  }

  /// A field as text.
  func text(_ row: (line: Int, fields: [String]), _ name: String) -> String {
    row.fields[column(name)]
  }

  /// RFC 4180 records with their starting line; blank lines skipped.
  static func parse(_ text: String) -> [(line: Int, fields: [String])] {
    var records: [(line: Int, fields: [String])] = []
    var fields: [String] = []
    var field = ""
    var quoted = false
    var line = 1
    var recordLine = 1
    var chars = Array(text.unicodeScalars)
    if chars.first == "\u{FEFF}" { chars.removeFirst() }
    var i = 0
    func endRecord() {
      fields.append(field)
      if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
      fields = []
      field = ""
    }
    while i < chars.count {
      let c = chars[i]
      i += 1
      if quoted {
        if c == "\"" {
          if i < chars.count && chars[i] == "\"" {
            field.unicodeScalars.append("\"")
            i += 1
          } else {
            quoted = false
          }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        fields.append(field)
        field = ""
      } else if c == "\n" {
        endRecord()
        line += 1
        recordLine = line
      } else if c != "\r" {
        field.unicodeScalars.append(c)
      }
    }
    if !field.isEmpty || !fields.isEmpty { endRecord() }
    return records
  }
}
