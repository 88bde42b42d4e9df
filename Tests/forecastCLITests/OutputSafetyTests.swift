import Foundation
import XCTest

/// Output paths through the real executable: an output that is an input or another output is
/// refused before any work (exit 64) and every file is left as it was; a symbolic link is
/// written through; a name too long for the file system is refused before training; the files
/// of one command appear together or not at all.
final class OutputSafetyTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "forecast-outputs-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  private func path(_ name: String) -> String { directory + "/" + name }

  private var root: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
  }

  private func entries() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
  }

  private func contents(_ name: String) -> Data? {
    FileManager.default.contents(atPath: path(name))
  }

  /// A daily series CSV of 20 points.
  private func seriesCSV(_ name: String) throws -> String {
    let rows = (1...20).map { String(format: "a,2024-01-%02d,%d\n", $0, 10 + $0 % 7) }
    try Data(("series_id,timestamp,value\n" + rows.joined()).utf8).write(
      to: URL(fileURLWithPath: path(name)))
    return path(name)
  }

  func testOutputSafety_outputThatIsAnInputOrAnotherOutputIsRefused() throws {
    let history = path("h.avro")
    try Data("events".utf8).write(to: URL(fileURLWithPath: history))
    let csv = try seriesCSV("b.csv")
    let model = path("m.safetensors")
    try FileManager.default.copyItem(
      atPath: root.appendingPathComponent("models/daily-sessions.safetensors").path, toPath: model)
    let archive = path("archive")
    try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: false)
    try Data("day".utf8).write(to: URL(fileURLWithPath: archive + "/day.avro"))
    let before = try entries()
    let saved = before.map { contents($0) }
    let cases: [(arguments: [String], message: String)] = [
      (
        ["series", history, "--out", history],
        "Error: --out \(history) is also the history this command reads; please write the output "
          + "elsewhere."
      ),
      (
        ["series", archive, "--out", archive + "/day.avro"],
        "--out \(archive)/day.avro is also day.avro of the history \(archive), which this "
          + "command reads; please write the output elsewhere."
      ),
      (
        ["train", "--csv", csv, "--epochs", "1", "--out", csv],
        "--out \(csv) is also the --csv file this command reads; please write the output "
          + "elsewhere."
      ),
      (
        ["predict", "--model", model, "--csv", csv, "--out", model],
        "--out \(model) is also the --model file this command reads; please write the output "
          + "elsewhere."
      ),
      (
        ["anomalies", history, "--out", history],
        "Error: --out \(history) is also the history this command reads; please write the output "
          + "elsewhere."
      ),
      (
        ["predict", "--model", model, history, "--out", path("p.csv"), "--plot", "./p.csv"],
        "--out \(path("p.csv")) and --plot ./p.csv are the same file; please write each output "
          + "to a file of its own."
      ),
      (
        [
          "simulate", "--users", "3", "--days", "2", "--out", "s.avro", "--write-catalog", "s.avro",
        ],
        "--out s.avro and --write-catalog s.avro are the same file; please write each output to "
          + "a file of its own."
      ),
      (
        [
          "evaluate", "--model", model, "--csv", csv, "--out",
          directory + "/../"
            + URL(fileURLWithPath: directory).lastPathComponent + "/b.csv",
        ], "is also the --csv file this command reads"
      ),
      (
        ["report", "--csv", csv, "--model", model, "--out", model],
        "--out \(model) is also the --model file this command reads"
      ),
    ]
    for c in cases {
      let run = try runForecast(c.arguments, in: directory)
      let shown = c.arguments.joined(separator: " ")
      XCTAssertEqual(run.status, 64, "\(shown)\n\(run.stderr)")
      XCTAssertTrue(run.stderr.contains(c.message), "\(shown)\n\(run.stderr)")
      XCTAssertEqual(try entries(), before, shown)
      XCTAssertEqual(before.map { contents($0) }, saved, shown)
    }
  }

  func testOutputSafety_symlinkedOutputReplacesItsTargetAndKeepsTheLink() throws {
    let csv = try seriesCSV("in.csv")
    try FileManager.default.createDirectory(
      atPath: path("real"), withIntermediateDirectories: false)
    try Data("old\n".utf8).write(to: URL(fileURLWithPath: path("real/target.csv")))
    XCTAssertEqual(symlink("real/target.csv", path("link.csv")), 0)
    let run = try runForecast(["series", "--csv", csv, "--out", "link.csv"], in: directory)
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertEqual(
      try FileManager.default.destinationOfSymbolicLink(atPath: path("link.csv")),
      "real/target.csv")
    let written = String(decoding: contents("real/target.csv") ?? Data(), as: UTF8.self)
    XCTAssertTrue(written.hasPrefix("series_id,timestamp,value\na,2024-01-01,11\n"), written)
    XCTAssertEqual(try entries(), ["in.csv", "link.csv", "real"])
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: path("real")), ["target.csv"])
    // A link to a device is refused before any work, and stays a link.
    XCTAssertEqual(symlink("/dev/null", path("null.csv")), 0)
    let refused = try runForecast(["series", "--csv", csv, "--out", "null.csv"], in: directory)
    XCTAssertEqual(refused.status, 1, refused.stderr)
    XCTAssertEqual(
      refused.stderr,
      "Error: null.csv: cannot write the output (it exists and is not a regular file). Check "
        + "that the directory exists and is writable.\n")
    XCTAssertEqual(
      try FileManager.default.destinationOfSymbolicLink(atPath: path("null.csv")), "/dev/null")
    // A dangling link whose target's directory is missing: refused before any work, naming both.
    XCTAssertEqual(symlink("missing/w", path("w")), 0)
    for command in [["wrapped", csv, "--out", "w"], ["series", "--csv", csv, "--out", "w"]] {
      let dangling = try runForecast(command, in: directory)
      XCTAssertEqual(dangling.status, 1, dangling.stderr)
      XCTAssertEqual(
        dangling.stderr,
        "Error: w: cannot write the output (it is a symbolic link to missing/w, whose directory "
          + "missing does not exist). Create missing, or pass another path.\n")
    }
    XCTAssertEqual(try entries(), ["in.csv", "link.csv", "null.csv", "real", "w"])
  }

  func testOutputSafety_nameTooLongIsRefusedBeforeTraining() throws {
    let csv = try seriesCSV("in.csv")
    let name = String(repeating: "a", count: 300) + ".safetensors"
    let run = try runForecast(["train", "--csv", csv, "--out", name], in: directory)
    XCTAssertEqual(run.status, 1, run.stderr)
    XCTAssertEqual(
      run.stderr,
      "Error: \(String(repeating: "a", count: 80))… (312 bytes): cannot write the output (the "
        + "file name is 312 bytes long; with the 13-byte temporary suffix it exceeds the file "
        + "system's limit of 255 bytes (NAME_MAX)). Pass a file name of at most 242 bytes.\n")
    XCTAssertEqual(try entries(), ["in.csv"])
    // A directory's temporary names add 17 bytes (".tmp-" and 8 digits, then ".old").
    let folder = String(repeating: "w", count: 239)
    let wrapped = try runForecast(["wrapped", csv, "--out", folder], in: directory)
    XCTAssertEqual(wrapped.status, 1, wrapped.stderr)
    XCTAssertEqual(
      wrapped.stderr,
      "Error: \(String(repeating: "w", count: 80))… (239 bytes): cannot write the output (the "
        + "file name is 239 bytes long; with the 17-byte temporary suffix it exceeds the file "
        + "system's limit of 255 bytes (NAME_MAX)). Pass a file name of at most 238 bytes.\n")
    XCTAssertEqual(try entries(), ["in.csv"])
  }

  /// `predict --out --plot` where the chart cannot be written (a file-size limit of 2 KB or
  /// 4 KB, depending on the shell's block unit: the CSV is 661 bytes, the SVG about 15 KB):
  /// neither file changes. Without the limit both appear.
  func testOutputSafety_predictWritesTheForecastAndTheChartTogether() throws {
    try Data("old\n".utf8).write(to: URL(fileURLWithPath: path("p.csv")))
    let arguments = [
      "predict", "--model", root.appendingPathComponent("models/daily-sessions.safetensors").path,
      root.appendingPathComponent("notebooks-data/history.avro").path, "--out", "p.csv",
      "--plot", "p.svg",
    ]
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    // An ignored SIGXFSZ stays ignored across exec: the write then fails with EFBIG.
    process.arguments =
      ["-c", "ulimit -f 4; trap '' XFSZ; exec \"$0\" \"$@\"", forecastExecutable.path]
      + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let err = Pipe()
    process.standardError = err
    process.standardOutput = Pipe()
    try process.run()
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 1, stderr)
    XCTAssertTrue(
      stderr.hasSuffix(
        "Error: p.svg: cannot write the output (File too large). Check that the directory "
          + "exists and is writable.\n"), stderr)
    XCTAssertEqual(contents("p.csv"), Data("old\n".utf8))
    XCTAssertEqual(try entries(), ["p.csv"])
    let run = try runForecast(arguments, in: directory)
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertEqual(
      run.stdout, "chart written to p.svg\nwrote 1 series × 14 steps to p.csv\n")
    XCTAssertEqual(try entries(), ["p.csv", "p.svg"])
    XCTAssertNotEqual(contents("p.csv"), Data("old\n".utf8))
  }

  /// SIGINT or SIGTERM while `simulate` writes (the default run takes minutes in a debug
  /// build): the process ends by the signal and leaves no temporary file.
  func testOutputSafety_interruptedSimulateLeavesNoTemporary() throws {
    for signalNumber in [SIGINT, SIGTERM] {
      let process = Process()
      process.executableURL = forecastExecutable
      process.arguments = ["simulate", "--out", "s.avro", "--threads", "1"]
      process.currentDirectoryURL = URL(fileURLWithPath: directory)
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      let deadline = Date().addingTimeInterval(60)
      while try !entries().contains(where: { $0.contains(".tmp-") }) && Date() < deadline {
        usleep(10_000)
      }
      XCTAssertTrue(try entries().contains(where: { $0.contains(".tmp-") }), "no temporary")
      kill(process.processIdentifier, signalNumber)
      process.waitUntilExit()
      XCTAssertEqual(process.terminationReason, .uncaughtSignal)
      XCTAssertEqual(process.terminationStatus, signalNumber)
      XCTAssertEqual(try entries(), [])
    }
  }
}
