import Events

/// What to simulate. Same configuration, catalogue and gazetteer: the same events, in the same
/// order, for any `threads`.
public struct SimulationConfiguration: Sendable, Equatable {
  /// Listeners active on the start date. New listeners arrive as a Poisson process at
  /// `arrivalsPerUserYear · users` a year; each churns after an exponential lifetime whose mean
  /// depends on the subscription tier.
  public var users: Int
  /// Length of the simulation in days, from `start` 00:00 UTC.
  public var days: Int
  /// First day (UTC).
  public var start: CivilDate
  /// Seed of every random choice.
  public var seed: UInt64
  /// Lets listeners travel: about one trip in 45 days, to a city drawn by population, lasting
  /// 5 days on average, during which their events carry the destination's location and timezone.
  public var travel: Bool
  /// Injects anomalous free-tier accounts and honest extremes (`InjectedAnomaly.Kind`).
  public var anomalies: Bool
  /// The fraction of the initial free-tier listeners made anomalous, split evenly over the five
  /// anomalous kinds (at least one of each when `users ≥ 20`); as many honest extremes of each
  /// honest kind as there are anomalies of each kind. The default gives the default simulation
  /// (2,000 users) at least 20 of each kind.
  public var anomalyRate: Double
  /// Sessions per listener per ordinary day, for activity 1 (activities are log-normal, mean 1).
  public var meanSessionsPerDay: Double
  /// Songs per session (geometric).
  public var meanSongsPerSession: Double
  /// New listeners a year per listener at the start.
  public var arrivalsPerUserYear: Double
  /// Worker threads generating events (0: one per core). The output does not depend on it.
  public var threads: Int

  /// A configuration with the toolkit's defaults for the rates.
  public init(
    users: Int, days: Int, start: CivilDate, seed: UInt64, travel: Bool = false,
    anomalies: Bool = true, anomalyRate: Double = 0.12, meanSessionsPerDay: Double = 1.1,
    meanSongsPerSession: Double = 8, arrivalsPerUserYear: Double = 0.45, threads: Int = 0
  ) {
    self.anomalyRate = anomalyRate
    self.users = users
    self.days = days
    self.start = start
    self.seed = seed
    self.travel = travel
    self.anomalies = anomalies
    self.meanSessionsPerDay = meanSessionsPerDay
    self.meanSongsPerSession = meanSongsPerSession
    self.arrivalsPerUserYear = arrivalsPerUserYear
    self.threads = threads
  }

  /// Checks every value a user chose.
  /// - Throws: `SimulationError.invalidConfiguration` naming the flag.
  public func validate() throws {
    func check(_ ok: Bool, _ flag: String, _ value: Any, _ expected: String) throws {
      if !ok {
        throw SimulationError.invalidConfiguration(
          flag: flag, value: "\(value)", expected: expected)
      }
    }
    try check(users >= 1 && users <= 100_000_000, "--users", users, "1…100,000,000")
    try check(days >= 1 && days <= 36_600, "--days", days, "1…36,600")
    // The readers' default window ends at 2200-01-01: a run past it would write events that
    // every command then refuses as damage.
    let end = CivilDate(year: 2200, month: 1, day: 1).daysSinceEpoch
    try check(
      start.year >= 1971 && start.daysSinceEpoch < end, "--start", start,
      "a date in 1971-01-01…2199-12-31")
    try check(
      start.daysSinceEpoch + days <= end, "--days", days,
      "at most \(end - start.daysSinceEpoch) from --start \(start), so that the events end by "
        + "2200-01-01")
    try check(threads >= 0 && threads <= 1024, "--threads", threads, "0…1024")
    try check(
      anomalyRate >= 0 && anomalyRate <= 0.5, "--anomaly-rate", anomalyRate, "a number in [0, 0.5]")
    try check(
      meanSessionsPerDay > 0 && meanSessionsPerDay <= 100, "--sessions-per-day",
      meanSessionsPerDay, "a number in (0, 100]")
    try check(
      meanSongsPerSession >= 1 && meanSongsPerSession <= 500, "--songs-per-session",
      meanSongsPerSession, "a number in [1, 500]")
    try check(
      arrivalsPerUserYear >= 0 && arrivalsPerUserYear <= 100, "--arrivals", arrivalsPerUserYear,
      "a number in [0, 100]")
  }
}

extension SimulationConfiguration {
  /// The accounts the run creates: the users at the start and the arrivals expected over the
  /// days (`users · arrivalsPerUserYear · days / 365`).
  public var expectedAccounts: Double {
    Double(users) * (1 + arrivalsPerUserYear * Double(days) / 365)
  }

  /// The run's peak memory, estimated: 64 MB plus 450 bytes an account (measured peaks: 151 MB
  /// for 100,000 users and 527 MB for a million, one day each, release build).
  public var estimatedPeakBytes: Double { 64e6 + 450 * expectedAccounts }
}
