import Events
import Foundation
import Plumbing
import Wrapped
import XCTest

@testable import Streaming

/// The event-time window engine without Kafka: hand-made events with known times.
final class WindowEngineTests: XCTestCase {
  let hour: Int64 = 3_600_000
  let day: Int64 = 86_400_000
  /// 2024-01-01T00:00:00Z.
  let jan1: Int64 = 1_704_067_200_000

  var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "window-engine-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  func event(user: Int64, at start: Int64, seconds: Int64 = 60, continent: Continent = .africa)
    -> ListeningEvent
  {
    ListeningEvent(
      userID: user,
      location: Location(
        latitude: 1, longitude: 2, country: "Kenya", city: "Nairobi", timezone: "Africa/Nairobi"),
      continent: continent, subscription: .free, interaction: .played,
      song: Song(
        name: "Song \(user)", artist: "Artist \(user % 3)", genre: "pop", year: 2020,
        popularity: 50, danceability: 0.5, energy: 0.5, lengthSeconds: 200),
      startTime: start, endTime: start + seconds * 1000, personality: "FLTC")
  }

  func engine(grace: Int64 = 2 * 3_600_000, window: WindowSize = .day) throws -> WindowedAggregation
  {
    var options = StreamOptions(
      stateDirectory: directory + "/state", outDirectory: directory + "/out")
    options.graceMs = grace
    options.window = window
    options.archiveDirectory = directory + "/archive"
    let engine = WindowedAggregation(options: options)
    try engine.open()
    return engine
  }

  /// An engine without an archive, idle partitions followed at once, holding all seven.
  func engineHoldingEveryPartition() throws -> (WindowedAggregation, StreamOptions) {
    var options = StreamOptions(
      stateDirectory: directory + "/state", outDirectory: directory + "/out")
    options.idleMs = 0
    let e = WindowedAggregation(options: options)
    try e.open()
    for p in Int32(0)..<7 { _ = try e.assign(p) }
    return (e, options)
  }

  func feed(_ engine: WindowedAggregation, _ p: Int32, _ offset: Int64, _ e: ListeningEvent) throws
  {
    var bytes: [UInt8] = []
    EventFileWriter.appendEncoded(e, to: &bytes)
    try bytes.withUnsafeBufferPointer { b in
      try engine.accept(partition: p, offset: offset, event: e, record: b)
    }
  }

  func read(_ path: String) throws -> String {
    try String(contentsOfFile: directory + "/" + path, encoding: .utf8)
  }

  func exists(_ path: String) -> Bool {
    FileManager.default.fileExists(atPath: directory + "/" + path)
  }

  // MARK: Closing and lateness

  /// A window closes when the stream time reaches its end plus the grace, not a millisecond
  /// before; an event for it afterwards is late by (stream time − its start).
  func testLateness_boundaryIsExact() throws {
    let e = try engine()
    for p in Int32(0)..<7 { XCTAssertEqual(try e.assign(p), -2) }
    try feed(e, 0, 0, event(user: 1, at: jan1 + 10 * hour))
    // Stream time one millisecond short of the end plus the grace: the window stays open.
    try feed(e, 0, 1, event(user: 2, at: jan1 + day + 2 * hour - 1))
    try feed(e, 0, 2, event(user: 3, at: jan1 + 23 * hour))
    XCTAssertFalse(exists("out/2024-01-01/africa"))
    // Exactly the end plus the grace: it closes, with three... two events of that day.
    try feed(e, 0, 3, event(user: 4, at: jan1 + day + 2 * hour))
    try e.waitForOutputs()  // (written on another thread)
    XCTAssertTrue(exists("out/2024-01-01/africa/summary.json"))
    let summary = try read("out/2024-01-01/africa/summary.json")
    XCTAssertTrue(summary.contains("\"events_counted\":2,"), summary)
    // Late by 14 h and, at the boundary, by exactly the grace plus the window's last ms.
    try feed(e, 0, 4, event(user: 5, at: jan1 + 12 * hour))
    try feed(e, 0, 5, event(user: 6, at: jan1 + day - 1))
    _ = try e.checkpointRound(now: 0)
    XCTAssertEqual(
      try read("out/late.csv"),
      "window,partition,continent,late_events,max_lateness_ms\n"
        + "2024-01-01,0,africa,2,\(day + 2 * hour - 12 * hour)\n")
    let late = try EventFileReader(path: directory + "/out/late.avro").readAll()
    XCTAssertEqual(late.map(\.userID), [5, 6])
  }

  /// World-wide windows wait for every partition; an idle one (at its end for the idle timeout)
  /// follows the others, so it does not hold them back.
  func testWorldWindow_waitsForEveryPartitionUnlessIdle() throws {
    let e = try engine()
    for p in Int32(0)..<7 { _ = try e.assign(p) }
    try feed(e, 0, 0, event(user: 1, at: jan1 + hour))
    try feed(e, 1, 0, event(user: 2, at: jan1 + 2 * hour, continent: .asia))
    try feed(e, 0, 1, event(user: 3, at: jan1 + 3 * day))
    _ = try e.checkpointRound(now: 0)
    XCTAssertTrue(exists("out/2024-01-01/africa/summary.json"))
    XCTAssertFalse(exists("out/2024-01-01/asia"))
    XCTAssertFalse(exists("out/2024-01-01/world"))
    // Partitions 1…6 reach their ends; after the idle timeout they follow partition 0.
    for p in Int32(1)..<7 { e.atEnd(p, since: 1000) }
    _ = try e.checkpointRound(now: 1000 + e.options.idleMs - 1)
    XCTAssertFalse(exists("out/2024-01-01/world"))
    _ = try e.checkpointRound(now: 1000 + e.options.idleMs)
    XCTAssertTrue(exists("out/2024-01-01/asia/summary.json"))
    let world = try read("out/2024-01-01/world/summary.json")
    XCTAssertTrue(world.contains("\"events_counted\":2,"), world)
    XCTAssertTrue(world.contains("\"sources\":[\"kafka:SpotifyWrapped\"]"), world)
    // The archive holds the day's events of every partition, partition by partition.
    let archived = try EventFileReader(path: directory + "/archive/2024-01-01.avro").readAll()
    XCTAssertEqual(archived.map(\.userID), [1, 2])
  }

  /// With `-e` (`idleAtEnd`) a partition at the end of its log is idle at once: the world-wide
  /// window is written between rounds as soon as the active partition closes its day, and the
  /// next round makes it durable (the archive still gets every partition's events).
  func testWorldWindow_atEndIdleAtOnceWithExitAtEnd() throws {
    let e = try engine()
    e.idleAtEnd = true
    for p in Int32(0)..<7 { _ = try e.assign(p) }
    try feed(e, 0, 0, event(user: 1, at: jan1 + hour))
    try feed(e, 1, 0, event(user: 2, at: jan1 + 2 * hour, continent: .asia))
    try e.closeWorldWindowsBetweenRounds(now: 1000)
    try e.waitForOutputs()
    XCTAssertFalse(exists("out/2024-01-01/world"))
    for p in Int32(1)..<7 { e.atEnd(p, since: 1000) }
    // Partition 0 closes its day; the others follow it at once.
    try feed(e, 0, 1, event(user: 3, at: jan1 + day + 2 * hour))
    try e.closeWorldWindowsBetweenRounds(now: 1000)
    try e.waitForOutputs()
    XCTAssertTrue(exists("out/2024-01-01/asia/summary.json"))
    let world = try read("out/2024-01-01/world/summary.json")
    XCTAssertTrue(world.contains("\"events_counted\":2,"), world)
    // Written once: the round does not write it again, and archives the day.
    _ = try e.checkpointRound(now: 1000)
    let archived = try EventFileReader(path: directory + "/archive/2024-01-01.avro").readAll()
    XCTAssertEqual(archived.map(\.userID), [1, 2])
    XCTAssertTrue(exists("state/world/2024-01-01.done"))
  }

  /// Without an archive, the events of a window whose world-wide window the same round writes
  /// never become segment files; those of a window still open do.
  func testSegments_skippedForWindowsWrittenWorldWideInTheRound() throws {
    let (e, options) = try engineHoldingEveryPartition()
    try feed(e, 0, 0, event(user: 1, at: jan1 + hour))
    try feed(e, 0, 1, event(user: 2, at: jan1 + day + 2 * hour))
    for p in Int32(1)..<7 { e.atEnd(p, since: 0) }
    _ = try e.checkpointRound(now: 0)
    XCTAssertTrue(try read("out/2024-01-01/world/summary.json").contains("\"events_counted\":1,"))
    let segments = try FileManager.default.contentsOfDirectory(
      atPath: directory + "/state/segments/0")
    XCTAssertEqual(segments, ["w2024-01-02-00000001.avro"])
    // A restart from that state goes on from the open window's segment.
    let again = WindowedAggregation(options: options)
    try again.open()
    XCTAssertEqual(try again.assign(0), 2)
    try feed(again, 0, 2, event(user: 3, at: jan1 + 2 * day + 2 * hour))
    try again.waitForOutputs()
    XCTAssertTrue(try read("out/2024-01-02/africa/summary.json").contains("\"events_counted\":1,"))
  }

  /// Temporaries a crashed member left (a world-wide window's directory, a late file, a
  /// world-wide marker) are gone after a round, also after one that starts with this member's
  /// own world-wide window in flight (submitted between rounds), whose files all land.
  func testRound_removesACrashedMembersTemporariesNotItsOwn() throws {
    let (e, _) = try engineHoldingEveryPartition()
    let stale = [
      "out/2024-01-01/world.tmp-crashed1/top_songs.csv", "out/late.csv.tmp-crashed2",
      "state/world/2024-01-01.done.tmp-crashed3",
    ]
    for path in stale {
      let url = URL(fileURLWithPath: directory + "/" + path)
      try FileManager.default.createDirectory(
        at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data("partial".utf8).write(to: url)
    }
    try feed(e, 0, 0, event(user: 1, at: jan1 + hour))
    try feed(e, 0, 1, event(user: 2, at: jan1 + day + 3 * hour))
    for p in Int32(1)..<7 { e.atEnd(p, since: 0) }
    try e.closeWorldWindowsBetweenRounds(now: 0)
    _ = try e.checkpointRound(now: 0)
    XCTAssertTrue(try read("out/2024-01-01/world/summary.json").contains("\"events_counted\":1,"))
    XCTAssertTrue(exists("state/world/2024-01-01.done"))
    let left = FileManager.default.enumerator(atPath: directory)?.compactMap { $0 as? String }
      .filter { $0.contains(".tmp-") }
    XCTAssertEqual(left, [])
  }

  /// `--close-open`: windows event time has not closed are written marked partial, stay open,
  /// and are replaced by their final files when they close.
  func testCloseOpen_writesPartialThenFinal() throws {
    let e = try engine()
    for p in Int32(0)..<7 { _ = try e.assign(p) }
    try feed(e, 0, 0, event(user: 1, at: jan1 + hour))
    _ = try e.checkpointRound(now: 0)
    try e.writeOpenWindows()
    let partial = try read("out/2024-01-01/africa/summary.json")
    XCTAssertTrue(partial.contains("\"events_counted\":1,"), partial)
    XCTAssertTrue(
      partial.contains("\"partial\":true"), partial)
    XCTAssertTrue(try read("out/2024-01-01/world/summary.json").contains("\"partial\":true"))
    try feed(e, 0, 1, event(user: 2, at: jan1 + 2 * hour))
    try feed(e, 0, 2, event(user: 3, at: jan1 + day + 2 * hour))
    try e.waitForOutputs()
    let final = try read("out/2024-01-01/africa/summary.json")
    XCTAssertTrue(final.contains("\"events_counted\":2,"), final)
    XCTAssertTrue(final.contains("\"partial\":false"), final)
  }

  // MARK: State

  /// A member that restarts from the state reads on from the checkpoint and writes what one
  /// uninterrupted run writes.
  func testRestart_continuesFromTheCheckpoint() throws {
    let events = (0..<40).map { i in event(user: Int64(i % 7), at: jan1 + Int64(i) * 2 * hour) }
    var e = try engine()
    for p in Int32(0)..<7 { _ = try e.assign(p) }
    for (i, ev) in events.prefix(25).enumerated() { try feed(e, 0, Int64(i), ev) }
    _ = try e.checkpointRound(now: 0)
    // Events read after the checkpoint are lost with the process…
    for (i, ev) in events[25..<30].enumerated() { try feed(e, 0, Int64(25 + i), ev) }
    e = try engine()
    XCTAssertEqual(try e.assign(0), 25)
    for p in Int32(1)..<7 { _ = try e.assign(p) }
    // … and read again.
    for (i, ev) in events[25...].enumerated() { try feed(e, 0, Int64(25 + i), ev) }
    _ = try e.checkpointRound(now: 0, allIdle: true)
    let resumed = try read("out/2024-01-02/africa/top_songs.csv")

    try FileManager.default.removeItem(atPath: directory)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    e = try engine()
    for p in Int32(0)..<7 { _ = try e.assign(p) }
    for (i, ev) in events.enumerated() { try feed(e, 0, Int64(i), ev) }
    _ = try e.checkpointRound(now: 0, allIdle: true)
    XCTAssertEqual(try read("out/2024-01-02/africa/top_songs.csv"), resumed)
    XCTAssertTrue(resumed.contains("Song 1"), resumed)
  }

  /// State made with other options is refused with both values and the fix.
  func testState_fromAnotherConfigurationIsRefused() throws {
    _ = try engine()
    XCTAssertThrowsError(try engine(window: .week)) { error in
      XCTAssertEqual(
        "\(error)",
        "state directory \(directory)/state was made with --window day ; this run asks "
          + "--window week: use the same options, or another --state directory for the new "
          + "configuration")
    }
  }

  /// Events outside 1970…2200 are bad records, never windows (their arithmetic would overflow).
  func testBadRecord_extremeEventTimeStopsAtMaxBad() throws {
    let e = try engine()
    _ = try e.assign(0)
    var extreme = event(user: 1, at: jan1)
    (extreme.startTime, extreme.endTime) = (Int64.max - 10, Int64.max)
    XCTAssertThrowsError(try feed(e, 0, 7, extreme)) { error in
      XCTAssertTrue(
        "\(error)".hasPrefix(
          "partition 0 offset 7: the event starts at \(Int64.max - 10) ms, outside 1970-01-01"),
        "\(error)")
    }
  }

  /// Two messages framed with the toolkit's schema id whose bodies are shifted by a byte (the
  /// first one byte too long, the second one short): the run decoder refuses the run, and the
  /// message-by-message path reports each message as bad instead of reading two events.
  func testBadRecord_shiftedBodiesAreEachBad() throws {
    let decoder = try RecordDecoder(toolkitSchemaID: 1, registry: nil)
    var a: [UInt8] = []
    var b: [UInt8] = []
    EventFileWriter.appendEncoded(event(user: 1, at: jan1), to: &a)
    EventFileWriter.appendEncoded(event(user: 2, at: jan1 + 1000), to: &b)
    let messages = [[0, 0, 0, 0, 1] + a + b.prefix(1), [0, 0, 0, 0, 1] + b.dropFirst()]
    let pointers = messages.map { m in
      let p = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: m.count)
      _ = p.initialize(from: m)
      return UnsafeBufferPointer(p)
    }
    defer { for p in pointers { UnsafeMutableBufferPointer(mutating: p).deallocate() } }
    XCTAssertNil(decoder.decodeRun(pointers))
    let whole = try pointers.map { p in try decoder.decode(p) { _ throws(StreamError) in } }
    for outcome in whole {
      guard case .bad(let reason) = outcome else { return XCTFail("\(outcome) is not bad") }
      XCTAssertTrue(
        reason.hasPrefix("the Avro body does not decode with schema id 1: "), reason)
    }
  }

  /// A start of exactly 0 is a missing value written as zero: a bad record, as in files.
  func testBadRecord_zeroStartIsAMissingValue() throws {
    let e = try engine()
    _ = try e.assign(0)
    var zero = event(user: 1, at: jan1)
    (zero.startTime, zero.endTime) = (0, 1000)
    XCTAssertThrowsError(try feed(e, 0, 7, zero)) { error in
      XCTAssertTrue(
        "\(error)".hasPrefix(
          "partition 0 offset 7: the event starts at 0 ms (1970-01-01T00:00:00Z, a missing value "
            + "written as zero), outside 1970-01-01 … 2200-01-01"),
        "\(error)")
    }
  }

  func testDuration_parsesAndFormats() {
    XCTAssertEqual(StreamDuration.parse("2h"), 7_200_000)
    XCTAssertEqual(StreamDuration.parse("1500ms"), 1500)
    XCTAssertEqual(StreamDuration.parse("90s"), 90_000)
    XCTAssertEqual(StreamDuration.parse("0"), 0)
    XCTAssertNil(StreamDuration.parse("-1h"))
    XCTAssertNil(StreamDuration.parse("9999999999d"))
    XCTAssertEqual(StreamDuration.format(7_200_000), "2h")
    XCTAssertEqual(StreamDuration.format(1500), "1500ms")
  }

  func testLayout_continentPartitions() {
    XCTAssertEqual(
      Continent.allCases.map { TopicLayout.partition(of: $0) }, [0, 1, 2, 3, 4, 5, 6])
    XCTAssertEqual(TopicLayout.partition(of: Continent(parsing: "Antarctica")), 5)
    XCTAssertEqual(TopicLayout.directoryName(of: 3), "north-america")
    XCTAssertEqual(WindowSize.week.start(of: jan1 + 3 * day), jan1)  // 2024-01-01 is a Monday
  }
}
