import Plumbing

/// `forecast inspect`'s whole answer about a file: what any Avro container file shows
/// (`AvroFileSummary`), and, when its records read as listening events (with the `mapping` of
/// the options), the event summary (`EventFileSummary`: time range, users, interactions); when
/// they do not, why, with the fields found and missing.
public struct FileInspection: Sendable {
  /// Schema, codec, blocks, records and per-field statistics.
  public var file: AvroFileSummary
  /// The event summary, when the records are listening events.
  public var events: EventFileSummary?
  /// Why the records are not read as listening events (missing fields, incompatible types).
  public var notEvents: AvroReadError?

  /// Reads the file once generically and once as events.
  ///
  /// - Throws: `AvroReadError` for a file that is not Avro or is damaged (unless
  ///   `options.salvage`).
  public init(path: String, options: EventReadOptions = .init()) throws {
    file = try AvroFileSummary(path: path, salvage: options.salvage)
    // Describe every valid file: events with values the toolkit cannot use are counted, not
    // refused (the commands that need events refuse them).
    var options = options
    options.damagedEvents = .skip
    do {
      events = try EventFileSummary(path: path, options: options)
    } catch let error as AvroReadError {
      switch error {
      case .missingFields, .incompatibleSchema, .fieldTypeMismatch: notEvents = error
      default: throw error
      }
    }
  }

  /// The answer for people: the event summary and the fields, or the file's summary and why
  /// it is not read as listening events.
  public var text: String {
    if let events {
      return ([events.text] + file.fieldLines).joined(separator: "\n")
    }
    var lines = [file.text]
    if let notEvents { lines.append("listening events: no. \(notEvents)") }
    return lines.joined(separator: "\n")
  }

  /// The answer for machines: the event summary's members (or the file's) with `fields`,
  /// `schema.json` and `listening_events` (`readable`, and `reason` when not).
  public var json: String {
    var members: [(key: String, value: JSONValue)]
    if let events {
      members = events.jsonMembers
      members.append(("fields", file.fieldsJSON))
    } else {
      members = file.jsonMembers
    }
    var verdict: [(key: String, value: JSONValue)] = [("readable", .bool(events != nil))]
    if let notEvents { verdict.append(("reason", .string(notEvents.description))) }
    members.append(("listening_events", .object(verdict)))
    return JSONValue.object(members).description
  }
}
