import Events
import Foundation

/// Where series come from: an Avro history (with the series definitions of docs/series.md) or a CSV.
public struct SeriesSource: Sendable, Equatable {
  /// The Avro history, or nil with `csv`.
  public var history: String?
  /// A long-format series CSV, or nil with `history`.
  public var csv: String?
  /// How an Avro history becomes series (its kind is `.csv` with `csv`).
  public var events: EventSeriesOptions

  /// A source with every field given.
  public init(
    history: String?, csv: String?, kind: SeriesKind = .dailySessions,
    calendar: SeriesCalendar = .utc, splitKey: SeriesSplitKey? = nil, sessionGapMinutes: Int = 30,
    salvage: Bool = false, mapping: EventFieldMapping = EventFieldMapping()
  ) {
    self.history = history
    self.csv = csv
    events = EventSeriesOptions(
      kind: csv == nil ? kind : .csv, calendar: calendar, splitKey: splitKey,
      sessionGapMinutes: sessionGapMinutes, salvage: salvage, mapping: mapping)
  }

  /// The file's name for messages.
  public var name: String { csv ?? history ?? "history" }

  /// Reads the series and their definition.
  /// - Throws: `SeriesCSVError`, `SeriesError`, or the Avro reader's error.
  public func load() throws -> (collection: SeriesCollection, definition: SeriesDefinition) {
    let collection: SeriesCollection
    if let csv {
      collection = try SeriesCSV.read(path: csv)
    } else {
      let path = history ?? ""
      guard FileManager.default.fileExists(atPath: path) else {
        throw SeriesError.missingHistory(path: path)
      }
      collection = try EventSeriesBuilder.read(path: path, options: events)
    }
    let isEvents = csv == nil
    let definition = SeriesDefinition(
      kind: collection.kind, calendar: isEvents ? events.calendar : nil,
      splitKey: isEvents ? events.splitKey : nil,
      sessionGapMinutes: isEvents ? events.sessionGapMinutes : nil,
      targetName: collection.targetName, covariateNames: collection.covariateNames,
      step: collection.step)
    return (collection, definition)
  }

  /// The source a model's definition asks for, reading `history` or `csv`; `splitKey`,
  /// `calendar` and `sessionGapMinutes`, when the user gave them, must be the model's.
  /// - Throws: `ForecastError.definitionMismatch` naming the option.
  public static func matching(
    _ definition: SeriesDefinition, history: String?, csv: String?, model: String,
    splitKey: SeriesSplitKey? = nil, calendar: SeriesCalendar? = nil,
    sessionGapMinutes: Int? = nil, salvage: Bool = false,
    mapping: EventFieldMapping = EventFieldMapping()
  ) throws -> SeriesSource {
    func check(_ option: String, _ given: String?, _ trained: String?) throws {
      guard let given, given != (trained ?? "none") else { return }
      throw ForecastError.definitionMismatch(
        model: model, option: option, trained: trained ?? "none", given: given)
    }
    if history != nil && definition.kind == .csv {
      throw ForecastError.wrongSeriesKind(model: model, trained: "csv", given: "an Avro history")
    }
    if csv != nil && definition.kind != .csv {
      throw ForecastError.wrongSeriesKind(
        model: model, trained: definition.kind.rawValue, given: "csv")
    }
    try check("by", splitKey?.rawValue, definition.splitKey?.rawValue)
    try check("calendar", calendar?.rawValue, definition.calendar?.rawValue)
    try check(
      "session-gap", sessionGapMinutes.map(String.init),
      definition.sessionGapMinutes.map(String.init))
    return SeriesSource(
      history: history, csv: csv, kind: definition.kind, calendar: definition.calendar ?? .utc,
      splitKey: definition.splitKey, sessionGapMinutes: definition.sessionGapMinutes ?? 30,
      salvage: salvage, mapping: mapping)
  }
}
