import Events
import Foundation
import Simulation
import XCTest

@testable import Wrapped

/// Accumulators merge exactly: partial results of disjoint events (day ranges, here) combine
/// into the result of one pass, byte for byte, whatever the order; and nothing the analyses
/// write depends on the recorded personality.
final class WrappedMergeTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// A small simulated history (80 listeners, 40 days, travel on).
  static let events: [ListeningEvent] = {
    let configuration = SimulationConfiguration(
      users: 80, days: 40, start: CivilDate(year: 2024, month: 2, day: 1), seed: 11, travel: true,
      threads: 1)
    var events: [ListeningEvent] = []
    do {
      let simulator = try Simulator(
        configuration: configuration,
        catalog: .synthetic(seed: 11, artistCount: 60, latestYear: 2024))
      _ = try simulator.run(into: &events)
    } catch {
      preconditionFailure("the test configuration is valid: \(error)")
    }
    return events
  }()

  private func render(_ a: WrappedAccumulator) -> [String] {
    let provenance = WrappedTables.Provenance(sources: ["test"], period: .all, top: 5)
    let report = a.report(top: 5)
    return WrappedTables(
      report, provenance: provenance, evaluation: PersonalityEvaluation(report.listeners)
    )
    .files.map { "\($0.name)\n\($0.text)" }
  }

  func testMerge_dayRangesEqualOnePass() throws {
    let events = Self.events
    XCTAssertGreaterThan(events.count, 20_000)
    let path = directory + "/all.avro"
    try writeHistory(events, to: path)
    var whole = WrappedAccumulator()
    try whole.add(file: try EventFileReader(path: path))
    let expected = render(whole)
    XCTAssertEqual(expected.count, 8)  // six CSV files, summary.json, personality_eval.json

    // Three day ranges, three files, three accumulators, merged in another order.
    let start = events.map(\.startTime).min() ?? 0
    var parts: [WrappedAccumulator] = []
    try FileManager.default.createDirectory(
      atPath: directory + "/parts", withIntermediateDirectories: false)
    for (k, range) in [(0, 9), (9, 23), (23, 1000)].enumerated() {
      let slice = events.filter {
        let day = ($0.startTime - start) / 86_400_000
        return day >= Int64(range.0) && day < Int64(range.1)
      }
      let partPath = directory + "/parts/part\(k).avro"
      try writeHistory(slice, to: partPath)
      var a = WrappedAccumulator()
      try a.add(file: try EventFileReader(path: partPath))
      parts.append(a)
    }
    var merged = parts[2]
    merged.merge(parts[0])
    merged.merge(parts[1])
    XCTAssertEqual(render(merged), expected)

    // A directory of files is a history: the same tables as the whole file.
    var job = WrappedJob(history: directory + "/parts")
    job.top = 5
    let fromDirectory = try job.run()
    var single = WrappedJob(history: path)
    single.top = 5
    let fromFile = try single.run()
    for name in ["top_songs.csv", "users.csv", "artists.csv", "artist_cities.csv"] {
      XCTAssertEqual(table(fromDirectory.tables, name), table(fromFile.tables, name), name)
    }

    // The streaming path (one event at a time) gives the same as the columnar one.
    var streamed = WrappedAccumulator()
    for e in events { streamed.add(e) }
    XCTAssertEqual(render(streamed), expected)
  }

  func testPersonality_blankedFieldChangesNothing() throws {
    let events = Self.events
    let path = directory + "/with.avro"
    try writeHistory(events, to: path)
    let blankPath = directory + "/without.avro"
    try writeHistory(
      events.map {
        var e = $0
        e.personality = ""
        return e
      }, to: blankPath)
    let with = try WrappedJob(history: path).run()
    let without = try WrappedJob(history: blankPath).run()
    let users = table(with.tables, "users.csv")
    XCTAssertEqual(users, table(without.tables, "users.csv"))
    // Listeners with 50 streams or more have four letters; the evaluation needs the field.
    XCTAssertGreaterThan(
      users.split(separator: "\n").filter { $0.hasSuffix("C") || $0.hasSuffix("U") }.count, 20)
    XCTAssertNotNil(with.evaluation)
    XCTAssertNil(without.evaluation)
    XCTAssertFalse(without.tables.files.contains { $0.name == "personality_eval.json" })
  }

  /// Names rank in UTF-8 byte order, also where they share their first eight bytes, one starts
  /// another, or a byte is zero or above 0x7F (the ranks sort on eight-byte prefixes first).
  func testNameRanks_utf8ByteOrder() {
    let names = [
      "abcdefghi", "abcdefgh", "", "ab", "a", "ab\u{0}", "abcdefgh\u{0}", "Zoë", "Zoe", "Zoe ",
      "ä", "Ω", "abcdefgi", "B", "b", "abcdefgh\u{1}x", "abcdefgh!",
    ]
    var accumulator = WrappedAccumulator()
    for name in names { _ = accumulator.artists.id(name) }
    let ranks = accumulator.nameRanks(accumulator.artists)
    let expected = names.indices.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
    XCTAssertEqual(expected.map { Int(ranks[$0]) }, Array(names.indices))
  }

  /// An accumulator's capacity counts its tables; reserving it in another (as a stream's next
  /// window, or a merge, does) changes nothing it writes.
  func testCapacity_countsTablesAndReservingChangesNothing() {
    let events = Self.events.prefix(5000)
    var plain = WrappedAccumulator()
    for e in events { plain.add(e) }
    let capacity = plain.capacity
    XCTAssertEqual(capacity.events, Int(plain.eventsCounted))
    XCTAssertEqual(capacity.songNames, plain.songNames.count)
    XCTAssertEqual(capacity.listeners, plain.listeners.count)
    XCTAssertEqual(capacity.tracks, plain.tracks.count)
    XCTAssertGreaterThan(capacity.cities, 1)
    var reserved = WrappedAccumulator()
    reserved.reserveCapacity(capacity + capacity)
    XCTAssertEqual(reserved.capacity, WrappedAccumulator.Capacity())
    for e in events { reserved.add(e) }
    XCTAssertEqual(render(reserved), render(plain))
    var merged = WrappedAccumulator()
    merged.reserveCapacity(capacity)
    merged.merge(plain)
    XCTAssertEqual(render(merged), render(plain))
  }
}
