/// An injected anomalous account, as written to the ground-truth file.
public struct InjectedAnomaly: Sendable, Hashable {
  /// The kinds of anomaly.
  public enum Kind: String, Sendable, CaseIterable {
    /// Streams around the clock, every hour of every day, a 16-song playlist played in full,
    /// from its creation until it is banned (7 + days/8 days; the detail gives the dates).
    case bot
    /// One account used by three people in three cities on different continents.
    case sharedAccount = "shared_account"
  }
  /// The account.
  public var userID: Int64
  /// What is abnormal about it.
  public var kind: Kind
  /// Human-readable detail (the cities of a shared account).
  public var detail: String
}
