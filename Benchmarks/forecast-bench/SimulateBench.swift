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
    _ = try simulator.run(into: &second)
    let seconds = now() - t0
    precondition(
      first.count == second.count && first.checksum == second.checksum,
      "simulate: two runs differ (\(first.count) vs \(second.count) events)")
    report("generate", events: second.count, seconds: seconds)

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
    let writer = try EventFileWriter(path: path, codec: .null, syncMarker: simulator.syncMarker)
    for e in events { try writer.write(e) }
    try writer.finish()
    report("writer-only-null", events: events.count, seconds: now() - writerStart)
    events = []
    for codec in [AvroCodec.null, .deflate] {
      let start = now()
      let summary = try simulator.write(to: path, codec: codec)
      let elapsed = now() - start
      precondition(
        summary.events == second.count,
        "simulate: wrote \(summary.events) events, generated \(second.count)")
      var info = stat()
      stat(path, &info)
      report(
        "write-\(codec.rawValue)", events: summary.events, seconds: elapsed,
        bytes: Int(info.st_size))
    }
  }

  static func report(_ name: String, events: Int, seconds: Double, bytes: Int? = nil) {
    var line = #"{"suite":"simulate","case":"\#(name)","users":50000,"days":2,"events":\#(events),"#
    line +=
      #""seconds":\#((seconds * 1000).rounded() / 1000),"events_per_second":\#(Int(Double(events) / seconds))"#
    if let bytes {
      line +=
        #","bytes":\#(bytes),"bytes_per_event":\#((Double(bytes) / Double(events) * 10).rounded() / 10)"#
    }
    print(line + "}")
  }
}
