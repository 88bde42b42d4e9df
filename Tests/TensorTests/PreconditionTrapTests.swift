import Tensor
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// End to end: a mismatched shape really stops the process, and its message (printed by the
/// runtime to standard error) is the text the `…Violation` functions return. Each case runs the
/// bad call in a child process: this test binary re-run with a filter that selects
/// `testTrap_child` and an environment variable that names the case.
final class PreconditionTrapTests: XCTestCase {
  static let caseVariable = "FORECAST_TENSOR_TRAP_CASE"

  /// The bad calls, by name. Only the child process runs them.
  static let cases: [String: @Sendable () -> Void] = [
    "gemm": {
      let a = Tensor<Float>(zeros: [2, 3])
      let b = Tensor<Float>(zeros: [4, 5])
      var c = Tensor<Float>(zeros: [2, 5])
      gemm(a, b, into: &c)
    },
    "add": {
      var c = Tensor<Double>(zeros: [2, 3])
      add(Tensor<Double>(zeros: [2, 3]), Tensor<Double>(zeros: [3, 2]), into: &c)
    },
    "rows": { _ = Tensor<Float>(zeros: [4, 3]).rows(2..<5) },
  ]

  func testTrap_child() throws {
    guard let name = getenv(Self.caseVariable).map({ String(cString: $0) }) else {
      throw XCTSkip("runs only as the child of the testTrap_… tests")
    }
    Self.cases[name]?()
    XCTFail("\(name) did not stop")
  }

  /// Runs case `name` in a child process; returns its exit status and standard error.
  func runChild(_ name: String) throws -> (status: Int32, stderr: String) {
    let output = "/tmp/forecast-tensor-trap-\(getpid())-\(name)"
    addTeardownBlock { unlink(output) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 2, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let arguments = ["/proc/self/exe", "TensorTests.PreconditionTrapTests/testTrap_child"]
    // No backtrace: the runtime's message line is all the test reads.
    var environment: [String] = ["\(Self.caseVariable)=\(name)", "SWIFT_BACKTRACE=enable=no"]
    var entry = environ
    while let pointer = entry.pointee {
      let line = String(cString: pointer)
      if !line.hasPrefix("SWIFT_BACKTRACE=") { environment.append(line) }
      entry += 1
    }
    let cArguments = arguments.map { strdup($0) } + [nil]
    let cEnvironment = environment.map { strdup($0) } + [nil]
    defer {
      for p in cArguments { free(p) }
      for p in cEnvironment { free(p) }
    }
    var pid: pid_t = 0
    guard posix_spawn(&pid, "/proc/self/exe", &actions, nil, cArguments, cEnvironment) == 0 else {
      throw XCTSkip("cannot start a child process")
    }
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    guard let file = fopen(output, "r") else { return (status, "") }
    defer { fclose(file) }
    var text = ""
    var buffer = [CChar](repeating: 0, count: 4096)
    while fgets(&buffer, Int32(buffer.count), file) != nil {
      text += String(
        decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    return (status, text)
  }

  func assertStops(
    _ name: String, saying message: String?, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    let message = try XCTUnwrap(message, file: file, line: line)
    let (status, stderr) = try runChild(name)
    XCTAssertNotEqual(status, 0, "the child exited normally", file: file, line: line)
    XCTAssertTrue(
      stderr.contains("Fatal error: " + message), "stderr was: \(stderr)", file: file, line: line)
  }

  func testTrap_gemmStopsWithItsMessage() throws {
    try assertStops(
      "gemm",
      saying: gemmShapeViolation(
        a: [2, 3], b: [4, 5], c: [2, 5], transposeA: false, transposeB: false))
  }

  func testTrap_addStopsWithItsMessage() throws {
    try assertStops("add", saying: shapeMismatch("add", "b", expected: [2, 3], got: [3, 2]))
  }

  func testTrap_rowsStopsWithItsMessage() throws {
    try assertStops(
      "rows", saying: Tensor<Float>(zeros: [4, 3]).rowRangeViolation(2..<5, "Tensor.rows"))
  }
}
