import Events

#if canImport(Glibc)
import Glibc
#endif

/// Scores every account for activity no honest listener produces, in one pass over a history.
///
/// Each feature (`AnomalyFeature`) becomes a robust z-score against the population of accounts
/// with at least `minimumEvents` events: `(x − median) / (1.4826 · MAD)` in the suspicious
/// direction (when the MAD is 0, the mean absolute deviation · 1.2533 stands in; when that is 0
/// too, the feature says nothing), capped at 10. An account's score is the sum over evidence
/// groups of the mean z of the group's features, times the group's weight. Nothing is tuned to one data set: medians and MADs come
/// from the history itself, so the score is robust to scale (a service whose every listener
/// plays gaplessly has a small median gap spread, and nobody stands out for it).
///
/// Memory: about 1 KB per account plus one entry per (account, song); not per event.
public struct AnomalyDetector {
  /// Accounts with fewer events are listed with score 0 (too little activity to judge).
  public static let minimumEvents: Int64 = 20
  /// The largest z one feature contributes.
  public static let zCap = 10.0

  var accounts = PairTable()
  var states: [AccountState] = []
  var userIDs: [Int64] = []
  /// (account, song) → streams.
  var songs = EntryTable()
  var songKeys = PairTable()
  var cityKeys = PairTable()
  var eventsRead: Int64 = 0
  var eventsSkipped: Int64 = 0
  /// Events that repeated their account's previous event exactly (counted once).
  var repeatedEvents: Int64 = 0
  /// Plausible event times: events outside are skipped and counted.
  public var timeWindow = EventTimeWindow.standard
  var outsideTimeWindow: Int64 = 0
  var firstOutsideTimeWindow: (event: Int64, start: Int64, end: Int64)?

  public init() {}

  /// Adds a file's events (columnar).
  public mutating func add(
    file reader: EventFileReader, progress: ((_ bytes: Int, _ total: Int) -> Void)? = nil
  ) throws {
    var artistMap: [Int32] = []
    var songMap: [Int32] = []
    var countryMap: [Int32] = []
    var cityMap: [Int32] = []
    var interactionMap: [Bool] = []
    var artists = StringTable()
    var titles = StringTable()
    var countries = StringTable()
    var cities = StringTable()
    let total = reader.fileSize
    try reader.forEachBatch(extended: true) { b in
      while artistMap.count < b.artist.values.count {
        artistMap.append(artists.id(b.artist.values[artistMap.count]))
      }
      while songMap.count < b.songName.values.count {
        songMap.append(titles.id(b.songName.values[songMap.count]))
      }
      while countryMap.count < b.country.values.count {
        countryMap.append(countries.id(b.country.values[countryMap.count]))
      }
      while cityMap.count < b.city.values.count {
        cityMap.append(cities.id(b.city.values[cityMap.count]))
      }
      while interactionMap.count < b.interaction.values.count {
        let i = Interaction(parsing: b.interaction.values[interactionMap.count])
        interactionMap.append(i == .skipped || i == .paused || i == .liked || i == .repeated)
      }
      for i in 0..<b.count {
        let song = songKeys.index(
          of: UInt64(UInt32(bitPattern: artistMap[Int(b.artist.indices[i])])),
          UInt64(UInt32(bitPattern: songMap[Int(b.songName.indices[i])])))
        let city = cityKeys.index(
          of: UInt64(UInt32(bitPattern: countryMap[Int(b.country.indices[i])])),
          UInt64(UInt32(bitPattern: cityMap[Int(b.city.indices[i])])))
        record(
          user: b.userID[i], start: b.startTime[i], end: b.endTime[i],
          latitude: b.latitude[i], longitude: b.longitude[i], city: city, song: song,
          lengthSeconds: b.lengthSeconds[i],
          humanAction: interactionMap[Int(b.interaction.indices[i])])
      }
      progress?(b.fileOffset, total)
    }
  }

  mutating func record(
    user: Int64, start: Int64, end: Int64, latitude: Float, longitude: Float, city: Int32,
    song: Int32, lengthSeconds: Int32, humanAction: Bool
  ) {
    eventsRead += 1
    guard timeWindow.contains(start) && timeWindow.contains(end) else {
      eventsSkipped += 1
      outsideTimeWindow += 1
      if firstOutsideTimeWindow == nil { firstOutsideTimeWindow = (eventsRead, start, end) }
      return
    }
    let (duration, overflow) = end.subtractingReportingOverflow(start)
    guard !overflow, duration >= 0, start > Int64.min / 2, end < Int64.max / 2 else {
      eventsSkipped += 1
      return
    }
    let a = Int(accounts.index(of: UInt64(bitPattern: user), 0))
    if a == states.count {
      states.append(AccountState())
      userIDs.append(user)
    }
    // An exact repeat of the account's previous event (same start, end and song: one record
    // delivered twice, as at-least-once pipelines do) is counted once, not as a second play
    // overlapping the first.
    if states[a].lastStart == start && states[a].lastEnd == end && states[a].lastSong == song {
      repeatedEvents += 1
      return
    }
    states[a].lastStart = start
    states[a].lastSong = song
    let stream = duration >= WrappedDefinitions.streamMilliseconds
    states[a].add(
      start: start, end: end, duration: duration, stream: stream, latitude: latitude,
      longitude: longitude, city: city, lengthSeconds: lengthSeconds, humanAction: humanAction)
    if stream {
      songs.add(user: Int32(a), track: song, place: 0, stream: 1, milliseconds: 0)
      if songs.needsFlush { songs.flush() }
    }
  }

  /// One account's score and why.
  public struct Account: Sendable {
    public var userID: Int64
    public var score: Double
    /// The group weighing most, or `none` (score 0), or `too_little_activity`.
    public var kind: String
    public var firstDay: CivilDate
    public var lastDay: CivilDate
    /// The features that made the score, with the account's value and the population median.
    public var evidence: String
    /// Feature values (NaN where not measurable).
    public var features: [Double]
  }

  /// Scores every account, sorted by score (descending, ties by user id).
  public func scores() -> [Account] {
    let n = states.count
    // Top-5 song share per account.
    var perAccount = [[Int64]](repeating: [], count: n)
    var songs = self.songs
    songs.flush()
    for e in 0..<songs.count { perAccount[Int(songs.users[e])].append(songs.counts[e].streams) }
    let featureCount = AnomalyFeature.allCases.count
    var values = [[Double]](repeating: [], count: n)
    for a in 0..<n {
      var s = states[a]
      s.closeDay()
      let streams = Double(s.streams)
      let top5 = perAccount[a].sorted(by: >).prefix(5).reduce(0, +)
      var v = [Double](repeating: .nan, count: featureCount)
      v[AnomalyFeature.hoursPerDay.rawValue] = histogramMedian(s.hoursHistogram) ?? .nan
      v[AnomalyFeature.dailyHours.rawValue] =
        (histogramMedian(s.listeningHistogram) ?? .nan) / 12
      if s.gapHistogram.reduce(0, +) >= 10,
        let q1 = histogramQuantile(s.gapHistogram, 0.25),
        let q3 = histogramQuantile(s.gapHistogram, 0.75)
      {
        v[AnomalyFeature.gapSpread.rawValue] = 50 * (q3 - q1)
      }
      if s.sessions >= 10 {
        let top3 = s.slotHistogram.sorted(by: >).prefix(3).reduce(0, +)
        v[AnomalyFeature.scheduleConcentration.rawValue] = Double(top3) / Double(s.sessions)
      }
      if s.lengthKnown > 0 {
        v[AnomalyFeature.fullLengthShare.rawValue] = Double(s.fullLength) / Double(s.lengthKnown)
      }
      v[AnomalyFeature.interactionShare.rawValue] = Double(s.interactions) / Double(s.events)
      if s.streams > 0 {
        v[AnomalyFeature.topSongsShare.rawValue] = Double(top5) / streams
      }
      if s.pairs > 0 {
        v[AnomalyFeature.overlapShare.rawValue] = Double(s.overlaps) / Double(s.pairs)
        v[AnomalyFeature.impossibleTravelShare.rawValue] =
          Double(s.impossibleTravel) / Double(s.pairs)
      }
      v[AnomalyFeature.citiesPerDay.rawValue] = histogramMedian(s.citiesHistogram) ?? .nan
      values[a] = v
    }
    // Robust statistics per feature over accounts with enough events.
    let judged = (0..<n).filter { states[$0].events >= Self.minimumEvents }
    var median = [Double](repeating: .nan, count: featureCount)
    var scale = [Double](repeating: 0, count: featureCount)
    for f in AnomalyFeature.allCases {
      let xs = judged.map { values[$0][f.rawValue] }.filter { !$0.isNaN }.map {
        f.logScale ? log10($0 + 1) : $0
      }
      guard !xs.isEmpty else { continue }
      let m = Self.median(xs)
      let deviations = xs.map { abs($0 - m) }
      let mad = Self.median(deviations)
      let meanAD = deviations.reduce(0, +) / Double(deviations.count)
      median[f.rawValue] = m
      scale[f.rawValue] = mad > 0 ? 1.4826 * mad : meanAD > 0 ? 1.2533 * meanAD : 0
    }
    var out: [Account] = []
    for a in 0..<n {
      let s = states[a]
      let first = CivilDate(daysSinceEpoch: Int(Self.day(s.firstStart)))
      let last = CivilDate(daysSinceEpoch: Int(Self.day(s.lastStartSeen)))
      guard s.events >= Self.minimumEvents else {
        out.append(
          Account(
            userID: userIDs[a], score: 0, kind: "too_little_activity", firstDay: first,
            lastDay: last, evidence: "\(s.events) events (fewer than \(Self.minimumEvents))",
            features: values[a]))
        continue
      }
      var z = [Double](repeating: 0, count: featureCount)
      for f in AnomalyFeature.allCases where scale[f.rawValue] > 0 {
        let raw = values[a][f.rawValue]
        guard !raw.isNaN else { continue }
        let x = f.logScale ? log10(raw + 1) : raw
        let d = f.suspiciousWhenLow ? median[f.rawValue] - x : x - median[f.rawValue]
        z[f.rawValue] = min(Self.zCap, max(0, d / scale[f.rawValue]))
      }
      var score = 0.0
      var bestGroup: (AnomalyGroup, Double)?
      for g in AnomalyGroup.allCases {
        let members = AnomalyFeature.allCases.filter { $0.group == g }.map { z[$0.rawValue] }
        let gz = g.weight * members.reduce(0, +) / Double(max(1, members.count))
        score += gz
        if gz > (bestGroup?.1 ?? 0) { bestGroup = (g, gz) }
      }
      let strongest = AnomalyFeature.allCases.filter { z[$0.rawValue] >= 2 }
        .sorted { z[$0.rawValue] > z[$1.rawValue] }.prefix(4)
      let evidence = strongest.map { f -> String in
        let m = median[f.rawValue]
        let med = f.logScale ? pow(10, m) - 1 : m
        return "\(f.name)=\(Self.format(values[a][f.rawValue])) (median \(Self.format(med)))"
      }.joined(separator: "; ")
      out.append(
        Account(
          userID: userIDs[a], score: score,
          kind: score > 0 ? (bestGroup?.0.rawValue ?? "none") : "none", firstDay: first,
          lastDay: last, evidence: evidence, features: values[a]))
    }
    out.sort { $0.score != $1.score ? $0.score > $1.score : $0.userID < $1.userID }
    return out
  }

  static func day(_ ms: Int64) -> Int64 {
    ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
  }

  static func median(_ xs: [Double]) -> Double {
    let v = xs.sorted()
    return v.count % 2 == 1 ? v[v.count / 2] : (v[v.count / 2 - 1] + v[v.count / 2]) / 2
  }

  /// Three significant decimals, trimmed.
  static func format(_ x: Double) -> String {
    guard x.isFinite else { return "n/a" }
    if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
    let s = String(format3: x)
    return s
  }

  /// `anomalies.csv`: `user_id,score,kind,first_day,last_day,evidence`.
  public static func csv(_ accounts: [Account]) -> String {
    var s = "user_id,score,kind,first_day,last_day,evidence\n"
    for a in accounts {
      s += csvLine([
        String(a.userID), String(format3: a.score), a.kind, a.firstDay.description,
        a.lastDay.description, a.evidence,
      ])
    }
    return s
  }
}

extension String {
  /// `x` with three decimals (`12.346`).
  init(format3 x: Double) {
    let scaled = (x * 1000).rounded()
    guard scaled.isFinite, abs(scaled) < 9e15 else {
      self = "\(x)"
      return
    }
    let v = Int64(scaled)
    let sign = v < 0 ? "-" : ""
    let m = v.magnitude
    let fraction = String(m % 1000)
    self =
      sign + String(m / 1000) + "." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }
}

extension AccountState {
  /// Adds one event of the account (in place: the histograms are never copied).
  mutating func add(
    start: Int64, end: Int64, duration: Int64, stream: Bool, latitude: Float, longitude: Float,
    city: Int32, lengthSeconds: Int32, humanAction: Bool
  ) {
    events += 1
    if stream { streams += 1 }
    firstStart = min(firstStart, start)
    let position =
      latitude.isFinite && longitude.isFinite && abs(latitude) <= 90 && abs(longitude) <= 180
    if humanAction { interactions += 1 }
    if lengthSeconds > 0 {
      lengthKnown += 1
      if duration == Int64(lengthSeconds) * 1000 { fullLength += 1 }
    }
    let today = start >= 0 ? start / 86_400_000 : (start - 86_399_999) / 86_400_000
    if lastStartSeen != .min {
      pairs += 1
      // Simultaneous: starts well before an earlier event of the account ended.
      if start < maxEnd - 10_000 { overlaps += 1 }
      // Travel between this event and the previous one (time 0 when out of order), between
      // real positions only: a NaN, infinite or off-globe coordinate is no journey.
      if positionKnown && position {
        let moved = latitude != lastLatitude || longitude != lastLongitude
        let km = moved ? distanceKm(lastLatitude, lastLongitude, latitude, longitude) : 0
        if km > 300 {
          let hours = Double(max(0, start - lastEnd)) / 3_600_000
          if km > 1000 * hours { impossibleTravel += 1 }
        }
      }
      // Back-to-back gaps (in order, under 5 s).
      let gap = start - lastEnd
      if gap >= 0 && gap < 5000 { gapHistogram[Int(gap / 50)] += 1 }
    }
    // A session starts after 30 minutes without listening.
    if lastStartSeen == .min || start - maxEnd > 1_800_000 {
      sessions += 1
      let minute = (start - today * 86_400_000) / 60_000
      slotHistogram[Int(minute / 10)] += 1
    }
    if today != day && (day == .min || today > day) {
      closeDay()
      day = today
      dayMilliseconds = 0
      dayHours = 0
      dayCities = (-1, -1, -1, -1)
      dayCityCount = 0
    }
    dayMilliseconds += min(duration, 86_400_000)
    dayHours |= 1 << UInt32((start - today * 86_400_000) / 3_600_000)
    let c = dayCities
    if c.0 != city && c.1 != city && c.2 != city && c.3 != city {
      switch dayCityCount {
      case 0: dayCities.0 = city
      case 1: dayCities.1 = city
      case 2: dayCities.2 = city
      case 3: dayCities.3 = city
      default: break
      }
      dayCityCount += 1
    }
    lastStartSeen = max(lastStartSeen, start)
    maxEnd = max(maxEnd, end)
    lastEnd = end
    if position {
      positionKnown = true
      lastLatitude = latitude
      lastLongitude = longitude
    }
  }
}
