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
  let anomalyKind: [UInt8]  // [users] 0 normal, 1 bot, 2 shared account
  let sharedCities: [Int32: [Int32]]  // shared account → its three cities
  let anomalies: [InjectedAnomaly]  // sorted by user id

  static let botKind: UInt8 = 1
  static let sharedKind: UInt8 = 2

  init(configuration c: SimulationConfiguration, gazetteer: Gazetteer) {
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
    // Anomalies: distinct initial users, made free-tier and permanent.
    var kind = [UInt8](repeating: 0, count: n)
    var shared: [Int32: [Int32]] = [:]
    var records: [InjectedAnomaly] = []
    if c.anomalies && c.users >= 20 {
      let each = max(1, c.users / 5000)
      var rng = SimulationRandom(seed: c.seed, key: 3)
      var chosen: [Int] = []
      var taken: Set<Int> = []
      while chosen.count < 2 * each {
        let u = rng.below(c.users)
        if taken.insert(u).inserted { chosen.append(u) }
      }
      for (i, u) in chosen.enumerated() {
        tier[u] = 0
        churnMs[u] = Int64.max
        if i < each {
          // A bot streams around the clock from its creation until it is banned: a window of
          // 7 + days/8 days (the whole run if shorter), placed at random.
          let length = min(c.days, 7 + c.days / 8)
          let first = rng.below(c.days - length + 1)
          kind[u] = Self.botKind
          arrivalMs[u] = startMs + Int64(first) * 86_400_000
          churnMs[u] = startMs + Int64(first + length) * 86_400_000
          let from = CivilDate(daysSinceEpoch: c.start.daysSinceEpoch + first)
          let to = CivilDate(daysSinceEpoch: c.start.daysSinceEpoch + first + length - 1)
          records.append(
            InjectedAnomaly(
              userID: ids[u], kind: .bot,
              detail: "streams every hour of every day from \(from) to \(to)"))
        } else {
          kind[u] = Self.sharedKind
          var cities = [home[u]]
          var continents = [gazetteer.cities[Int(home[u])].continent]
          var attempts = 0
          while cities.count < 3 {
            let city = gazetteer.drawCity(&rng)
            let continent = gazetteer.cities[city].continent
            attempts += 1
            if !continents.contains(continent) || attempts > 50 {
              cities.append(Int32(city))
              continents.append(continent)
            }
          }
          shared[Int32(u)] = cities
          let names = cities.map {
            let l = gazetteer.cities[Int($0)].location
            return "\(l.city) \(l.country)"
          }
          records.append(
            InjectedAnomaly(
              userID: ids[u], kind: .sharedAccount,
              detail: "shared by three listeners in " + names.joined(separator: "; ")))
        }
      }
    }
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
