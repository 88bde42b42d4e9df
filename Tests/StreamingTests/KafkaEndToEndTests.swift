import Events
import Foundation
import Streaming
import Wrapped
import XCTest

/// `forecast produce` and `forecast consume` against librdkafka's mock cluster on 127.0.0.1,
/// compared with `forecast wrapped` on the same events.
final class KafkaEndToEndTests: XCTestCase {
  var directory = ""
  var cluster: MockCluster?
  var brokers: String { cluster?.bootstrap ?? "" }
  /// Days of 2024-01-01… with 150 listeners: about 11,000 events.
  static let history = "history.avro"

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "kafka-e2e-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    cluster = try MockCluster(brokers: 1)
    let simulate = try ForecastProcess.run(
      ["simulate", "--users", "150", "--days", "4", "--out", Self.history], in: directory)
    XCTAssertEqual(simulate.status, 0, simulate.stderr)
    let produce = try ForecastProcess.run(["produce", Self.history, "-b", brokers], in: directory)
    XCTAssertEqual(produce.status, 0, produce.stderr)
  }

  override func tearDownWithError() throws {
    cluster = nil
    try? FileManager.default.removeItem(atPath: directory)
  }

  private var groupNumber = 0

  /// `forecast consume -e` into `name/out`, `name/state`, `name/archive`, a fresh group each
  /// time unless `group` is given.
  func consume(
    _ name: String, group: String? = nil, extra: [String] = [], environment: [String: String] = [:]
  ) throws -> (status: Int32, stdout: String, stderr: String) {
    groupNumber += 1
    return try ForecastProcess.run(
      [
        "consume", "-b", brokers, "-G", group ?? "g\(groupNumber)-\(name)", "--state",
        name + "/state", "--out", name + "/out", "--archive", name + "/archive", "-e",
        "--checkpoint-every", "1500", "-X", "session.timeout.ms=6000",
      ] + extra, in: directory, environment: environment)
  }

  func events(_ path: String) throws -> [ListeningEvent] {
    try EventFileReader(path: directory + "/" + path).readAll()
  }

  /// Every closed window's files equal `forecast wrapped --from --to` over the same events:
  /// per continent (the partition's events) and world-wide; the archive holds the closed days'
  /// events.
  func testConsume_equalsWrappedPerWindowAndContinent() throws {
    let run = try consume("a")
    XCTAssertEqual(run.status, 0, run.stderr)
    let all = try events(Self.history)
    let day: Int64 = 86_400_000
    let windows = try FileManager.default.contentsOfDirectory(atPath: directory + "/a/out")
      .filter { $0.hasPrefix("2024-") }.sorted()
    // Four days, 2 h of grace: the last day stays open.
    XCTAssertEqual(windows, ["2024-01-01", "2024-01-02", "2024-01-03"])
    for continent in Continent.allCases {
      let name = TopicLayout.directoryName(of: TopicLayout.partition(of: continent))
      let mine = all.filter { $0.continent == continent }
      guard !mine.isEmpty else { continue }
      let path = directory + "/\(name).avro"
      let writer = try EventFileWriter(path: path)
      for e in mine { try writer.write(e) }
      try writer.finish()
    }
    let csvs = [
      "top_songs.csv", "top_artists.csv", "top_genres.csv", "users.csv", "artists.csv",
      "artist_cities.csv",
    ]
    var compared = 0
    for (k, w) in windows.enumerated() {
      let start = 1_704_067_200_000 + Int64(k) * day
      for scope in try FileManager.default.contentsOfDirectory(atPath: directory + "/a/out/" + w) {
        let source =
          scope == "world" ? directory + "/" + Self.history : directory + "/\(scope).avro"
        var job = WrappedJob(history: source)
        job.period = WrappedPeriod(from: start, to: start + day)
        job.skipMissing = true
        let expected = try job.run().tables.files
        for name in csvs {
          let got = try String(
            contentsOfFile: directory + "/a/out/\(w)/\(scope)/\(name)", encoding: .utf8)
          XCTAssertEqual(got, expected.first { $0.name == name }?.text, "\(w)/\(scope)/\(name)")
          compared += 1
        }
      }
      // The archive: that day's events, every one of them.
      let archived = try events("a/archive/\(w).avro")
      let expected = all.filter { $0.startTime >= start && $0.startTime < start + day }
      XCTAssertEqual(archived.count, expected.count, w)
      XCTAssertEqual(Set(archived), Set(expected), w)
    }
    XCTAssertGreaterThan(compared, 6 * 3 * 5)
    XCTAssertEqual(
      try String(contentsOfFile: directory + "/a/out/late.csv", encoding: .utf8),
      "window,partition,continent,late_events,max_lateness_ms\n")
    // Everything read is committed.
    let lag = try ForecastProcess.run(
      ["kafka", "lag", "-b", brokers, "-G", "g1-a"], in: directory)
    XCTAssertEqual(lag.status, 0, lag.stderr)
    XCTAssertTrue(lag.stderr.contains(": 0 records not yet committed"), lag.stderr)
    XCTAssertTrue(
      lag.stdout.hasPrefix("partition,continent,committed,high_watermark,lag\n0,africa,"))
  }

  /// `kill -9` at any point: the restarted member writes exactly the files (and archive) of an
  /// uninterrupted run.
  func testConsume_killedAtAnyPointThenRestarted_equalsUninterrupted() throws {
    let reference = try consume("ref")
    XCTAssertEqual(reference.status, 0, reference.stderr)
    let expectedOut = fileTree(directory + "/ref/out")
    let expectedArchive = fileTree(directory + "/ref/archive")
    XCTAssertFalse(expectedOut.isEmpty)
    for point in [
      "segment:5", "window:4", "checkpoint:12", "commit:2", "world:2", "late:1", "obsolete:1",
    ] {
      let name = "crash-" + point.replacingOccurrences(of: ":", with: "-")
      let crashed = try consume(name, environment: ["FORECAST_CRASH_AT": point])
      XCTAssertEqual(crashed.status, 9, "\(point) did not crash: \(crashed.stderr)")
      let resumed = try consume(name)
      XCTAssertEqual(resumed.status, 0, resumed.stderr)
      XCTAssertEqual(fileTree(directory + "/\(name)/out"), expectedOut, point)
      XCTAssertEqual(fileTree(directory + "/\(name)/archive"), expectedArchive, point)
    }
  }

  /// Two members split the partitions; when one dies, the other takes its partitions over from
  /// the shared state; together they write what one member writes.
  func testGroup_twoMembersThenOneDies_equalsOneMember() throws {
    let reference = try consume("ref")
    XCTAssertEqual(reference.status, 0, reference.stderr)
    let common = [
      "consume", "-b", brokers, "-G", "pair", "--state", "pair/state", "--out", "pair/out",
      "--archive", "pair/archive", "--checkpoint-every", "1000", "--idle", "2s", "-X",
      "session.timeout.ms=6000",
    ]
    let survivor = try ForecastProcess(common, in: directory)
    let doomed = try ForecastProcess(
      common, in: directory, environment: ["FORECAST_CRASH_AT": "checkpoint:14"])
    XCTAssertEqual(doomed.wait().status, 9)
    // The survivor takes over; wait until every record is committed and the last closed
    // world-wide window is written, then stop it as a user would.
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline {
      let lag = try ForecastProcess.run(
        ["kafka", "lag", "-b", brokers, "-G", "pair"], in: directory)
      if lag.stderr.contains(": 0 records not yet committed"),
        FileManager.default.fileExists(
          atPath: directory + "/pair/state/world/2024-01-03.done")
      {
        break
      }
      Thread.sleep(forTimeInterval: 1)
    }
    survivor.signal(SIGTERM)
    let end = survivor.wait()
    XCTAssertEqual(end.status, 0, end.stderr)
    XCTAssertEqual(fileTree(directory + "/pair/out"), fileTree(directory + "/ref/out"))
    XCTAssertEqual(fileTree(directory + "/pair/archive"), fileTree(directory + "/ref/archive"))
  }

  /// SIGTERM while a member waits for its first assignment (the group's join waits for a
  /// member killed with -9 during its own join): a clean exit, not librdkafka 2.0's abort in the
  /// cooperative-sticky assignor (exit 134) that closing the consumer then hit.
  func testConsume_stoppedBeforeItsFirstAssignment_exitsCleanly() throws {
    let common = [
      "consume", "-b", brokers, "-G", "early", "--state", "early/state", "--out", "early/out",
      "-e",
    ]
    let first = try ForecastProcess(common, in: directory)
    Thread.sleep(forTimeInterval: 1.5)
    first.signal(SIGKILL)
    _ = first.wait()
    let second = try ForecastProcess(common, in: directory)
    Thread.sleep(forTimeInterval: 10)
    second.signal(SIGTERM)
    let end = second.wait()
    XCTAssertEqual(end.status, 0, end.stderr)
    XCTAssertFalse(end.stderr.contains("Assertion"), end.stderr)
  }

  // MARK: Bad input

  /// -X cannot change what consume's correctness rests on (-e hung forever with
  /// `enable.partition.eof=false`; `group.id` committed under another group than -G).
  func testConsume_ownedPropertiesRefused() throws {
    for (property, message) in [
      (
        "enable.partition.eof=false",
        "-X enable.partition.eof: consume sets this property "
          + "itself; use -e instead of -X enable.partition.eof"
      ),
      (
        "group.id=other",
        "-X group.id: consume sets this property itself; use -G instead of "
          + "-X group.id"
      ),
      (
        "enable.auto.commit=true",
        "-X enable.auto.commit: consume sets this property itself "
          + "(its crash safety rests on it); leave it out"
      ),
    ] {
      let run = try ForecastProcess.run(
        [
          "consume", "-b", "127.0.0.1:1", "-G", "g", "--state", "x/s", "--out", "x/o", "-e",
          "-X", property,
        ], in: directory)
      XCTAssertEqual(run.status, 1, run.stderr)
      XCTAssertEqual(run.stderr, "Error: \(message)\n")
      XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/x"))
    }
  }

  func testConsume_unreachableBroker_saysSoWithinSeconds() throws {
    let started = Date()
    let run = try ForecastProcess.run(
      [
        "consume", "-b", "127.0.0.1:1", "-G", "g", "--state", "s", "--out", "o", "-e",
        "-X", "socket.connection.setup.timeout.ms=1000",
      ], in: directory)
    XCTAssertEqual(run.status, 1)
    XCTAssertTrue(run.stderr.contains("no Kafka broker answered at 127.0.0.1:1 within"), run.stderr)
    XCTAssertLessThan(Date().timeIntervalSince(started), 20)
    // Nothing was created.
    XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/s"))
    XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/o"))
  }

  /// A topic that does not exist is named, and asking does not create it.
  func testConsume_missingTopic_isNamedNotCreated() throws {
    let run = try consume("a", extra: ["-t", "nosuchtopic"])
    XCTAssertEqual(run.status, 1)
    XCTAssertTrue(run.stderr.contains("topic nosuchtopic does not exist at \(brokers)"), run.stderr)
    let again = try consume("a", extra: ["-t", "nosuchtopic"])
    XCTAssertTrue(again.stderr.contains("topic nosuchtopic does not exist"), again.stderr)
  }

  /// A librdkafka property it does not know is named, with where to look.
  func testProduce_unknownProperty_isNamed() throws {
    let bad = try ForecastProcess.run(
      ["produce", Self.history, "-b", brokers, "-X", "no.such.property=1"], in: directory)
    XCTAssertEqual(bad.status, 1)
    XCTAssertTrue(
      bad.stderr.contains("-X no.such.property: No such configuration property"), bad.stderr)
  }

  /// A file cut inside a later block: every file is read through before the first event is
  /// sent, so nothing reaches the topic, and the message says so, without advice to pass a
  /// --salvage that produce does not have.
  func testProduce_fileCutInALaterBlock_sendsNothing() throws {
    let simulate = try ForecastProcess.run(
      ["simulate", "--users", "200", "--days", "14", "--out", "long.avro"], in: directory)
    XCTAssertEqual(simulate.status, 0, simulate.stderr)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: directory + "/long.avro"))
    try bytes.prefix(bytes.count - 1000).write(to: URL(fileURLWithPath: directory + "/cut.avro"))
    let lag = ["kafka", "lag", "-b", brokers, "-G", "g"]
    let before = try ForecastProcess.run(lag, in: directory)
    XCTAssertEqual(before.status, 0, before.stderr)
    let run = try ForecastProcess.run(["produce", "cut.avro", "-b", brokers], in: directory)
    XCTAssertEqual(run.status, 1, run.stderr)
    XCTAssertTrue(run.stderr.hasPrefix("Error: cut.avro: the file ends inside block 2"), run.stderr)
    XCTAssertTrue(
      run.stderr.hasSuffix(
        "the file was cut. Restore the file from its source. Nothing was sent to SpotifyWrapped.\n"
      ), run.stderr)
    XCTAssertFalse(run.stderr.contains("--salvage"), run.stderr)
    // The high watermarks are those of the test's own history, produced before.
    let after = try ForecastProcess.run(lag, in: directory)
    XCTAssertEqual(after.status, 0, after.stderr)
    XCTAssertEqual(after.stdout, before.stdout)
    XCTAssertTrue(before.stdout.contains("1,asia,,"), before.stdout)
  }

  func testProduce_topicWithOtherPartitionCount_isRefused() throws {
    try cluster?.createTopic("three", partitions: 3)
    let run = try ForecastProcess.run(
      ["produce", Self.history, "-b", brokers, "-t", "three"], in: directory)
    XCTAssertEqual(run.status, 1)
    XCTAssertTrue(
      run.stderr.contains(
        "topic three has 3 partitions; the continent layout needs 7 (Africa 0, Asia 1,"),
      run.stderr)
  }

  func testConsume_stateOfAnotherConfiguration_isRefused() throws {
    XCTAssertEqual(try consume("a").status, 0)
    let run = try consume("a", extra: ["--window", "week"])
    XCTAssertEqual(run.status, 1)
    XCTAssertTrue(run.stderr.contains("was made with --window day"), run.stderr)
  }

  /// A record that is not Confluent-framed Avro stops the run at 0 bad records allowed (offsets
  /// not committed past it) and is counted with its partition and offset under --max-bad.
  func testConsume_badRecord_stopsOrIsCounted() throws {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/kcat") else {
      if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("kcat is missing") }
      throw XCTSkip("kcat is not installed (scripts/install-deps installs it)")
    }
    let kcat = Process()
    kcat.executableURL = URL(fileURLWithPath: "/usr/bin/kcat")
    kcat.arguments = ["-P", "-b", brokers, "-t", TopicLayout.defaultTopic, "-p", "6"]
    let input = Pipe()
    kcat.standardInput = input
    try kcat.run()
    input.fileHandleForWriting.write(Data("hello\n".utf8))
    try input.fileHandleForWriting.close()
    kcat.waitUntilExit()
    XCTAssertEqual(kcat.terminationStatus, 0)
    let stopped = try consume("stop")
    XCTAssertEqual(stopped.status, 1)
    XCTAssertTrue(
      stopped.stderr.contains(
        "partition 6 offset 0: not Confluent-framed Avro: the value starts with byte 0x68, not "
          + "the magic byte 0; offsets are not committed past it"), stopped.stderr)
    let counted = try consume("count", extra: ["--max-bad", "1"])
    XCTAssertEqual(counted.status, 0, counted.stderr)
    XCTAssertEqual(
      try String(contentsOfFile: directory + "/count/out/bad_records.csv", encoding: .utf8),
      "partition,offset,reason\n6,0,\"not Confluent-framed Avro: the value starts with byte "
        + "0x68, not the magic byte 0\"\n")
  }
}
