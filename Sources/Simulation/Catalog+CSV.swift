import Events
import Foundation
import Plumbing

extension Catalog {
  /// Accepted header names per field, first the Kaggle "Spotify – All Time Top 2000s" spelling,
  /// then the "top10s" abbreviations and common lower-case variants. Matching ignores case.
  static let csvColumns: [String: [String]] = [
    "title": ["Title", "track_name", "song", "name"],
    "artist": ["Artist", "artists", "artist_name"],
    "genre": ["Top Genre", "genre", "track_genre"],
    "year": ["Year", "release_year"],
    "length": ["Length (Duration)", "dur", "duration", "length", "duration_s"],
    "popularity": ["Popularity", "pop"],
    "danceability": ["Danceability", "dnce"],
    "energy": ["Energy", "nrgy"],
  ]

  /// Loads a catalogue in the layout of the public Kaggle "Spotify top songs" datasets the seed
  /// used: `Title, Artist, Top Genre, Year, …, Length (Duration), …, Popularity` (extra columns
  /// are ignored; `Danceability` and `Energy` are optional and default to 50).
  ///
  /// Durations are seconds (`215`, `1,412`, `215.4`) or minutes and seconds (`3:35`). Quoted
  /// fields may hold commas, quotes and newlines.
  ///
  /// - Throws: `SimulationError` naming the file, the line, the column and the fix: a missing
  ///   column, a field count that differs from the header, a year outside 1000…2100, a popularity
  ///   outside 0…100, a duration that is not positive, or no songs at all.
  public init(contentsOfCSV path: String) throws {
    try self.init(table: try CSVTable(contentsOf: path))
  }

  /// Like `init(contentsOfCSV:)`, from CSV text; `path` names it in errors.
  public init(csvText: String, path: String) throws {
    try self.init(table: try CSVTable(text: csvText, path: path))
  }

  init(table: CSVTable) throws {
    let c = Self.csvColumns
    let title = try table.requiredColumn(c["title"] ?? [])
    let artist = try table.requiredColumn(c["artist"] ?? [])
    let genre = try table.requiredColumn(c["genre"] ?? [])
    let year = try table.requiredColumn(c["year"] ?? [])
    let length = try table.requiredColumn(c["length"] ?? [])
    let popularity = try table.requiredColumn(c["popularity"] ?? [])
    let danceability = table.column(c["danceability"] ?? [])
    let energy = table.column(c["energy"] ?? [])
    let path = table.path
    var songs: [Song] = []
    songs.reserveCapacity(table.rows.count)
    for (line, fields) in table.rows {
      func text(_ i: Int) -> String { fields[i].trimmingCharacters(in: .whitespacesAndNewlines) }
      func bad(_ i: Int, _ expected: String) -> SimulationError {
        .badValue(
          path: path, line: line, column: table.header[i], value: fields[i], expected: expected)
      }
      func number(_ i: Int, _ range: ClosedRange<Double>, _ expected: String) throws -> Double {
        guard let v = Double(text(i).replacingOccurrences(of: ",", with: "")), range.contains(v)
        else { throw bad(i, expected) }
        return v
      }
      let name = text(title)
      let artistName = text(artist)
      guard !name.isEmpty else { throw bad(title, "a song title") }
      guard !artistName.isEmpty else { throw bad(artist, "an artist name") }
      let y = try number(year, 1000...2100, "a release year (1000…2100)")
      guard y == y.rounded() else { throw bad(year, "a release year (1000…2100)") }
      let p = try number(popularity, 0...100, "a popularity from 0 to 100")
      guard let seconds = Self.parseDuration(text(length)) else {
        throw bad(length, "a duration in seconds (215) or minutes:seconds (3:35)")
      }
      let d = try danceability.map { try number($0, 0...100, "a danceability from 0 to 100") } ?? 50
      let e = try energy.map { try number($0, 0...100, "an energy from 0 to 100") } ?? 50
      songs.append(
        Song(
          name: name, artist: artistName, genre: text(genre).isEmpty ? "unknown" : text(genre),
          year: Int32(y), popularity: Int32(p.rounded()), danceability: Float(d),
          energy: Float(e), lengthSeconds: seconds))
    }
    guard !songs.isEmpty else { throw SimulationError.empty(path: path, what: "songs") }
    self.init(songs: songs)
  }

  /// Seconds from `215`, `1,412`, `215.4` or `3:35` (also `1:02:03`); nil unless positive and
  /// under a day.
  static func parseDuration(_ text: String) -> Int32? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    if parts.count == 1 {
      guard let v = Double(text.replacingOccurrences(of: ",", with: "")), v.isFinite, v >= 0.5,
        v < 86_400
      else { return nil }
      return Int32(v.rounded())
    }
    guard parts.count <= 3 else { return nil }
    var total = 0.0
    for (i, part) in parts.enumerated() {
      guard let v = Double(part), v >= 0, v.isFinite, i == 0 || v < 60 else { return nil }
      total = total * 60 + v
    }
    guard total >= 0.5, total < 86_400 else { return nil }
    return Int32(total.rounded())
  }

  /// Writes the catalogue as CSV in the Kaggle layout `loadCSV` reads back
  /// (`Title,Artist,Top Genre,Year,Danceability,Energy,Length (Duration),Popularity`).
  public func csvText() -> String {
    let quoted = { (s: String) in CSVField.quoted(s) }
    var out = "Title,Artist,Top Genre,Year,Danceability,Energy,Length (Duration),Popularity\n"
    for s in songs {
      out += "\(quoted(s.name)),\(quoted(s.artist)),\(quoted(s.genre)),\(s.year),"
      out += "\(Int(s.danceability)),\(Int(s.energy)),\(s.lengthSeconds),\(s.popularity)\n"
    }
    return out
  }
}

extension Catalog {
  /// Writes `csvText()` to `path` atomically and durably (Plumbing's atomic output).
  /// - Throws: `SimulationError.unwritableOutput`.
  public func writeCSV(to path: String) throws {
    do {
      try AtomicOutput.write(csvText(), to: path)
    } catch {
      throw SimulationError.unwritableOutput(path: path, reason: error.reason)
    }
  }

  /// `parseDuration`, for the tests.
  package static func parseDurationForTesting(_ text: String) -> Int32? { parseDuration(text) }
}
