import Foundation
import Plumbing

/// A small CSV file read whole by the package's CSV reader (`CSVRows`): a header and rows of
/// strings, checked against a documented layout.
struct CSVTable {
  /// The file, for messages.
  let path: String
  /// The header's column names.
  let header: [String]
  /// The rows, each as wide as the header, with their 1-based line numbers (blank lines
  /// skipped).
  let rows: [(line: Int, fields: [String])]

  /// Reads `path`; the header must be `expected` (or start with it when `exact` is false).
  /// - Throws: `ReportError` naming the file and what does not fit.
  init(path: String, expected: [String], exact: Bool = true) throws {
    self.path = path
    if let problem = InputPath.problem(path) {
      throw ReportError.unreadable(path: path, reason: problem)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ReportError.unreadable(path: path, reason: "permission denied")
    }
    var reader = CSVRows(bytes: [UInt8](data))
    var records: [(line: Int, fields: [String])] = []
    do {
      while let fields = try reader.next() {
        if fields == [""] { continue }
        records.append((reader.line, fields))
      }
    } catch {
      throw ReportError.badRow(path: path, line: reader.line, problem: "\(error)")
    }
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
}
