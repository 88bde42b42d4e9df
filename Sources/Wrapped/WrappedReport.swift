#if canImport(Glibc)
import Glibc
#endif

/// Where a row's numbers were counted.
public enum WrappedScopeType: String, Sendable, CaseIterable, Comparable {
  case world, continent, country

  public static func < (a: Self, b: Self) -> Bool { a.order < b.order }

  private var order: Int {
    switch self {
    case .world: 0
    case .continent: 1
    case .country: 2
    }
  }
}

/// What a top list ranks.
public enum WrappedItemKind: String, Sendable, CaseIterable {
  case song, artist, genre
}

/// One row of `top_songs.csv`, `top_artists.csv` or `top_genres.csv`.
public struct TopRow: Sendable, Equatable {
  public var scopeType: WrappedScopeType
  /// `world`, the continent or the country.
  public var scope: String
  /// 1-based.
  public var rank: Int
  /// The song, artist or genre name.
  public var item: String
  /// The song's artist (empty for artists and genres).
  public var artist: String
  public var streams: Int64
  /// Distinct users with at least one stream of the item in the scope.
  public var listeners: Int
  /// Listening time of every event of the item in the scope (streams or not).
  public var milliseconds: Int64
  /// Streams of the item over all streams of the scope.
  public var share: Ratio
}

/// One row of `users.csv`.
public struct ListenerRow: Sendable, Equatable {
  public var userID: Int64
  public var milliseconds: Int64
  public var streams: Int64
  public var distinctArtists: Int
  public var distinctSongs: Int
  /// Empty without streams.
  public var topGenre: String
  /// Up to five names, ranked.
  public var topArtists: [String]
  /// Up to five (song, artist), ranked.
  public var topSongs: [(song: String, artist: String)]
  /// Nil when the top artist has fewer than 100 listeners (or there is none).
  public var topArtistPercentile: Ratio?
  /// The inferred four letters; empty below 50 streams.
  public var personality: String
  /// The personality most events of the user recorded (evaluation only; never used to infer).
  public var recordedPersonality: String

  public static func == (a: Self, b: Self) -> Bool {
    a.userID == b.userID && a.milliseconds == b.milliseconds && a.streams == b.streams
      && a.distinctArtists == b.distinctArtists && a.distinctSongs == b.distinctSongs
      && a.topGenre == b.topGenre && a.topArtists == b.topArtists
      && a.topSongs.map(\.song) == b.topSongs.map(\.song)
      && a.topSongs.map(\.artist) == b.topSongs.map(\.artist)
      && a.topArtistPercentile == b.topArtistPercentile && a.personality == b.personality
      && a.recordedPersonality == b.recordedPersonality
  }
}

/// One row of `artists.csv`: an artist in one continent or country.
public struct ArtistPlaceRow: Sendable, Equatable {
  public var artist: String
  public var scopeType: WrappedScopeType
  public var scope: String
  public var streams: Int64
  public var listeners: Int
  /// The artist's streams there over all the artist's streams.
  public var shareOfArtist: Ratio
  /// (artist's streams there / artist's streams) ÷ (all streams there / all streams).
  public var locationQuotient: Ratio
}

/// One row of `artist_cities.csv`: one of an artist's top 10 cities.
public struct ArtistCityRow: Sendable, Equatable {
  public var artist: String
  public var rank: Int
  public var city: String
  public var country: String
  public var streams: Int64
  public var listeners: Int
  public var milliseconds: Int64
  public var shareOfArtist: Ratio
}

/// Every table `forecast wrapped` writes, derived from a `WrappedAccumulator`.
public struct WrappedReport: Sendable {
  public var topSongs: [TopRow] = []
  public var topArtists: [TopRow] = []
  public var topGenres: [TopRow] = []
  public var listeners: [ListenerRow] = []
  public var artistPlaces: [ArtistPlaceRow] = []
  public var artistCities: [ArtistCityRow] = []
  /// Totals and the period.
  public var totals = WrappedTotals()
  /// How the personalities were inferred (thresholds per trait).
  public var personalityModel = PersonalityModel(traits: [])
}

/// The totals `summary.json` reports.
public struct WrappedTotals: Sendable, Equatable {
  public var eventsRead: Int64 = 0
  public var eventsCounted: Int64 = 0
  public var skipped = WrappedSkips()
  public var streams: Int64 = 0
  public var milliseconds: Int64 = 0
  public var users = 0
  public var usersWithStreams = 0
  /// Users with events but fewer than 50 streams (no inferred personality).
  public var usersWithoutPersonality = 0
  public var artists = 0
  public var songs = 0
  public var genres = 0
  public var continents = 0
  public var countries = 0
  public var cities = 0
  public var firstStart: Int64?
  public var lastStart: Int64?
}

/// The ranking used everywhere: streams descending, then milliseconds descending, then the
/// name ascending by UTF-8 bytes (songs: song name, then artist name).
@inline(__always)
func ranksBefore(
  _ a: ListenCounts, _ aName: String, _ aArtist: String,
  _ b: ListenCounts, _ bName: String, _ bArtist: String
) -> Bool {
  if a.streams != b.streams { return a.streams > b.streams }
  if a.milliseconds != b.milliseconds { return a.milliseconds > b.milliseconds }
  let names = compareUTF8(aName, bName)
  if names != 0 { return names < 0 }
  return compareUTF8(aArtist, bArtist) < 0
}

/// The order of two strings by their UTF-8 bytes (as Python and SQL's binary collation
/// compare): negative, zero or positive.
@inline(__always)
func compareUTF8(_ a: String, _ b: String) -> Int32 {
  var (a, b) = (a, b)
  return a.withUTF8 { x in
    b.withUTF8 { y in
      let n = min(x.count, y.count)
      if n > 0, let p = x.baseAddress, let q = y.baseAddress {
        let c = memcmp(p, q, n)
        if c != 0 { return c }
      }
      return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
    }
  }
}

/// The first `k` of `items` by `ranksBefore`, each item's counts given by `counts`.
///
/// For a small `k` (the lists the files show), one pass keeps the best `k` so far in order:
/// most items compare below the k-th on their counts alone and are passed over, and names are
/// looked up only where counts tie; the one list allocated is that of the best `k`. For a large
/// `k`, the counts are sorted first and only the items that can make the first `k` (every item
/// whose counts tie the k-th's) are named and compared in full.
func firstRanked<C: Collection>(
  _ items: C, _ k: Int, counts: (C.Element) -> ListenCounts,
  names: (C.Element) -> (String, String)
) -> [C.Element] {
  guard k > 0, !items.isEmpty else { return [] }
  if k > 32 && items.count > k { return firstRankedBySorting(Array(items), k, counts, names) }
  var best: [(item: C.Element, counts: ListenCounts)] = []
  best.reserveCapacity(Swift.min(k, items.count) + 1)
  for item in items {
    let c = counts(item)
    /// Whether `item` ranks before `best[i]` (names looked up only when the counts tie).
    func before(_ i: Int) -> Bool {
      let b = best[i].counts
      if c.streams != b.streams { return c.streams > b.streams }
      if c.milliseconds != b.milliseconds { return c.milliseconds > b.milliseconds }
      let (x, y) = (names(item), names(best[i].item))
      let byName = compareUTF8(x.0, y.0)
      return byName != 0 ? byName < 0 : compareUTF8(x.1, y.1) < 0
    }
    if best.count == k {
      guard before(k - 1) else { continue }
      best.removeLast()
    }
    var i = best.count
    while i > 0 && before(i - 1) { i -= 1 }
    // (Moved up by hand: `insert(_:at:)` is a general range replacement.)
    best.append((item, c))
    var j = best.count - 1
    while j > i {
      best[j] = best[j - 1]
      j -= 1
    }
    best[i] = (item, c)
  }
  return best.map(\.item)
}

/// `firstRanked` for a large `k`: counts sorted, then the candidates named and sorted in full.
private func firstRankedBySorting<T>(
  _ items: [T], _ k: Int, _ counts: (T) -> ListenCounts, _ names: (T) -> (String, String)
) -> [T] {
  func above(_ a: ListenCounts, _ b: ListenCounts) -> Bool {
    a.streams != b.streams ? a.streams > b.streams : a.milliseconds > b.milliseconds
  }
  var candidates = items.map { ($0, counts($0)) }
  candidates.sort { above($0.1, $1.1) }
  let last = candidates[k - 1].1
  var end = k
  while end < candidates.count && candidates[end].1 == last { end += 1 }
  candidates.removeSubrange(end...)
  let named = candidates.map { ($0.0, $0.1, names($0.0)) }
  return named.sorted { ranksBefore($0.1, $0.2.0, $0.2.1, $1.1, $1.2.0, $1.2.1) }.prefix(k).map(
    \.0)
}
