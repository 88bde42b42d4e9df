import Events
import Foundation

extension Catalog {
  /// The twelve genres of the synthetic catalogue, with their share of artists and their mean
  /// danceability and energy (0…100, the scale of the seed's Spotify dataset).
  static let syntheticGenres:
    [(name: String, share: Double, danceability: Double, energy: Double)] = [
      ("pop", 0.20, 66, 64), ("dance pop", 0.12, 72, 70), ("rock", 0.10, 50, 75),
      ("album rock", 0.06, 46, 68), ("hip hop", 0.12, 74, 62), ("r&b", 0.07, 66, 55),
      ("indie", 0.08, 52, 56), ("electronic", 0.07, 64, 78), ("latin", 0.07, 74, 72),
      ("country", 0.05, 56, 60), ("soul", 0.03, 58, 48), ("jazz", 0.03, 50, 36),
    ]

  /// A synthetic catalogue drawn from `seed`: `artistCount` artists ranked by fame, each with a
  /// main genre, a career of release years ending no later than `latestYear` (most careers
  /// recent, some reaching back to 1960), and songs whose number grows with fame (about
  /// 3 + 30/√r for rank r) and whose popularity falls with the logarithm of the rank. Listeners'
  /// plays then follow a Zipf-like rank–frequency curve (slope about −0.6 on log–log axes over
  /// the top half of the artists in `notebooks-data/history.avro`).
  ///
  ///     artist popularity(r) ≈ 92 − 55 · ln r / ln A          song popularity ≈ that ± 8
  ///     duration ≈ N(215 s, 45 s) clamped to 90…600 s
  ///
  /// The default (600 artists) holds about 4,100 songs.
  public static func synthetic(seed: UInt64, artistCount: Int = 600, latestYear: Int = 2024)
    -> Catalog
  {
    precondition(
      artistCount >= 1, "Catalog.synthetic: expected artistCount ≥ 1, got \(artistCount)")
    var rng = SimulationRandom(seed: seed, key: 0xCA7A_10C0)
    var names = NameMaker()
    var usedArtists: Set<String> = []
    var songs: [Song] = []
    let cumulativeGenre = syntheticGenres.reduce(into: [Double]()) {
      $0.append(($0.last ?? 0) + $1.share)
    }
    let logA = log(Double(max(2, artistCount)))
    for rank in 1...artistCount {
      var artist = names.artist(&rng)
      var suffix = 2
      while usedArtists.contains(artist) {
        artist = names.artist(&rng)
        if suffix > 5 { artist += " \(suffix)" }
        suffix += 1
      }
      usedArtists.insert(artist)
      let u = rng.unit() * (cumulativeGenre.last ?? 1)
      let g = cumulativeGenre.firstIndex { u < $0 } ?? 0
      let genre = syntheticGenres[g]
      let basePopularity = 92 - 55 * log(Double(rank)) / logA
      // Careers: 65 % started within the last 15 years, the rest any time since 1960.
      let debut =
        rng.chance(0.65)
        ? latestYear - rng.below(15) : 1960 + rng.below(max(1, latestYear - 15 - 1960))
      let careerEnd = min(latestYear, debut + 2 + Int(rng.exponential(mean: 10)))
      let count = 3 + Int((30 / Double(rank).squareRoot()).rounded()) + rng.below(4)
      for _ in 0..<count {
        let songGenre = rng.chance(0.9) ? genre.name : syntheticGenres[rng.below(12)].name
        let year = debut + rng.below(max(1, careerEnd - debut + 1))
        let popularity = min(100, max(1, basePopularity + 8 * rng.normal()))
        let dance = min(98, max(5, genre.danceability + 12 * rng.normal()))
        let energy = min(99, max(3, genre.energy + 14 * rng.normal()))
        let length = min(600, max(90, 215 + 45 * rng.normal()))
        songs.append(
          Song(
            name: names.title(&rng), artist: artist, genre: songGenre, year: Int32(year),
            popularity: Int32(popularity.rounded()), danceability: Float(dance.rounded()),
            energy: Float(energy.rounded()), lengthSeconds: Int32(length.rounded())))
      }
    }
    return Catalog(songs: songs)
  }
}

/// Invented artist names and song titles from small word lists (deterministic given the stream).
struct NameMaker {
  static let adjectives = [
    "Golden", "Electric", "Silent", "Neon", "Wild", "Broken", "Velvet", "Midnight", "Crystal",
    "Burning", "Lonely", "Sweet", "Cosmic", "Hollow", "Bright", "Paper", "Silver", "Faded",
    "Restless", "Endless", "Little", "Blue", "Scarlet", "Northern", "Frozen", "Secret", "Gentle",
    "Savage", "Lucky", "Heavy",
  ]
  static let nouns = [
    "Heart", "River", "Dream", "Fire", "Summer", "Ocean", "Light", "Shadow", "City", "Road",
    "Moon", "Star", "Rain", "Mirror", "Garden", "Storm", "Echo", "Wave", "Night", "Sky",
    "Highway", "Ghost", "Flame", "Thunder", "Diamond", "Horizon", "Season", "Machine", "Kingdom",
    "Signal",
  ]
  static let verbs = [
    "Dancing", "Running", "Falling", "Waiting", "Dreaming", "Chasing", "Calling", "Burning",
    "Holding", "Breaking", "Flying", "Drifting",
  ]
  static let firstNames = [
    "Ava", "Leo", "Mila", "Noah", "Zara", "Kai", "Luna", "Omar", "Ines", "Theo", "Yuki", "Amara",
    "Diego", "Freya", "Ravi", "Sofia", "Jonas", "Nia", "Mateo", "Elif", "Ezra", "Lena", "Tomas",
    "Aiko",
  ]
  static let lastNames = [
    "Rivers", "Stone", "Vega", "Moreau", "Okafor", "Lindqvist", "Tanaka", "Castillo", "Novak",
    "Haddad", "Silva", "Brandt", "Kowalski", "Mensah", "Laurent", "Ferreira", "Ito", "Nakamura",
    "Reyes", "Walsh",
  ]

  func pick(_ list: [String], _ rng: inout SimulationRandom) -> String {
    list[rng.below(list.count)]
  }

  mutating func artist(_ rng: inout SimulationRandom) -> String {
    switch rng.below(6) {
    case 0: return "The \(pick(Self.adjectives, &rng)) \(pick(Self.nouns, &rng))s"
    case 1, 2: return "\(pick(Self.firstNames, &rng)) \(pick(Self.lastNames, &rng))"
    case 3: return "\(pick(Self.adjectives, &rng)) \(pick(Self.nouns, &rng))"
    case 4: return "DJ \(pick(Self.firstNames, &rng))\(pick(Self.nouns, &rng))"
    default: return "\(pick(Self.nouns, &rng)) \(pick(Self.nouns, &rng))"
    }
  }

  mutating func title(_ rng: inout SimulationRandom) -> String {
    switch rng.below(5) {
    case 0: return "\(pick(Self.adjectives, &rng)) \(pick(Self.nouns, &rng))"
    case 1: return "\(pick(Self.verbs, &rng)) in the \(pick(Self.nouns, &rng))"
    case 2: return "\(pick(Self.nouns, &rng)) of \(pick(Self.nouns, &rng))"
    case 3: return "\(pick(Self.verbs, &rng))"
    default:
      return
        "\(pick(Self.adjectives, &rng)) \(pick(Self.nouns, &rng)) (\(pick(Self.firstNames, &rng)))"
    }
  }
}
