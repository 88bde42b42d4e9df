import Foundation
import Plumbing

extension WrappedOutput {
  /// One row of `top_songs.csv`, `top_artists.csv` or `top_genres.csv`.
  public struct TopRow: Sendable, Equatable {
    /// `world`, `continent` or `country`.
    public var scopeType: String
    /// The place (empty or `world` for the world).
    public var scope: String
    /// 1-based rank in the scope.
    public var rank: Int
    /// The song, artist or genre.
    public var item: String
    /// The song's artist (empty for artists and genres).
    public var artist: String
    /// Streams (events of at least 30 s).
    public var streams: Double
    /// Distinct listeners with a stream.
    public var listeners: Double
    /// Minutes listened.
    public var minutes: Double
    /// Share of the scope's streams, 0…1.
    public var share: Double
  }
}

extension WrappedOutput {
  /// One row of `artists.csv`: an artist in one place.
  public struct ArtistPlace: Sendable, Equatable {
    public var artist: String
    public var scopeType: String
    public var scope: String
    public var streams: Double
    public var listeners: Double
    public var shareOfArtist: Double
    public var locationQuotient: Double
  }
}

/// The files `forecast wrapped --out DIR` writes, read by their documented layouts.
public struct WrappedOutput: Sendable {
  /// The directory.
  public var directory: String
  /// Rows of the three top-k files.
  public var topSongs: [WrappedOutput.TopRow]
  public var topArtists: [WrappedOutput.TopRow]
  public var topGenres: [WrappedOutput.TopRow]
  /// Users per inferred personality (users with one), most first, then by name.
  public var personalities: [(type: String, users: Int)]
  /// Users in users.csv, and those with a personality.
  public var users: Int
  public var usersWithPersonality: Int
  /// Every row of artists.csv.
  public var artistPlaces: [WrappedOutput.ArtistPlace]
  /// artist_cities.csv: its header and rows.
  public var cityHeader: [String]
  public var cityRows: [[String]]
  /// summary.json's top-level entries whose values are numbers, strings or booleans, in key
  /// order.
  public var summary: [(key: String, value: String)]
  /// The files `wrapped --skip-missing` left out, with the reason (read as empty).
  public var skipped: [(file: String, reason: String)]

  /// The files, in the order the report needs them.
  public static let fileNames = [
    "top_songs.csv", "top_artists.csv", "top_genres.csv", "users.csv", "artists.csv",
    "artist_cities.csv", "summary.json",
  ]
  static let topColumns = [
    "scope_type", "scope", "rank", "item", "artist", "streams", "listeners", "minutes", "share",
  ]
  static let userColumns =
    ["user_id", "minutes", "streams", "distinct_artists", "distinct_songs", "top_genre"]
    + (1...5).map { "top_artist_\($0)" } + (1...5).map { "top_song_\($0)" }
    + ["top_artist_percentile", "personality"]
  static let artistColumns = [
    "artist", "scope_type", "scope", "streams", "listeners", "share_of_artist",
    "location_quotient",
  ]

  /// Reads every file of `directory`.
  /// - Throws: `ReportError` naming the missing files, or the file and line that does not fit.
  public init(directory: String) throws {
    self.directory = directory
    func path(_ name: String) -> String {
      URL(fileURLWithPath: directory).appendingPathComponent(name).path
    }
    // summary.json first: the outputs `wrapped --skip-missing` left out (for want of a field)
    // are listed there, and are read as empty.
    let summaryPath = path("summary.json")
    guard FileManager.default.fileExists(atPath: summaryPath) else {
      throw ReportError.wrappedFilesMissing(
        directory: directory,
        missing: WrappedOutput.fileNames.filter {
          !FileManager.default.fileExists(atPath: path($0))
        })
    }
    guard let data = FileManager.default.contents(atPath: summaryPath),
      let object = try? JSONValue.parse(String(decoding: data, as: UTF8.self)),
      case .object(let members) = object
    else { throw ReportError.badSummary(path: summaryPath) }
    var skipped: [(file: String, reason: String)] = []
    if case .array(let entries)? = members.first(where: { $0.key == "outputs_skipped" })?.value {
      for case .object(let entry) in entries {
        if case .string(let file)? = entry.first(where: { $0.key == "file" })?.value {
          var reason = ""
          if case .string(let r)? = entry.first(where: { $0.key == "reason" })?.value { reason = r }
          skipped.append((file, reason))
        }
      }
    }
    self.skipped = skipped
    func absent(_ name: String) -> Bool { !FileManager.default.fileExists(atPath: path(name)) }
    func left(_ name: String) -> Bool { absent(name) && skipped.contains { $0.file == name } }
    let missing = WrappedOutput.fileNames.filter { absent($0) && !left($0) }
    guard missing.isEmpty else {
      throw ReportError.wrappedFilesMissing(directory: directory, missing: missing)
    }
    func top(_ name: String) throws -> [WrappedOutput.TopRow] {
      if left(name) { return [] }
      let t = try CSVTable(path: path(name), expected: WrappedOutput.topColumns)
      return try t.rows.map { r in
        let rank = try t.number(r, "rank")
        return WrappedOutput.TopRow(
          scopeType: t.text(r, "scope_type"), scope: t.text(r, "scope"), rank: Int(rank),
          item: t.text(r, "item"), artist: t.text(r, "artist"), streams: try t.number(r, "streams"),
          listeners: try t.number(r, "listeners"), minutes: try t.number(r, "minutes"),
          share: try t.number(r, "share"))
      }
    }
    topSongs = try top("top_songs.csv")
    topArtists = try top("top_artists.csv")
    topGenres = try top("top_genres.csv")
    var counts: [String: Int] = [:]
    if left("users.csv") {
      users = 0
    } else {
      let u = try CSVTable(path: path("users.csv"), expected: WrappedOutput.userColumns)
      for r in u.rows {
        let p = u.text(r, "personality")
        if !p.isEmpty { counts[p, default: 0] += 1 }
      }
      users = u.rows.count
    }
    usersWithPersonality = counts.values.reduce(0, +)
    personalities = counts.map { (type: $0.key, users: $0.value) }.sorted {
      $0.users != $1.users ? $0.users > $1.users : $0.type < $1.type
    }
    if left("artists.csv") {
      artistPlaces = []
    } else {
      let a = try CSVTable(path: path("artists.csv"), expected: WrappedOutput.artistColumns)
      artistPlaces = try a.rows.map { r in
        WrappedOutput.ArtistPlace(
          artist: a.text(r, "artist"), scopeType: a.text(r, "scope_type"),
          scope: a.text(r, "scope"), streams: try a.number(r, "streams"),
          listeners: try a.number(r, "listeners"),
          shareOfArtist: try a.number(r, "share_of_artist"),
          locationQuotient: try a.number(r, "location_quotient"))
      }
    }
    if left("artist_cities.csv") {
      (cityHeader, cityRows) = ([], [])
    } else {
      let c = try CSVTable(path: path("artist_cities.csv"), expected: ["artist"], exact: false)
      cityHeader = c.header
      cityRows = c.rows.map(\.fields)
    }
    // Nested objects (e.g. events skipped by reason) show as "key.member".
    func flatten(_ prefix: String, _ value: JSONValue) -> [(key: String, value: String)] {
      switch value {
      case .string(let s): return [(prefix, s)]
      case .bool(let b): return [(prefix, b ? "true" : "false")]
      case .number(let v, let integer): return [(prefix, integer.map(String.init) ?? "\(v)")]
      case .object(let inner): return inner.flatMap { flatten(prefix + "." + $0.key, $0.value) }
      case .null, .array: return []
      }
    }
    summary = members.flatMap { flatten($0.key, $0.value) }
  }
}

extension AnomalyOutput {
  /// One account of the anomalies CSV.
  public struct Row: Sendable, Equatable {
    public var userID: String
    public var score: Double
    /// The score as the file writes it (shown unrounded).
    public var scoreText: String
    public var kind: String
    public var firstDay: String
    public var lastDay: String
    public var evidence: String
  }
}

/// The anomalies CSV `user_id,score,kind,first_day,last_day,evidence` of `forecast anomalies`.
public struct AnomalyOutput: Sendable {
  /// The file.
  public var path: String
  /// Its rows, in file order (sorted by score).
  public var rows: [AnomalyOutput.Row]
  static let columns = ["user_id", "score", "kind", "first_day", "last_day", "evidence"]

  /// Reads `path`.
  /// - Throws: `ReportError.wrongLayout` for another layout, `.badRow` for a bad score.
  public init(path: String) throws {
    self.path = path
    let t = try CSVTable(path: path, expected: AnomalyOutput.columns)
    rows = try t.rows.map { r in
      AnomalyOutput.Row(
        userID: t.text(r, "user_id"), score: try t.number(r, "score"),
        scoreText: t.text(r, "score"), kind: t.text(r, "kind"),
        firstDay: t.text(r, "first_day"), lastDay: t.text(r, "last_day"),
        evidence: t.text(r, "evidence"))
    }
  }
}
