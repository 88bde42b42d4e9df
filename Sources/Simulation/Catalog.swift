import Events

/// The songs listeners choose from, grouped by artist, with the indexes song choice needs.
///
/// Songs are stored artist by artist (artists in order of first appearance, songs in input order
/// within an artist), so an artist's songs are one contiguous range and one cumulative weight
/// array serves both "any song" and "a song of this artist" draws.
public struct Catalog: Sendable {
  /// Every song, artist by artist.
  public let songs: [Song]
  /// Artist names, in order of first appearance.
  public let artists: [String]
  /// Genre names, in order of first appearance.
  public let genres: [String]
  /// `songs[artistStart[a]..<artistStart[a + 1]]` are artist `a`'s songs.  // [artists + 1]
  let artistStart: [Int32]
  /// The artist of each song.  // [songs]
  let artistOfSong: [Int32]
  /// Each artist's weight when a listener picks an artist by fame: the mean popularity of its
  /// songs, squared.  // [artists]
  let artistFame: [Double]

  /// Groups `songs` by artist (stable).
  /// - Precondition: `songs` is not empty (loaders throw on an empty file first).
  public init(songs input: [Song]) {
    precondition(!input.isEmpty, "Catalog: expected at least one song, got none")
    var artistIndex: [String: Int] = [:]
    var artists: [String] = []
    var byArtist: [[Song]] = []
    var genreSeen: Set<String> = []
    var genres: [String] = []
    for song in input {
      if genreSeen.insert(song.genre).inserted { genres.append(song.genre) }
      if let a = artistIndex[song.artist] {
        byArtist[a].append(song)
      } else {
        artistIndex[song.artist] = artists.count
        artists.append(song.artist)
        byArtist.append([song])
      }
    }
    var songs: [Song] = []
    songs.reserveCapacity(input.count)
    var start: [Int32] = [0]
    var artistOfSong: [Int32] = []
    var fame: [Double] = []
    for (a, list) in byArtist.enumerated() {
      songs.append(contentsOf: list)
      start.append(Int32(songs.count))
      artistOfSong.append(contentsOf: repeatElement(Int32(a), count: list.count))
      let mean = Double(list.reduce(0) { $0 + Int($1.popularity) }) / Double(list.count)
      fame.append(max(1, mean) * max(1, mean))
    }
    self.songs = songs
    self.artists = artists
    self.genres = genres
    self.artistStart = start
    self.artistOfSong = artistOfSong
    self.artistFame = fame
  }

  /// The range of song indices of artist `a`.
  func songRange(ofArtist a: Int) -> Range<Int> {
    Int(artistStart[a])..<Int(artistStart[a + 1])
  }

  /// The latest release year in the catalogue.
  public var latestYear: Int { Int(songs.map(\.year).max() ?? 2024) }
}
