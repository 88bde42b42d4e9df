// forecast-bench wrapped: the Wrapped analyses beside the columnar Avro read of the same file,
// measured in the same run, alternating. The history is a simulation of about 10 million
// events (2,000 listeners, 365 days, seed 42, deflate), written once to
// WRAPPED_BENCH_DIR (default /tmp) and reused while its configuration is the same.
// Checks first that two runs of each analysis agree. One JSON object per line: what, events,
// seconds (median of WRAPPED_BENCH_REPEATS runs, default 3), events_per_s, ratio_to_read (to
// the columnar read of the columns the analyses decode) and ratio_to_plain_read (to the read of
// the series' columns only).
import Events
import Simulation
import Wrapped

#if canImport(Glibc)
import Glibc
#endif

enum WrappedBench {
  static func run() throws {
    func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
    let directory = environment("WRAPPED_BENCH_DIR") ?? "/tmp"
    let repeats = max(1, Int(environment("WRAPPED_BENCH_REPEATS") ?? "") ?? 3)
    let path = directory + "/forecast-bench-wrapped-2000x365-seed42.avro"
    if access(path, R_OK) != 0 {
      FileHandleStderr.write("wrapped: simulating the history into \(path) (once)\n")
      let configuration = SimulationConfiguration(
        users: 2000, days: 365, start: CivilDate(year: 2024, month: 1, day: 1), seed: 42)
      let simulator = try Simulator(
        configuration: configuration, catalog: .synthetic(seed: 42, latestYear: 2024))
      _ = try simulator.write(to: path)
    }

    // The three measured operations; each returns a checksum to compare runs.
    func read(extended: Bool) throws -> (Int, Int64) {
      let reader = try EventFileReader(path: path)
      var events = 0
      var checksum: Int64 = 0
      try reader.forEachBatch(extended: extended) { b in
        events += b.count
        checksum = checksum &+ (b.startTime.last ?? 0) &+ Int64(b.artist.values.count)
      }
      return (events, checksum)
    }
    func wrapped() throws -> (Int, Int64) {
      var job = WrappedJob(history: path)
      job.top = 10
      let result = try job.run()
      let bytes = result.tables.files.reduce(0) { $0 + $1.bytes.count }
      return (Int(result.report.totals.eventsCounted), Int64(bytes))
    }
    func anomalies() throws -> (Int, Int64) {
      let result = try AnomalyJob(history: path).run()
      let checksum = result.accounts.prefix(50).reduce(Int64(0)) { $0 &* 31 &+ $1.userID }
      return (Int(result.eventsRead), checksum)
    }
    let operations: [(String, () throws -> (Int, Int64))] = [
      ("read_columns", { try read(extended: false) }),
      ("read_columns_extended", { try read(extended: true) }),
      ("wrapped", wrapped),
      ("anomalies", anomalies),
    ]
    // Check: each operation twice gives the same result.
    var reference: [String: (Int, Int64)] = [:]
    for (name, op) in operations {
      let a = try op()
      let b = try op()
      precondition(a == b, "wrapped bench: two runs of \(name) differ")
      reference[name] = a
    }
    // Time, alternating the operations.
    var times: [String: [Double]] = [:]
    for _ in 0..<repeats {
      for (name, op) in operations {
        var result = (0, Int64(0))
        var failure: Error?
        let s = seconds {
          do { result = try op() } catch { failure = error }
        }
        if let failure { throw failure }
        precondition(result == reference[name].map { $0 } ?? result)
        times[name, default: []].append(s)
      }
    }
    // Ratios to the read of the columns the analyses decode (extended) and of the series' ones.
    let readSeconds = median(times["read_columns_extended"] ?? [])
    let plainSeconds = median(times["read_columns"] ?? [])
    for (name, _) in operations {
      let s = median(times[name] ?? [])
      let events = reference[name]?.0 ?? 0
      printJSON([
        ("suite", .string("wrapped")), ("what", .string(name)), ("events", .int(events)),
        ("seconds", .number(s, 3)), ("events_per_s", .int(Int(Double(events) / s))),
        ("ratio_to_read", .number(readSeconds / s, 3)),
        ("ratio_to_plain_read", .number(plainSeconds / s, 3)),
        ("load", .number(loadAverage(), 2)),
      ])
    }
  }

  static func loadAverage() -> Double {
    var loads = [Double](repeating: -1, count: 3)
    return getloadavg(&loads, 3) >= 1 ? loads[0] : -1
  }
}
