import Events
import Foundation
import Simulation
import XCTest

@testable import Wrapped

/// The anomaly score: features computed by hand on tiny accounts, and the ranking on a small
/// simulated history with every kind of injected account.
final class AnomalyDetectorTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// A coordinate that is no position (NaN, infinite, off the globe) is no journey: Paris, a
  /// NaN, an infinite longitude and a latitude of -1e30 between two plays in Paris count no
  /// impossible travel; the journey is measured between the real positions around them.
  func testFeatures_impossibleTravelIgnoresCoordinatesThatAreNoPosition() {
    var d = AnomalyDetector()
    let t: Int64 = 1_709_251_200_000
    let positions: [(Float, Float)] = [
      (48.86, 2.35), (.nan, 2.35), (48.86, .infinity), (-1e30, 2.35), (48.86, 2.35),
      (40.71, -74.0),
    ]
    for (i, p) in positions.enumerated() {
      let start = t + Int64(i) * 300_000
      d.record(
        user: 9, start: start, end: start + 200_000, latitude: p.0, longitude: p.1,
        city: Int32(i), song: 0, lengthSeconds: 200, humanAction: false)
    }
    let f = d.scores()[0].features
    // Five pairs; only Paris → New York (5,837 km in 100 s) is impossible.
    XCTAssertEqual(f[AnomalyFeature.impossibleTravelShare.rawValue], 0.2)
  }

  /// A record delivered twice is counted once: no overlap, no second event.
  func testFeatures_exactRepeatOfThePreviousEventCountsOnce() {
    var d = AnomalyDetector()
    let t: Int64 = 1_709_251_200_000
    for i in 0..<3 {
      let start = t + Int64(i) * 300_000
      for _ in 0..<2 {
        d.record(
          user: 9, start: start, end: start + 200_000, latitude: 48.86, longitude: 2.35,
          city: 0, song: Int32(i), lengthSeconds: 200, humanAction: false)
      }
    }
    XCTAssertEqual(d.repeatedEvents, 3)
    let account = d.scores()[0]
    XCTAssertEqual(account.features[AnomalyFeature.overlapShare.rawValue], 0)
    XCTAssertEqual(d.states[0].events, 3)
  }

  func testHistogramQuantiles_exact() {
    // Values 1, 1, 2, 5: median (1 + 2) / 2; quartiles at positions 0.75 and 2.25.
    var h = [UInt32](repeating: 0, count: 6)
    h[1] = 2
    h[2] = 1
    h[5] = 1
    XCTAssertEqual(histogramMedian(h), 1.5)
    XCTAssertEqual(histogramQuantile(h, 0.25), 1)
    XCTAssertEqual(histogramQuantile(h, 0.75), 3.5)  // between 2 and 5
    XCTAssertNil(histogramMedian([0, 0]))
  }

  func testDistance_parisToNewYork() {
    // 5,837 km by the haversine formula on a 6,371 km sphere.
    XCTAssertEqual(distanceKm(48.8566, 2.3522, 40.7128, -74.0060), 5837, accuracy: 1)
  }

  /// Events of one account: Paris, then New York ten minutes after (impossible), then two
  /// overlapping plays in New York.
  func testFeatures_overlapAndImpossibleTravel() {
    var d = AnomalyDetector()
    let t: Int64 = 1_709_251_200_000
    func add(_ start: Int64, _ end: Int64, _ lat: Float, _ lon: Float, city: Int32) {
      d.record(
        user: 9, start: start, end: end, latitude: lat, longitude: lon, city: city, song: 0,
        lengthSeconds: 200, humanAction: false)
    }
    add(t, t + 200_000, 48.86, 2.35, city: 0)  // Paris, exactly the song's length
    add(t + 800_000, t + 900_000, 40.71, -74.0, city: 1)  // New York 10 minutes later
    add(t + 850_000, t + 950_000, 40.71, -74.0, city: 1)  // starts 50 s before the last ended
    let account = d.scores()[0]
    let f = account.features
    XCTAssertEqual(f[AnomalyFeature.overlapShare.rawValue], 0.5)  // 1 of 2 pairs
    XCTAssertEqual(f[AnomalyFeature.impossibleTravelShare.rawValue], 0.5)
    XCTAssertEqual(f[AnomalyFeature.fullLengthShare.rawValue], 1.0 / 3)
    XCTAssertEqual(f[AnomalyFeature.citiesPerDay.rawValue], 2)
    XCTAssertEqual(f[AnomalyFeature.hoursPerDay.rawValue], 1)
    // Three events are too few to judge.
    XCTAssertEqual(account.kind, "too_little_activity")
    XCTAssertEqual(account.score, 0)
  }

  func testRanking_simulatedKinds() throws {
    let configuration = SimulationConfiguration(
      users: 150, days: 45, start: CivilDate(year: 2024, month: 5, day: 1), seed: 3,
      anomalyRate: 0.3, threads: 1)
    let simulator = try Simulator(
      configuration: configuration, catalog: .synthetic(seed: 3, artistCount: 80, latestYear: 2024))
    let path = directory + "/history.avro"
    _ = try simulator.write(to: path, codec: .null)
    var job = AnomalyJob(history: path)
    job.truthPath = Simulator.groundTruthPath(forOutput: path)
    var result = try job.run()
    XCTAssertEqual(result.notes, [])
    let e = try XCTUnwrap(result.evaluation)
    // 150 users, about 69 free: 30 % is 20, four of each anomalous kind.
    XCTAssertEqual(e.anomalies, 20)
    XCTAssertEqual(e.averagePrecision, 1)
    XCTAssertEqual(e.precisionAtK, 1)
    XCTAssertEqual(e.honestAboveLowestAnomaly, 0)
    for kind in e.perKind where kind.kind.hasPrefix("honest_") {
      XCTAssertEqual(kind.inTopK, 0, kind.kind)
    }
    // The evidence names the features with the population's median.
    let top = result.accounts[0]
    XCTAssertTrue(top.evidence.contains("(median "), top.evidence)
    let csv = AnomalyDetector.csv(result.accounts)
    XCTAssertTrue(csv.hasPrefix("user_id,score,kind,first_day,last_day,evidence\n"))
    XCTAssertEqual(csv.split(separator: "\n").count, result.accounts.count + 1)
    // The truth file of another history: its accounts absent from this one are counted.
    try "user_id,kind,detail\n999999,looping,\n1,honest_heavy,\n".write(
      toFile: directory + "/other.csv", atomically: false, encoding: .utf8)
    job.truthPath = directory + "/other.csv"
    result = try job.run()
    XCTAssertEqual(
      result.notes,
      [
        "1 of the 2 accounts of \(directory)/other.csv never appear in the history (the first "
          + "is user 999999); check that the file belongs to this history"
      ])
  }

  func testEmptyHistory_saysSo() throws {
    let path = directory + "/empty.avro"
    try writeHistory([], to: path)
    XCTAssertThrowsError(try AnomalyJob(history: path).run()) {
      XCTAssertEqual(
        "\($0)",
        "\(path): the history holds no event. Pass a history with events (forecast inspect "
          + "shows what a file holds).")
    }
  }

  func testGroundTruth_otherLayoutSaysSo() {
    XCTAssertThrowsError(try GroundTruth.parse("id;kind\n1;bot\n", path: "t.csv")) {
      XCTAssertEqual(
        "\($0)",
        "t.csv: not a ground-truth file (its header is \"id;kind\"). Pass the simulator's "
          + "HISTORY.anomalies.csv, whose header is user_id,kind,detail.")
    }
    XCTAssertThrowsError(try GroundTruth.parse("user_id,kind,detail\nx,bot,\n", path: "t.csv")) {
      XCTAssertTrue("\($0)".contains("line 2 does not start with a user id and a kind"))
    }
    XCTAssertEqual(
      try GroundTruth.parse("user_id,kind,detail\n7,bot,\"a, b\"\n", path: "t.csv"), [7: "bot"])
    XCTAssertThrowsError(try GroundTruth.parse("user_id,kind,detail\n", path: "t.csv")) {
      XCTAssertEqual(
        "\($0)",
        "t.csv: not a ground-truth file (it holds no account after the header). Pass the "
          + "simulator's HISTORY.anomalies.csv, whose header is user_id,kind,detail.")
    }
  }
}
