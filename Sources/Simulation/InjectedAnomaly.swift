/// An injected account, as written to the ground-truth file: an anomaly no honest listener
/// produces, or an honest extreme (`honest_*`) that a detector must not mistake for one.
public struct InjectedAnomaly: Sendable, Hashable {
  /// The kinds of injected account.
  public enum Kind: String, Sendable, CaseIterable {
    /// Streams around the clock, every hour of every day, a 16-song playlist played in full,
    /// from its creation until it is banned (7 + days/8 days; the detail gives the dates).
    case bot
    /// An evasive bot: sleeps a few hours a day, skips now and then, machine-regular gaps.
    case evasiveBot = "evasive_bot"
    /// A stream farm at human volume: three sessions a day at fixed times, always the same six
    /// songs, played in full.
    case loopBot = "loop_bot"
    /// One account used by three people in three cities on different continents.
    case sharedAccount = "shared_account"
    /// One account used by three people in three cities of one continent.
    case sharedLocal = "shared_local"
    /// Honest: falls asleep to a playlist every night (about seven hours, back to back).
    case honestSleep = "honest_sleep"
    /// Honest: a super-fan who plays one artist's songs on repeat.
    case honestSuperfan = "honest_superfan"

    /// The anomalous kinds (the others are honest extremes).
    public static let anomalous: [Kind] = [
      .bot, .evasiveBot, .loopBot, .sharedAccount, .sharedLocal,
    ]
    /// The honest extremes.
    public static let honest: [Kind] = [.honestSleep, .honestSuperfan]

    /// Whether this kind is an anomaly (not an honest extreme).
    public var isAnomalous: Bool { !rawValue.hasPrefix("honest_") }
  }
  /// The account.
  public var userID: Int64
  /// What is abnormal (or extreme) about it.
  public var kind: Kind
  /// Human-readable detail (dates, cities, songs).
  public var detail: String
}
