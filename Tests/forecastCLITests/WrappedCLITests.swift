import Foundation
import XCTest

/// `forecast wrapped` and `forecast anomalies` through the executable: the outputs, and every
/// bad input refused with one message, a non-zero exit and nothing written.
extension ForecastPipelineTests {
  // swift-format-ignore: AlwaysUseLowerCamelCase
  func testWrapped_writesEveryTableAndReplacesItsOwnDirectory() throws {
    try simulate("h.avro")
    let out = path("wrapped")
    var run = try forecast(["wrapped", path("h.avro"), "--out", out, "--top", "3", "--json"])
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertEqual(
      Set(try FileManager.default.contentsOfDirectory(atPath: out)),
      [
        "top_songs.csv", "top_artists.csv", "top_genres.csv", "users.csv", "artists.csv",
        "artist_cities.csv", "summary.json", "personality_eval.json",
      ])
    XCTAssertTrue(run.stdout.hasPrefix("{\"sources\":["), run.stdout)
    XCTAssertTrue(run.stderr.contains("personality (inferred vs recorded"), run.stderr)
    // Run again over its own output: replaced whole, nothing else left beside it.
    run = try forecast(["wrapped", path("h.avro"), "--out", out, "--from", "2024-02-01"])
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertFalse(try files().contains { $0.contains(".tmp-") || $0.contains(".old-") })
    let summary = try String(contentsOfFile: out + "/summary.json", encoding: .utf8)
    XCTAssertTrue(summary.contains("\"from\":\"2024-02-01T00:00:00.000Z\""), summary)
  }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  func testWrappedAndAnomalies_badInputRefused() throws {
    try simulate("h.avro")
    let h = path("h.avro")
    try assertRefused(
      ["wrapped", h, "--out", path("w"), "--top", "0"], "Please pass --top between 1 and 100000")
    try assertRefused(
      ["wrapped", h, "--out", path("w"), "--from", "2024-03-01", "--to", "2024-02-01"],
      "Please pass --from before --to")
    try assertRefused(
      ["wrapped", h, "--out", path("w"), "--from", "March"],
      "Please pass --from as a date YYYY-MM-DD")
    try assertRefused(
      ["wrapped", path("nothing.avro"), "--out", path("w")], "nothing.avro")
    // A directory that holds someone else's files is not replaced.
    try FileManager.default.createDirectory(
      atPath: path("mine"), withIntermediateDirectories: false)
    try "keep".write(toFile: path("mine/notes.txt"), atomically: false, encoding: .utf8)
    try assertRefused(
      ["wrapped", h, "--out", path("mine")],
      "\(path("mine")): the directory holds files this command does not write (notes.txt)")
    XCTAssertEqual(try String(contentsOfFile: path("mine/notes.txt"), encoding: .utf8), "keep")
    try assertRefused(
      ["wrapped", h, "--out", path("missing/dir")],
      "\(path("missing/dir")): cannot write the output (\(path("missing")) is not a directory)")
    // Milestone-1 files have no continent.
    try simulate("m1.avro", extra: ["--schema", "milestone1"])
    try assertRefused(
      ["wrapped", path("m1.avro"), "--out", path("w")],
      "the history lacks continent, which artists.csv, the continent rows of top_*.csv need")
    // Anomalies: an unreadable or foreign truth file, refused before the pass.
    try assertRefused(
      ["anomalies", h, "--out", path("a.csv"), "--truth", path("none.csv")],
      "\(path("none.csv")): not a ground-truth file (No such file or directory)")
    let foreign = try csv("foreign.csv", "id;label\n1;bot\n")
    try assertRefused(
      ["anomalies", h, "--out", path("a.csv"), "--truth", foreign],
      "\(foreign): not a ground-truth file (its header is \"id;label\")")
    try assertRefused(
      ["anomalies", h, "--out", path("a.csv"), "--truth", path("")],
      "not a ground-truth file (a directory)")
  }

  // swift-format-ignore: AlwaysUseLowerCamelCase
  func testAnomalies_scoresEveryAccount() throws {
    try simulate("h.avro", extra: ["--anomaly-rate", "0.3"])
    let run = try forecast(
      [
        "anomalies", path("h.avro"), "--out", path("a.csv"), "--truth",
        path("h.anomalies.csv"), "--json",
      ])
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(run.stderr.contains("average precision"), run.stderr)
    XCTAssertTrue(run.stdout.contains("\"evaluation\":{\"anomalies\":"), run.stdout)
    let csv = try String(contentsOfFile: path("a.csv"), encoding: .utf8)
    XCTAssertTrue(csv.hasPrefix("user_id,score,kind,first_day,last_day,evidence\n"))
  }
}
