import Dispatch
import Events
import Foundation

/// The mutable side of a run: each listener's random stream, favourite artists, recent songs,
/// travel and the time until which it is busy, held in flat buffers (one slot per listener) so
/// worker threads can advance different listeners at once.
final class Engine: @unchecked Sendable {
  let config: SimulationConfiguration
  let catalog: Catalog
  let gazetteer: Gazetteer
  let population: Population
  let threads: Int
  let startDay: Int

  static let favouriteCount = 5
  static let historyLength = 16

  // Per listener.
  let rng: UnsafeMutableBufferPointer<SimulationRandom>  // [users]
  let favourites: UnsafeMutableBufferPointer<Int32>  // [users, 5] artist indices
  let history: UnsafeMutableBufferPointer<Int32>  // [users, 16] ring of recent songs
  let historyCount: UnsafeMutableBufferPointer<UInt8>  // [users]
  let historyNext: UnsafeMutableBufferPointer<UInt8>  // [users]
  let busyUntil: UnsafeMutableBufferPointer<Int64>  // [users] end of the last session, Unix ms
  let currentCity: UnsafeMutableBufferPointer<Int32>  // [users] home, or the trip's city
  let tripEndDay: UnsafeMutableBufferPointer<Int32>  // [users] day index the trip ends
  let nightStart: UnsafeMutableBufferPointer<Int64>  // [users] start of a sleeper's night session

  // Song choice: cumulative weights over catalogue songs, one array per (T/N, C/U) pair.
  let pools: [[Double]]  // [4][songs], index = (prefersNew ? 1 : 0) + (prefersUnique ? 2 : 0)
  let interactionCumulative: [Double]  // [16, 5]

  // Releases: per simulated day, the active release (or -1), the chance a song comes from it,
  // and the activity boost.
  let releases: [[Int32]]  // songs of each release
  let releaseOfDay: [Int]  // [days]
  let releaseChance: [Double]  // [days]
  let boostOfDay: [Double]  // [days]

  // Timezones.
  let timeZones: [TimeZone]  // [zones]
  let southern: [Bool]  // [zones]

  // Materialisation.
  let songs: [Song]
  let locations: [Location]
  let continents: [Continent]
  let personalityNames: [String]
  let tierValues: [Subscription]

  init(simulator s: Simulator) {
    config = s.configuration
    catalog = s.catalog
    gazetteer = s.gazetteer
    population = s.population
    threads =
      config.threads > 0 ? config.threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    startDay = config.start.daysSinceEpoch
    let n = population.count
    rng = .allocate(capacity: n)
    favourites = .allocate(capacity: n * Self.favouriteCount)
    history = .allocate(capacity: n * Self.historyLength)
    historyCount = .allocate(capacity: n)
    historyNext = .allocate(capacity: n)
    busyUntil = .allocate(capacity: n)
    currentCity = .allocate(capacity: n)
    tripEndDay = .allocate(capacity: n)
    nightStart = .allocate(capacity: n)
    nightStart.initialize(repeating: Int64.min)
    historyCount.initialize(repeating: 0)
    historyNext.initialize(repeating: 0)
    busyUntil.initialize(repeating: Int64.min)
    tripEndDay.initialize(repeating: -1)
    history.initialize(repeating: 0)

    pools = Engine.makePools(
      catalog: catalog, latestYear: min(catalog.latestYear, config.start.year))
    var cumulative: [Double] = []
    for p in Personality.all {
      var sum = 0.0
      for q in p.interactionProbabilities {
        sum += q
        cumulative.append(sum)
      }
    }
    interactionCumulative = cumulative

    let releases = s.releasePlan.map(\.songs)
    let releaseDays = s.releasePlan.map(\.day)
    var releaseOfDay = [Int](repeating: -1, count: config.days)
    var releaseChance = [Double](repeating: 0, count: config.days)
    var boost = [Double](repeating: 1, count: config.days)
    for (r, d0) in releaseDays.enumerated() {
      for d in d0..<min(config.days, d0 + 21) {
        releaseOfDay[d] = r
        releaseChance[d] = 0.25 * exp(-Double(d - d0) / 6)
        boost[d] += 0.15 * exp(-Double(d - d0) / 2)
      }
    }
    self.releases = releases
    self.releaseOfDay = releaseOfDay
    self.releaseChance = releaseChance
    self.boostOfDay = boost

    var zones: [TimeZone] = []
    var southern = [Bool](repeating: false, count: gazetteer.zones.count)
    var seen = [Bool](repeating: false, count: gazetteer.zones.count)
    for name in gazetteer.zones {
      // The gazetteer checked every name when it was loaded; UTC is a safe fallback.
      zones.append(TimeZone(identifier: name) ?? TimeZone(secondsFromGMT: 0) ?? .current)
    }
    for (c, z) in gazetteer.zoneOfCity.enumerated() where !seen[Int(z)] {
      seen[Int(z)] = true
      southern[Int(z)] = gazetteer.cities[c].location.latitude < 0
    }
    timeZones = zones
    self.southern = southern

    songs = catalog.songs
    locations = gazetteer.cities.map(\.location)
    continents = gazetteer.cities.map(\.continent)
    personalityNames = Personality.all.map(\.description)
    tierValues = SubscriptionModel.tiers.map(\.tier)

    // Each listener's stream, home, and favourite artists (a bot's playlist: 16 songs of one).
    for u in 0..<n {
      var r = SimulationRandom(seed: config.seed, key: 5, index: UInt64(u))
      currentCity[u] = population.home[u]
      let pool = pools[Self.poolIndex(population.personality[u])]
      for k in 0..<Self.favouriteCount {
        let song = upperBound(pool, r.unit() * (pool.last ?? 0), in: 0..<pool.count)
        favourites[u * Self.favouriteCount + k] = catalog.artistOfSong[song]
      }
      switch population.anomalyKind[u] {
      case Population.botKind, Population.evasiveBotKind:
        // A playlist of 16 songs of one artist.
        let range = catalog.songRange(ofArtist: Int(favourites[u * Self.favouriteCount]))
        for k in 0..<Self.historyLength {
          history[u * Self.historyLength + k] = Int32(range.lowerBound + k % range.count)
        }
        historyCount[u] = UInt8(Self.historyLength)
      case Population.loopBotKind:
        // Six songs drawn from the whole catalogue, looped.
        for k in 0..<Self.historyLength {
          let song =
            k < 6
            ? upperBound(pool, r.unit() * (pool.last ?? 0), in: 0..<pool.count)
            : Int(history[u * Self.historyLength + k % 6])
          history[u * Self.historyLength + k] = Int32(song)
        }
        historyCount[u] = UInt8(Self.historyLength)
      default:
        break
      }
      rng[u] = r
    }
  }

  deinit {
    rng.deallocate()
    favourites.deallocate()
    history.deallocate()
    historyCount.deallocate()
    historyNext.deallocate()
    busyUntil.deallocate()
    currentCity.deallocate()
    tripEndDay.deallocate()
    nightStart.deallocate()
  }

  static func poolIndex(_ bits: UInt8) -> Int {
    Int((bits >> 2) & 3)
  }

  /// The four cumulative weight arrays of song choice:
  ///
  ///     Timelessness: 1 / (songs released that year)      (even over years)
  ///     Newness:      exp((year − latest) / 3)
  ///     Commonality:  (popularity / 100)³
  ///     Uniqueness:   ((101 − popularity) / 100)²
  ///
  /// Songs released after `latestYear` (the simulation's start year) weigh nothing, unless that
  /// leaves nothing.
  static func makePools(catalog: Catalog, latestYear: Int) -> [[Double]] {
    var perYear: [Int32: Int] = [:]
    for s in catalog.songs { perYear[s.year, default: 0] += 1 }
    let anyReleased = catalog.songs.contains { Int($0.year) <= latestYear }
    var pools: [[Double]] = []
    for index in 0..<4 {
      let new = index & 1 != 0
      let unique = index & 2 != 0
      var sum = 0.0
      var cumulative: [Double] = []
      cumulative.reserveCapacity(catalog.songs.count)
      for s in catalog.songs {
        let year = Int(s.year)
        var w: Double
        if anyReleased && year > latestYear {
          w = 0
        } else if new {
          w = exp(Double(min(0, year - latestYear)) / 3)
        } else {
          w = 1 / Double(perYear[s.year] ?? 1)
        }
        let p = Double(s.popularity)
        w *= unique ? pow((101 - p) / 100, 2) : pow(max(1, p) / 100, 3)
        sum += w
        cumulative.append(sum)
      }
      pools.append(cumulative)
    }
    return pools
  }
}
