import Events
import Foundation
import Simulation
import XCTest

/// The history, its ground truth and the catalogue are committed together, after the history is
/// complete: all of them appear, or none.
final class SimulatorOutputTests: XCTestCase {
  var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "simulator-output-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  private func simulator() throws -> Simulator {
    let configuration = SimulationConfiguration(
      users: 20, days: 3, start: CivilDate(year: 2024, month: 3, day: 4), seed: 3, threads: 1)
    return try Simulator(
      configuration: configuration,
      catalog: .synthetic(seed: 3, artistCount: 20, latestYear: 2024))
  }

  func testSimulatorOutput_historyTruthAndCatalogueTogether() throws {
    let s = try simulator()
    let path = directory + "/h.avro"
    _ = try s.write(to: path, catalogPath: directory + "/songs.csv")
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
      ["h.anomalies.csv", "h.avro", "songs.csv"])
    let catalogue = try String(contentsOfFile: directory + "/songs.csv", encoding: .utf8)
    XCTAssertEqual(catalogue, s.catalog.csvText())
    XCTAssertEqual(
      try String(contentsOfFile: directory + "/h.anomalies.csv", encoding: .utf8),
      s.groundTruthCSV())
  }

  func testSimulatorOutput_unwritableCatalogueLeavesNothing() throws {
    let s = try simulator()
    let path = directory + "/h.avro"
    let catalogPath = directory + "/missing/songs.csv"
    XCTAssertThrowsError(try s.write(to: path, catalogPath: catalogPath)) {
      XCTAssertEqual(
        "\($0)",
        "\(catalogPath): cannot write the output (No such file or directory). Check that the "
          + "directory exists and is writable.")
    }
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
  }
}
