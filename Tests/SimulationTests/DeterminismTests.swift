import Events
import Foundation
import Simulation
import XCTest

final class DeterminismTests: XCTestCase {
  var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "simulation-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  func simulate(
    seed: UInt64, threads: Int, travel: Bool = false, name: String, codec: AvroCodec = .deflate
  ) throws -> (bytes: Data, truth: String, summary: SimulationSummary) {
    let configuration = SimulationConfiguration(
      users: 60, days: 21, start: CivilDate(year: 2024, month: 12, day: 20), seed: seed,
      travel: travel, threads: threads)
    let simulator = try Simulator(
      configuration: configuration,
      catalog: .synthetic(seed: seed, artistCount: 80, latestYear: 2024))
    let path = directory + "/\(name).avro"
    let summary = try simulator.write(to: path, codec: codec)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let truth = try String(
      contentsOfFile: Simulator.groundTruthPath(forOutput: path), encoding: .utf8)
    return (bytes, truth, summary)
  }

  func testSameArgumentsSameBytes_anyThreadCount() throws {
    let a = try simulate(seed: 5, threads: 1, name: "a")
    let b = try simulate(seed: 5, threads: 1, name: "b")
    let c = try simulate(seed: 5, threads: 3, name: "c")
    XCTAssertGreaterThan(a.summary.events, 5000)
    XCTAssertEqual(a.bytes, b.bytes)
    XCTAssertEqual(a.bytes, c.bytes)
    XCTAssertEqual(a.truth, c.truth)
    // The header and one account of each of the seven kinds (60 users: at least one each).
    XCTAssertEqual(a.truth.split(separator: "\n").count, 8)
    // Another seed, another history.
    let d = try simulate(seed: 6, threads: 1, name: "d")
    XCTAssertNotEqual(a.bytes, d.bytes)
  }

  func testFileHoldsExactlyTheInMemoryEvents() throws {
    let written = try simulate(seed: 9, threads: 2, travel: true, name: "t", codec: .null)
    let configuration = SimulationConfiguration(
      users: 60, days: 21, start: CivilDate(year: 2024, month: 12, day: 20), seed: 9, travel: true,
      threads: 1)
    let simulator = try Simulator(
      configuration: configuration, catalog: .synthetic(seed: 9, artistCount: 80, latestYear: 2024))
    var events: [ListeningEvent] = []
    _ = try simulator.run(into: &events)
    let reader = try EventFileReader(path: directory + "/t.avro")
    var read: [ListeningEvent] = []
    while let e = try reader.next() { read.append(e) }
    XCTAssertEqual(read.count, written.summary.events)
    XCTAssertEqual(read, events)
    XCTAssertEqual(
      reader.metadata["forecast.simulation"],
      "users=60 days=21 start=2024-12-20 seed=9 travel=true anomalies=true anomaly-rate=0.12 sessions-per-day=1.1 songs-per-session=8.0 songs=\(simulator.catalog.songs.count) cities=\(simulator.gazetteer.cities.count)"
    )
    // Travel: some ordinary listeners are seen in more than one city.
    let anomalous = Set(simulator.anomalies.map(\.userID))
    let cities = Dictionary(
      grouping: events.filter { !anomalous.contains($0.userID) }, by: \.userID
    )
    .mapValues { Set($0.map(\.location.city)).count }
    XCTAssertGreaterThan(cities.values.filter { $0 > 1 }.count, 2)
    // Output order: hour by hour of session start; each user's events in time order.
    var lastStart: [Int64: Int64] = [:]
    for e in events {
      XCTAssertGreaterThan(e.startTime, lastStart[e.userID] ?? Int64.min)
      lastStart[e.userID] = e.startTime
    }
  }

  func testMilestone1SchemaAndFailedWritesLeaveNothing() throws {
    let configuration = SimulationConfiguration(
      users: 30, days: 2, start: CivilDate(year: 2024, month: 1, day: 1), seed: 1)
    let simulator = try Simulator(
      configuration: configuration, catalog: .synthetic(seed: 1, artistCount: 20, latestYear: 2024))
    let path = directory + "/m1.avro"
    let summary = try simulator.write(to: path, schema: .milestone1, codec: .null)
    let reader = try EventFileReader(path: path)
    var count = 0
    while let e = try reader.next() {
      XCTAssertEqual(e.subscription, .unknown)  // not in the seed's schema
      count += 1
    }
    XCTAssertEqual(count, summary.events)
    // A directory that does not exist: an error, and no file anywhere.
    let missing = directory + "/no/such/dir/h.avro"
    XCTAssertThrowsError(try simulator.write(to: missing))
    XCTAssertFalse(FileManager.default.fileExists(atPath: missing))
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: Simulator.groundTruthPath(forOutput: missing)))
  }

  func testInvalidConfigurationSaysWhichFlag() {
    let bad = SimulationConfiguration(
      users: 0, days: 3, start: CivilDate(year: 2024, month: 1, day: 1), seed: 1)
    XCTAssertThrowsError(
      try Simulator(configuration: bad, catalog: .synthetic(seed: 1, artistCount: 5))
    ) { error in
      XCTAssertEqual(
        "\(error)",
        "--users 0 is out of range: expected 1…100,000,000. Please pass a value in range.")
    }
    // A run past 2200-01-01 would write events every reader refuses.
    let late = SimulationConfiguration(
      users: 3, days: 60, start: CivilDate(year: 2199, month: 12, day: 1), seed: 1)
    XCTAssertThrowsError(try late.validate()) { error in
      XCTAssertEqual(
        "\(error)",
        "--days 60 is out of range: expected at most 31 from --start 2199-12-01, so that the "
          + "events end by 2200-01-01. Please pass a value in range.")
    }
    var ending = late
    ending.days = 31
    XCTAssertNoThrow(try ending.validate())
    ending.start = CivilDate(year: 2200, month: 1, day: 1)
    ending.days = 1
    XCTAssertThrowsError(try ending.validate()) { error in
      XCTAssertTrue("\(error)".hasPrefix("--start 2200-01-01 is out of range"), "\(error)")
    }
  }

  func testGroundTruthPath() {
    XCTAssertEqual(
      Simulator.groundTruthPath(forOutput: "out/history.avro"), "out/history.anomalies.csv")
    XCTAssertEqual(Simulator.groundTruthPath(forOutput: "h"), "h.anomalies.csv")
  }
}

final class SampleTests: XCTestCase {
  /// The committed sample (notebooks-data/README.md) is two years of the simulator's output,
  /// made by the command the README gives, with its ground truth beside it.
  func testCommittedSampleMatchesItsReadme() throws {
    let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../notebooks-data").standardized.path
    let reader = try EventFileReader(path: data + "/history.avro")
    XCTAssertEqual(
      reader.metadata["forecast.simulation"],
      "users=250 days=730 start=2023-01-02 seed=2024 travel=false anomalies=true "
        + "anomaly-rate=0.04 sessions-per-day=0.3 songs-per-session=1.5 songs=4086 cities=3084")
    XCTAssertEqual(reader.metadata["forecast.catalog"], "synthetic")
    var count = 0
    var users: Set<Int64> = []
    var first = Int64.max
    var last = Int64.min
    while let e = try reader.next() {
      count += 1
      users.insert(e.userID)
      first = min(first, e.startTime)
      last = max(last, e.startTime)
    }
    XCTAssertEqual(count, 300_965)
    XCTAssertEqual(users.count, 472)  // of 476; four light listeners never played
    XCTAssertEqual(
      CivilDate(daysSinceEpoch: Int(first / 86_400_000)), CivilDate(year: 2023, month: 1, day: 2))
    XCTAssertEqual(
      CivilDate(daysSinceEpoch: Int(last / 86_400_000)), CivilDate(year: 2024, month: 12, day: 31))
    let truth = try String(contentsOfFile: data + "/history.anomalies.csv", encoding: .utf8)
    let ids = truth.split(separator: "\n").dropFirst().compactMap {
      Int64($0.split(separator: ",")[0])
    }
    XCTAssertEqual(ids.count, 7)  // one account of each kind
    XCTAssertTrue(ids.allSatisfy(users.contains))
    let catalog = try Catalog(contentsOfCSV: data + "/catalog.csv")
    XCTAssertEqual(catalog.songs.count, 4086)
  }
}
