import Events
import Plumbing
import XCTest

final class EventFileSummaryTests: XCTestCase {
  func testSummary_countsRangeUsersAndInteractions() throws {
    let path = temporaryDirectory(self) + "/s.avro"
    var events = sampleEvents(count: 6, seed: 8)
    let interactions: [Interaction] = [.played, .played, .skipped, .played, .liked, .skipped]
    for i in events.indices {
      events[i].userID = Int64(i % 4)
      events[i].startTime = 1_704_067_200_000 + Int64(i) * 60_000  // 2024-01-01T00:00Z
      events[i].endTime = events[i].startTime + 30_000
      events[i].interaction = interactions[i]
    }
    let writer = try EventFileWriter(path: path, codec: .snappy, blockRecordCount: 4)
    for e in events { try writer.write(e) }
    try writer.finish()

    let s = try EventFileSummary(path: path)
    XCTAssertEqual(s.schemaName, "forecast.ListeningEvent")
    XCTAssertEqual(s.fields.first, EventFileSummary.Field(name: "user_id", type: "long"))
    XCTAssertEqual(s.fields.count, 15)
    XCTAssertEqual(s.codec, .snappy)
    XCTAssertEqual(s.records, 6)
    XCTAssertEqual(s.blocks, 2)
    XCTAssertEqual(s.firstStart, 1_704_067_200_000)
    XCTAssertEqual(s.lastEnd, 1_704_067_200_000 + 5 * 60_000 + 30_000)
    XCTAssertEqual(s.distinctUsers, 4)
    XCTAssertEqual(s.interactions.map(\.name), ["played", "skipped", "liked"])
    XCTAssertEqual(s.interactions.map(\.count), [3, 2, 1])
    XCTAssertTrue(
      s.text.contains("time range:     2024-01-01T00:00:00.000Z … 2024-01-01T00:05:30.000Z"))
    let json = try JSONValue.parse(s.json)
    XCTAssertEqual(json["records"], .number(6, integer: 6))
    XCTAssertEqual(json["blocks"], .number(2, integer: 2))
    XCTAssertEqual(json["codec"], .string("snappy"))
    XCTAssertEqual(json["schema"]?["name"], .string("forecast.ListeningEvent"))
    XCTAssertEqual(json["distinct_users"], .number(4, integer: 4))
    XCTAssertEqual(json["interactions"]?["played"], .number(3, integer: 3))
  }

  func testInspect_cliPrintsJSONAndRefusesDamage() throws {
    let binary = packageRoot() + "/.build/debug/forecast"
    guard access(binary, X_OK) == 0 else {
      throw XCTSkip("build the forecast executable first (swift build --product forecast)")
    }
    let dir = temporaryDirectory(self)
    let path = dir + "/h.avro"
    let writer = try EventFileWriter(path: path, schema: .milestone1, codec: .deflate)
    for e in sampleEvents(count: 10, seed: 1, milestone1: true) { try writer.write(e) }
    try writer.finish()
    let ok = runProcess(binary, ["inspect", path, "--json"])
    XCTAssertEqual(ok.status, 0, ok.output)
    let json = try JSONValue.parse(ok.output.trimmingSuffixNewline)
    XCTAssertEqual(json["records"], .number(10, integer: 10))
    XCTAssertEqual(json["codec"], .string("deflate"))
    XCTAssertEqual(json["schema"]?["name"], .string("music.ListeningHistory"))

    writeBytes(Array(readBytes(path).dropLast(20)), to: path)
    let bad = runProcess(binary, ["inspect", path])
    XCTAssertNotEqual(bad.status, 0)
    XCTAssertTrue(bad.output.contains("\(path): the file ends inside block 0"), bad.output)
    XCTAssertTrue(bad.output.contains("--salvage"), bad.output)
    XCTAssertEqual(directoryEntries(dir), ["h.avro"])
    let salvaged = runProcess(binary, ["inspect", path, "--salvage", "--json"])
    XCTAssertEqual(salvaged.status, 0, salvaged.output)
    let report = try JSONValue.parse(salvaged.output.trimmingSuffixNewline)
    XCTAssertEqual(report["records"], .number(0, integer: 0))
    XCTAssertEqual(report["salvage"]?["blocks_dropped"], .number(1, integer: 1))
  }
}

extension String {
  var trimmingSuffixNewline: String {
    var s = self
    while s.hasSuffix("\n") { s.removeLast() }
    return s
  }
}
