import Events
import Foundation
import XCTest

@testable import Wrapped

/// `forecast wrapped` beside an independent computation of the same definitions
/// (`scripts/wrapped_reference.py`, Python with fastavro): identical CSV files.
final class WrappedReferenceTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("scripts/wrapped_reference.py").path

  private func python(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
  }

  func testWrapped_equalsIndependentPythonComputation() throws {
    guard (try? python(["-c", "import fastavro"]).status) == 0 else {
      // CI installs fastavro (scripts/install-deps): there the check must run.
      if ProcessInfo.processInfo.environment["CI"] == "true" {
        XCTFail("python3 with fastavro is missing; scripts/install-deps installs it")
        return
      }
      throw XCTSkip("python3 with fastavro is needed (scripts/install-deps)")
    }
    let path = directory + "/history.avro"
    try writeHistory(WrappedMergeTests.events, to: path)
    var job = WrappedJob(history: path)
    job.top = 7
    let ours = try job.run()
    let reference = directory + "/reference"
    let run = try python([Self.script, path, reference, "--top", "7"])
    XCTAssertEqual(run.status, 0, run.output)
    for name in [
      "top_songs.csv", "top_artists.csv", "top_genres.csv", "users.csv", "artists.csv",
      "artist_cities.csv",
    ] {
      let theirs = try String(contentsOfFile: reference + "/" + name, encoding: .utf8)
      let mine = table(ours.tables, name)
      XCTAssertGreaterThan(mine.split(separator: "\n").count, 5, name)
      XCTAssertEqual(mine, theirs, name)
    }
  }
}
