import Forecast
import Foundation
import XCTest

@testable import Report

/// The repository root (this file is Tests/ReportTests/ReportPageTests.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent().path
let fixtures = repositoryRoot + "/Tests/ReportTests/Fixtures"

/// The report of the bundled sample history with the committed daily model, the hand-made
/// Wrapped directory and anomalies file: built once (reading and forecasting take seconds in a
/// debug build).
enum SampleReport {
  static let history = repositoryRoot + "/notebooks-data/history.avro"
  static let model = repositoryRoot + "/models/daily-sessions.safetensors"
  nonisolated(unsafe) static let summary: Result<ModelSummary, Error> = Result {
    try ModelSummary(path: model, history: history, csv: nil)
  }
  static let html: Result<String, Error> = Result {
    let contents = ReportContents(
      models: [try summary.get()], wrapped: try WrappedOutput(directory: fixtures + "/wrapped"),
      anomalies: try AnomalyOutput(path: fixtures + "/anomalies.csv"), history: history,
      toolkitVersion: "test", generatedAt: Date(timeIntervalSince1970: 1_767_225_600))
    return ReportPage.html(contents)
  }
}

/// The page: valid, self-contained, and every number it shows for a chart is the one in the
/// file it came from.
final class ReportPageTests: XCTestCase {
  /// Tags open and close in order (void elements excepted); inside <svg> and <title> the text
  /// holds no stray `<`.
  private func assertBalanced(_ html: String, file: StaticString = #filePath, line: UInt = #line) {
    let void: Set<String> = ["meta", "link", "br", "hr", "img", "input", "col", "area", "base"]
    var stack: [String] = []
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
      guard let close = rest[open...].firstIndex(of: ">") else {
        return XCTFail("unclosed tag at the end", file: file, line: line)
      }
      let tag = rest[rest.index(after: open)..<close]
      rest = rest[rest.index(after: close)...]
      if tag.hasPrefix("!") { continue }
      let selfClosing = tag.hasSuffix("/")
      let name = String(
        tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
      ).lowercased()
      if tag.hasPrefix("/") {
        guard stack.last == name else {
          return XCTFail("</\(name)> closes <\(stack.last ?? "nothing")>", file: file, line: line)
        }
        stack.removeLast()
      } else if !selfClosing && !void.contains(name) {
        stack.append(name)
      }
    }
    XCTAssertEqual(stack, [], "unclosed elements", file: file, line: line)
  }

  /// The text of every `<title>` element.
  private func titles(_ html: String) -> [String] {
    html.components(separatedBy: "<title>").dropFirst().compactMap {
      $0.components(separatedBy: "</title>").first
    }
  }

  func testPage_isSelfContainedValidHTML() throws {
    let html = try SampleReport.html.get()
    assertBalanced(html)
    XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>"))
    XCTAssertTrue(
      html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          + "style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'\">"))
    XCTAssertTrue(
      html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"))
    let lower = html.lowercased()
    for forbidden in [
      "<script", " src=", " href=", "url(", "@import", "<link", "<img", "http:", "https:",
    ] {
      XCTAssertFalse(lower.contains(forbidden), "the page holds \(forbidden)")
    }
    XCTAssertTrue(html.contains("@media print"))
    XCTAssertTrue(
      html.contains("Generated</dt><dd>2026-01-01 00:00 UTC</dd>"), html.prefix(2000).description)
  }

  func testForecastChart_numbersEqualThePredictionsCSV() throws {
    let summary = try SampleReport.summary.get()
    let html = try SampleReport.html.get()
    let shown = Set(titles(html))
    let csv = Predictions.csv(summary.forecasts, quantiles: summary.model.quantiles)
    let rows = csv.split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
    XCTAssertEqual(rows.count, 14)
    for r in rows {
      let date = String(r[1])
      let (p10, p50, p90) = (Double(r[3]) ?? .nan, Double(r[4]) ?? .nan, Double(r[5]) ?? .nan)
      XCTAssertTrue(
        shown.contains("forecast (p50) \(date): \(Chart.number(p50))"), "p50 of \(date)")
      XCTAssertTrue(
        shown.contains(
          "p10–p90 interval \(date): \(Chart.number(p10)) – \(Chart.number(p90))"),
        "band of \(date)")
    }
    // The history's last point, and the first of the 70 shown.
    let series = try XCTUnwrap(summary.collection.series.first)
    for t in [series.count - 1, series.count - 70] {
      let date = Ticks.isoDate(series.timestamp(at: t))
      XCTAssertTrue(
        shown.contains("history \(date): \(Chart.number(series.values[t]))"), "history \(date)")
    }
    XCTAssertFalse(
      shown.contains {
        $0.hasPrefix("history \(Ticks.isoDate(series.timestamp(at: series.count - 71)))")
      })
  }

  func testMetrics_areTheModelFilesAndThePerStepMASEIsTheTestPeriods() throws {
    let summary = try SampleReport.summary.get()
    let html = try SampleReport.html.get()
    // The test figures the file records, as `forecast train` printed them (models/README).
    let lstm = try XCTUnwrap(summary.recordedTest["lstm"])
    XCTAssertTrue(html.contains(String(format: "<td class=\"n\">%.3f</td>", lstm.mase)))
    XCTAssertTrue(html.contains(xml(summary.recordedReport.verdict)))
    // Scored again with the saved weights, the test period gives the recorded figures.
    let again = try XCTUnwrap(summary.testPeriod?.report.score("lstm"))
    XCTAssertEqual(again.overall.mae, lstm.mae, accuracy: 1e-9)
    XCTAssertEqual(again.overall.mase, lstm.mase, accuracy: 1e-9)
    XCTAssertEqual(again.overall.coverage, lstm.coverage)
    let shown = Set(titles(html))
    for (k, step) in again.perStep.enumerated() {
      XCTAssertTrue(
        shown.contains("lstm \(k + 1): \(String(format: "%.3f", step.mase))"), "step \(k + 1)")
    }
  }

  func testWrappedCharts_numbersEqualTheCSVs() throws {
    let html = try SampleReport.html.get()
    let shown = Set(titles(html))
    for name in ["top_artists.csv", "top_songs.csv", "top_genres.csv"] {
      let table = try CSVTable(
        path: fixtures + "/wrapped/" + name, expected: WrappedOutput.topColumns)
      for r in table.rows where table.text(r, "scope_type") != "country" {
        let item = table.text(r, "item")
        let artist = table.text(r, "artist")
        let label = artist.isEmpty ? item : "\(item) — \(artist)"
        let expected =
          "\(label): \(table.text(r, "streams")), rank \(table.text(r, "rank")), "
          + "\(table.text(r, "listeners")) listeners, "
          + String(format: "%.1f", try table.number(r, "minutes")) + " minutes, share "
          + String(format: "%.2f", try table.number(r, "share") * 100) + " %"
        XCTAssertTrue(shown.contains(xml(expected)), "\(name): \(expected)")
      }
    }
    // Personalities: 5 FLTC, 3 EVNU, 2 FVTU of the 10 users with one (11 users).
    XCTAssertTrue(shown.contains("Inferred personality of 10 of 11 users"))
    XCTAssertTrue(shown.contains("FLTC: 5, 50.0 % of typed users"))
    XCTAssertTrue(shown.contains("FVTU: 2, 20.0 % of typed users"))
    // The top artist's geography, from artists.csv and artist_cities.csv.
    XCTAssertTrue(html.contains("<h3>Where Nova Lines is heard</h3>"))
    XCTAssertTrue(
      html.contains(
        "<tr><td>Europe</td><td class=\"n\">210</td><td class=\"n\">30</td>"
          + "<td class=\"n\">50.0 %</td><td class=\"n\">1.25</td></tr>"))
    XCTAssertTrue(
      html.contains(
        "<tr><td>2</td><td>Toronto</td><td>CA</td><td>70</td><td>9</td><td>218.250000</td>"
          + "<td>0.166667</td></tr>"))
    XCTAssertFalse(html.contains("Madrid"))
  }

  func testAnomalies_listedWithTheirEvidence() throws {
    let html = try SampleReport.html.get()
    XCTAssertTrue(
      html.contains(
        "<tr><td class=\"n\">1</td><td>431</td><td class=\"n\">12.5</td><td>bot</td>"
          + "<td>2024-03-02 to 2024-06-07</td><td class=\"evidence\">active hours per day 23.4 "
          + "(median 1.2); gap regularity 0.98 (median 0.21)</td></tr>"))
    XCTAssertTrue(
      html.contains("3 accounts scored (kinds among them: bot 1, looping 1, shared_account 1)"))
  }
}
