import Plumbing

/// How the fields of a foreign schema stand for the toolkit's event fields, so a file written
/// with other names (or with a duration instead of an end time) reads as listening events.
///
///     --map user_id=uid --map listening_time.start_time=ts
///     --map listening_time.end_time=ts+duration_ms       // end = start + duration
///
/// A toolkit field is named by its path in the toolkit's schema (`user_id`, `interaction`,
/// `listening_time.start_time`, `user_location.country`, …: `EventFieldMapping.toolkitFields`);
/// a file field by its name, at the top level of the file's records or inside the file's record
/// of the same name as the toolkit's (`user_location`, `listening_time`). The mapping adds the
/// file's name as the first alias of the toolkit field, so resolution (promotions, defaults,
/// unions) works as for any alias.
public struct EventFieldMapping: Sendable, Equatable {
  /// Toolkit field path → the file's field name.
  public private(set) var fields: [String: String] = [:]
  /// The file's field holding the listening duration in milliseconds, when the end time is
  /// given as start + duration (the field is read into `listening_time.end_time`, then the start
  /// is added).
  public private(set) var endFromDuration: String?

  /// No mapping: the toolkit's names and aliases only.
  public init() {}

  /// The toolkit's event fields a mapping may name: every leaf, and the two records
  /// (`user_location`, `listening_time`) to name a file's record that holds their fields.
  public static let toolkitFields: [String] =
    (EventSlot.targets.keys + ["listening_time", "user_location"]).sorted()

  /// Parses `TOOLKIT_FIELD=FILE_FIELD` items (one per `--map`), or
  /// `listening_time.end_time=START+DURATION` (START is then also the start time's field).
  ///
  /// - Throws: `EventFieldMappingError` naming the item and what to write instead.
  public init(parsing items: [String]) throws(EventFieldMappingError) {
    for item in items {
      let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
        throw .malformed(item: item)
      }
      let target = String(parts[0])
      let source = String(parts[1])
      guard Self.toolkitFields.contains(target) else {
        throw .unknownField(item: item, field: target)
      }
      let again = target == Self.start && endFromDuration != nil && fields[target] == source
      guard fields[target] == nil || again else { throw .mappedTwice(field: target) }
      let names = source.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
      guard names.allSatisfy(Self.isName) else { throw .badFileField(item: item) }
      if names.count == 2 {
        guard target == Self.end else { throw .sumNotForEnd(item: item) }
        if let start = fields[Self.start], start != names[0] {
          throw .sumStartDiffers(item: item, start: start)
        }
        fields[Self.start] = names[0]
        endFromDuration = names[1]
        fields[Self.end] = names[1]
      } else if names.count == 1 {
        if target == Self.start, let duration = endFromDuration,
          let start = fields[Self.start], start != names[0]
        {
          throw .sumStartDiffers(item: "\(Self.end)=\(start)+\(duration)", start: names[0])
        }
        fields[target] = names[0]
      } else {
        throw .badFileField(item: item)
      }
    }
  }

  /// True when nothing is mapped.
  public var isEmpty: Bool { fields.isEmpty }

  static let start = "listening_time.start_time"
  static let end = "listening_time.end_time"

  /// An Avro name: `[A-Za-z_][A-Za-z0-9_]*`.
  static func isName(_ s: String) -> Bool {
    guard let first = s.unicodeScalars.first, first == "_" || first.properties.isAlphabetic,
      first.isASCII
    else { return false }
    return s.unicodeScalars.allSatisfy {
      $0.isASCII && ($0 == "_" || $0.properties.isAlphabetic || ("0"..."9").contains($0))
    }
  }

  /// The toolkit's schema with each mapped file name as the first alias of its field (and, for
  /// a toolkit record mapped to a file's record, that record's name as an alias of its type).
  func readerSchema(writer: AvroSchema) -> AvroSchema {
    guard !isEmpty,
      case .record(let top) = (try? AvroSchema(json: EventSchema.toolkitJSON)) ?? .null
    else { return EventSchema.toolkitSchema }
    var writerFields: [String: AvroSchema] = [:]
    if case .record(let w) = writer.underlying {
      for f in w.fields { writerFields[f.name] = f.type }
    }
    for i in top.fields.indices {
      let name = top.fields[i].name
      if let source = fields[name] { top.fields[i].aliases.insert(source, at: 0) }
      guard case .record(let sub) = top.fields[i].type.underlying else { continue }
      for j in sub.fields.indices {
        if let source = fields[name + "." + sub.fields[j].name] {
          sub.fields[j].aliases.insert(source, at: 0)
        }
      }
      if let source = fields[name], case .record(let w)? = writerFields[source]?.underlying {
        let renamed = AvroRecordSchema(
          name: sub.name, aliases: sub.aliases + [w.name.fullName], doc: sub.doc,
          fields: sub.fields)
        top.fields[i].type = .record(renamed)
      }
    }
    return .record(top)
  }

  /// The mapped file fields the writer does not have (at its top level or inside one of its
  /// records), as `name (for toolkit_field)`.
  func absentSources(in writer: AvroSchema) -> [String] {
    var names = Set<String>()
    if case .record(let w) = writer.underlying {
      for f in w.fields {
        names.insert(f.name)
        if case .record(let sub) = f.type.underlying { names.formUnion(sub.fields.map(\.name)) }
      }
    }
    return fields.sorted { $0.key < $1.key }.filter { !names.contains($0.value) }
      .map { "\($0.value) (for \($0.key))" }
  }
}

/// Why a `--map` item cannot be used.
public enum EventFieldMappingError: Error, CustomStringConvertible, Sendable, Equatable {
  /// Not `TOOLKIT_FIELD=FILE_FIELD`.
  case malformed(item: String)
  /// The left side is not a toolkit event field.
  case unknownField(item: String, field: String)
  /// The right side is not an Avro field name (or a sum of two).
  case badFileField(item: String)
  /// One toolkit field mapped twice.
  case mappedTwice(field: String)
  /// `A+B` for another field than the end time.
  case sumNotForEnd(item: String)
  /// `end_time=A+B` where A is not the field mapped to the start time.
  case sumStartDiffers(item: String, start: String)

  public var description: String {
    let fields = EventFieldMapping.toolkitFields.joined(separator: ", ")
    switch self {
    case .malformed(let item):
      return "--map \(Quoted.clipped(item)): expected TOOLKIT_FIELD=FILE_FIELD, e.g. --map "
        + "user_id=uid."
    case .unknownField(let item, let field):
      return "--map \(Quoted.clipped(item)): \(Quoted(field, mark: "\"")) is not a field of the "
        + "toolkit's events; map one of: \(fields)."
    case .badFileField(let item):
      return "--map \(Quoted.clipped(item)): the right side must be a field name of the file "
        + "([A-Za-z_][A-Za-z0-9_]*), or START+DURATION for listening_time.end_time."
    case .mappedTwice(let field):
      return "--map: \(field) is mapped twice; keep one --map for it."
    case .sumNotForEnd(let item):
      return "--map \(Quoted.clipped(item)): only listening_time.end_time can be a sum "
        + "(listening_time.end_time=START+DURATION); map this field to one field of the file."
    case .sumStartDiffers(let item, let start):
      return "--map \(Quoted.clipped(item)): the start of the sum must be the field mapped to "
        + "listening_time.start_time (\(Quoted.clipped(start))); write listening_time.end_time=\(Quoted.clipped(start))+DURATION."
    }
  }
}
