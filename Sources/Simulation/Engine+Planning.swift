import Events
import Foundation

/// The sessions of one simulated UTC day, sorted by (start, user), with where each hour begins.
struct DayPlan {
  var sessions: [PlannedSession]
  var hourStart: [Int]  // [25]
}

extension Engine {
  /// Each zone's session rate per UTC hour of day `day` for a listener of activity 1, as a
  /// cumulative array, with its day total (see `ActivityModel`).
  func zoneProfiles(day: Int) -> (cumulative: [Double], total: [Double]) {
    let zoneCount = timeZones.count
    var cumulative = [Double](repeating: 0, count: zoneCount * 24)
    var total = [Double](repeating: 0, count: zoneCount)
    let dayStart = (startDay + day) * 86_400
    for z in 0..<zoneCount {
      var sum = 0.0
      var cachedLocalDay = Int.min
      var factor = 0.0
      var weekendLike = false
      for h in 0..<24 {
        let utc = dayStart + h * 3600
        let local = utc + timeZones[z].secondsFromGMT(for: Date(timeIntervalSince1970: Double(utc)))
        let localDay = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let localHour = (local - localDay * 86_400) / 3600
        if localDay != cachedLocalDay {
          cachedLocalDay = localDay
          let date = CivilDate(daysSinceEpoch: localDay)
          weekendLike = ActivityModel.isWeekendLike(date)
          factor =
            ActivityModel.dayFactor(date)
            * ActivityModel.seasonalFactor(date, southernHemisphere: southern[z])
        }
        sum += ActivityModel.hourWeight(localHour, weekendLike: weekendLike) * factor
        cumulative[z * 24 + h] = sum
      }
      total[z] = sum
    }
    return (cumulative, total)
  }

  /// Plans every session starting on UTC day `day`: moves travellers, draws each listener's
  /// session count (Poisson) and start hours from its zone's profile, and sorts the result.
  func planDay(_ day: Int) -> DayPlan {
    let (profile, total) = zoneProfiles(day: day)
    let dayStartMs = Int64(startDay + day) * 86_400_000
    let dayEndMs = dayStartMs + 86_400_000
    let scale = config.meanSessionsPerDay * boostOfDay[day]
    var sessions: [PlannedSession] = []
    sessions.reserveCapacity(
      min(1 << 22, Int(Double(population.count) * config.meanSessionsPerDay * 1.3) + 64))

    func add(_ user: Int, _ city: Int32, _ start: Int64) {
      if start >= population.arrivalMs[user] && start < population.churnMs[user] {
        sessions.append(PlannedSession(start: start, user: Int32(user), city: city))
      }
    }
    func drawSessions(
      user u: Int, city: Int32, mean: Double, rng r: inout SimulationRandom
    ) {
      let z = Int(gazetteer.zoneOfCity[Int(city)])
      let count = r.poisson(mean * total[z])
      for _ in 0..<count {
        let x = r.unit() * total[z]
        var h = 0
        while h < 23 && profile[z * 24 + h] <= x { h += 1 }
        add(u, city, dayStartMs + Int64(h) * 3_600_000 + Int64(r.below(3_600_000)))
      }
    }

    for u in 0..<population.count {
      if population.arrivalMs[u] >= dayEndMs || population.churnMs[u] <= dayStartMs { continue }
      var r = rng[u]
      switch population.anomalyKind[u] {
      case Population.botKind:
        for h in 0..<24 {
          add(u, population.home[u], dayStartMs + Int64(h) * 3_600_000 + Int64(r.below(120_000)))
        }
      case Population.evasiveBotKind:
        let p = Int(population.anomalyParameter[u])
        let (sleepFrom, sleepLength) = (p / 8, p % 8)
        for h in 0..<24 where (h - sleepFrom + 24) % 24 >= sleepLength {
          add(u, population.home[u], dayStartMs + Int64(h) * 3_600_000 + Int64(r.below(120_000)))
        }
      case Population.loopBotKind:
        let minute = Int64(population.anomalyParameter[u])
        for k in 0..<3 {
          add(
            u, population.home[u],
            dayStartMs + (minute + 480 * Int64(k)) * 60_000 + Int64(r.below(20_000)))
        }
      case Population.sharedKind, Population.sharedLocalKind:
        for city in population.sharedCities[Int32(u)] ?? [population.home[u]] {
          drawSessions(user: u, city: city, mean: 1.5 * scale, rng: &r)
        }
      case Population.honestSleepKind:
        // Falls asleep to a playlist: one night session from 21:30–23:00 local time.
        let city = population.home[u]
        let zone = timeZones[Int(gazetteer.zoneOfCity[Int(city)])]
        let offset = Int64(
          zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(dayStartMs / 1000))))
        var night =
          dayStartMs + (21 * 3_600_000 + 1_800_000) - offset * 1000
          + Int64(r.below(5_400_000))
        if night < dayStartMs { night += 86_400_000 }
        if night >= dayEndMs { night -= 86_400_000 }
        nightStart[u] = night
        add(u, city, night)
        drawSessions(
          user: u, city: city,
          mean: scale * Double(population.activity[u])
            * SubscriptionModel.tiers[Int(population.tier[u])].activity, rng: &r)
      default:
        if config.travel {
          if tripEndDay[u] >= 0 && Int(tripEndDay[u]) <= day {
            tripEndDay[u] = -1
            currentCity[u] = population.home[u]
          }
          if tripEndDay[u] < 0 && r.chance(1.0 / 45) {
            let destination = Int32(gazetteer.drawCity(&r))
            if destination != population.home[u] {
              currentCity[u] = destination
              tripEndDay[u] = Int32(day + r.geometric(mean: 5))
            }
          }
        }
        let superfan: Double = population.anomalyKind[u] == Population.honestSuperfanKind ? 2 : 1
        let mean =
          scale * Double(population.activity[u])
          * SubscriptionModel.tiers[Int(population.tier[u])].activity * superfan
        drawSessions(user: u, city: currentCity[u], mean: mean, rng: &r)
      }
      rng[u] = r
    }
    sessions.sort { $0.start != $1.start ? $0.start < $1.start : $0.user < $1.user }
    var hourStart = [Int](repeating: sessions.count, count: 25)
    var h = 0
    for (i, s) in sessions.enumerated() {
      let hour = Int((s.start - dayStartMs) / 3_600_000)
      while h <= hour {
        hourStart[h] = i
        h += 1
      }
    }
    while h < 25 {
      hourStart[h] = sessions.count
      h += 1
    }
    return DayPlan(sessions: sessions, hourStart: hourStart)
  }
}
