import Foundation
import XCTest

/// `simulate` estimates its peak memory from the accounts it will create and refuses, before
/// allocating, a run the process could not hold (it used to stop with a runtime trap when an
/// allocation failed, leaving its temporary file behind).
final class SimulateMemoryTests: XCTestCase {
  func testSimulate_refusesARunLargerThanTheMemoryItMayAllocate() throws {
    let directory = NSTemporaryDirectory() + "/simulate-memory-\(getpid())"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    // 2,000,000 KB of address space; ten million users need about 4.6 GB.
    process.arguments = [
      "-c", "ulimit -v 2000000 && exec \"$0\" simulate --users 10000000 --days 1 --out big.avro",
      forecastExecutable.path,
    ]
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let stderr = String(
      decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 1, stderr)
    XCTAssertTrue(
      stderr.hasPrefix(
        "Error: simulating about 10012329 accounts (--users, and those who join over --days) "
          + "needs about 4.6 GB of memory, but this process may allocate only "),
      stderr)
    XCTAssertTrue(
      stderr.contains("Please pass fewer --users or --days, or free memory."), stderr)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [])
  }
}
