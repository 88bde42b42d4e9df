// forecast-bench kafka: the streaming path on librdkafka's mock cluster, started in this process
// (three brokers on 127.0.0.1), beside two other clients consuming the same topic in the same run:
//   produce   `forecast produce`'s code (EventProducer, in process): events/s delivered
//   consume   `forecast consume -e --close-open`'s code (GroupConsumer, in process): decoding,
//             the Wrapped aggregates per day and continent, the window outputs written, state
//             and offsets committed; events/s from its first record to its exit (the mock's
//             ~3 s group join excluded), and with the join
//   (and with --grace 7d without --close-open: windows stay open in the state, none written)
//   kcat      `kcat -C -b B -t T -o beginning -e -q` to /dev/null: the C client's own ceiling
//   python    `scripts/kafka_peer.py aggregate`: confluent-kafka + fastavro, per day and
//             continent streams, minutes, listeners and top-10 counts (the seed's stack);
//             events/s from its first record to its exit, and with the join
//   python full  `aggregate --full`: the same aggregation as ours, every window's Wrapped CSV
//             files (scripts/wrapped_reference.py's computation, per day and partition and per
//             day world-wide), written after the last record
// The mock keeps about 5 MB (compressed) per partition, and Asia holds over half the events:
// the data is KAFKA_BENCH_CHUNKS (default 2) simulations of KAFKA_BENCH_DAYS (default 4) days of
// 2,000 listeners (about 38k events a day), produced zstd-compressed (`-X compression.type=zstd`,
// as production topics usually are: about 3 MB in the largest partition), one topic per chunk
// and round. Each round produces every chunk to a fresh topic and consumes it with ours, kcat
// and Python in turn (alternating in one time window); a rate is a round's events over its
// summed seconds. Checked first: every client sees every event, nothing was dropped by the
// mock's retention. One JSON object per line: the median of KAFKA_BENCH_REPEATS rounds (default
// 3) with the spread (min, max), the ratios ours/kcat (against kcat's fastest round) and
// ours/python (medians), the load average. The histories are written once to KAFKA_BENCH_DIR
// (default /tmp), and ours writes its state and outputs there too (fsynced: a disk costs what
// tmpfs does not).
// KAFKA_BENCH_OURS_ONLY=K runs only ours, K times a chunk and round, and prints nothing: a
// process to profile ours in (`perf record`), the producer's share of it small.
// KAFKA_BENCH_OURS_X="key=value,…" adds librdkafka properties to ours' consumer (as -X does),
// for tuning runs: e.g. a smaller queued.max.messages.kbytes (fewer page faults, but librdkafka
// 2.0 then stops fetching a full partition for up to a second: 70k events/s instead of 400k).
// KAFKA_BENCH_TRACE=1 prints, for each of ours' runs, its time from the first record and the
// process's CPU time over it (every thread: ours, librdkafka's, the mock broker's): on a machine
// with few cores, where the window outputs' threads and the reading thread share them, the CPU
// a run takes is what sets its time.
// KAFKA_BENCH_PYTHON=0 leaves the Python peer out (its rates print as NaN), for quick rounds while
// working on ours.
// Every client fetches with fetch.wait.max.ms=KAFKA_BENCH_FETCH_WAIT_MS (default 10): the mock
// holds an empty fetch for that long, so librdkafka's 500 ms default would add half a second to
// each client's end-of-partition detection and measure that, not throughput.
import Events
import Foundation
import Simulation
import Streaming

enum KafkaBench {
  static let users = 2000

  static func run() throws {
    let env = ProcessInfo.processInfo.environment
    let directory = env["KAFKA_BENCH_DIR"] ?? "/tmp"
    let repeats = max(1, Int(env["KAFKA_BENCH_REPEATS"] ?? "") ?? 3)
    let chunks = max(1, Int(env["KAFKA_BENCH_CHUNKS"] ?? "") ?? 2)
    let days = max(1, Int(env["KAFKA_BENCH_DAYS"] ?? "") ?? 4)
    let fetchWait = env["KAFKA_BENCH_FETCH_WAIT_MS"] ?? "10"
    let withPython = env["KAFKA_BENCH_PYTHON"] != "0"
    let oursOnly = max(0, Int(env["KAFKA_BENCH_OURS_ONLY"] ?? "") ?? 0)
    let peer =
      env["KAFKA_BENCH_PEER"]
      ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("scripts/kafka_peer.py").path
    guard FileManager.default.fileExists(atPath: peer) else {
      throw BenchFailure("the Python peer \(peer) is missing; set KAFKA_BENCH_PEER")
    }
    let kcat = try which("kcat")
    let probe = try spawn("/usr/bin/env", ["python3", "-c", "import confluent_kafka, fastavro"])
    guard probe.status == 0 else {
      throw BenchFailure(
        "python3 cannot import confluent_kafka and fastavro; run scripts/install-deps")
    }

    // The chunks, simulated once.
    var histories: [(path: String, events: Int)] = []
    let first = CivilDate(year: 2024, month: 6, day: 3).daysSinceEpoch
    for k in 0..<chunks {
      let path =
        "\(directory)/forecast-bench-kafka-\(users)x\(days)-chunk\(k)-seed\(42 + k).avro"
      if access(path, R_OK) != 0 {
        FileHandleStderr.write("kafka: simulating chunk \(k) into \(path) (once)\n")
        let configuration = SimulationConfiguration(
          users: users, days: days, start: CivilDate(daysSinceEpoch: first + k * days),
          seed: UInt64(42 + k))
        let simulator = try Simulator(
          configuration: configuration, catalog: .synthetic(seed: 42, latestYear: 2024))
        _ = try simulator.write(to: path)
      }
      var events = 0
      try EventFileReader(path: path).forEachBatch(extended: false) { events += $0.count }
      histories.append((path, events))
    }
    let total = histories.reduce(0) { $0 + $1.events }

    let cluster = try MockCluster(brokers: 3, topic: nil)
    let work = directory + "/forecast-bench-kafka-\(getpid())"
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    // Every client's files stay until the end: removing hundreds of files between runs makes
    // the next run's file creations slow on some file systems (ext4 without a journal skips
    // every inode freed in the last minutes when it allocates one), which would charge one
    // run's cleanup to the next one's time.
    defer { try? FileManager.default.removeItem(atPath: work) }

    // Round 0 checks, rounds 1… are timed.
    var rounds: [Round] = []
    for round in 0...repeats {
      var r = Round()
      for (k, history) in histories.enumerated() {
        let topic = "bench-\(round)-\(k)"
        try cluster.createTopic(topic, partitions: TopicLayout.partitionCount)
        // Produce.
        var settings = EventProducer.Settings(brokers: cluster.bootstrap)
        settings.topic = topic
        settings.properties = [("compression.type", "zstd")]
        var delivered: Int64 = -1
        r.produce += try seconds {
          delivered = try EventProducer(settings: settings).run(history: history.path).delivered
        }
        check(
          delivered == Int64(history.events),
          "produce delivered \(delivered) of \(history.events)")
        if round == 0 {
          // Nothing lost to the mock's retention.
          let lags = try ConsumerLag.measure(
            brokers: cluster.bootstrap, group: "bench-check", topic: topic)
          check(
            lags.allSatisfy { $0.lowWatermark == 0 },
            "the mock dropped records of \(topic): \(lags)")
          check(
            lags.reduce(0) { $0 + $1.highWatermark } == Int64(history.events),
            "\(topic) holds \(lags)")
        }
        // Ours.
        if oursOnly > 0 {
          for k in 0..<oursOnly {
            _ = try consume(
              topic: topic, bootstrap: cluster.bootstrap, fetchWait: fetchWait,
              closeOpen: true, work: work + "/\(topic)-\(k)")
          }
          continue
        }
        let ours = try consume(
          topic: topic, bootstrap: cluster.bootstrap, fetchWait: fetchWait,
          closeOpen: true, work: work + "/\(topic)")
        check(
          ours.events == history.events, "consume read \(ours.events) of \(history.events) events")
        r.ours += ours.fromFirst
        r.oursTotal += ours.total
        // Ours with a grace of a week and without --close-open: every window stays open in the
        // state, none is written (the Python peer writes nothing either); what the window
        // outputs cost is the difference. (With the default 2 h grace the day closes in the
        // stream: the simulated day's last sessions run past 02:00 the next day.)
        let open = try consume(
          topic: topic, bootstrap: cluster.bootstrap, fetchWait: fetchWait,
          closeOpen: false, work: work + "/\(topic)-open")
        check(
          open.events == history.events, "consume read \(open.events) of \(history.events) events")
        r.oursOpen += open.fromFirst
        // kcat.
        if round == 0 {
          let counted = try spawn(
            kcat,
            [
              "-C", "-b", cluster.bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-X",
              "fetch.wait.max.ms=" + fetchWait, "-f",
              "%o\\n",
            ],
            output: work + "/kcat-check.txt")
          check(counted.status == 0, "kcat failed: \(counted.stderr)")
          let lines = try String(contentsOfFile: work + "/kcat-check.txt", encoding: .utf8)
            .split(separator: "\n").count
          check(lines == history.events, "kcat read \(lines) of \(history.events) records")
        }
        var kcatRun = Spawned(status: 0, stderr: "")
        r.kcat += try seconds {
          kcatRun = try spawn(
            kcat,
            [
              "-C", "-b", cluster.bootstrap, "-t", topic, "-o", "beginning", "-e", "-q", "-X",
              "fetch.wait.max.ms=" + fetchWait,
            ])
        }
        check(kcatRun.status == 0, "kcat failed: \(kcatRun.stderr)")
        // Python: the seed's lighter aggregation, then ours (every window's Wrapped files).
        /// `kafka_peer.py aggregate` with `extra` arguments: its seconds from the first record,
        /// and in all, checked to have read every event.
        func python(_ group: String, _ extra: [String]) throws -> (seconds: Double, total: Double) {
          let run = try spawn(
            "/usr/bin/env",
            [
              "python3", peer, "aggregate", "-b", cluster.bootstrap, "-t", topic, "-G", group,
              "-X", "session.timeout.ms=6000", "-X", "fetch.wait.max.ms=" + fetchWait,
            ] + extra,
            output: work + "/python.json")
          check(run.status == 0, "kafka_peer.py aggregate \(extra) failed: \(run.stderr)")
          let report = try String(contentsOfFile: work + "/python.json", encoding: .utf8)
          let events = number("events", in: report)
          check(
            events == Double(history.events),
            "python \(extra) read \(events ?? -1) of \(history.events) events")
          return (
            number("seconds", in: report) ?? .nan, number("seconds_total", in: report) ?? .nan
          )
        }
        if withPython {
          let light = try python("py-\(topic)", [])
          r.python += light.seconds
          r.pythonTotal += light.total
          r.pythonFull +=
            try python("pyfull-\(topic)", ["--full", work + "/python-full-\(topic)"]).seconds
        }
      }
      if round > 0 { rounds.append(r) }
    }
    if oursOnly > 0 { return }

    func rates(_ key: KeyPath<Round, Double>) -> (median: Double, min: Double, max: Double) {
      let values = rounds.map { Double(total) / $0[keyPath: key] }
      return (median(values), values.min() ?? .nan, values.max() ?? .nan)
    }
    let load = loadAverage()
    let lines: [(String, KeyPath<Round, Double>)] = [
      ("produce", \.produce), ("consume_aggregate", \.ours),
      ("consume_aggregate_with_join", \.oursTotal),
      ("consume_aggregate_no_window_outputs", \.oursOpen), ("kcat_to_dev_null", \.kcat),
      ("python_aggregate", \.python), ("python_aggregate_with_join", \.pythonTotal),
      ("python_full_wrapped", \.pythonFull),
    ]
    for (what, key) in lines where withPython || !what.hasPrefix("python") {
      let r = rates(key)
      printJSON([
        ("suite", .string("kafka")), ("what", .string(what)), ("events", .int(total)),
        ("rounds", .int(rounds.count)), ("events_per_s", .int(Int(r.median))),
        ("min", .int(Int(r.min))), ("max", .int(Int(r.max))), ("load", .number(load, 2)),
      ])
    }
    // With every window's Wrapped files written, and without (windows kept open in the state,
    // as the Python peer writes nothing). kcat's ceiling is its fastest round: a kcat run now
    // and then waits about a second before its first fetch (a fixed stall of the client, not
    // its rate), and a median over three rounds could then halve the ceiling.
    let ours = rates(\.ours).median
    let oursOpen = rates(\.oursOpen).median
    let kcatCeiling = rates(\.kcat).max
    var ratios: [(String, JSONValue)] = [
      ("suite", .string("kafka")), ("what", .string("ratios")),
      ("kcat_ceiling", .int(Int(kcatCeiling))),
      ("ours_to_kcat", .number(ours / kcatCeiling, 3)),
      ("ours_no_window_outputs_to_kcat", .number(oursOpen / kcatCeiling, 3)),
    ]
    if withPython {
      ratios += [
        ("ours_to_python", .number(ours / rates(\.python).median, 2)),
        ("ours_no_window_outputs_to_python", .number(oursOpen / rates(\.python).median, 2)),
        ("ours_to_python_full_wrapped", .number(ours / rates(\.pythonFull).median, 2)),
      ]
    }
    ratios += [
      ("target_kcat", .number(0.5, 1)), ("target_python", .int(10)), ("load", .number(load, 2)),
    ]
    printJSON(ratios)
  }

  /// Seconds of one round, summed over the days.
  struct Round {
    var produce = 0.0
    var ours = 0.0
    var oursTotal = 0.0
    var oursOpen = 0.0
    var kcat = 0.0
    var python = 0.0
    var pythonTotal = 0.0
    var pythonFull = 0.0
  }

  struct BenchFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
  }

  static func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    precondition(condition, "kafka bench: " + message())
  }

  /// `forecast consume -e --close-open` (or `-e --grace 7d`: no window written) in process,
  /// fresh group, state and output: events read, seconds from the first record to the end, and
  /// in all.
  static func consume(
    topic: String, bootstrap: String, fetchWait: String, closeOpen: Bool, work: String
  ) throws
    -> (events: Int, fromFirst: Double, total: Double)
  {
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    var options = StreamOptions(stateDirectory: work + "/state", outDirectory: work + "/out")
    options.topic = topic
    if !closeOpen { options.graceMs = 7 * 86_400_000 }
    var settings = GroupConsumer.Settings(
      brokers: bootstrap, group: "ours-" + (work as NSString).lastPathComponent)
    settings.properties = [("session.timeout.ms", "6000"), ("fetch.wait.max.ms", fetchWait)]
    let extra = ProcessInfo.processInfo.environment["KAFKA_BENCH_OURS_X"] ?? ""
    for pair in extra.split(separator: ",") {
      let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
      if kv.count == 2 { settings.properties.append((kv[0], kv[1])) }
    }
    settings.exitAtEnd = true
    settings.closeOpen = closeOpen
    let consumer = try GroupConsumer(settings: settings, options: options)
    // The first progress report comes with the first record read a second or more after the
    // start: the group join (~3 s on the mock) is over by then.
    var firstAt: Double?
    var firstCPU = 0.0
    var firstRecords: Int64 = 0
    let began = now()
    let summary = try consumer.run { s in
      if firstAt == nil {
        firstAt = now()
        firstCPU = cpuSeconds()
        firstRecords = s.records
      }
    }
    let end = now()
    if ProcessInfo.processInfo.environment["KAFKA_BENCH_TRACE"] == "1" {
      let cpu = cpuSeconds() - firstCPU
      let wall = end - (firstAt ?? began)
      FileHandleStderr.write(
        "kafka: consume \(closeOpen ? "closing" : "open") \(summary.records) records: "
          + "\(Int(wall * 1000)) ms, CPU \(Int(cpu * 1000)) ms (\(Int(cpu / wall * 100)) %)\n")
    }
    check(summary.bad == 0, "consume found \(summary.bad) bad records")
    let windows = ((try? FileManager.default.contentsOfDirectory(atPath: work + "/out")) ?? [])
      .filter { $0.hasPrefix("20") }
    check(
      closeOpen ? !windows.isEmpty : windows.isEmpty,
      "consume wrote windows \(windows) (close-open \(closeOpen))")
    let from = firstAt ?? began
    // The records before the first report are few (one, when the join took over a second);
    // the rate counts the records after it over the time after it.
    let share = Double(summary.records - firstRecords) / Double(max(summary.records, 1))
    return (Int(summary.events), (end - from) / max(share, 1e-9), end - began)
  }

  /// The process's CPU time (user and system, every thread) in seconds.
  static func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
      + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6
  }

  static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }

  static func seconds(_ body: () throws -> Void) throws -> Double {
    let t0 = now()
    try body()
    return now() - t0
  }

  struct Spawned {
    var status: Int32
    var stderr: String
  }

  /// Runs `executable` with `arguments`, standard output to `output` (default /dev/null).
  static func spawn(_ executable: String, _ arguments: [String], output: String = "/dev/null")
    throws -> Spawned
  {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let errPath = NSTemporaryDirectory() + "/forecast-bench-kafka-\(getpid()).err"
    for path in [output, errPath] where path != "/dev/null" {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    try? FileManager.default.removeItem(atPath: errPath)
    return Spawned(status: process.terminationStatus, stderr: stderr)
  }

  /// The path of a program on the search path.
  static func which(_ name: String) throws -> String {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
      let path = "\(dir)/\(name)"
      if access(path, X_OK) == 0 { return path }
    }
    throw BenchFailure("\(name) is not on the search path; run scripts/install-deps")
  }

  /// A number field of a one-line JSON object.
  static func number(_ key: String, in json: String) -> Double? {
    guard let data = json.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return nil }
    return (object[key] as? NSNumber)?.doubleValue
  }

  static func loadAverage() -> Double {
    var loads = [Double](repeating: -1, count: 3)
    return getloadavg(&loads, 3) >= 1 ? loads[0] : -1
  }
}
