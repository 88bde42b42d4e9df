import Foundation
import XCTest

@testable import Report

/// The sample report rendered by headless Chromium (installed by scripts/install-deps) at a
/// desktop and a phone width: every chart box holds ink, chart text is at least 8 px high, and
/// nothing overflows the phone's width. scripts/check-report-render.py does the rendering, the
/// DOM measurement and the PNG decoding.
final class BrowserRenderTests: XCTestCase {
  /// Chromium's headless binary, if installed.
  private func chromium() -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for name in ["chromium-headless-shell", "chromium", "chromium-browser"] {
      for dir in path.split(separator: ":")
      where FileManager.default.isExecutableFile(
        atPath: "\(dir)/\(name)")
      {
        return "\(dir)/\(name)"
      }
    }
    return nil
  }

  func testSampleReport_rendersChartsWithoutOverflow() throws {
    guard let browser = chromium() else {
      if ProcessInfo.processInfo.environment["CI"] == "true" {
        return XCTFail("CI=true but no Chromium: scripts/install-deps installs it (apt)")
      }
      throw XCTSkip(
        "No headless Chromium on PATH (chromium-headless-shell or chromium); run "
          + "scripts/install-deps to install it.")
    }
    let directory = NSTemporaryDirectory() + "report-render-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let page = directory + "/report.html"
    try SampleReport.html.get().write(toFile: page, atomically: true, encoding: .utf8)

    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
      "python3", repositoryRoot + "/scripts/check-report-render.py", browser, page, directory,
    ]
    let out = Pipe()
    process.standardOutput = out
    process.standardError = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    XCTAssertEqual(process.terminationStatus, 0, text)

    struct Result: Decodable {
      var width: Int
      var innerWidth: Int
      var scrollWidth: Int
      var charts: Int
      var minInk: Double
      var blankCharts: [String]
      var minTextPx: Double
    }
    let results = try text.split(separator: "\n").filter { $0.hasPrefix("{") }.map {
      try JSONDecoder().decode(Result.self, from: Data($0.utf8))
    }
    XCTAssertEqual(results.map(\.width), [1280, 390], text)
    // 2 model charts, 7 top-k bar charts (world + continents), 1 personality chart.
    let expectedCharts = 2 + 4 + 3 + 3 + 1
    for r in results {
      XCTAssertEqual(r.charts, expectedCharts, "charts at \(r.width) px")
      XCTAssertEqual(r.blankCharts, [], "blank charts at \(r.width) px")
      XCTAssertGreaterThan(r.minInk, 0.02, "at \(r.width) px")
      XCTAssertGreaterThanOrEqual(r.minTextPx, 8, "chart text at \(r.width) px")
      XCTAssertEqual(r.innerWidth, r.width)
      XCTAssertLessThanOrEqual(r.scrollWidth, r.innerWidth, "horizontal overflow at \(r.width) px")
    }
  }
}
