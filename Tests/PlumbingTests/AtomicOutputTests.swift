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

  // MARK: - Symbolic links

  func testWrite_throughASymlinkReplacesTheTargetAndKeepsTheLink() throws {
    try FileManager.default.createDirectory(
      atPath: directory + "/real", withIntermediateDirectories: false)
    try AtomicOutput.write("old\n", to: directory + "/real/target.csv")
    let link = directory + "/link.csv"
    XCTAssertEqual(symlink("real/target.csv", link), 0)
    try AtomicOutput.checkWritable(link)
    try AtomicOutput.write("new\n", to: link)
    XCTAssertEqual(
      try FileManager.default.destinationOfSymbolicLink(atPath: link), "real/target.csv")
    XCTAssertEqual(contents(directory + "/real/target.csv"), "new\n")
    XCTAssertEqual(try entries(), ["link.csv", "real"])
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: directory + "/real"), ["target.csv"])
  }

  func testWrite_throughADanglingSymlinkCreatesItsTarget() throws {
    let link = directory + "/link.csv"
    XCTAssertEqual(symlink("new.csv", link), 0)
    try AtomicOutput.checkWritable(link)
    try AtomicOutput.write("made\n", to: link)
    XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "new.csv")
    XCTAssertEqual(contents(directory + "/new.csv"), "made\n")
    XCTAssertEqual(try entries(), ["link.csv", "new.csv"])
  }

  func testCheckWritable_danglingSymlinkWithoutItsDirectoryNamesBoth() throws {
    let link = directory + "/link.csv"
    XCTAssertEqual(symlink("missing/new.csv", link), 0)
    let expected =
      "\(link): cannot write (it is a symbolic link to \(directory)/missing/new.csv, whose "
      + "directory \(directory)/missing does not exist). Create \(directory)/missing, or pass "
      + "another path."
    XCTAssertThrowsError(try AtomicOutput.checkWritable(link)) {
      XCTAssertEqual("\($0)", expected)
    }
    XCTAssertThrowsError(try AtomicOutput.write("x", to: link)) {
      XCTAssertEqual("\($0)", expected)
    }
    XCTAssertEqual(try entries(), ["link.csv"])
  }

  func testCheckWritable_symlinkToADeviceOrADirectoryIsRefused() throws {
    let device = directory + "/null.csv"
    XCTAssertEqual(symlink("/dev/null", device), 0)
    let refusal =
      "\(device): cannot write (it exists and is not a regular file). Check that the directory "
      + "exists and is writable."
    XCTAssertThrowsError(try AtomicOutput.checkWritable(device)) {
      XCTAssertEqual("\($0)", refusal)
    }
    XCTAssertThrowsError(try AtomicFile(path: device)) { XCTAssertEqual("\($0)", refusal) }
    let folder = directory + "/folder.csv"
    XCTAssertEqual(symlink(".", folder), 0)
    XCTAssertThrowsError(try AtomicOutput.write("x", to: folder)) {
      XCTAssertEqual(
        "\($0)",
        "\(folder): cannot write (it is a directory, not a file). Check that the directory "
          + "exists and is writable.")
    }
    XCTAssertEqual(try entries(), ["folder.csv", "null.csv"])
  }

  func testWriteDirectory_throughASymlinkReplacesTheTargetDirectory() throws {
    let real = directory + "/real"
    try AtomicOutput.writeDirectory(at: real) { tmp in
      try AtomicOutput.write("one", to: tmp + "/index.html")
    }
    let link = directory + "/report"
    XCTAssertEqual(symlink("real", link), 0)
    try AtomicOutput.writeDirectory(at: link) { tmp in
      try AtomicOutput.write("two", to: tmp + "/index.html")
    }
    XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: link), "real")
    XCTAssertEqual(contents(real + "/index.html"), "two")
    XCTAssertEqual(try entries(), ["real", "report"])
    // A link to a file is refused before the contents are made.
    let file = directory + "/file"
    try AtomicOutput.write("x", to: file)
    let toFile = directory + "/to-file"
    XCTAssertEqual(symlink("file", toFile), 0)
    var filled = false
    XCTAssertThrowsError(try AtomicOutput.writeDirectory(at: toFile) { _ in filled = true }) {
      XCTAssertEqual(
        "\($0)",
        "\(toFile): cannot write (it exists and is not a directory). Check that the directory "
          + "exists and is writable.")
    }
    XCTAssertFalse(filled)
    XCTAssertEqual(contents(file), "x")
  }

  // MARK: - Name lengths

  func testCheckWritable_nameTooLongForTheTemporaryNameSaysTheLimit() throws {
    // 243 + 13 (".tmp-" and 8 digits) = 256 > 255, the NAME_MAX of Linux file systems.
    let name = String(repeating: "a", count: 243)
    XCTAssertThrowsError(try AtomicOutput.checkWritable(directory + "/" + name)) {
      XCTAssertEqual(
        "\($0)",
        "\(Quoted.clipped(directory + "/" + name)): cannot write (the file name is 243 bytes "
          + "long; with the 13-byte temporary suffix it exceeds the file system's limit of 255 "
          + "bytes (NAME_MAX)). Pass a file name of at most 242 bytes.")
    }
    try AtomicOutput.checkWritable(directory + "/" + name.dropLast())
    XCTAssertEqual(try entries(), [])
  }

  func testCheckWritable_pathTooLongSaysTheLimit() throws {
    let deep = directory + String(repeating: "/b", count: 2_050)
    XCTAssertThrowsError(try AtomicOutput.checkWritable(deep)) {
      XCTAssertEqual(
        "\($0)",
        "\(Quoted.clipped(deep)): cannot write (the path is \(deep.utf8.count) bytes long; with "
          + "the 13-byte temporary suffix it reaches the system's limit of 4096 bytes "
          + "(PATH_MAX)). Pass a path of at most 4082 bytes.")
    }
  }

  // MARK: - Same file

  func testSameFile_outputsAndInputsCompareByFileNotBySpelling() throws {
    let history = directory + "/h.avro"
    try AtomicOutput.write("events", to: history)
    let hardLink = directory + "/hard.avro"
    XCTAssertEqual(link(history, hardLink), 0)
    let inputs = [NamedPath("the history", history)]
    // An existing output: device and inode, whatever the path.
    XCTAssertEqual(
      SameFile.first(outputs: [NamedPath("--out", hardLink)], inputs: inputs),
      SameFile(
        output: NamedPath("--out", hardLink), other: inputs[0], otherIsInput: true, inside: nil))
    // Outputs that do not exist yet: the resolved path.
    let a = NamedPath("--out", directory + "/p.csv")
    let b = NamedPath("--plot", directory + "/./x/../p.csv")
    XCTAssertEqual(
      SameFile.first(outputs: [a, b], inputs: inputs),
      SameFile(output: a, other: b, otherIsInput: false, inside: nil))
    // A file of an input directory.
    let folder = NamedPath("the history", directory)
    XCTAssertEqual(
      SameFile.first(outputs: [NamedPath("--out", history)], inputs: [folder]),
      SameFile(
        output: NamedPath("--out", history), other: folder, otherIsInput: true, inside: "h.avro"))
    XCTAssertNil(
      SameFile.first(
        outputs: [a, NamedPath("--plot", directory + "/p.svg")], inputs: inputs + [folder]))
  }
}
