/// One listening event: a user did something (played, skipped, …) with a song, somewhere, from
/// `startTime` to `endTime`.
///
/// The fields are those of the seed project's Milestone-1 `music.ListeningHistory` record plus
/// the toolkit's additions (continent, subscription), which older files lack and which then take
/// their defaults (`.unknown`). Times are Unix epoch milliseconds (UTC); the event's own timezone
/// is `location.timezone` (IANA name).
public struct ListeningEvent: Hashable, Sendable {
  /// The listener.
  public var userID: Int64
  /// Where the user was when the event happened.
  public var location: Location
  /// The continent of `location` (seven Kafka partitions in the seed: six continents with
  /// Oceania and Antarctica merged, plus unknown).
  public var continent: Continent
  /// The user's subscription tier.
  public var subscription: Subscription
  /// What the user did.
  public var interaction: Interaction
  /// The song.
  public var song: Song
  /// Start of the event, Unix epoch milliseconds.
  public var startTime: Int64
  /// End of the event, Unix epoch milliseconds; never before `startTime` in valid data.
  public var endTime: Int64
  /// The listening personality: four letters, one of each pair F/E, L/V, T/N, C/U (e.g. `"ELNC"`).
  public var personality: String

  /// An event with every field given.
  public init(
    userID: Int64, location: Location, continent: Continent, subscription: Subscription,
    interaction: Interaction, song: Song, startTime: Int64, endTime: Int64, personality: String
  ) {
    self.userID = userID
    self.location = location
    self.continent = continent
    self.subscription = subscription
    self.interaction = interaction
    self.song = song
    self.startTime = startTime
    self.endTime = endTime
    self.personality = personality
  }

  /// `endTime - startTime`, in milliseconds.
  public var durationMilliseconds: Int64 { endTime - startTime }
}

/// Where a listener was: coordinates, place names and the IANA timezone.
public struct Location: Hashable, Sendable {
  /// Degrees north, −90…90.
  public var latitude: Float
  /// Degrees east, −180…180.
  public var longitude: Float
  /// Country code (ISO 3166-1 alpha-2) or name, as the source wrote it.
  public var country: String
  /// City name.
  public var city: String
  /// IANA timezone name, e.g. `"Europe/Paris"`.
  public var timezone: String

  /// A location with every field given.
  public init(latitude: Float, longitude: Float, country: String, city: String, timezone: String) {
    self.latitude = latitude
    self.longitude = longitude
    self.country = country
    self.city = city
    self.timezone = timezone
  }
}

/// A song and its catalogue attributes, as the seed's Spotify dataset described them.
public struct Song: Hashable, Sendable {
  /// Title.
  public var name: String
  /// Performing artist.
  public var artist: String
  /// Genre.
  public var genre: String
  /// Release year.
  public var year: Int32
  /// Popularity score, 0…100.
  public var popularity: Int32
  /// Danceability, 0…100 in the seed's dataset.
  public var danceability: Float
  /// Energy, 0…100 in the seed's dataset.
  public var energy: Float
  /// Duration in seconds.
  public var lengthSeconds: Int32

  /// A song with every field given.
  public init(
    name: String, artist: String, genre: String, year: Int32, popularity: Int32,
    danceability: Float, energy: Float, lengthSeconds: Int32
  ) {
    self.name = name
    self.artist = artist
    self.genre = genre
    self.year = year
    self.popularity = popularity
    self.danceability = danceability
    self.energy = energy
    self.lengthSeconds = lengthSeconds
  }
}

/// The seed's Kafka partitions: six continents (Oceania and Antarctica merged) and unknown.
public enum Continent: String, CaseIterable, Hashable, Sendable {
  case africa = "Africa"
  case asia = "Asia"
  case europe = "Europe"
  case northAmerica = "North America"
  case southAmerica = "South America"
  case oceania = "Oceania"
  /// Not recorded (Milestone-1 files) or not derivable.
  case unknown = "Unknown"
}

/// A listener's subscription tier.
public enum Subscription: String, CaseIterable, Hashable, Sendable {
  case free, premium, family, student
  /// Not recorded (Milestone-1 files).
  case unknown
}

/// What a listener did with a song.
public enum Interaction: String, CaseIterable, Hashable, Sendable {
  case played, paused, skipped, repeated, liked
  /// Any other action a source wrote (kept apart, never mistaken for a play).
  case other
}
