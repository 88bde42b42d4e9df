import Foundation

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

  /// Reads and checks a series CSV.
  ///
  /// Every series must be regularly spaced, and all with the same spacing (the smallest gap
  /// between two timestamps of any series). Series are sorted by id.
  /// - Parameter path: the file.
  /// - Returns: a `.csv` collection; the target is the `value` column.
  /// - Throws: `SeriesCSVError` naming the line, series and timestamp of the first problem.
  public static func read(path: String) throws -> SeriesCollection {
    guard let data = FileManager.default.contents(atPath: path) else {
      let exists = FileManager.default.fileExists(atPath: path)
      throw SeriesCSVError.cannotRead(
        path: path, reason: exists ? "permission denied" : "no such file")
    }
    var reader = CSVRows(bytes: [UInt8](data))
    func nextRow() throws -> [String]? {
      do {
        return try reader.next()
      } catch CSVRowsError.unclosedQuote(let line) {
        throw SeriesCSVError.malformed(path: path, line: line)
      }
    }
    guard var header = try nextRow() else { throw SeriesCSVError.empty(path: path) }
    header = header.map { $0.trimmingCharacters(in: .whitespaces) }
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
    struct Row {
      var time: Int64
      var line: Int
      var numbers: [Double]  // value, covariates
    }
    var rows: [String: [Row]] = [:]
    while let fields = try nextRow() {
      let line = reader.line
      if fields.count == 1 && fields[0].trimmingCharacters(in: .whitespaces).isEmpty { continue }
      guard fields.count == columns else {
        throw SeriesCSVError.wrongFieldCount(
          path: path, line: line, found: fields.count, expected: columns)
      }
      let id = fields[0]
      let stamp = fields[1].trimmingCharacters(in: .whitespaces)
      guard let time = Timestamp.parse(stamp) else {
        throw SeriesCSVError.unparseableTimestamp(path: path, line: line, series: id, text: stamp)
      }
      var numbers: [Double] = []
      numbers.reserveCapacity(columns - 2)
      for c in 2..<columns {
        let text = fields[c].trimmingCharacters(in: .whitespaces)
        guard let v = Double(text), v.isFinite else {
          throw SeriesCSVError.notANumber(
            path: path, line: line, series: id, timestamp: stamp, column: header[c], text: text)
        }
        numbers.append(v)
      }
      rows[id, default: []].append(Row(time: time, line: line, numbers: numbers))
    }
    guard !rows.isEmpty else { throw SeriesCSVError.empty(path: path) }
    // Sort each series, find duplicates and the common spacing.
    var step = Int64.max
    var sorted: [(id: String, rows: [Row])] = []
    for id in rows.keys.sorted() {
      guard var r = rows[id] else { continue }
      r.sort { ($0.time, $0.line) < ($1.time, $1.line) }
      for i in r.indices.dropFirst() {
        let gap = r[i].time - r[i - 1].time
        if gap == 0 {
          throw SeriesCSVError.duplicateTimestamp(
            path: path, series: id, timestamp: Timestamp.format(r[i].time),
            lines: (r[i - 1].line, r[i].line))
        }
        step = min(step, gap)
      }
      sorted.append((id, r))
    }
    if step == Int64.max { step = 86_400 }  // single points everywhere: nothing to check
    var series: [TimeSeries] = []
    for (id, r) in sorted {
      // Calendar months (28–31 days), quarters (89–92) or years (365–366) apart.
      let gaps = Set(r.indices.dropFirst().map { (r[$0].time - r[$0 - 1].time) / 86_400 })
      for (period, days) in [("month", 28...31), ("quarter", 89...92), ("year", 365...366)]
      where gaps.count > 1 && gaps.allSatisfy({ days.contains(Int($0)) }) {
        throw SeriesCSVError.calendarSpacing(path: path, series: id, period: period)
      }
      for i in r.indices.dropFirst() where r[i].time - r[i - 1].time != step {
        throw SeriesCSVError.irregularSpacing(
          path: path, series: id, from: Timestamp.format(r[i - 1].time),
          to: Timestamp.format(r[i].time),
          gap: Timestamp.describeSpacing(r[i].time - r[i - 1].time),
          expected: Timestamp.describeSpacing(step))
      }
      let covariateCount = columns - 3
      series.append(
        TimeSeries(
          id: id, start: r[0].time, step: step, values: r.map { $0.numbers[0] },
          covariates: (0..<covariateCount).map { c in r.map { $0.numbers[c + 1] } }))
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
      let id = csvField(s.id)
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

/// A CSV field, quoted when it holds a comma, a quote or a line break.
func csvField(_ s: String) -> String {
  guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
    return s
  }
  return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
}
