import Plumbing

/// Why a series CSV (`series_id,timestamp,value[,covariates...]`) was refused; each message
/// names the file, the line or series, and the fix.
public enum SeriesCSVError: Error, CustomStringConvertible, Equatable {
  case cannotRead(path: String, reason: String)
  case empty(path: String)
  case missingColumn(path: String, expected: String, position: Int)
  case misnamedColumn(path: String, position: Int, found: String, expected: String)
  case unnamedCovariate(path: String, position: Int)
  case wrongFieldCount(path: String, line: Int, found: Int, expected: Int)
  case unparseableTimestamp(path: String, line: Int, series: String, text: String)
  case notANumber(
    path: String, line: Int, series: String, timestamp: String, column: String,
    text: String)
  case duplicateTimestamp(path: String, series: String, timestamp: String, lines: (Int, Int))
  case irregularSpacing(
    path: String, series: String, from: String, to: String, gap: String,
    expected: String)
  case malformed(path: String, line: Int)
  /// A row without a series id.
  case emptySeriesID(path: String, line: Int, column: String)
  /// Points a calendar month, quarter or year apart: no fixed spacing.
  case calendarSpacing(path: String, series: String, period: String)
  /// A header of one column holding another separator.
  case wrongSeparator(path: String, separator: String)
  /// Not UTF-8 CSV text (UTF-16, CR line ends, invalid bytes, an overlong field).
  case notText(path: String, reason: String)
  /// A finite number beyond `SeriesCSV.maximumMagnitude`.
  case outOfRange(
    path: String, line: Int, series: String, timestamp: String, column: String, text: String)

  public var description: String {
    switch self {
    case .cannotRead(let path, let reason):
      return "\(path): cannot read the file (\(reason)). Check the path and its permissions."
    case .empty(let path):
      return "\(path): no data rows. A series CSV has a header line "
        + "'series_id,timestamp,value[,covariates...]' and one row per series and timestamp."
    case .missingColumn(let path, let expected, let position):
      return "\(path): the header has no column '\(expected)' (column \(position) of "
        + "'series_id,timestamp,value[,covariates...]'). Add it to the first line."
    case .notText(let path, let reason):
      return "\(path): not a CSV the toolkit reads: \(reason)."
    case .outOfRange(let path, let line, let series, let timestamp, let column, let text):
      return "\(path):\(line): series \(Quoted(series)) at \(timestamp): \(column) "
        + "\(Quoted(text)) is out of range: values must lie within ±1e15. Fix the value."
    case .misnamedColumn(let path, let position, let found, let expected):
      return
        "\(path): column \(position) of the header is \(Quoted(found)), expected '\(expected)'. "
        + "The columns must start 'series_id,timestamp,value' (or 'unique_id,ds,y', or "
        + "'item_id,timestamp,target'); rename it."
    case .unnamedCovariate(let path, let position):
      return "\(path): column \(position) of the header has no name. Name every covariate column."
    case .wrongFieldCount(let path, let line, let found, let expected):
      return "\(path):\(line): \(found) fields, but the header has \(expected). "
        + "Give every row one value per column (quote fields that contain commas)."
    case .unparseableTimestamp(let path, let line, let series, let text):
      return
        "\(path):\(line): series \(Quoted(series)): timestamp \(Quoted(text)) is not ISO-8601. "
        + "Write dates as 2024-03-01 or date-times as 2024-03-01T13:00:00Z."
    case .notANumber(let path, let line, let series, let timestamp, let column, let text):
      return "\(path):\(line): series \(Quoted(series)) at \(timestamp): \(column) "
        + "\(Quoted(text)) is not a finite number. Fix the value (write 0 for a period with "
        + "nothing in it)."
    case .duplicateTimestamp(let path, let series, let timestamp, let lines):
      return "\(path): series \(Quoted(series)) has timestamp \(timestamp) twice (lines "
        + "\(lines.0) and \(lines.1)). Keep one row per series and timestamp."
    case .irregularSpacing(let path, let series, let from, let to, let gap, let expected):
      return "\(path): series \(Quoted(series)) jumps from \(from) to \(to) (\(gap)), but its "
        + "points are \(expected) apart elsewhere. Fill the missing periods (0 where nothing happened); "
        + "all series must share one spacing."
    case .calendarSpacing(let path, let series, let period):
      return "\(path): series \(Quoted(series)) has one point per \(period); the toolkit forecasts "
        + "series with a fixed spacing (hourly, daily or weekly). Give daily or weekly values."
    case .wrongSeparator(let path, let separator):
      return "\(path): the header is one column holding '\(separator)'; series CSVs are "
        + "comma-separated. Save the file with commas between fields."
    case .malformed(let path, let line):
      return "\(path):\(line): a quoted field opened here is never closed. "
        + "Close the quote (write a quote inside a quoted field as two quotes)."
    case .emptySeriesID(let path, let line, let column):
      return "\(path):\(line): the \(column) is empty. Give every row the id of its series "
        + "(any text; one id per series)."
    }
  }

  public static func == (a: SeriesCSVError, b: SeriesCSVError) -> Bool {
    a.description == b.description
  }
}
