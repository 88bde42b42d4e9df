import Foundation
import Plumbing
import XCTest

final class AtomicOutputTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "atomic-output-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  private func contents(_ path: String) -> String? {
    FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
  }

  private func entries() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
  }

  func testWrite_replacesTheFileAndLeavesNoTemporary() throws {
    let path = directory + "/out.csv"
    try AtomicOutput.write("old\n", to: path)
    try AtomicOutput.write("new\n", to: path)
    XCTAssertEqual(contents(path), "new\n")
    XCTAssertEqual(try entries(), ["out.csv"])
  }

  func testFile_invisibleUntilCommitAndGoneWhenAbandoned() throws {
    let path = directory + "/a.bin"
    let file = try AtomicFile(path: path)
    try file.write([1, 2, 3])
    XCTAssertNil(contents(path))
    XCTAssertEqual(file.bytesWritten, 3)
    file.abandon()
    XCTAssertEqual(try entries(), [])
    do {
      let dropped = try AtomicFile(path: path)
      try dropped.write("x")
    }  // dropped without a commit: deinit removes it
    XCTAssertEqual(try entries(), [])
  }

  func testCommit_groupAppearsTogether() throws {
    let a = try AtomicFile(path: directory + "/history.avro")
    let b = try AtomicFile(path: directory + "/history.anomalies.csv")
    try a.write("events")
    try b.write("truth")
    XCTAssertEqual(try entries().count, 2)  // two temporaries
    XCTAssertNil(contents(directory + "/history.avro"))
    try AtomicOutput.commit([b, a])
    XCTAssertEqual(try entries(), ["history.anomalies.csv", "history.avro"])
    XCTAssertEqual(contents(directory + "/history.avro"), "events")
  }

  func testWrite_missingDirectoryNamesThePathAndTheFix() {
    let path = directory + "/no/such/out.csv"
    XCTAssertThrowsError(try AtomicOutput.write("x", to: path)) {
      XCTAssertEqual(
        "\($0)",
        "\(path): cannot write (No such file or directory). Check that the directory exists "
          + "and is writable.")
    }
  }

  func testWriteDirectory_replacesAWholeDirectory() throws {
    let path = directory + "/report"
    try AtomicOutput.writeDirectory(at: path) { tmp in
      try AtomicOutput.write("one", to: tmp + "/index.html")
      try AtomicOutput.write("stale", to: tmp + "/old.svg")
    }
    try AtomicOutput.writeDirectory(at: path) { tmp in
      try FileManager.default.createDirectory(
        atPath: tmp + "/charts", withIntermediateDirectories: false)
      try AtomicOutput.write("two", to: tmp + "/index.html")
      try AtomicOutput.write("<svg/>", to: tmp + "/charts/a.svg")
    }
    XCTAssertEqual(contents(path + "/index.html"), "two")
    XCTAssertEqual(contents(path + "/charts/a.svg"), "<svg/>")
    XCTAssertNil(contents(path + "/old.svg"))
    XCTAssertEqual(try entries(), ["report"])
  }

  func testWriteDirectory_failureKeepsWhatWasThere() throws {
    struct Stop: Error {}
    let path = directory + "/report"
    try AtomicOutput.writeDirectory(at: path) { tmp in
      try AtomicOutput.write("kept", to: tmp + "/index.html")
    }
    XCTAssertThrowsError(
      try AtomicOutput.writeDirectory(at: path) { tmp in
        try AtomicOutput.write("half", to: tmp + "/index.html")
        throw Stop()
      })
    XCTAssertEqual(contents(path + "/index.html"), "kept")
    XCTAssertEqual(try entries(), ["report"])
  }
}
