import Events
import Foundation
import XCTest

@testable import Forecast

/// A scratch directory per test, removed afterwards.
class ScratchDirectoryTestCase: XCTestCase {
  var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "forecast-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// Writes `text` to `name` in the scratch directory and returns its path.
  func file(_ name: String, _ text: String) throws -> String {
    let path = directory + "/" + name
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    return path
  }

  /// The files left in the scratch directory.
  func leftovers() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
  }
}

final class SeriesCSVTests: ScratchDirectoryTestCase {
  func assertRefused(
    _ text: String, _ message: String, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let path = try self.file("s.csv", text)
    XCTAssertThrowsError(try SeriesCSV.read(path: path), file: file, line: line) { error in
      XCTAssertEqual(
        "\(error)", message.replacingOccurrences(of: "PATH", with: path),
        file: file, line: line)
    }
  }

  func testRead_sortsRowsAndSeriesAndKeepsCovariates() throws {
    let path = try file(
      "s.csv",
      "series_id,timestamp,value,temp\nb,2024-01-02,5,1.5\na,2024-01-02,3,0\n"
        + "b,2024-01-01,4,2\n a ,2024-01-01, 1.25 ,-1\n\n")
    let c = try SeriesCSV.read(path: path)
    XCTAssertEqual(c.kind, .csv)
    XCTAssertEqual(c.covariateNames, ["temp"])
    // Ids are kept as written (" a " is not "a"); values and covariates are trimmed.
    XCTAssertEqual(c.series.map(\.id), [" a ", "a", "b"])
    XCTAssertEqual(c.series[2].values, [4, 5])
    XCTAssertEqual(c.series[2].covariates, [[2, 1.5]])
    XCTAssertEqual(c.series[0].values, [1.25])
    XCTAssertEqual(c.step, 86_400)
    XCTAssertEqual(Timestamp.format(c.series[1].start), "2024-01-02")
  }

  func testRead_weeklySeries() throws {
    let path = try file(
      "s.csv",
      "series_id,timestamp,value\nx,2024-01-14,3\nx,2024-01-07,2\nx,2024-01-21,1e1\n")
    let c = try SeriesCSV.read(path: path)
    XCTAssertEqual(c.step, 604_800)
    XCTAssertEqual(c.seasonalPeriod, 52)
    XCTAssertEqual(c.series[0].values, [2, 3, 10])
    XCTAssertEqual(Timestamp.format(c.series[0].start), "2024-01-07")
  }

  func testRoundTrip_exportThenRead() throws {
    let original = SeriesCollection(
      kind: .weeklyEngagement, targetName: "listening_hours",
      covariateNames: ["active_users", "sessions", "events"],
      series: [
        TimeSeries(
          id: "North America", start: 19_723 * 86_400, step: 604_800, values: [1.5, 0, 2.25],
          covariates: [[1, 0, 2], [3, 0, 4], [5, 0, 6]]),
        TimeSeries(
          id: "a,b", start: 19_723 * 86_400, step: 604_800, values: [0.1, 0.2, 0.3],
          covariates: [[1, 1, 1], [1, 1, 1], [1, 1, 1]]),
      ])
    let path = directory + "/out.csv"
    try SeriesCSV.write(original, to: path)
    XCTAssertEqual(try leftovers(), ["out.csv"])
    let text = try String(contentsOfFile: path, encoding: .utf8)
    XCTAssertTrue(
      text.hasPrefix(
        "series_id,timestamp,value,active_users,sessions,events\n"
          + "North America,2024-01-01,1.5,1,3,5\nNorth America,2024-01-08,0,0,0,0\n"))
    let back = try SeriesCSV.read(path: path)
    XCTAssertEqual(back.series.map(\.id), ["North America", "a,b"])
    XCTAssertEqual(back.series[0].values, original.series[0].values)
    XCTAssertEqual(back.series[1].values, original.series[1].values)
    XCTAssertEqual(back.series[0].covariates, original.series[0].covariates)
    XCTAssertEqual(back.covariateNames, original.covariateNames)
  }

  func testRefuses_missingColumn() throws {
    try assertRefused(
      "series_id,timestamp\na,2024-01-01\n",
      "PATH: the header has no column 'value' (column 3 of "
        + "'series_id,timestamp,value[,covariates...]'). Add it to the first line.")
  }

  func testRefuses_misnamedColumn() throws {
    try assertRefused(
      "series_id,date,value\na,2024-01-01,1\n",
      "PATH: column 2 of the header is 'date', expected 'timestamp'. "
        + "The columns must start 'series_id,timestamp,value' (or 'unique_id,ds,y', or "
        + "'item_id,timestamp,target'); rename it.")
  }

  func testPredictionValues_fourDecimalsOrSixSignificantDigits() {
    XCTAssertEqual(Predictions.formatValue(12.244_849), "12.2448")
    XCTAssertEqual(Predictions.formatValue(3), "3")
    XCTAssertEqual(Predictions.formatValue(-0.5), "-0.5")
    XCTAssertEqual(Predictions.formatValue(1.234_567_89e-9), "1.23457e-09")
    XCTAssertEqual(Predictions.formatValue(1.064_962_398_611_777_2e12), "1064962398611.7772")
    XCTAssertEqual(Predictions.formatValue(0), "0")
  }

  func testRead_acceptsNixtlaAndAutoGluonColumnNames() throws {
    for header in ["unique_id,ds,y", "item_id,timestamp,target"] {
      let path = directory + "/aliases.csv"
      try "\(header),price\nb,2024-01-02,4,1.5\nb,2024-01-01,3,1.25\n".write(
        toFile: path, atomically: false, encoding: .utf8)
      let c = try SeriesCSV.read(path: path)
      XCTAssertEqual(c.series.map(\.id), ["b"])
      XCTAssertEqual(c.series[0].values, [3, 4])
      XCTAssertEqual(c.series[0].covariates, [[1.25, 1.5]])
      XCTAssertEqual(c.covariateNames, ["price"])
    }
  }

  func testRefuses_unparseableTimestamp() throws {
    try assertRefused(
      "series_id,timestamp,value\na,2024-01-01,1\na,01/02/2024,2\n",
      "PATH:3: series 'a': timestamp '01/02/2024' is not ISO-8601. "
        + "Write dates as 2024-03-01 or date-times as 2024-03-01T13:00:00Z.")
  }

  func testRefuses_duplicateTimestamp() throws {
    try assertRefused(
      "series_id,timestamp,value\na,2024-01-01,1\nb,2024-01-01,1\na,2024-01-01,2\n",
      "PATH: series 'a' has timestamp 2024-01-01 twice (lines 2 and 4). "
        + "Keep one row per series and timestamp.")
  }

  func testRefuses_nonNumericValue() throws {
    try assertRefused(
      "series_id,timestamp,value\na,2024-01-01,1\na,2024-01-02,n/a\n",
      "PATH:3: series 'a' at 2024-01-02: value 'n/a' is not a finite number. "
        + "Fix the value (write 0 for a period with nothing in it).")
  }

  func testRefuses_hexadecimalValueAndEmptySeriesID() throws {
    try assertRefused(
      "series_id,timestamp,value\na,2024-01-01,0x10\n",
      "PATH:2: series 'a' at 2024-01-01: value '0x10' is not a finite number. "
        + "Fix the value (write 0 for a period with nothing in it).")
    try assertRefused(
      "unique_id,ds,y\na,2024-01-01,1\n ,2024-01-02,2\n",
      "PATH:3: the unique_id is empty. Give every row the id of its series (any text; one id "
        + "per series).")
  }

  func testRefuses_nanValue() throws {
    try assertRefused(
      "series_id,timestamp,value,temp\na,2024-01-01,1,NaN\n",
      "PATH:2: series 'a' at 2024-01-01: temp 'NaN' is not a finite number. "
        + "Fix the value (write 0 for a period with nothing in it).")
  }

  func testRefuses_monthlyAndOtherSeparatorsWithTheirOwnMessage() throws {
    try assertRefused(
      "series_id,timestamp,value\na,2024-01-01,1\na,2024-02-01,2\na,2024-03-01,3\n",
      "PATH: series 'a' has one point per month; the toolkit forecasts series with a fixed "
        + "spacing (hourly, daily or weekly). Give daily or weekly values.")
    try assertRefused(
      "series_id;timestamp;value\na;2024-01-01;1\n",
      "PATH: the header is one column holding ';'; series CSVs are comma-separated. Save the "
        + "file with commas between fields.")
    try assertRefused(
      "series_id\ttimestamp\tvalue\na\t2024-01-01\t1\n",
      "PATH: the header is one column holding 'tab'; series CSVs are comma-separated. Save the "
        + "file with commas between fields.")
  }

  func testRefuses_irregularSpacing() throws {
    try assertRefused(
      "series_id,timestamp,value\na,2024-01-01,1\na,2024-01-02,1\nb,2024-01-01,1\n"
        + "b,2024-01-03,1\n",
      "PATH: series 'b' jumps from 2024-01-01 to 2024-01-03 (2 days), but its points are "
        + "1 day apart elsewhere. Fill the missing periods (0 where nothing happened); all "
        + "series must share one spacing.")
  }

  func testRefuses_wrongFieldCount() throws {
    try assertRefused(
      "series_id,timestamp,value\na,2024-01-01,1,7\n",
      "PATH:2: 4 fields, but the header has 3. "
        + "Give every row one value per column (quote fields that contain commas).")
  }

  func testRefuses_emptyAndMissingFile() throws {
    try assertRefused(
      "series_id,timestamp,value\n",
      "PATH: no data rows. A series CSV has a header line "
        + "'series_id,timestamp,value[,covariates...]' and one row per series and timestamp.")
    XCTAssertThrowsError(try SeriesCSV.read(path: directory + "/nope.csv")) {
      XCTAssertEqual(
        "\($0)",
        "\(self.directory)/nope.csv: cannot read the file (no such file). "
          + "Check the path and its permissions.")
    }
  }
}
