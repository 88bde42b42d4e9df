import Foundation
import Plumbing

/// A CSV file read whole through Plumbing's `CSVRows` (quoted fields, embedded commas, quotes
/// and newlines), with the line on which each record starts, for error messages.
struct CSVTable {
  let path: String
  let header: [String]
  /// Records (blank lines skipped), with the 1-based line each starts on.
  let rows: [(line: Int, fields: [String])]

  /// Reads the file at `path`.
  init(contentsOf path: String) throws {
    if let problem = InputPath.problem(path) {
      throw SimulationError.unreadableFile(path: path, reason: problem)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SimulationError.unreadableFile(path: path, reason: "permission denied")
    }
    let bytes = [UInt8](data)
    if let problem = CSVRows.encodingProblem(bytes) {
      throw SimulationError.malformedCSV(path: path, reason: problem)
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw SimulationError.malformedCSV(path: path, reason: "the file is not UTF-8 text")
    }
    try self.init(text: text, path: path)
  }

  /// Parses `text`; `path` names it in errors.
  init(text: String, path: String) throws {
    self.path = path
    var reader = CSVRows(bytes: Array(text.utf8))
    func next() throws -> [String]? {
      do {
        return try reader.next()
      } catch .unclosedQuote(let line) {
        throw SimulationError.malformedCSV(
          path: path, reason: "the quoted field opened on line \(line) never closes")
      } catch {
        throw SimulationError.malformedCSV(path: path, reason: error.description)
      }
    }
    func isBlank(_ fields: [String]) -> Bool {
      fields.allSatisfy { $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
    var first = try next()
    while let fields = first, isBlank(fields) { first = try next() }
    guard let headerFields = first else {
      throw SimulationError.malformedCSV(path: path, reason: "no header line")
    }
    let header = headerFields.map { $0.trimmingCharacters(in: .whitespaces) }
    var rows: [(Int, [String])] = []
    while let fields = try next() {
      if isBlank(fields) { continue }
      if fields.count != header.count {
        throw SimulationError.wrongFieldCount(
          path: path, line: reader.line, expected: header.count, found: fields.count)
      }
      rows.append((reader.line, fields))
    }
    self.header = header
    self.rows = rows
  }

  /// The index of the first header column matching one of `names` (case-insensitive); nil if
  /// none does.
  func column(_ names: [String]) -> Int? {
    let lowered = header.map { $0.lowercased() }
    for name in names {
      if let i = lowered.firstIndex(of: name.lowercased()) { return i }
    }
    return nil
  }

  /// Like `column(_:)`, but throws naming the column and the accepted names.
  func requiredColumn(_ names: [String]) throws -> Int {
    guard let i = column(names) else {
      throw SimulationError.missingColumn(
        path: path, column: names[0], accepted: names, header: header)
    }
    return i
  }
}
