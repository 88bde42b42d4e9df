import CSV
import Foundation

/// A CSV file read whole through yaslab's CSV parser (quoted fields, embedded commas, quotes and
/// newlines), with the line on which each record starts, for error messages.
struct CSVTable {
  let path: String
  let header: [String]
  /// Records (blank lines skipped), with the 1-based line each starts on.
  let rows: [(line: Int, fields: [String])]

  /// Reads the file at `path`.
  init(contentsOf path: String) throws {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw SimulationError.unreadableFile(path: path, reason: "\(error.localizedDescription)")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw SimulationError.malformedCSV(path: path, reason: "the file is not UTF-8 text")
    }
    try self.init(text: text, path: path)
  }

  /// Parses `text`; `path` names it in errors.
  init(text input: String, path: String) throws {
    self.path = path
    var text = input
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    let reader: CSVReader
    do {
      reader = try CSVReader(string: text, hasHeaderRow: true)
    } catch {
      throw SimulationError.malformedCSV(path: path, reason: "no header line")
    }
    let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
    var line = 2 + header.reduce(0) { $0 + Self.newlines(in: $1) }
    var rows: [(Int, [String])] = []
    while let fields = reader.next() {
      let start = line
      line += 1 + fields.reduce(0) { $0 + Self.newlines(in: $1) }
      if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
      if fields.count != header.count {
        throw SimulationError.wrongFieldCount(
          path: path, line: start, expected: header.count, found: fields.count)
      }
      rows.append((start, fields))
    }
    if let error = reader.error {
      throw SimulationError.malformedCSV(path: path, reason: "\(error)")
    }
    self.header = header
    self.rows = rows
  }

  static func newlines(in field: String) -> Int {
    field.utf8.reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
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
