import Foundation
import XCTest

@testable import Report

/// Bad inputs: one message naming the file and what is wrong.
final class ReportInputTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "report-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  func testWrapped_missingFilesAreNamed() throws {
    for name in ["top_songs.csv", "users.csv", "artists.csv"] {
      try FileManager.default.copyItem(
        atPath: fixtures + "/wrapped/" + name, toPath: directory + "/" + name)
    }
    XCTAssertThrowsError(try WrappedOutput(directory: directory)) { error in
      XCTAssertEqual(
        "\(error)",
        "\(directory): not a complete forecast wrapped output: top_artists.csv, top_genres.csv, "
          + "artist_cities.csv, summary.json are missing. Run forecast wrapped HISTORY --out "
          + "\(directory) again, or pass the directory it wrote.")
    }
  }

  /// `wrapped --skip-missing` leaves out the outputs a missing field prevents and lists them in
  /// summary.json: the report reads them as empty and says so, while a file missing without
  /// being listed is still refused.
  func testWrapped_outputsSkippedBySkipMissingAreReadAsEmpty() throws {
    for name in WrappedOutput.fileNames where name != "artists.csv" && name != "summary.json" {
      try FileManager.default.copyItem(
        atPath: fixtures + "/wrapped/" + name, toPath: directory + "/" + name)
    }
    let summary = try String(contentsOfFile: fixtures + "/wrapped/summary.json", encoding: .utf8)
    let listed = summary.replacingOccurrences(
      of: "\"outputs_skipped\":[]",
      with: "\"outputs_skipped\":[{\"file\":\"artists.csv\",\"reason\":\"no latitude\"}]")
    XCTAssertNotEqual(listed, summary)
    try listed.write(toFile: directory + "/summary.json", atomically: false, encoding: .utf8)
    let w = try WrappedOutput(directory: directory)
    XCTAssertEqual(w.artistPlaces, [])
    XCTAssertEqual(w.skipped.map(\.file), ["artists.csv"])
    XCTAssertFalse(w.topSongs.isEmpty)
    XCTAssertTrue(
      WrappedSection.html(w).contains(
        "Not written by <code>wrapped --skip-missing</code> (shown empty): artists.csv "
          + "(no latitude)."))
    try FileManager.default.removeItem(atPath: directory + "/users.csv")
    XCTAssertThrowsError(try WrappedOutput(directory: directory)) { error in
      XCTAssertTrue("\(error)".contains("users.csv is missing"), "\(error)")
    }
  }

  func testWrapped_anotherLayoutIsRefused() throws {
    for name in WrappedOutput.fileNames {
      try FileManager.default.copyItem(
        atPath: fixtures + "/wrapped/" + name, toPath: directory + "/" + name)
    }
    let path = directory + "/top_genres.csv"
    try "scope,rank,genre,streams\nworld,1,pop,3\n".write(
      toFile: path, atomically: false, encoding: .utf8)
    XCTAssertThrowsError(try WrappedOutput(directory: directory)) { error in
      XCTAssertEqual(
        "\(error)",
        "\(path): the header is \"scope,rank,genre,streams\", expected "
          + "\"scope_type,scope,rank,item,artist,streams,listeners,minutes,share\". Pass the file "
          + "forecast wrote in that layout.")
    }
    try
      "scope_type,scope,rank,item,artist,streams,listeners,minutes,share\nworld,world,1,pop,,many,3,1,0.5\n"
      .write(toFile: path, atomically: false, encoding: .utf8)
    XCTAssertThrowsError(try WrappedOutput(directory: directory)) { error in
      XCTAssertEqual(
        "\(error)",
        "\(path), line 2: streams is \"many\", not a number. Pass the file as forecast wrote it.")
    }
  }

  func testAnomalies_anotherLayoutIsRefused() throws {
    let path = directory + "/anomalies.csv"
    try "user_id,kind,detail\n4,bot,always on\n".write(
      toFile: path, atomically: false, encoding: .utf8)
    XCTAssertThrowsError(try AnomalyOutput(path: path)) { error in
      XCTAssertEqual(
        "\(error)",
        "\(path): the header is \"user_id,kind,detail\", expected "
          + "\"user_id,score,kind,first_day,last_day,evidence\". Pass the file forecast wrote in "
          + "that layout.")
    }
  }

  func testModel_thatDoesNotFitTheHistoryIsRefused() throws {
    let model = repositoryRoot + "/models/weekly-engagement.safetensors"
    let csv = directory + "/series.csv"
    try "series_id,timestamp,value\na,2024-01-01,1\n".write(
      toFile: csv, atomically: false, encoding: .utf8)
    XCTAssertThrowsError(try ModelSummary(path: model, history: nil, csv: csv)) { error in
      XCTAssertEqual(
        "\(error)",
        "\(model): the model forecasts weekly-engagement series, but the history gives csv. "
          + "Pass an Avro history instead of --csv (the model makes its weekly-engagement "
          + "series from the events), or use a model trained on csv.")
    }
  }

  func testCSV_quotedFieldsAndLines() throws {
    let path = directory + "/q.csv"
    try "a,b\n\"x, y\",\"say \"\"hi\"\"\"\n\n\"two\nlines\",3\r\n".write(
      toFile: path, atomically: false, encoding: .utf8)
    let table = try CSVTable(path: path, expected: ["a", "b"])
    XCTAssertEqual(table.rows.map(\.line), [2, 4])
    XCTAssertEqual(table.rows.map(\.fields), [["x, y", "say \"hi\""], ["two\nlines", "3"]])
    try "a,b\n1,2,3\n".write(toFile: path, atomically: false, encoding: .utf8)
    XCTAssertThrowsError(try CSVTable(path: path, expected: ["a", "b"])) { error in
      XCTAssertEqual(
        "\(error)",
        "\(path), line 2: 3 fields, but the header has 2. Pass the file as forecast wrote it.")
    }
  }
}
