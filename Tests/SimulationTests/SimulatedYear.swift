import Events
import Foundation
import Simulation

/// One simulated year shared by the behaviour tests: 320 listeners from 2023-01-01, seed 7,
/// anomalies on, travel off, about a million events.
enum SimulatedYear {
  static let configuration = SimulationConfiguration(
    users: 320, days: 365, start: CivilDate(year: 2023, month: 1, day: 1), seed: 7)

  static let simulator: Simulator = {
    do {
      return try Simulator(
        configuration: configuration,
        catalog: .synthetic(seed: configuration.seed, latestYear: configuration.start.year))
    } catch {
      preconditionFailure("the test configuration is valid: \(error)")
    }
  }()

  static let events: [ListeningEvent] = {
    var events: [ListeningEvent] = []
    do {
      _ = try simulator.run(into: &events)
    } catch {
      preconditionFailure("an array sink does not throw: \(error)")
    }
    return events
  }()

  /// Anomalous user ids (the ground truth).
  static var anomalous: Set<Int64> { Set(simulator.anomalies.map(\.userID)) }

  /// Events of ordinary listeners, grouped by user, in time order.
  static let byUser: [Int64: [ListeningEvent]] = {
    let bad = anomalous
    return Dictionary(grouping: events.filter { !bad.contains($0.userID) }, by: \.userID)
  }()

  /// Sessions (gap ≤ 30 min, docs/series.md) of ordinary listeners: (user, start of the session).
  static let sessions: [(user: Int64, start: Int64, timezone: String)] = {
    var result: [(Int64, Int64, String)] = []
    for (user, list) in byUser {
      var lastEnd = Int64.min
      for e in list {
        if lastEnd == Int64.min || e.startTime - lastEnd > 30 * 60_000 {
          result.append((user, e.startTime, e.location.timezone))
        }
        lastEnd = max(lastEnd, e.endTime)
      }
    }
    return result
  }()
}
