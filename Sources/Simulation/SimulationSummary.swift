/// How far a simulation has got, reported after every simulated hour.
public struct SimulationProgress: Sendable {
  /// Simulated hours done.
  public var hoursDone: Int
  /// Simulated hours in all.
  public var hoursTotal: Int
  /// Events emitted so far.
  public var events: Int
}

/// What a finished simulation produced.
public struct SimulationSummary: Sendable, Equatable {
  /// Events emitted.
  public var events: Int
  /// Distinct listeners who exist at some point (initial plus arrivals).
  public var users: Int
  /// Listeners who churned before the end.
  public var churned: Int
}
