import Foundation
import Streaming
import XCTest

/// Interoperability with another Kafka client, the seed's stack: Python's confluent-kafka with
/// fastavro (`scripts/kafka_peer.py`), on librdkafka's mock cluster started in this process.
///
/// (a) Events produced by the Python peer are consumed by `forecast consume -e`, and every
/// closed window's world-wide top lists equal `forecast wrapped --from --to` on the same history,
/// byte for byte. (b) Events produced by `forecast produce` are read back by the Python peer and
/// equal, field by field (floats as float32), what fastavro reads from the history file, in the
/// partition of their continent and keyed by the user id.
///
/// Skipped when confluent-kafka or fastavro cannot be imported, unless `CI` is set: there a
/// missing package fails the test.
final class InteropTests: XCTestCase {
  /// The simulated history: 80 listeners who travel (so a listener's events span partitions),
  /// four days from 2024-01-01, 3,223 events.
  static let simulation = [
    "simulate", "--users", "80", "--days", "4", "--seed", "11", "--travel", "--no-anomalies",
  ]
  /// With the default 2 h grace, `-e` closes every day but the last.
  static let closedWindows = [
    ("2024-01-01", "2024-01-02"), ("2024-01-02", "2024-01-03"), ("2024-01-03", "2024-01-04"),
  ]

  func testInterop_pythonProducedConsumedLikeWrapped() throws {
    try requirePythonPeer()
    let dir = try temporaryDirectory()
    let history = dir + "/h.avro"
    let events = try simulate(into: history)
    let cluster = try MockCluster(brokers: 1, topic: "InteropFromPython", partitions: 7)

    let produced = try run(
      python,
      [
        peerScript, "produce", history, "-b", cluster.bootstrap, "-t", "InteropFromPython",
        "--schema-id", "5",
      ], in: dir)
    XCTAssertEqual(produced.status, 0, produced.stderr)
    XCTAssertTrue(produced.stdout.hasPrefix("{\"produced\": \(events),"), produced.stdout)

    let consumed = try run(
      forecast,
      [
        "consume", "-b", cluster.bootstrap, "-t", "InteropFromPython",
        "-G", "interop-\(UUID().uuidString)", "--state", dir + "/state", "--out", dir + "/out",
        "--schema-id", "5", "-e", "-X", "session.timeout.ms=6000",
      ], in: dir)
    XCTAssertEqual(consumed.status, 0, consumed.stderr)
    XCTAssertTrue(
      consumed.stderr.contains("\(events) records read: \(events) events, 0 bad"), consumed.stderr)

    // The closed windows, and only they, have outputs.
    let written = try FileManager.default.contentsOfDirectory(atPath: dir + "/out")
      .filter { $0.hasPrefix("20") }.sorted()
    XCTAssertEqual(written, Self.closedWindows.map(\.0))
    for (from, to) in Self.closedWindows {
      let reference = dir + "/wrapped-" + from
      let wrapped = try run(
        forecast, ["wrapped", history, "--out", reference, "--from", from, "--to", to], in: dir)
      XCTAssertEqual(wrapped.status, 0, wrapped.stderr)
      for table in ["top_songs.csv", "top_artists.csv", "top_genres.csv"] {
        let expected = try Data(contentsOf: URL(fileURLWithPath: reference + "/" + table))
        let found = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/out/\(from)/world/\(table)"))
        XCTAssertGreaterThan(expected.count, 200, "\(from) \(table) lists nothing")
        XCTAssertEqual(found, expected, "window \(from): world \(table) differs from wrapped's")
      }
    }
  }

  func testInterop_toolkitProducedReadBackByPython() throws {
    try requirePythonPeer()
    let dir = try temporaryDirectory()
    let history = dir + "/h.avro"
    let events = try simulate(into: history)
    let cluster = try MockCluster(brokers: 1, topic: "InteropToPython", partitions: 7)

    let produced = try run(
      forecast,
      [
        "produce", history, "-b", cluster.bootstrap, "-t", "InteropToPython",
        "--schema-id", "9",
      ], in: dir)
    XCTAssertEqual(produced.status, 0, produced.stderr)
    let read = try run(
      python,
      [
        peerScript, "read", "-b", cluster.bootstrap, "-t", "InteropToPython",
        "--schema-id", "9", "--out", dir + "/read.jsonl",
      ], in: dir)
    XCTAssertEqual(read.status, 0, read.stderr)
    let dumped = try run(
      python, [peerScript, "dump", history, "--out", dir + "/dump.jsonl"], in: dir)
    XCTAssertEqual(dumped.status, 0, dumped.stderr)

    let records = try jsonLines(PeerRecord.self, dir + "/read.jsonl")
    let reference = try jsonLines(PeerEvent.self, dir + "/dump.jsonl")
    XCTAssertEqual(records.count, events)
    XCTAssertEqual(reference.count, events)
    // Each partition holds its continent's events in file order, offsets from 0, keyed by user.
    var partitions = Set<Int32>()
    for partition in Int32(0)..<7 {
      let expected = reference.filter { Self.partition(of: $0.continent) == partition }
      let found = records.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
      XCTAssertEqual(found.count, expected.count, "partition \(partition)")
      if !found.isEmpty { partitions.insert(partition) }
      for (i, (record, event)) in zip(found, expected).enumerated() {
        XCTAssertEqual(record.offset, Int64(i), "partition \(partition)")
        XCTAssertEqual(record.key, String(event.userId), "partition \(partition) offset \(i)")
        XCTAssertEqual(record.value, event, "partition \(partition) offset \(i)")
        if record.value != event { return }
      }
    }
    XCTAssertGreaterThanOrEqual(partitions.count, 5, "the travellers reach most continents")
  }

  // MARK: - The continents' partitions, as the topic layout fixes them

  /// Africa 0, Asia 1, Europe 2, North America 3, South America 4, Oceania and Antarctica 5,
  /// anything else 6.
  static func partition(of continent: String) -> Int32 {
    let table: [String: Int32] = [
      "Africa": 0, "Asia": 1, "Europe": 2, "North America": 3, "South America": 4, "Oceania": 5,
      "Antarctica": 5,
    ]
    return table[continent] ?? 6
  }

  // MARK: - The peer's JSON lines

  /// A float32 Avro field: JSON holds it widened to a double; compared as the float it was.
  struct Float32Field: Decodable, Equatable, CustomStringConvertible {
    var value: Float
    init(from decoder: Decoder) throws {
      value = Float(try decoder.singleValueContainer().decode(Double.self))
    }
    var description: String { "\(value)" }
  }

  /// An event as the peer writes it (the Avro field names, snake case converted).
  struct PeerEvent: Decodable, Equatable {
    struct Location: Decodable, Equatable {
      var latitude: Float32Field
      var longitude: Float32Field
      var country: String
      var city: String
      var timezone: String
    }
    struct Period: Decodable, Equatable {
      var startTime: Int64
      var endTime: Int64
    }
    var userId: Int64
    var userLocation: Location
    var interaction: String
    var songName: String
    var artist: String
    var genre: String
    var year: Int32
    var popularity: Int32
    var danceability: Float32Field
    var energy: Float32Field
    var lengthSeconds: Int32
    var listeningTime: Period
    var personality: String
    var continent: String
    var subscription: String
  }

  struct PeerRecord: Decodable {
    var partition: Int32
    var offset: Int64
    var key: String?
    var value: PeerEvent
  }

  /// One value a line of a JSON-lines file.
  func jsonLines<T: Decodable>(_ type: T.Type, _ path: String) throws -> [T] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try text.split(separator: "\n").map { try decoder.decode(T.self, from: Data($0.utf8)) }
  }

  // MARK: - Processes

  struct Outcome {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// The repository's root, from this file's place in it.
  var repositoryRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().path
  }

  var peerScript: String { repositoryRoot + "/scripts/kafka_peer.py" }

  /// `python3` through the search path.
  var python: URL { URL(fileURLWithPath: "/usr/bin/env") }

  /// The built `forecast` executable, beside the test bundle.
  var forecast: URL {
    var url = Bundle.main.bundleURL
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      url = bundle.bundleURL.deletingLastPathComponent()
    }
    return url.appendingPathComponent("forecast")
  }

  /// Runs `executable` (with `python3` first when it is `/usr/bin/env`), output to files (no
  /// pipe to fill), and returns its status and output.
  func run(_ executable: URL, _ arguments: [String], in directory: String) throws -> Outcome {
    let process = Process()
    process.executableURL = executable
    process.arguments = executable.path == "/usr/bin/env" ? ["python3"] + arguments : arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let name = UUID().uuidString
    let outPath = directory + "/." + name + ".out"
    let errPath = directory + "/." + name + ".err"
    try Data().write(to: URL(fileURLWithPath: outPath))
    try Data().write(to: URL(fileURLWithPath: errPath))
    let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
    let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
    process.standardOutput = out
    process.standardError = err
    try process.run()
    process.waitUntilExit()
    try out.close()
    try err.close()
    defer {
      try? FileManager.default.removeItem(atPath: outPath)
      try? FileManager.default.removeItem(atPath: errPath)
    }
    return Outcome(
      status: process.terminationStatus,
      stdout: try String(contentsOfFile: outPath, encoding: .utf8),
      stderr: try String(contentsOfFile: errPath, encoding: .utf8))
  }

  /// Simulates the history into `path` and returns its event count.
  func simulate(into path: String, file: StaticString = #filePath, line: UInt = #line) throws
    -> Int
  {
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
    let result = try run(forecast, Self.simulation + ["--out", path], in: directory)
    XCTAssertEqual(result.status, 0, result.stderr, file: file, line: line)
    // "h.avro: 4688 events, 31 users …"
    let words = (result.stdout + result.stderr).split(separator: " ")
    guard let i = words.firstIndex(where: { $0.hasPrefix("events") }), i > 0,
      let count = Int(words[i - 1])
    else {
      XCTFail("no event count in: \(result.stdout) \(result.stderr)", file: file, line: line)
      return 0
    }
    XCTAssertGreaterThan(count, 3000, file: file, line: line)
    return count
  }

  /// Skips (or, under CI, fails) when the Python peer's packages cannot be imported.
  func requirePythonPeer() throws {
    let probe = try run(
      python, ["-c", "import confluent_kafka, fastavro"],
      in: FileManager.default.temporaryDirectory.path)
    guard probe.status != 0 else { return }
    let why = probe.stderr.trimmingCharacters(in: .whitespacesAndNewlines).suffix(200)
    let reason =
      "python3 cannot import confluent_kafka and fastavro (\(why)); run scripts/install-deps"
    if ProcessInfo.processInfo.environment["CI"] == nil {
      throw XCTSkip(reason)
    }
    throw PeerUnavailable(description: "CI is set: " + reason)
  }

  /// Under CI the Python peer is required: its absence fails the test.
  struct PeerUnavailable: Error, CustomStringConvertible {
    var description: String
  }

  func temporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent(
      "forecast-interop-" + UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url.path
  }
}
