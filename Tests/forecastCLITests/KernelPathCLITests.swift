import Foundation
import XCTest

/// `FORECAST_CPU` end to end: every kernel path this CPU runs trains the same model bytes, a
/// path the CPU cannot run or an unknown name is refused, and `--version` names the path.
final class KernelPathCLITests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "forecast-cpu-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  private func forecast(_ arguments: [String], cpu: String?) throws -> ForecastRun {
    try runForecast(arguments, in: directory, environment: ["FORECAST_CPU": cpu])
  }

  private func path(_ name: String) -> String { directory + "/" + name }

  /// The paths this CPU runs, from `--version` ("this CPU runs up to avx512").
  private func supportedPaths() throws -> [String] {
    let run = try forecast(["--version"], cpu: nil)
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(run.stdout.contains("LSTM kernels: "), run.stdout)
    XCTAssertTrue(run.stdout.contains("OpenBLAS kernels: "), run.stdout)
    let all = ["portable", "avx2", "avx512"]
    let top = try XCTUnwrap(all.last { run.stdout.contains("runs up to \($0)") }, run.stdout)
    let last = try XCTUnwrap(all.firstIndex(of: top))
    return Array(all[...last])
  }

  /// Twelve daily series of 80 days (weekly pattern, trend, a different level each).
  private func writeSeries() throws -> String {
    var text = "series_id,timestamp,value\n"
    let start = Date(timeIntervalSince1970: 1_704_067_200)  // 2024-01-01
    let format = DateFormatter()
    format.dateFormat = "yyyy-MM-dd"
    format.timeZone = TimeZone(identifier: "UTC")
    for s in 0..<12 {
      for d in 0..<80 {
        let day = format.string(from: start.addingTimeInterval(Double(d) * 86_400))
        let value = 10 + s * 3 + (d % 7) * (s % 4 + 1) + d / 10
        text += "s\(s),\(day),\(value)\n"
      }
    }
    try text.write(toFile: path("series.csv"), atomically: false, encoding: .utf8)
    return path("series.csv")
  }

  func testForcedPaths_sameModelBytes() throws {
    let paths = try supportedPaths()
    let csv = try writeSeries()
    let tiny = [
      "--lookback", "14", "--horizon", "7", "--validation", "14", "--test", "14", "--epochs", "2",
      "--hidden-size", "20", "--windows-per-epoch", "64", "--ensemble", "2",
    ]
    var models: [String: Data] = [:]
    for cpu in paths {
      let out = path("m-\(cpu).safetensors")
      let run = try forecast(["train", "--csv", csv, "--out", out] + tiny, cpu: cpu)
      XCTAssertEqual(run.status, 0, run.stderr)
      models[cpu] = try Data(contentsOf: URL(fileURLWithPath: out))
    }
    for cpu in paths {
      XCTAssertEqual(models[cpu], models[paths[0]], "\(cpu) and \(paths[0]) models differ")
    }
  }

  func testBadPath_refusedBeforeAnyWork() throws {
    let out = path("m.safetensors")
    let run = try forecast(["train", "--csv", path("none.csv"), "--out", out], cpu: "sse9")
    // A clean exit with the message, not a trap (signal 4) printing it.
    XCTAssertEqual(run.status, 1, run.stderr)
    XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr)
    XCTAssertTrue(
      run.stderr.contains(
        "FORECAST_CPU=sse9 names no kernel path. Use portable, avx2 or avx512, or unset "
          + "FORECAST_CPU to pick the fastest one this CPU runs."), run.stderr)
    XCTAssertFalse(FileManager.default.fileExists(atPath: out))
    let forced = try forecast(["--version"], cpu: "portable")
    XCTAssertEqual(forced.status, 0, forced.stderr)
    XCTAssertTrue(
      forced.stdout.contains("LSTM kernels: portable (forced by FORECAST_CPU)"), forced.stdout)
  }
}
