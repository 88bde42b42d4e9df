import Foundation
import XCTest

/// `forecast evaluate --model`, `predict --as-of/--plot` and `report` end to end: outputs
/// checked against each other, bad inputs refused with one message and no file written.
final class ReportCLITests: XCTestCase {
  private var directory = ""
  private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "forecast-report-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  private func forecast(_ arguments: [String]) throws -> ForecastRun {
    try runForecast(arguments, in: directory)
  }

  private func path(_ name: String) -> String { directory + "/" + name }

  /// A daily series with a weekly rhythm, `count` points from 2024-01-01, as a series CSV.
  private func seriesCSV(_ name: String, count: Int) throws -> String {
    var text = "series_id,timestamp,value\n"
    for t in 0..<count {
      let day = 19_723 + t
      let date = Date(timeIntervalSince1970: Double(day) * 86_400)
      let iso = ISO8601DateFormatter.string(
        from: date, timeZone: TimeZone(identifier: "UTC") ?? .current,
        formatOptions: [.withFullDate])
      let value = [100, 110, 120, 110, 130, 70, 60][t % 7] + (t * 7919) % 11
      text += "s,\(iso),\(value)\n"
    }
    try text.write(toFile: path(name), atomically: false, encoding: .utf8)
    return path(name)
  }

  func testEvaluateModel_rowsMatchPredictAsOfAndTheMetrics() throws {
    let old = try seriesCSV("old.csv", count: 100)
    let new = try seriesCSV("new.csv", count: 112)
    let train = try forecast(
      [
        "train", "--csv", old, "--out", path("m.safetensors"), "--lookback", "7", "--horizon",
        "3", "--validation", "14", "--test", "14", "--epochs", "2", "--hidden-size", "8",
        "--windows-per-epoch", "64", "--ensemble", "1", "--calibration-folds", "0", "--quiet",
      ])
    XCTAssertEqual(train.status, 0, train.stderr)
    let run = try forecast(
      ["evaluate", "--model", path("m.safetensors"), "--csv", new, "--out", path("scored.csv")])
    XCTAssertEqual(run.status, 0, run.stderr)
    // Points 100…111 are new; origins 100…108 have their 3 targets.
    XCTAssertTrue(run.stdout.contains("9 origins, 1 series, horizon 3"), run.stdout)
    let rows = try String(contentsOfFile: path("scored.csv"), encoding: .utf8)
      .split(separator: "\n").map(String.init)
    XCTAssertEqual(rows.first, "series_id,origin,timestamp,horizon_step,p10,p50,p90,actual")
    XCTAssertEqual(rows.count, 1 + 9 * 3)
    XCTAssertTrue(rows[1].hasPrefix("s,2024-04-10,2024-04-11,1,"), rows[1])

    // The forecast from 2024-04-14 (origin 104) is predict --as-of 2024-04-14's.
    let predict = try forecast(
      [
        "predict", "--model", path("m.safetensors"), "--csv", new, "--as-of", "2024-04-14",
        "--out", path("asof.csv"), "--plot", path("asof.svg"),
      ])
    XCTAssertEqual(predict.status, 0, predict.stderr)
    let asOf = try String(contentsOfFile: path("asof.csv"), encoding: .utf8)
      .split(separator: "\n").dropFirst().map(String.init)
    let scored = rows.filter { $0.hasPrefix("s,2024-04-14,") }
    XCTAssertEqual(asOf.count, 3)
    for (a, s) in zip(asOf, scored) {
      // series_id,timestamp,horizon_step,p10,p50,p90 against the same columns of the row.
      var fields = s.split(separator: ",").map(String.init)
      fields.remove(at: 1)
      fields.removeLast()
      XCTAssertEqual(a, fields.joined(separator: ","))
    }
    let svg = try String(contentsOfFile: path("asof.svg"), encoding: .utf8)
    XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    XCTAssertTrue(svg.contains("<title>history 2024-04-14: "), svg)
    XCTAssertFalse(svg.contains("<title>history 2024-04-15: "))

    // The MAE the tool prints is the mean |actual − p50| of the rows.
    var sum = 0.0
    for r in rows.dropFirst() {
      let f = r.split(separator: ",")
      sum += abs((Double(f[7]) ?? .nan) - (Double(f[5]) ?? .nan))
    }
    let mae = sum / 27
    let lstm = try XCTUnwrap(run.stdout.split(separator: "\n").first { $0.hasPrefix("lstm") })
    let printed = try XCTUnwrap(Double(lstm.split(separator: " ")[1]))
    XCTAssertEqual(printed, mae, accuracy: 0.0006, String(lstm))

    // The report shows the same score since training, and charts the one-step-ahead rows.
    let report = try forecast(
      ["report", "--csv", new, "--model", path("m.safetensors"), "--out", path("r.html")])
    XCTAssertEqual(report.status, 0, report.stderr)
    let html = try String(contentsOfFile: path("r.html"), encoding: .utf8)
    XCTAssertTrue(html.contains("9 origins, 1 series.</p>"), html)
    for r in rows.dropFirst() where r.split(separator: ",")[3] == "1" {
      let f = r.split(separator: ",").map(String.init)
      let actual = Double(f[7]) ?? .nan
      XCTAssertTrue(
        html.contains("<title>actual \(f[2]): \(Int(actual))</title>"), "actual of \(f[2])")
    }
  }

  func testEvaluateModel_historyInsideTheTrainingRangeSaysNoNewPoints() throws {
    let model = root + "/models/daily-sessions.safetensors"
    let history = root + "/notebooks-data/history.avro"
    let run = try forecast(["evaluate", "--model", model, history, "--out", path("x.csv")])
    XCTAssertNotEqual(run.status, 0)
    XCTAssertTrue(
      run.stderr.contains(
        "\(history): no new points: it ends at 2024-12-31, inside the training range of "
          + "\(model) (which ends at 2024-12-31). Scoring needs 15 more points"), run.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: path("x.csv")))
  }

  /// The report reads what `forecast wrapped` and `forecast anomalies` write (their layouts,
  /// not their module): a small simulation through all three commands.
  func testReport_readsWhatWrappedAndAnomaliesWrite() throws {
    let simulate = try forecast(
      [
        "simulate", "--users", "40", "--days", "30", "--start", "2024-01-01", "--seed", "7",
        "--out", path("h.avro"),
      ])
    XCTAssertEqual(simulate.status, 0, simulate.stderr)
    let wrapped = try forecast(["wrapped", path("h.avro"), "--out", path("w")])
    XCTAssertEqual(wrapped.status, 0, wrapped.stderr)
    let anomalies = try forecast(["anomalies", path("h.avro"), "--out", path("a.csv")])
    XCTAssertEqual(anomalies.status, 0, anomalies.stderr)
    let report = try forecast(
      ["report", "--wrapped", path("w"), "--anomalies", path("a.csv"), "--out", path("r.html")])
    XCTAssertEqual(report.status, 0, report.stderr)
    let html = try String(contentsOfFile: path("r.html"), encoding: .utf8)
    let topArtists = try String(contentsOfFile: path("w/top_artists.csv"), encoding: .utf8)
    let first = try XCTUnwrap(topArtists.split(separator: "\n").dropFirst().first)
      .split(separator: ",", omittingEmptySubsequences: false)
    XCTAssertEqual(first.prefix(3), ["world", "world", "1"])
    XCTAssertTrue(html.contains("<title>\(first[3]): \(first[5]), rank 1, "), String(first[3]))
    XCTAssertTrue(html.contains("<h3>Where \(first[3]) is heard</h3>"))
    let anomaly = try String(contentsOfFile: path("a.csv"), encoding: .utf8)
    let top = try XCTUnwrap(anomaly.split(separator: "\n").dropFirst().first).split(separator: ",")
    XCTAssertTrue(
      html.contains("<tr><td class=\"n\">1</td><td>\(top[0])</td><td class=\"n\">\(top[1])</td>"))
  }

  func testReport_writesThePageAndRefusesBadInputWithoutWriting() throws {
    let model = root + "/models/daily-sessions.safetensors"
    let history = root + "/notebooks-data/history.avro"
    let ok = try forecast(["report", history, "--model", model, "--out", path("r.html")])
    XCTAssertEqual(ok.status, 0, ok.stderr)
    XCTAssertEqual(ok.stdout, "report written to \(path("r.html"))\n")
    let html = try String(contentsOfFile: path("r.html"), encoding: .utf8)
    XCTAssertTrue(html.contains("Sessions per day: the next 14 days"))

    try FileManager.default.createDirectory(atPath: path("w"), withIntermediateDirectories: true)
    let missing = try forecast(
      ["report", history, "--model", model, "--wrapped", path("w"), "--out", path("bad.html")])
    XCTAssertNotEqual(missing.status, 0)
    XCTAssertTrue(
      missing.stderr.contains("\(path("w")): not a complete forecast wrapped output: "),
      missing.stderr)
    let layout = try forecast(
      ["report", "--anomalies", path("../nowhere.csv"), "--out", path("bad.html")])
    XCTAssertNotEqual(layout.status, 0)
    XCTAssertTrue(layout.stderr.contains("nowhere.csv: cannot be read"), layout.stderr)
    let noHistory = try forecast(["report", "--model", model, "--out", path("bad.html")])
    XCTAssertNotEqual(noHistory.status, 0)
    XCTAssertTrue(
      noHistory.stderr.contains("--model \(model): a model needs the HISTORY"), noHistory.stderr)
    let weekly = try forecast(
      [
        "report", "--model", root + "/models/weekly-engagement.safetensors", "--csv",
        path("none.csv"), "--out", path("bad.html"),
      ])
    XCTAssertNotEqual(weekly.status, 0)
    XCTAssertTrue(
      weekly.stderr.contains(
        "the model forecasts weekly-engagement series, but the history gives csv"),
      weekly.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: path("bad.html")))
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory)
    XCTAssertEqual(Set(leftovers), ["r.html", "w"])
  }
}
