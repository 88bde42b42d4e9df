import Events
import Foundation
import Plumbing

/// Long-format series CSV: `series_id,timestamp,value[,covariates...]` (or `unique_id,ds,y`, or
/// `item_id,timestamp,target`), one row per series and timestamp, ISO-8601 timestamps, rows in
/// any order.
public enum SeriesCSV {
  /// The accepted names of the first three columns, ours first, then those of Nixtla's
  /// libraries (`unique_id,ds,y`) and of AutoGluon and GluonTS (`item_id,timestamp,target`),
  /// so their long-format files are read as they are.
  public static let columnNames = [
    ["series_id", "unique_id", "item_id"], ["timestamp", "ds"], ["value", "y", "target"],
  ]

  /// The largest magnitude of a value or covariate: 1e15, beyond any count or duration of
  /// listening and still exact in the CSV this toolkit writes. Larger values (1e308) would make
  /// the scalers and the loss infinite.
  public static let maximumMagnitude = 1e15

  /// Reads and checks a series CSV.
  ///
  /// Every series must be regularly spaced, and all with the same spacing (the smallest gap
  /// between two timestamps of any series). Series are sorted by id.
  /// - Parameter path: the file.
  /// - Returns: a `.csv` collection; the target is the `value` column.
  /// - Throws: `SeriesCSVError` naming the line, series and timestamp of the first problem.
  public static func read(path: String) throws -> SeriesCollection {
    // A directory, device or pipe is refused before any read (/dev/zero never ends).
    if let problem = InputPath.problem(path) {
      throw SeriesCSVError.cannotRead(path: path, reason: problem)
    }
    guard let data = FileManager.default.contents(atPath: path) else {
      throw SeriesCSVError.cannotRead(path: path, reason: "permission denied")
    }
    let bytes = [UInt8](data)
    if let problem = CSVRows.encodingProblem(bytes) {
      throw SeriesCSVError.notText(path: path, reason: problem)
    }
    var reader = CSVRows(bytes: bytes)
    func nextRow() throws -> [String]? {
      do {
        return try reader.next()
      } catch .unclosedQuote(let line) {
        throw SeriesCSVError.malformed(path: path, line: line)
      } catch {
        throw SeriesCSVError.notText(path: path, reason: error.description)
      }
    }
    guard var header = try nextRow() else { throw SeriesCSVError.empty(path: path) }
    header = header.map(trimmedSpaces)
    if header.count == 1, let separator = [";", "\t", "|"].first(where: { header[0].contains($0) })
    {
      throw SeriesCSVError.wrongSeparator(
        path: path, separator: separator == "\t" ? "tab" : separator)
    }
    for (i, names) in columnNames.enumerated() {
      let name = names[0]
      guard i < header.count, !(header.count == 1 && header[0].isEmpty) else {
        throw SeriesCSVError.missingColumn(path: path, expected: name, position: i + 1)
      }
      if !names.contains(header[i]) {
        throw SeriesCSVError.misnamedColumn(
          path: path, position: i + 1, found: header[i], expected: name)
      }
    }
    for i in 3..<max(3, header.count) where header[i].isEmpty {
      throw SeriesCSVError.unnamedCovariate(path: path, position: i + 1)
    }
    let columns = header.count
    let width = columns - 2  // value and covariates
    // One series' rows as read, numbers flat (no array per row); the series being read stays
    // out of the dictionary until the id changes, so grouped files hash once per series.
    struct Rows {
      var times: [Int64] = []
      var lines: [Int] = []
      var numbers: [Double] = []
    }
    var rows: [String: Rows] = [:]
    var currentID: String?
    var current = Rows()
    while let fields = try nextRow() {
      let line = reader.line
      if fields.count == 1 && trimmedSpaces(fields[0]).isEmpty { continue }
      guard fields.count == columns else {
        throw SeriesCSVError.wrongFieldCount(
          path: path, line: line, found: fields.count, expected: columns)
      }
      let id = fields[0]
      guard !trimmedSpaces(id).isEmpty else {
        throw SeriesCSVError.emptySeriesID(path: path, line: line, column: header[0])
      }
      let stamp = trimmedSpaces(fields[1])
      guard let time = Timestamp.parse(stamp) else {
        throw SeriesCSVError.unparseableTimestamp(path: path, line: line, series: id, text: stamp)
      }
      if id != currentID {
        if let previous = currentID { rows[previous] = current }
        current = rows.removeValue(forKey: id) ?? Rows()
        currentID = id
      }
      for c in 2..<columns {
        let text = trimmedSpaces(fields[c])
        // No number needs 64 characters; a longer field is not parsed (strtod on 100 MB of
        // digits takes a minute).
        // Decimal only: Swift's Double(_:) also reads hexadecimal ("0x10" is 16) and "nan".
        guard text.utf8.count <= 64,
          text.utf8.allSatisfy({ (48...57).contains($0) || "+-.eE".utf8.contains($0) }),
          let v = Double(text), v.isFinite
        else {
          throw SeriesCSVError.notANumber(
            path: path, line: line, series: id, timestamp: stamp, column: header[c], text: text)
        }
        guard abs(v) <= maximumMagnitude else {
          throw SeriesCSVError.outOfRange(
            path: path, line: line, series: id, timestamp: stamp, column: header[c], text: text)
        }
        current.numbers.append(v)
      }
      current.times.append(time)
      current.lines.append(line)
    }
    if let previous = currentID { rows[previous] = current }
    guard !rows.isEmpty else { throw SeriesCSVError.empty(path: path) }
    // Sort each series (rows in any order), find duplicates and the common spacing.
    var step = Int64.max
    var sorted: [(id: String, rows: Rows, order: [Int])] = []
    for id in rows.keys.sorted() {
      guard let r = rows[id] else { continue }
      var order = Array(r.times.indices)
      if zip(r.times, r.times.dropFirst()).contains(where: { $0 > $1 }) {
        order.sort { (r.times[$0], r.lines[$0]) < (r.times[$1], r.lines[$1]) }
      }
      for (i, j) in zip(order, order.dropFirst()) {
        let gap = r.times[j] - r.times[i]
        if gap == 0 {
          throw SeriesCSVError.duplicateTimestamp(
            path: path, series: id, timestamp: Timestamp.format(r.times[j]),
            lines: (r.lines[i], r.lines[j]))
        }
        step = min(step, gap)
      }
      sorted.append((id, r, order))
    }
    if step == Int64.max { step = 86_400 }  // single points everywhere: nothing to check
    var series: [TimeSeries] = []
    for (id, r, order) in sorted {
      let times = order.map { r.times[$0] }
      // Calendar months (28–31 days), quarters (89–92) or years (365–366) apart.
      let gaps = Set(zip(times, times.dropFirst()).map { ($1 - $0) / 86_400 })
      for (period, days) in [("month", 28...31), ("quarter", 89...92), ("year", 365...366)]
      where gaps.count > 1 && gaps.allSatisfy({ days.contains(Int($0)) }) {
        throw SeriesCSVError.calendarSpacing(path: path, series: id, period: period)
      }
      for i in times.indices.dropFirst() where times[i] - times[i - 1] != step {
        throw SeriesCSVError.irregularSpacing(
          path: path, series: id, from: Timestamp.format(times[i - 1]),
          to: Timestamp.format(times[i]), gap: SeriesSpacing.describe(times[i] - times[i - 1]),
          expected: SeriesSpacing.describe(step))
      }
      series.append(
        TimeSeries(
          id: id, start: times[0], step: step, values: order.map { r.numbers[$0 * width] },
          covariates: (1..<width).map { c in order.map { r.numbers[$0 * width + c] } }))
    }
    return SeriesCollection(
      kind: .csv, targetName: "value", covariateNames: Array(header.dropFirst(3)),
      series: series)
  }

  /// The CSV text of a collection: header `series_id,timestamp,value,<covariates>`.
  public static func text(of collection: SeriesCollection) -> String {
    var out = (["series_id", "timestamp", "value"] + collection.covariateNames).joined(
      separator: ",")
    out += "\n"
    for s in collection.series {
      let id = CSVField.quoted(s.id)
      for t in 0..<s.count {
        out += id
        out += ","
        out += Timestamp.format(s.timestamp(at: t))
        out += ","
        out += formatNumber(s.values[t])
        for c in s.covariates {
          out += ","
          out += formatNumber(c[t])
        }
        out += "\n"
      }
    }
    return out
  }

  /// Writes `text(of:)` to `path` through a temporary file renamed at the end.
  public static func write(_ collection: SeriesCollection, to path: String) throws {
    try OutputFile.write(text(of: collection), to: path)
  }
}

/// A number as CSV text: integers without a fraction, others in Swift's shortest exact form.
func formatNumber(_ v: Double) -> String {
  if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
  return "\(v)"
}

/// `text` without leading and trailing spaces and tabs; the string itself, without copying,
/// when there are none (Foundation's `trimmingCharacters(in:)` took half of a large CSV's read).
func trimmedSpaces(_ text: String) -> String {
  let utf8 = text.utf8
  func isSpace(_ b: UInt8) -> Bool { b == 32 || b == 9 }
  guard let first = utf8.first, let last = utf8.last, isSpace(first) || isSpace(last) else {
    return text
  }
  guard let start = utf8.firstIndex(where: { !isSpace($0) }),
    let end = utf8.lastIndex(where: { !isSpace($0) })
  else { return "" }
  return String(text[start...end])
}
