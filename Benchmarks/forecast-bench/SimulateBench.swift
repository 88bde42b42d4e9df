import Events
import Simulation

#if canImport(Glibc)
import Glibc
#endif

/// `forecast-bench simulate`: events generated per second (in memory), then generated and
/// written to an Avro file with codec null and deflate. Checks first that two runs agree.
enum SimulateBench {
  /// Counts events and folds their times into a checksum so nothing is optimised away.
  struct CountingSink: ListeningEventSink {
    var count = 0
    var checksum: Int64 = 0
    mutating func write(_ event: ListeningEvent) throws {
      count += 1
      checksum = checksum &* 31 &+ event.startTime &+ Int64(event.song.lengthSeconds)
    }
  }

  /// User plus system CPU seconds of this process so far (all threads).
  static func cpu() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
      + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
  }

  /// The one-minute load average (other processes competing for the cores), or -1.
  static func loadAverage() -> Double {
    var loads = [Double](repeating: -1, count: 3)
    return getloadavg(&loads, 3) >= 1 ? (loads[0] * 100).rounded() / 100 : -1
  }

  static func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }

  static func run() throws {
    let configuration = SimulationConfiguration(
      users: 50_000, days: 2, start: CivilDate(year: 2024, month: 6, day: 3), seed: 42)
    let simulator = try Simulator(
      configuration: configuration, catalog: .synthetic(seed: 42, latestYear: 2024))
    // Check: the same run twice gives the same events (count and checksum).
    var first = CountingSink()
    var second = CountingSink()
    _ = try simulator.run(into: &first)
    let t0 = now()
    let c0 = cpu()
    _ = try simulator.run(into: &second)
    let seconds = now() - t0
    let cpuSeconds = cpu() - c0
    precondition(
      first.count == second.count && first.checksum == second.checksum,
      "simulate: two runs differ (\(first.count) vs \(second.count) events)")
    report("generate", events: second.count, seconds: seconds, cpuSeconds: cpuSeconds)

    // Generated and written: the same events, through the Avro writer, null then deflate.
    let path = "/tmp/forecast-bench-simulate-\(getpid()).avro"
    defer {
      unlink(path)
      unlink(Simulator.groundTruthPath(forOutput: path))
    }
    // The writer alone, on events already in memory (what the pipeline overlaps with).
    var events: [ListeningEvent] = []
    _ = try simulator.run(into: &events)
    let writerStart = now()
    let writerCPU = cpu()
    let writer = try EventFileWriter(path: path, codec: .null, syncMarker: simulator.syncMarker)
    for e in events { try writer.write(e) }
    try writer.finish()
    report(
      "writer-only-null", events: events.count, seconds: now() - writerStart,
      cpuSeconds: cpu() - writerCPU)
    events = []
    // Generation and writing on one thread (the public `run` into the writer), for comparison.
    let serialStart = now()
    let serialCPU = cpu()
    var serialWriter = try EventFileWriter(
      path: path, codec: .null, syncMarker: simulator.syncMarker)
    _ = try simulator.run(into: &serialWriter)
    try serialWriter.finish()
    report(
      "write-null-serial", events: second.count, seconds: now() - serialStart,
      cpuSeconds: cpu() - serialCPU)
    for codec in [AvroCodec.null, .deflate] {
      let start = now()
      let startCPU = cpu()
      let summary = try simulator.write(to: path, codec: codec)
      let elapsed = now() - start
      let elapsedCPU = cpu() - startCPU
      precondition(
        summary.events == second.count,
        "simulate: wrote \(summary.events) events, generated \(second.count)")
      var info = stat()
      stat(path, &info)
      report(
        "write-\(codec.rawValue)", events: summary.events, seconds: elapsed,
        cpuSeconds: elapsedCPU, bytes: Int(info.st_size))
    }
  }

  /// One JSON line: wall-clock rate, and CPU seconds (all threads), which a loaded machine
  /// inflates less than wall time.
  static func report(
    _ name: String, events: Int, seconds: Double, cpuSeconds: Double, bytes: Int? = nil
  ) {
    var line = #"{"suite":"simulate","case":"\#(name)","users":50000,"days":2,"events":\#(events),"#
    line +=
      #""seconds":\#((seconds * 1000).rounded() / 1000),"events_per_second":\#(Int(Double(events) / seconds))"#
    line += #","cpu_seconds":\#((cpuSeconds * 1000).rounded() / 1000)"#
    line += #","load_average_1min":\#(loadAverage())"#
    if let bytes {
      line +=
        #","bytes":\#(bytes),"bytes_per_event":\#((Double(bytes) / Double(events) * 10).rounded() / 10)"#
    }
    print(line + "}")
  }
}
