import Events
import Foundation
import Simulation
import XCTest

/// What the simulation claims, measured on `SimulatedYear` (320 listeners, 2023).
final class SimulationBehaviourTests: XCTestCase {
  var zoneCache: [String: TimeZone] = [:]

  /// The local calendar date of a Unix-ms instant in `zone`.
  func localDate(_ ms: Int64, _ zone: String) -> CivilDate {
    let tz: TimeZone
    if let cached = zoneCache[zone] {
      tz = cached
    } else {
      tz = TimeZone(identifier: zone) ?? TimeZone(secondsFromGMT: 0) ?? .current
      zoneCache[zone] = tz
    }
    let seconds = Int(ms / 1000)
    let local = seconds + tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
    return CivilDate(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
  }

  func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.isEmpty ? .nan : s[s.count / 2]
  }

  /// Per-user statistics over the first 200 events of listeners with at least 200, by the
  /// letter at `trait` (0 F/E, 1 L/V, 2 T/N, 3 C/U).
  func perUser(trait: Int, _ statistic: (ArraySlice<ListeningEvent>) -> Double) -> [Character:
    [Double]]
  {
    var result: [Character: [Double]] = [:]
    for (_, list) in SimulatedYear.byUser where list.count >= 200 {
      let letter = Array(list[0].personality)[trait]
      result[letter, default: []].append(statistic(list.prefix(200)))
    }
    return result
  }

  func testWeekendSessionsOutnumberWeekdaySessionsByTheWeekendFactor() {
    // Sessions per local day, ordinary days only (holidays and their weekend rhythm excluded).
    var weekend = 0
    var weekday = 0
    for s in SimulatedYear.sessions {
      let date = localDate(s.start, s.timezone)
      guard date.year == 2023, ActivityModel.holidayFactor(date) == nil else { continue }
      if date.weekday >= 6 { weekend += 1 } else { weekday += 1 }
    }
    // 2023: 105 weekend days, 260 weekdays, minus holidays (Jan 1 is a Sunday; May 1, Dec 25,
    // 26 are weekdays; Dec 24 and 31 Sundays): 102 weekend days, 257 weekdays.
    let ratio = (Double(weekend) / 102) / (Double(weekday) / 257)
    XCTAssertEqual(ratio, ActivityModel.weekendFactor, accuracy: 0.08, "weekend/weekday \(ratio)")
  }

  func testDecemberOutnumbersSummer() {
    // Northern-hemisphere listeners: sessions per day in December vs July and August.
    var december = 0
    var summer = 0
    let zonesNorth = Set(
      SimulatedYear.events.filter { $0.location.latitude > 0 }.map(\.location.timezone))
    for s in SimulatedYear.sessions where zonesNorth.contains(s.timezone) {
      let date = localDate(s.start, s.timezone)
      guard date.year == 2023 else { continue }
      if date.month == 12 { december += 1 }
      if date.month == 7 || date.month == 8 { summer += 1 }
    }
    let ratio = (Double(december) / 31) / (Double(summer) / 62)
    // The rate functions alone give 1.36 (checked below); the growing user base adds a few %.
    XCTAssertGreaterThan(ratio, 1.2, "December/summer \(ratio)")
    XCTAssertLessThan(ratio, 1.6, "December/summer \(ratio)")
  }

  func testRateFunctions_decemberPeakSummerDipWeekend() {
    func mean(_ month: [Int], south: Bool) -> Double {
      var sum = 0.0
      var n = 0
      for m in month {
        for d in 1...CivilDate.daysIn(month: m, year: 2023) {
          sum += ActivityModel.seasonalFactor(
            CivilDate(year: 2023, month: m, day: d), southernHemisphere: south)
          n += 1
        }
      }
      return sum / Double(n)
    }
    let ratio = mean([12], south: false) / mean([7, 8], south: false)
    XCTAssertEqual(ratio, 1.36, accuracy: 0.01)
    // South of the equator the dip is in January and February.
    XCTAssertLessThan(mean([1, 2], south: true), mean([7, 8], south: true))
    // Hour weights sum to 1; Saturdays are weekendFactor busier than Wednesdays.
    for weekend in [false, true] {
      let sum = (0..<24).reduce(0.0) { $0 + ActivityModel.hourWeight($1, weekendLike: weekend) }
      XCTAssertEqual(sum, 1, accuracy: 1e-12)
    }
    XCTAssertEqual(ActivityModel.dayFactor(CivilDate(year: 2023, month: 3, day: 11)), 1.2)
    XCTAssertEqual(ActivityModel.dayFactor(CivilDate(year: 2023, month: 3, day: 8)), 1)
    XCTAssertEqual(ActivityModel.dayFactor(CivilDate(year: 2023, month: 12, day: 31)), 1.4)
    // Night is quiet, evening busy.
    XCTAssertLessThan(
      ActivityModel.hourWeight(4, weekendLike: false) * 8,
      ActivityModel.hourWeight(19, weekendLike: false))
  }

  func testExplorersReachMoreArtistsThanFamiliarityListeners() {
    let distinct = perUser(trait: 0) { Double(Set($0.map(\.song.artist)).count) }
    let e = median(distinct["E"] ?? [])
    let f = median(distinct["F"] ?? [])
    XCTAssertGreaterThan((distinct["E"] ?? []).count, 50)
    XCTAssertGreaterThan(e, 1.5 * f, "distinct artists in 200 events: E \(e), F \(f)")
  }

  func testLoyalListenersReplayMoreThanVarietyListeners() {
    let replay = perUser(trait: 1) { events in
      var seen = Set<String>()
      var replays = 0
      for e in events where !seen.insert(e.song.artist + "\u{0}" + e.song.name).inserted {
        replays += 1
      }
      return Double(replays) / Double(events.count)
    }
    let l = median(replay["L"] ?? [])
    let v = median(replay["V"] ?? [])
    XCTAssertGreaterThan(l, v + 0.15, "replayed share of 200 events: L \(l), V \(v)")
  }

  func testNewnessListenersMedianReleaseYearIsLaterThanTimelessListeners() {
    var years: [Character: [Double]] = [:]
    for (_, list) in SimulatedYear.byUser {
      let letter = Array(list[0].personality)[2]
      years[letter, default: []].append(contentsOf: list.map { Double($0.song.year) })
    }
    let n = median(years["N"] ?? [])
    let t = median(years["T"] ?? [])
    XCTAssertGreaterThan(n, t + 10, "median release year: N \(n), T \(t)")
    XCTAssertLessThanOrEqual(n, 2023)
  }

  func testCommonalityListenersMeanPopularityIsHigherThanUniqueListeners() {
    var popularity: [Character: (sum: Double, count: Double)] = [:]
    for (_, list) in SimulatedYear.byUser {
      let letter = Array(list[0].personality)[3]
      let s = list.reduce(0.0) { $0 + Double($1.song.popularity) }
      popularity[letter, default: (0, 0)].sum += s
      popularity[letter, default: (0, 0)].count += Double(list.count)
    }
    let c = (popularity["C"]?.sum ?? 0) / (popularity["C"]?.count ?? 1)
    let u = (popularity["U"]?.sum ?? 0) / (popularity["U"]?.count ?? 1)
    XCTAssertGreaterThan(c, u + 8, "mean popularity: C \(c), U \(u)")
  }

  func testSkipsAreShorterThanPlays() {
    let events = SimulatedYear.events
    let skips = events.filter { $0.interaction == .skipped }.map { Double($0.durationMilliseconds) }
    let plays = events.filter { $0.interaction == .played }.map { Double($0.durationMilliseconds) }
    let repeats = events.filter { $0.interaction == .repeated }.map {
      Double($0.durationMilliseconds)
    }
    XCTAssertFalse(skips.isEmpty)
    XCTAssertLessThan(median(skips), 30_000)
    XCTAssertGreaterThan(median(plays), 150_000)
    XCTAssertLessThan(median(skips) * 10, median(plays))
    XCTAssertGreaterThan(median(repeats), 1.8 * median(plays))
    // Every skip ends before its song would have.
    let late = events.filter {
      $0.interaction == .skipped && $0.durationMilliseconds >= Int64($0.song.lengthSeconds) * 1000
    }
    XCTAssertEqual(late.count, 0)
  }

  func testInjectedAnomaliesAreInTheGroundTruthAndVisiblyAbnormal() {
    let truth = SimulatedYear.simulator.anomalies
    // 320 users: about 147 free at the start; 12 % of them is 18, three of each of the five
    // anomalous kinds, and as many of each honest extreme.
    for kind in InjectedAnomaly.Kind.allCases {
      XCTAssertEqual(truth.filter { $0.kind == kind }.count, 3, "\(kind)")
    }
    let ordinary = SimulatedYear.byUser.values.map { Double($0.count) }
    let typical = median(ordinary)
    func hoursPerDay(_ events: [ListeningEvent]) -> [Int] {
      Array(
        Dictionary(grouping: events, by: { $0.startTime / 86_400_000 })
          .mapValues { Set($0.map { $0.startTime / 3_600_000 }).count }.values)
    }
    for anomaly in truth {
      let events = SimulatedYear.events.filter { $0.userID == anomaly.userID }
      if anomaly.kind.isAnomalous {
        XCTAssertTrue(events.allSatisfy { $0.subscription == .free }, "\(anomaly)")
      }
      switch anomaly.kind {
      case .bot:
        // Over eight times the median listener's events (in 7 + 365/8 = 52 days), nothing but
        // full plays of a 16-song playlist, and every UTC hour of every day of its window.
        XCTAssertGreaterThan(Double(events.count), 8 * typical)
        XCTAssertTrue(events.allSatisfy { $0.interaction == .played })
        XCTAssertLessThanOrEqual(Set(events.map(\.song.name)).count, 16)
        let hours = hoursPerDay(events)
        XCTAssertEqual(hours.count, 52)
        XCTAssertTrue(hours.allSatisfy { $0 == 24 }, "\(hours.sorted())")
        XCTAssertTrue(anomaly.detail.hasPrefix("streams every hour of every day from 2023-"))
      case .evasiveBot:
        // Sleeps 3 to 5 hours a day, skips about one song in fifteen.
        let hours = hoursPerDay(events)
        XCTAssertTrue(hours.allSatisfy { (19...21).contains($0) }, "\(hours.sorted())")
        let skips = events.filter { $0.interaction == .skipped }.count
        XCTAssertGreaterThan(skips, events.count / 30)
        XCTAssertLessThan(skips, events.count / 8)
      case .loopBot:
        // Six songs, always in full, three sessions a day.
        XCTAssertLessThanOrEqual(Set(events.map { $0.song.artist + $0.song.name }).count, 6)
        XCTAssertTrue(
          events.allSatisfy { $0.durationMilliseconds == Int64($0.song.lengthSeconds) * 1000 })
        XCTAssertTrue(hoursPerDay(events).allSatisfy { $0 <= 6 })
      case .sharedAccount:
        // Three cities on different continents, and hops between them within hours.
        XCTAssertEqual(Set(events.map(\.location.city)).count, 3)
        XCTAssertEqual(Set(events.map(\.continent)).count, 3)
        var impossible = 0
        for (a, b) in zip(events, events.dropFirst())
        where a.continent != b.continent && b.startTime - a.endTime < 3 * 3_600_000 {
          impossible += 1
        }
        XCTAssertGreaterThan(impossible, 20)
      case .sharedLocal:
        XCTAssertEqual(Set(events.map(\.location.city)).count, 3)
        XCTAssertEqual(Set(events.map(\.continent)).count, 1)
      case .honestSleep:
        // Every night a run of at least six hours, back to back.
        var longest: Int64 = 0
        var runStart = events.first?.startTime ?? 0
        for (a, b) in zip(events, events.dropFirst()) {
          if b.startTime - a.endTime > 1000 { runStart = b.startTime }
          longest = max(longest, b.endTime - runStart)
        }
        XCTAssertGreaterThan(longest, 6 * 3_600_000)
      case .honestSuperfan:
        let byArtist = Dictionary(grouping: events, by: \.song.artist).mapValues(\.count)
        XCTAssertGreaterThan(2 * (byArtist.values.max() ?? 0), events.count)
      }
    }
    // No ordinary listener starts events in more than 21 hours of any UTC day.
    var busiest = 0
    for (_, list) in SimulatedYear.byUser {
      let hours = Dictionary(grouping: list, by: { $0.startTime / 86_400_000 })
        .mapValues { Set($0.map { $0.startTime / 3_600_000 }).count }
      busiest = max(busiest, hours.values.max() ?? 0)
    }
    XCTAssertLessThanOrEqual(busiest, 21)
  }

  func testEveryEventEndsAfterItStartsAndListenersNeverOverlap() {
    var lastEnd: [Int64: Int64] = [:]
    for e in SimulatedYear.events {
      XCTAssertGreaterThan(e.endTime, e.startTime)
      if let end = lastEnd[e.userID] {
        XCTAssertGreaterThanOrEqual(e.startTime, end, "user \(e.userID) overlaps itself")
      }
      lastEnd[e.userID] = e.endTime
    }
    // The year stays in the year (sessions that start on Dec 31 may run into Jan 1).
    let first = SimulatedYear.events.map(\.startTime).min() ?? 0
    XCTAssertGreaterThanOrEqual(
      first, Int64(CivilDate(year: 2023, month: 1, day: 1).daysSinceEpoch) * 86_400_000)
  }

  func testTimezonesAreValidAndMatchTheGazetteer() {
    let zones = Set(SimulatedYear.events.map(\.location.timezone))
    XCTAssertGreaterThan(zones.count, 50)
    for zone in zones {
      XCTAssertNotNil(TimeZone(identifier: zone), zone)
    }
    let cities = Dictionary(
      Gazetteer.standard().cities.map { ("\($0.location.city)|\($0.location.country)", $0) },
      uniquingKeysWith: { a, _ in a })
    for e in SimulatedYear.events.prefix(20_000) {
      let city = cities["\(e.location.city)|\(e.location.country)"]
      XCTAssertEqual(city?.location.timezone, e.location.timezone)
      XCTAssertEqual(city?.continent, e.continent)
    }
    XCTAssertEqual(Set(SimulatedYear.events.map(\.continent)).count, 6)
  }

  func testReleasesPullPlaysToTheReleasingArtist() {
    let releases = SimulatedYear.simulator.releases
    // Fridays, about one in three: 52 Fridays in 2023.
    XCTAssertTrue(releases.allSatisfy { $0.date.weekday == 5 })
    XCTAssertEqual(Double(releases.count), 52.0 / 3, accuracy: 8)
    var days: [String: [Int64]] = [:]
    for release in releases {
      days[release.artist, default: []].append(Int64(release.date.daysSinceEpoch))
    }
    var before = 0
    var after = 0
    let anomalous = SimulatedYear.anomalous
    for e in SimulatedYear.events where !anomalous.contains(e.userID) {
      guard let releaseDays = days[e.song.artist] else { continue }
      let day = e.startTime / 86_400_000
      for d in releaseDays where abs(day - d) <= 7 {
        if day < d { before += 1 } else { after += 1 }
      }
    }
    XCTAssertGreaterThan(
      after, 3 * before, "plays of releasing artists: week before \(before), after \(after)")
  }

  func testUserBaseGrowsAndChurns() {
    let firstDay = Int64(CivilDate(year: 2023, month: 1, day: 1).daysSinceEpoch) * 86_400_000
    var firstSeen: [Int64: Int64] = [:]
    var lastSeen: [Int64: Int64] = [:]
    for e in SimulatedYear.events {
      if firstSeen[e.userID] == nil { firstSeen[e.userID] = e.startTime }
      lastSeen[e.userID] = e.startTime
    }
    // Arrivals: ids above 320 only, first seen after the start, about 0.45 · 320 of them.
    let arrivals = firstSeen.keys.filter { $0 > 320 }
    XCTAssertEqual(Double(arrivals.count), 144, accuracy: 40)
    XCTAssertTrue(arrivals.allSatisfy { (firstSeen[$0] ?? 0) > firstDay })
    // Some listeners leave for good well before the end.
    let lastDay = Int64(CivilDate(year: 2023, month: 11, day: 1).daysSinceEpoch) * 86_400_000
    XCTAssertGreaterThan(lastSeen.values.filter { $0 < lastDay }.count, 10)
  }
}
