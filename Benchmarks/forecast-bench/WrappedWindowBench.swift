// forecast-bench wrapped-window: what `forecast consume` does when a window closes, on one
// simulated day of 2,000 listeners (about 38k events, the Kafka benchmark's day; seed 42,
// written once to WRAPPED_BENCH_DIR, default /tmp): the Wrapped report of the day's
// accumulator and its tables (the CSV and JSON text), timed apart, beside the columnar read of
// the same file into the accumulator; and what the day costs `consume` in all: the windows of
// the seven continents (report and tables each) and the world's, merged from them (merge
// also timed apart). Median ms of WRAPPED_WINDOW_REPEATS runs (default 15), and the fastest run's
// (`min_ms`: on a shared host, the run least disturbed by other guests).
import Events
import Simulation
import Wrapped

#if canImport(Glibc)
import Glibc
#endif

enum WrappedWindowBench {
  static func run() throws {
    func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
    let directory = environment("WRAPPED_BENCH_DIR") ?? "/tmp"
    let repeats = max(1, Int(environment("WRAPPED_WINDOW_REPEATS") ?? "") ?? 15)
    let path = directory + "/forecast-bench-wrapped-window-2000x1-seed42.avro"
    if access(path, R_OK) != 0 {
      FileHandleStderr.write("wrapped-window: simulating the day into \(path) (once)\n")
      let configuration = SimulationConfiguration(
        users: 2000, days: 1, start: CivilDate(year: 2024, month: 6, day: 3), seed: 42)
      let simulator = try Simulator(
        configuration: configuration, catalog: .synthetic(seed: 42, latestYear: 2024))
      _ = try simulator.write(to: path)
    }
    func accumulate() throws -> WrappedAccumulator {
      var accumulator = WrappedAccumulator()
      try accumulator.add(file: try EventFileReader(path: path))
      return accumulator
    }
    let accumulator = try accumulate()
    let provenance = WrappedTables.Provenance(sources: [path], period: .all, top: 10)
    func tables(_ report: WrappedReport) -> Int {
      WrappedTables(
        report, provenance: provenance, evaluation: PersonalityEvaluation(report.listeners)
      )
      .files.reduce(0) { $0 + $1.bytes.count }
    }
    // Check: two reports give the same text.
    let reference = tables(accumulator.report(top: 10))
    precondition(reference == tables(accumulator.report(top: 10)), "two reports differ")
    var read: [Double] = []
    var report: [Double] = []
    var text: [Double] = []
    for _ in 0..<repeats {
      var failure: Error?
      read.append(seconds { do { _ = try accumulate() } catch { failure = error } })
      if let failure { throw failure }
      var r: WrappedReport?
      report.append(seconds { r = accumulator.report(top: 10) })
      var bytes = 0
      text.append(seconds { bytes = r.map(tables) ?? 0 })
      precondition(bytes == reference)
    }
    // What `consume` does for the day: the windows of the seven continents (the events of
    // each, as its partition holds them), and the world's, merged from them.
    var continents: [Continent: WrappedAccumulator] = [:]
    try EventFileReader(path: path).forEachEvent { event in
      continents[event.continent, default: WrappedAccumulator()].add(event)
    }
    let parts = Continent.allCases.compactMap { continents[$0] }
    var day: [Double] = []
    var merge: [Double] = []
    for _ in 0..<repeats {
      day.append(seconds { for part in parts { _ = tables(part.report(top: 10)) } })
      var world = WrappedAccumulator()
      merge.append(
        seconds {
          // As `consume` merges a world-wide window: room for every piece reserved first.
          world.reserveCapacity(parts.reduce(WrappedAccumulator.Capacity()) { $0 + $1.capacity })
          for part in parts { world.merge(part) }
          world.flush()
        })
      day[day.count - 1] += merge[merge.count - 1]
      day[day.count - 1] += seconds { _ = tables(world.report(top: 10)) }
    }
    let events = Int(accumulator.eventsCounted)
    for (what, times) in [
      ("read_and_accumulate", read), ("report", report), ("tables", text),
      ("continent_and_world_windows", day), ("world_merge", merge),
    ] {
      let s = median(times)
      printJSON([
        ("suite", .string("wrapped-window")), ("what", .string(what)), ("events", .int(events)),
        ("ms", .number(s * 1000, 2)), ("min_ms", .number((times.min() ?? s) * 1000, 2)),
        ("events_per_s", .int(Int(Double(events) / s))),
        ("load", .number(WrappedBench.loadAverage(), 2)),
      ])
    }
  }
}
