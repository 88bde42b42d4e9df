import Events
import Foundation

/// The static attributes of every listener who ever exists in a simulation: the initial users
/// (ids 1…users) and the Poisson arrivals after them, each with a personality, a subscription
/// tier, a home city, an activity level, an arrival and a churn time. Drawn once, from streams
/// keyed by the seed, so they do not depend on anything that happens later.
struct Population: Sendable {
  let count: Int
  let ids: [Int64]  // [users]
  let personality: [UInt8]  // [users] trait bits
  let tier: [UInt8]  // [users] index into SubscriptionModel.tiers
  let home: [Int32]  // [users] city index
  let activity: [Float]  // [users] log-normal, mean 1
  let arrivalMs: [Int64]  // [users] Int64.min for initial users
  let churnMs: [Int64]  // [users] Int64.max if never
  let anomalyKind: [UInt8]  // [users] 0 normal, else kindCode(InjectedAnomaly.Kind)
  let anomalyParameter: [Int32]  // [users] per kind (sleep window, schedule minute)
  let sharedCities: [Int32: [Int32]]  // shared account → its three cities
  let anomalies: [InjectedAnomaly]  // sorted by user id

  static let botKind: UInt8 = 1
  static let sharedKind: UInt8 = 2
  static let evasiveBotKind: UInt8 = 3
  static let loopBotKind: UInt8 = 4
  static let sharedLocalKind: UInt8 = 5
  static let honestSleepKind: UInt8 = 6
  static let honestSuperfanKind: UInt8 = 7

  static func kindCode(_ k: InjectedAnomaly.Kind) -> UInt8 {
    switch k {
    case .bot: return botKind
    case .sharedAccount: return sharedKind
    case .evasiveBot: return evasiveBotKind
    case .loopBot: return loopBotKind
    case .sharedLocal: return sharedLocalKind
    case .honestSleep: return honestSleepKind
    case .honestSuperfan: return honestSuperfanKind
    }
  }

  /// Great-circle distance (km) from `city` to the nearest of `others`.
  static func distanceKm(_ g: Gazetteer, _ city: Int32, _ others: [Int32]) -> Double {
    let a = g.cities[Int(city)].location
    return others.map { o -> Double in
      let b = g.cities[Int(o)].location
      let p1 = Double(a.latitude) * .pi / 180
      let p2 = Double(b.latitude) * .pi / 180
      let dp = p2 - p1
      let dl = Double(b.longitude - a.longitude) * .pi / 180
      let h = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2)
      return 2 * 6371 * asin(min(1, sqrt(h)))
    }.min() ?? .infinity
  }

  init(configuration c: SimulationConfiguration, gazetteer: Gazetteer) {
    func clock(_ minute: Int) -> String {
      let h = minute / 60 % 24
      let m = minute % 60
      return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }
    let startMs = Int64(c.start.daysSinceEpoch) * 86_400_000
    // Arrivals: a Poisson process of rate users · arrivalsPerUserYear / 365 per day.
    var arrivals: [Int64] = []
    var arrivalStream = SimulationRandom(seed: c.seed, key: 2)
    let ratePerDay = Double(c.users) * c.arrivalsPerUserYear / 365
    if ratePerDay > 0 {
      var t = arrivalStream.exponential(mean: 1 / ratePerDay)
      while t < Double(c.days) {
        arrivals.append(startMs + Int64(t * 86_400_000))
        t += arrivalStream.exponential(mean: 1 / ratePerDay)
      }
    }
    let n = c.users + arrivals.count
    count = n
    var ids: [Int64] = []
    var personality: [UInt8] = []
    var tier: [UInt8] = []
    var home: [Int32] = []
    var activity: [Float] = []
    var arrivalMs: [Int64] = []
    var churnMs: [Int64] = []
    ids.reserveCapacity(n)
    personality.reserveCapacity(n)
    tier.reserveCapacity(n)
    home.reserveCapacity(n)
    activity.reserveCapacity(n)
    arrivalMs.reserveCapacity(n)
    churnMs.reserveCapacity(n)
    let tiers = SubscriptionModel.tiers
    let sigma = 0.9
    for u in 0..<n {
      var rng = SimulationRandom(seed: c.seed, key: 1, index: UInt64(u))
      ids.append(Int64(u + 1))
      personality.append(UInt8(rng.below(16)))
      var x = rng.unit()
      var t = 0
      while t < tiers.count - 1 && x >= tiers[t].share {
        x -= tiers[t].share
        t += 1
      }
      tier.append(UInt8(t))
      home.append(Int32(gazetteer.drawCity(&rng)))
      activity.append(Float(exp(sigma * rng.normal() - sigma * sigma / 2)))
      let arrival = u < c.users ? Int64.min : arrivals[u - c.users]
      arrivalMs.append(arrival)
      let lifetimeDays = rng.exponential(mean: tiers[t].lifetimeYears * 365)
      let from = max(arrival, startMs)
      churnMs.append(
        lifetimeDays * 86_400_000 > 1e15 ? Int64.max : from + Int64(lifetimeDays * 86_400_000))
    }
    // Injected accounts: anomalies among the initial free-tier users (made permanent), honest
    // extremes among the other initial users.
    var kind = [UInt8](repeating: 0, count: n)
    var parameter = [Int32](repeating: 0, count: n)
    var shared: [Int32: [Int32]] = [:]
    var records: [InjectedAnomaly] = []
    if c.anomalies && c.users >= 20 {
      var rng = SimulationRandom(seed: c.seed, key: 3)
      let free = (0..<c.users).filter { tier[$0] == 0 }
      let anomalous = InjectedAnomaly.Kind.anomalous
      let each = max(1, Int((c.anomalyRate * Double(free.count)).rounded()) / anomalous.count)
      var taken: Set<Int> = []
      func draw(_ from: [Int]) -> Int? {
        let open = from.count - taken.count
        guard open > 0 else { return nil }
        for _ in 0..<1000 {
          let u = from[rng.below(from.count)]
          if taken.insert(u).inserted { return u }
        }
        return nil
      }
      var plan: [(Int, InjectedAnomaly.Kind)] = []
      for k in anomalous {
        for _ in 0..<each { if let u = draw(free) { plan.append((u, k)) } }
      }
      let everyone = Array(0..<c.users)
      for k in InjectedAnomaly.Kind.honest {
        for _ in 0..<each { if let u = draw(everyone) { plan.append((u, k)) } }
      }
      for (u, k) in plan {
        let detail: String
        if k.isAnomalous {
          tier[u] = 0
          churnMs[u] = Int64.max
        }
        switch k {
        case .bot, .evasiveBot:
          // Streams (nearly) around the clock from its creation until it is banned: a window of
          // 7 + days/8 days (the whole run if shorter), placed at random.
          let length = min(c.days, 7 + c.days / 8)
          let first = rng.below(c.days - length + 1)
          arrivalMs[u] = startMs + Int64(first) * 86_400_000
          churnMs[u] = startMs + Int64(first + length) * 86_400_000
          let from = CivilDate(daysSinceEpoch: c.start.daysSinceEpoch + first)
          let to = CivilDate(daysSinceEpoch: c.start.daysSinceEpoch + first + length - 1)
          if k == .bot {
            detail = "streams every hour of every day from \(from) to \(to)"
          } else {
            // Sleeps 3 to 5 hours a day from a fixed UTC hour (parameter: hour · 8 + length).
            let sleepHour = rng.below(24)
            let sleepLength = 3 + rng.below(3)
            parameter[u] = Int32(sleepHour * 8 + sleepLength)
            detail =
              "streams from \(from) to \(to) except \(sleepLength) h a day from \(sleepHour):00 "
              + "UTC, skipping now and then, with machine-regular gaps"
          }
        case .loopBot:
          // Three sessions a day at fixed UTC times (parameter: minute of day of the first).
          let minute = rng.below(8 * 60)
          parameter[u] = Int32(minute)
          detail =
            "three sessions a day at \(clock(minute)), \(clock(minute + 480)) and "
            + "\(clock(minute + 960)) UTC, always the same six songs in full"
        case .sharedAccount, .sharedLocal:
          var cities = [home[u]]
          let homeContinent = gazetteer.cities[Int(home[u])].continent
          var continents = [homeContinent]
          var attempts = 0
          while cities.count < 3 {
            let city = Int32(gazetteer.drawCity(&rng))
            let continent = gazetteer.cities[Int(city)].continent
            attempts += 1
            let fits =
              k == .sharedAccount
              ? !continents.contains(continent)
              : continent == homeContinent && !cities.contains(city)
                && Self.distanceKm(gazetteer, city, cities) >= 300
            if fits || attempts > 2000 {
              cities.append(city)
              continents.append(continent)
            }
          }
          shared[Int32(u)] = cities
          let names = cities.map {
            let l = gazetteer.cities[Int($0)].location
            return "\(l.city) \(l.country)"
          }
          detail = "shared by three listeners in " + names.joined(separator: "; ")
        case .honestSleep:
          detail = "falls asleep to a playlist every night, about seven hours back to back"
        case .honestSuperfan:
          detail = "a super-fan: most plays are one artist's songs, on repeat"
        }
        kind[u] = Self.kindCode(k)
        records.append(InjectedAnomaly(userID: ids[u], kind: k, detail: detail))
      }
    }
    self.anomalyParameter = parameter
    self.ids = ids
    self.personality = personality
    self.tier = tier
    self.home = home
    self.activity = activity
    self.arrivalMs = arrivalMs
    self.churnMs = churnMs
    self.anomalyKind = kind
    self.sharedCities = shared
    self.anomalies = records.sorted { $0.userID < $1.userID }
  }
}
