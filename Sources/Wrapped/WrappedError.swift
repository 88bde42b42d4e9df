import Events

/// Why an analysis could not run or write its output; each message names the file and the fix.
public enum WrappedError: Error, CustomStringConvertible, Equatable {
  /// The history lacks fields some outputs need.
  case missingFields(path: String, fields: [String], outputs: [String])
  /// The output path exists and is not a directory.
  case outputNotDirectory(path: String)
  /// The output directory holds files this tool does not write (it will not replace them).
  case outputHoldsOtherFiles(path: String, example: String)
  /// Writing failed.
  case cannotWrite(path: String, reason: String)
  /// A ground-truth file could not be read or has another layout.
  case badTruthFile(path: String, reason: String)
  /// The period holds no event.
  case emptyPeriod(path: String, read: Int64)
  /// The history holds no event at all.
  case noEvents(path: String)
  /// `--out-of-range skip` left no event: every one held a value the toolkit cannot use
  /// (`report` says how many and the first).
  case everyEventDamaged(path: String, report: String)
  /// Events outside the plausible event times, with `--out-of-range refuse`.
  case eventTimeOutOfRange(
    path: String, count: Int64, event: Int64, start: Int64, end: Int64, window: String)

  public var description: String {
    switch self {
    case .missingFields(let path, let fields, let outputs):
      return "\(path): the history lacks \(fields.joined(separator: ", ")), which "
        + "\(outputs.joined(separator: ", ")) need. Pass a history that carries "
        + (fields.count == 1 ? "it" : "them") + ", or add --skip-missing to write the other "
        + "outputs without those."
    case .outputNotDirectory(let path):
      return "\(path): exists and is not a directory. Pass --out a new or existing directory."
    case .outputHoldsOtherFiles(let path, let example):
      return "\(path): the directory holds files this command does not write (\(example)); it "
        + "replaces its output directory whole, so pass --out a new or empty directory."
    case .cannotWrite(let path, let reason):
      return "\(path): cannot write the output (\(reason)). Check that the parent directory "
        + "exists and is writable."
    case .badTruthFile(let path, let reason):
      return "\(path): not a ground-truth file (\(reason)). Pass the simulator's "
        + "HISTORY.anomalies.csv, whose header is user_id,kind,detail."
    case .emptyPeriod(let path, let read):
      return "\(path): no event starts in the period (\(read) events read). Widen --from/--to, "
        + "or check the history's dates with forecast inspect."
    case .everyEventDamaged(let path, let report):
      return "\(path): --out-of-range skip \(report), so no event is left. Fix the file (or map "
        + "the fields with --map TOOLKIT_FIELD=FILE_FIELD); forecast inspect shows its fields."
    case .noEvents(let path):
      return "\(path): the history holds no event. Pass a history with events (forecast "
        + "inspect shows what a file holds)."
    case .eventTimeOutOfRange(let path, let count, let event, let start, let end, let window):
      return "\(path): \(count) event\(count == 1 ? "" : "s") outside the plausible event times "
        + "\(window), the first event \(event) (start \(instant(start)), end \(instant(end))). "
        + "Widen --time-range if the times are real, or pass --out-of-range skip to leave such "
        + "events out."
    }
  }
}

extension WrappedError {
  /// What becomes of the events a pass left out for their times (`--out-of-range`): nothing
  /// when there were none, a note with `.skip`, else `.eventTimeOutOfRange`.
  static func outsideTimeWindow(
    path: String, count: Int64, first: (event: Int64, start: Int64, end: Int64)?,
    window: EventTimeWindow, policy: OutOfRangeEvents
  ) throws(WrappedError) -> String? {
    guard let first else { return nil }
    guard policy == .skip else {
      throw .eventTimeOutOfRange(
        path: path, count: count, event: first.event, start: first.start, end: first.end,
        window: window.description)
    }
    return "--out-of-range skip: \(count) event\(count == 1 ? "" : "s") outside "
      + "\(window.description) left out, the first event \(first.event)"
  }
}

/// An event time for messages: ISO 8601, or what a 0 means.
private func instant(_ millis: Int64) -> String {
  millis == 0 ? EventTimeWindow.describeOutside(0) : Timestamp.format(milliseconds: millis)
}
