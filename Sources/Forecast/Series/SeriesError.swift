import Events
import Plumbing

/// Why events could not become series: each message names the file, the place and the fix.
public enum SeriesError: Error, CustomStringConvertible, Equatable {
  /// The history holds no event.
  case emptyHistory(path: String)
  /// The history file does not exist.
  case missingHistory(path: String)
  /// The history does not cover one whole day (week).
  case noCompletePeriod(path: String, unit: String, from: String, to: String)
  /// `--by KEY` but no event carries a value for it.
  case splitKeyAbsent(path: String, key: SeriesSplitKey)
  /// An event's timezone is not an IANA name (local calendar only).
  case unknownTimeZone(path: String, name: String)
  /// An event's start or end lies outside the plausible window (`--time-range`).
  case eventTimeOutOfRange(path: String, record: Int, field: String, value: Int64, window: String)
  /// `--out-of-range skip` left no event.
  case everyEventOutOfRange(path: String, skipped: Int, record: Int, window: String)
  /// `--out-of-range skip` left no event: every one held a value the toolkit cannot use (a
  /// null user id or time, …; `report` says how many and the first).
  case everyEventDamaged(path: String, report: String)

  /// Values that mean "not recorded" for a split key.
  static func isUnknownKey(_ value: String) -> Bool {
    value.isEmpty || value == "unknown" || value == "Unknown"
  }

  public var description: String {
    switch self {
    case .emptyHistory(let path):
      return "\(path): the history holds no event. Pass a history with events "
        + "(forecast simulate writes one)."
    case .missingHistory(let path):
      return "\(path): no such file. Pass an Avro history (forecast simulate writes one) or "
        + "--csv FILE."
    case .noCompletePeriod(let path, let unit, let from, let to):
      return "\(path): the history (\(from) to \(to)) covers no complete \(unit); "
        + "series need whole \(unit)s. Pass a longer history."
    case .splitKeyAbsent(let path, let key):
      return "\(path): no event carries a \(key.rawValue) (every value is unknown or empty; "
        + "files written with the Milestone-1 schema have no continent or subscription). "
        + "Choose another --by key or omit --by."
    case .unknownTimeZone(let path, let name):
      return "\(path): timezone \(Quoted(name)) of an event is not an IANA timezone name, so its "
        + "local calendar is unknown. Use --calendar utc, or fix the events' timezone field."
    case .eventTimeOutOfRange(let path, let record, let field, let value, let window):
      return "\(path): record \(record): listening_time.\(field) "
        + "\(EventTimeWindow.describeOutside(value)) is outside the plausible event times "
        + "\(window). Fix the file, pass --out-of-range skip to leave such events out, or widen "
        + "--time-range FROM..TO (dates YYYY-MM-DD)."
    case .everyEventOutOfRange(let path, let skipped, let record, let window):
      return "\(path): all \(skipped) events lie outside the plausible event times \(window) "
        + "(the first is record \(record)), so no series is left. Check the file's time unit "
        + "(Unix milliseconds) or widen --time-range FROM..TO."
    case .everyEventDamaged(let path, let report):
      return "\(path): --out-of-range skip \(report), so no event is left. Fix the file (or map "
        + "the fields with --map TOOLKIT_FIELD=FILE_FIELD); forecast inspect shows its fields."
    }
  }
}
