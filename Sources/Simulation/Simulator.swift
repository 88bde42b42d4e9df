import Dispatch
import Events
import Foundation

/// The synthetic listening-history generator: listeners with personalities, homes, habits and
/// lifetimes, producing events hour by hour.
///
/// Output order: simulated UTC hour by hour; within an hour, the events of the sessions that
/// start in it, sorted by (start time, user). Each user's events are in time order and never
/// overlap. Memory grows with users (about 150 bytes each), not with events: one hour of events
/// is held at a time.
///
/// Determinism: every listener draws from its own random stream, keyed by the seed and the
/// listener; streams are advanced in simulated time order whatever thread runs them, so the
/// events are identical for any thread count.
public struct Simulator: Sendable {
  /// What to simulate.
  public let configuration: SimulationConfiguration
  /// The songs.
  public let catalog: Catalog
  /// The cities.
  public let gazetteer: Gazetteer
  /// Static attributes of every listener who ever exists.
  let population: Population
  /// The injected anomalous accounts (the ground truth), by user id.
  public var anomalies: [InjectedAnomaly] { population.anomalies }
  /// New releases: simulated day, artist, and the songs released.
  let releasePlan: [(day: Int, artist: Int, songs: [Int32])]

  /// The new releases of the run (Fridays, one in three): the day and the artist. For 21 days
  /// a song comes from the release with probability 0.25·exp(−age/6 days), and activity rises by
  /// 15 %·exp(−age/2 days).
  public var releases: [(date: CivilDate, artist: String)] {
    releasePlan.map {
      (
        CivilDate(daysSinceEpoch: configuration.start.daysSinceEpoch + $0.day),
        catalog.artists[$0.artist]
      )
    }
  }

  /// Prepares a simulation: draws every listener's attributes, arrival and churn.
  /// - Throws: `SimulationError.invalidConfiguration` for values out of range.
  public init(
    configuration: SimulationConfiguration, catalog: Catalog,
    gazetteer: Gazetteer = .standard()
  ) throws {
    try configuration.validate()
    self.configuration = configuration
    self.catalog = catalog
    self.gazetteer = gazetteer
    self.population = Population(configuration: configuration, gazetteer: gazetteer)
    self.releasePlan = Self.planReleases(configuration: configuration, catalog: catalog)
  }

  /// Releases: on Fridays, with probability 1/3 each, an artist drawn by fame releases (or
  /// re-promotes) its ten newest songs.
  static func planReleases(
    configuration c: SimulationConfiguration, catalog: Catalog
  ) -> [(day: Int, artist: Int, songs: [Int32])] {
    var stream = SimulationRandom(seed: c.seed, key: 4)
    var fame: [Double] = []
    var total = 0.0
    for f in catalog.artistFame {
      total += f
      fame.append(total)
    }
    var plan: [(day: Int, artist: Int, songs: [Int32])] = []
    for d in 0..<c.days where CivilDate.weekday(daysSinceEpoch: c.start.daysSinceEpoch + d) == 5 {
      guard stream.chance(1.0 / 3) else { continue }
      let artist = upperBound(fame, stream.unit() * total, in: 0..<fame.count)
      let songs = catalog.songs
      let newest = catalog.songRange(ofArtist: artist).sorted {
        (songs[$0].year, $0) > (songs[$1].year, $1)
      }
      plan.append((d, artist, newest.prefix(10).map { Int32($0) }))
    }
    return plan
  }

  /// Runs the simulation, writing every event to `sink` in output order.
  /// - Parameters:
  ///   - sink: receives every event.
  ///   - progress: called after every simulated hour.
  /// - Returns: counts of events, users and churned users.
  /// - Throws: whatever `sink` throws.
  public func run<Sink: ListeningEventSink>(
    into sink: inout Sink, progress: ((SimulationProgress) -> Void)? = nil
  ) throws -> SimulationSummary {
    try run(into: &sink, progress: progress, pipelined: false)
  }

  /// `run`, optionally generating the next hour on another thread while `sink` takes this one.
  func run<Sink: ListeningEventSink>(
    into sink: inout Sink, progress: ((SimulationProgress) -> Void)?, pipelined: Bool
  ) throws -> SimulationSummary {
    let engine = Engine(simulator: self)
    var emitted = 0
    let hoursTotal = configuration.days * 24
    if pipelined {
      // The generating thread plans, generates and materialises slices of at most 65,536
      // events; this thread only writes them. At most four slices wait.
      let queue = ChunkQueue(capacity: 4)
      let days = configuration.days
      let producer = Thread {
        var hoursDone = 0
        for day in 0..<days where !queue.isCancelled {
          let plan = engine.planDay(day)
          for hour in 0..<24 where !queue.isCancelled {
            let events = engine.generate(
              plan.sessions[plan.hourStart[hour]..<plan.hourStart[hour + 1]], day: day)
            hoursDone += 1
            var start = 0
            repeat {
              let end = min(events.count, start + 65_536)
              let slice = engine.materialise(events[start..<end])
              queue.put(slice, hoursDone: end == events.count ? hoursDone : nil)
              start = end
            } while start < events.count
          }
        }
        queue.finish()
      }
      producer.stackSize = 1 << 23
      producer.start()
      do {
        while let (events, hoursDone) = queue.take() {
          try events.drain { try sink.write($0) }
          emitted += events.count
          if let hoursDone {
            progress?(
              SimulationProgress(hoursDone: hoursDone, hoursTotal: hoursTotal, events: emitted))
          }
        }
      } catch {
        queue.cancel()
        while queue.take() != nil {}
        throw error
      }
    } else {
      for day in 0..<configuration.days {
        let plan = engine.planDay(day)
        for hour in 0..<24 {
          let events = engine.generate(
            plan.sessions[plan.hourStart[hour]..<plan.hourStart[hour + 1]], day: day)
          for e in events { try sink.write(engine.materialise(e)) }
          emitted += events.count
          progress?(
            SimulationProgress(
              hoursDone: day * 24 + hour + 1, hoursTotal: hoursTotal, events: emitted))
        }
      }
    }
    let end = Int64(configuration.start.daysSinceEpoch + configuration.days) * 86_400_000
    let churned = population.churnMs.reduce(0) { $0 + ($1 < end ? 1 : 0) }
    return SimulationSummary(events: emitted, users: population.count, churned: churned)
  }
}

/// One planned session: who, where, when it starts.
struct PlannedSession {
  var start: Int64  // Unix ms
  var user: Int32
  var city: Int32
}

/// One generated event before it becomes a `ListeningEvent` (32 bytes instead of ~200).
struct CompactEvent {
  var start: Int64
  var end: Int64
  var user: Int32
  var song: Int32
  var city: Int32
  var interaction: UInt8
}
