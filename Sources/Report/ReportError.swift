/// Why a report cannot be written: each message names the file, what is wrong and what to do;
/// no report is written.
public enum ReportError: Error, CustomStringConvertible, Equatable {
  /// A `--wrapped` directory without some of the files `forecast wrapped` writes.
  case wrappedFilesMissing(directory: String, missing: [String])
  /// A CSV whose header is not the documented layout.
  case wrongLayout(path: String, expected: String, found: String)
  /// A field that should be a number is not, or a row of the wrong width.
  case badRow(path: String, line: Int, problem: String)
  /// summary.json is not a JSON object.
  case badSummary(path: String)
  /// An input file that cannot be read.
  case unreadable(path: String, reason: String)
  /// `--model` without a history to forecast.
  case modelWithoutHistory(model: String)
  /// Nothing to report.
  case nothingToReport

  public var description: String {
    switch self {
    case .wrappedFilesMissing(let directory, let missing):
      return
        "\(directory): not a complete forecast wrapped output: \(missing.joined(separator: ", ")) "
        + "\(missing.count == 1 ? "is" : "are") missing. Run forecast wrapped HISTORY --out "
        + "\(directory) again, or pass the directory it wrote."
    case .wrongLayout(let path, let expected, let found):
      return "\(path): the header is \"\(found)\", expected \"\(expected)\". Pass the file "
        + "forecast wrote in that layout."
    case .badRow(let path, let line, let problem):
      return "\(path), line \(line): \(problem). Pass the file as forecast wrote it."
    case .badSummary(let path):
      return "\(path): not a JSON object. Pass the summary.json forecast wrapped wrote."
    case .unreadable(let path, let reason):
      return "\(path): cannot be read (\(reason)). Check the path."
    case .modelWithoutHistory(let model):
      return "--model \(model): a model needs the HISTORY to forecast from. Pass the history "
        + "(Avro, or --csv) before the options."
    case .nothingToReport:
      return "Nothing to report: pass a HISTORY (with --model), --wrapped DIR or --anomalies FILE."
    }
  }
}
