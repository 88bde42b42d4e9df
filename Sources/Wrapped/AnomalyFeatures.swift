import Events

#if canImport(Glibc)
import Glibc
#endif

/// The behavioural features an anomaly score is made of, each with the direction in which it
/// is suspicious and the group it belongs to. A group is one kind of evidence; an honest
/// extreme (a sleep playlist all night, a super-fan on repeat) is extreme in one group at most,
/// while bots and shared accounts are extreme in several.
public enum AnomalyFeature: Int, CaseIterable, Sendable {
  /// Median distinct active UTC hours per active day.
  case hoursPerDay
  /// Median listening hours per active day.
  case dailyHours
  /// Spread (interquartile range, ms) of the gaps between back-to-back plays (gaps under 5 s):
  /// low is machine-regular.
  case gapSpread
  /// Share of sessions starting in the account's three busiest 10-minute slots of the day.
  case scheduleConcentration
  /// Share of events lasting exactly the song's length, to the millisecond.
  case fullLengthShare
  /// Share of events that are skips, pauses, likes or repeats: low is scripted.
  case interactionShare
  /// Share of streams on the account's five most-streamed songs.
  case topSongsShare
  /// Share of events starting 10 s or more before an earlier event of the account ended.
  case overlapShare
  /// Share of consecutive events more than 300 km apart, faster than 1,000 km/h.
  case impossibleTravelShare
  /// Median distinct cities per active day.
  case citiesPerDay

  /// The name in files and evidence.
  public var name: String {
    switch self {
    case .hoursPerDay: return "hours_per_day"
    case .dailyHours: return "listening_hours_per_day"
    case .gapSpread: return "gap_spread_ms"
    case .scheduleConcentration: return "schedule_concentration"
    case .fullLengthShare: return "full_length_share"
    case .interactionShare: return "interaction_share"
    case .topSongsShare: return "top5_song_share"
    case .overlapShare: return "overlap_share"
    case .impossibleTravelShare: return "impossible_travel_share"
    case .citiesPerDay: return "cities_per_day"
    }
  }

  /// Whether low values are the suspicious ones.
  var suspiciousWhenLow: Bool { self == .gapSpread || self == .interactionShare }

  /// Whether the robust statistics use the logarithm (spreads over orders of magnitude).
  var logScale: Bool { self == .gapSpread }

  /// The evidence group.
  var group: AnomalyGroup {
    switch self {
    case .hoursPerDay, .dailyHours: return .aroundTheClock
    case .gapSpread, .scheduleConcentration: return .machineTiming
    case .fullLengthShare, .interactionShare: return .scriptedPlays
    case .topSongsShare: return .looping
    case .overlapShare: return .simultaneousStreams
    case .impossibleTravelShare: return .impossibleTravel
    case .citiesPerDay: return .manyPlaces
    }
  }
}

/// Kinds of evidence; an account's `kind` is the group that weighs most in its score. A group's
/// weight is the mean of its features' capped z-scores: one kind of evidence counts fully only
/// when all its features agree.
public enum AnomalyGroup: String, CaseIterable, Sendable {
  case aroundTheClock = "around_the_clock"
  case machineTiming = "machine_timing"
  case scriptedPlays = "scripted_plays"
  case looping
  case simultaneousStreams = "simultaneous_streams"
  case impossibleTravel = "impossible_travel"
  case manyPlaces = "many_places"

  /// How much the group weighs: evidence no single person can produce at all (two streams at
  /// once, travel faster than a plane) counts double; the other groups measure how extreme
  /// honest-looking behaviour is.
  var weight: Double {
    switch self {
    case .simultaneousStreams, .impossibleTravel: return 2
    default: return 1
    }
  }
}

/// Per account, what the single pass over its events keeps: counters, small histograms, and
/// the last event (time order within an account, as files and partitions deliver it).
struct AccountState {
  var events: Int64 = 0
  var streams: Int64 = 0
  var firstStart: Int64 = .max
  var lastStartSeen: Int64 = .min
  var maxEnd: Int64 = .min
  var lastEnd: Int64 = .min
  /// The start and song of the account's previous event (a repeat of it is counted once).
  var lastStart: Int64 = .min
  var lastSong: Int32 = -1
  /// Whether `lastLatitude`/`lastLongitude` hold a real position (finite, on the globe).
  var positionKnown = false
  var lastLatitude: Float = 0
  var lastLongitude: Float = 0
  var pairs: Int64 = 0
  var overlaps: Int64 = 0
  var impossibleTravel: Int64 = 0
  /// Gaps between back-to-back plays, in 50 ms bins below 5 s.
  var gapHistogram = [UInt32](repeating: 0, count: 100)
  var fullLength: Int64 = 0
  var lengthKnown: Int64 = 0
  var interactions: Int64 = 0
  var sessions: Int64 = 0
  // The current UTC day.
  var day: Int64 = .min
  var dayMilliseconds: Int64 = 0
  var dayHours: UInt32 = 0
  var dayCities: (Int32, Int32, Int32, Int32) = (-1, -1, -1, -1)
  var dayCityCount = 0
  /// Histograms: hours active per day (0…24), 5-minute steps of listening per day (0…288),
  /// cities per day (1…4+), session starts per 10-minute slot of the day.
  var hoursHistogram = [UInt32](repeating: 0, count: 25)
  var listeningHistogram = [UInt32](repeating: 0, count: 289)
  var citiesHistogram = [UInt32](repeating: 0, count: 5)
  var slotHistogram = [UInt32](repeating: 0, count: 144)

  mutating func closeDay() {
    guard day != .min else { return }
    hoursHistogram[dayHours.nonzeroBitCount] += 1
    listeningHistogram[min(288, Int(dayMilliseconds / 300_000))] += 1
    citiesHistogram[min(4, dayCityCount)] += 1
  }
}

/// The median of a histogram's bins (bin index), nil when empty.
func histogramMedian(_ h: [UInt32]) -> Double? {
  histogramQuantile(h, 0.5)
}

/// The `q` quantile of a histogram's bins (bin index; the two middle elements averaged), nil
/// when empty.
func histogramQuantile(_ h: [UInt32], _ q: Double) -> Double? {
  let total = h.reduce(UInt64(0)) { $0 + UInt64($1) }
  guard total > 0 else { return nil }
  // The lower and upper middle elements, averaged (exact for an even count).
  func element(_ k: UInt64) -> Int {
    var seen: UInt64 = 0
    for (i, c) in h.enumerated() {
      seen += UInt64(c)
      if seen > k { return i }
    }
    return h.count - 1
  }
  let position = q * Double(total - 1)
  let low = UInt64(position.rounded(.down))
  let high = UInt64(position.rounded(.up))
  return Double(element(low) + element(high)) / 2
}

/// Great-circle distance in km (haversine, mean Earth radius 6,371 km).
func distanceKm(_ lat1: Float, _ lon1: Float, _ lat2: Float, _ lon2: Float) -> Double {
  let p1 = Double(lat1) * .pi / 180
  let p2 = Double(lat2) * .pi / 180
  let dp = p2 - p1
  let dl = Double(lon2 - lon1) * .pi / 180
  let s1 = sin(dp / 2)
  let s2 = sin(dl / 2)
  let h = s1 * s1 + cos(p1) * cos(p2) * s2 * s2
  return 2 * 6371 * asin(min(1, h.squareRoot()))
}
