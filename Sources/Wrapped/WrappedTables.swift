import Events
import Plumbing

/// One file `forecast wrapped` writes: its name and its UTF-8 bytes, kept as bytes from the
/// text buffer they are formed in to the file they are written to (a `String` of each took a
/// validating copy of every byte on the way).
public struct WrappedFile: Sendable, Equatable {
  public var name: String
  public var bytes: [UInt8]

  public init(name: String, bytes: [UInt8]) {
    self.name = name
    self.bytes = bytes
  }

  public init(name: String, text: String) {
    self.init(name: name, bytes: Array(text.utf8))
  }

  /// The contents as text.
  public var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// The text of every file `forecast wrapped` writes, rendered from a report: CSV with a header
/// line (RFC 4180 quoting), counts as integers, minutes and quotients with six decimals
/// (`Ratio`), and `summary.json`.
public struct WrappedTables: Sendable {
  /// The files, in a fixed order.
  public var files: [WrappedFile] = []

  /// The names `forecast wrapped` may write (a directory holding others is not ours to replace).
  public static let knownNames: Set<String> = [
    "top_songs.csv", "top_artists.csv", "top_genres.csv", "users.csv", "artists.csv",
    "artist_cities.csv", "summary.json", "personality_eval.json",
  ]

  /// What a run was made from, for `summary.json`.
  public struct Provenance: Sendable {
    /// The history files (or topic) read.
    public var sources: [String]
    public var period: WrappedPeriod
    public var top: Int
    /// Outputs not written, each with the reason (`--skip-missing`).
    public var skippedOutputs: [(name: String, reason: String)] = []
    /// Set when a window was written before it closed (`consume --close-open`).
    public var partial = false

    public init(sources: [String], period: WrappedPeriod, top: Int) {
      self.sources = sources
      self.period = period
      self.top = top
    }
  }

  /// Renders `report`; `outputs` limits the CSV files written (all by default).
  public init(
    _ report: WrappedReport, provenance: Provenance,
    outputs: Set<String> = WrappedTables.knownNames, evaluation: PersonalityEvaluation? = nil
  ) {
    func topText(_ rows: [TopRow]) -> [UInt8] {
      var t = CSVText(header: "scope_type,scope,rank,item,artist,streams,listeners,minutes,share\n")
      for r in rows {
        t.field(r.scopeType.rawValue)
        t.field(r.scope)
        t.field(r.rank)
        t.field(r.item)
        t.field(r.artist)
        t.field(r.streams)
        t.field(r.listeners)
        t.field(Ratio.minutes(r.milliseconds))
        t.field(r.share)
        t.endLine()
      }
      return t.bytes
    }
    func artistsText(_ rows: [ArtistPlaceRow]) -> [UInt8] {
      var t = CSVText(
        header: "artist,scope_type,scope,streams,listeners,share_of_artist,location_quotient\n")
      for r in rows {
        t.field(r.artist)
        t.field(r.scopeType.rawValue)
        t.field(r.scope)
        t.field(r.streams)
        t.field(r.listeners)
        t.field(r.shareOfArtist)
        t.field(r.locationQuotient)
        t.endLine()
      }
      return t.bytes
    }
    func artistCitiesText(_ rows: [ArtistCityRow]) -> [UInt8] {
      var t = CSVText(
        header: "artist,rank,city,country,streams,listeners,minutes,share_of_artist\n")
      for r in rows {
        t.field(r.artist)
        t.field(r.rank)
        t.field(r.city)
        t.field(r.country)
        t.field(r.streams)
        t.field(r.listeners)
        t.field(Ratio.minutes(r.milliseconds))
        t.field(r.shareOfArtist)
        t.endLine()
      }
      return t.bytes
    }
    func add(_ name: String, _ bytes: @autoclosure () -> [UInt8]) {
      if outputs.contains(name) { files.append(WrappedFile(name: name, bytes: bytes())) }
    }
    add("top_songs.csv", topText(report.topSongs))
    add("top_artists.csv", topText(report.topArtists))
    add("top_genres.csv", topText(report.topGenres))
    add("users.csv", Self.usersText(report.listeners))
    add("artists.csv", artistsText(report.artistPlaces))
    add("artist_cities.csv", artistCitiesText(report.artistCities))
    files.append(WrappedFile(name: "summary.json", text: Self.summary(report, provenance) + "\n"))
    if let evaluation {
      files.append(WrappedFile(name: "personality_eval.json", text: evaluation.json + "\n"))
    }
  }

  static func usersText(_ rows: [ListenerRow]) -> [UInt8] {
    var t = CSVText(
      header: "user_id,minutes,streams,distinct_artists,distinct_songs,top_genre,"
        + (1...5).map { "top_artist_\($0)," }.joined()
        + (1...5).map { "top_song_\($0)," }.joined() + "top_artist_percentile,personality\n")
    for r in rows {
      t.field(r.userID)
      t.field(Ratio.minutes(r.milliseconds))
      t.field(r.streams)
      t.field(r.distinctArtists)
      t.field(r.distinctSongs)
      t.field(r.topGenre)
      for k in 0..<5 { t.field(k < r.topArtists.count ? r.topArtists[k] : "") }
      for k in 0..<5 {
        if k < r.topSongs.count {
          t.field(r.topSongs[k].artist, " - ", r.topSongs[k].song)
        } else {
          t.field("")
        }
      }
      if let p = r.topArtistPercentile { t.field(p) } else { t.field("") }
      t.field(r.personality)
      t.endLine()
    }
    return t.bytes
  }

  static func summary(_ report: WrappedReport, _ p: Provenance) -> String {
    let t = report.totals
    func date(_ ms: Int64?) -> JSONValue {
      guard let ms else { return .null }
      return .string(Timestamp.format(milliseconds: ms))
    }
    func int(_ v: Int64) -> JSONValue { .number(Double(v), integer: v) }
    func int(_ v: Int) -> JSONValue { int(Int64(v)) }
    func ratio(_ r: Ratio) -> JSONValue { .number(Double(r.description) ?? 0, integer: nil) }
    var traits: [JSONValue] = []
    for trait in report.personalityModel.traits {
      traits.append(
        .object([
          ("trait", .string(trait.name)), ("high_letter", .string(String(trait.high))),
          ("threshold", trait.threshold.map { .number($0, integer: nil) } ?? .null),
        ]))
    }
    let summary: JSONValue = .object([
      ("sources", .array(p.sources.map { .string($0) })),
      (
        "period",
        .object([
          ("from", p.period.from.map { .string(Timestamp.format(milliseconds: $0)) } ?? .null),
          ("to", p.period.to.map { .string(Timestamp.format(milliseconds: $0)) } ?? .null),
        ])
      ),
      ("first_event_start", date(t.firstStart)), ("last_event_start", date(t.lastStart)),
      ("events_read", int(t.eventsRead)), ("events_counted", int(t.eventsCounted)),
      (
        "events_skipped",
        .object([
          ("outside_period", int(t.skipped.outsidePeriod)),
          ("end_before_start", int(t.skipped.endBeforeStart)),
          ("outside_time_window", int(t.skipped.outsideTimeWindow)),
        ])
      ),
      ("streams", int(t.streams)), ("minutes", ratio(Ratio.minutes(t.milliseconds))),
      ("users", int(t.users)), ("users_with_streams", int(t.usersWithStreams)),
      (
        "users_skipped",
        .object([
          ("no_personality_fewer_than_50_streams", int(t.usersWithoutPersonality)),
          ("no_streams", int(t.users - t.usersWithStreams)),
        ])
      ),
      ("artists", int(t.artists)), ("songs", int(t.songs)), ("genres", int(t.genres)),
      ("continents", int(t.continents)), ("countries", int(t.countries)),
      ("cities", int(t.cities)), ("top", int(p.top)), ("personality_traits", .array(traits)),
      (
        "outputs_skipped",
        .array(
          p.skippedOutputs.map {
            .object([("file", .string($0.name)), ("reason", .string($0.reason))])
          })
      ),
      ("partial", .bool(p.partial)),
    ])
    return summary.description
  }
}

/// One CSV line (RFC 4180 quoting, the package's one rule), ending in `\n`.
func csvLine(_ fields: [String]) -> String {
  CSVField.line(fields) + "\n"
}
