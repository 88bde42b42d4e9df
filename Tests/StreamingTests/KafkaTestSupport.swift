import Foundation

/// A `forecast` process started by a test: run to the end, or in the background and killed.
final class ForecastProcess: @unchecked Sendable {
  let process = Process()
  private let out = Pipe()
  private let err = Pipe()
  private var outData = Data()
  private var errData = Data()
  private let reading = DispatchGroup()

  /// The built `forecast` executable beside the test bundle.
  static var executable: URL {
    var url = Bundle.main.bundleURL
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
      url = bundle.bundleURL.deletingLastPathComponent()
    }
    return url.appendingPathComponent("forecast")
  }

  /// Starts `forecast arguments` in `directory` with extra `environment` variables.
  init(_ arguments: [String], in directory: String, environment: [String: String] = [:]) throws {
    process.executableURL = Self.executable
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    var merged = ProcessInfo.processInfo.environment
    for (key, value) in environment { merged[key] = value }
    process.environment = merged
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let (o, e) = (out.fileHandleForReading, err.fileHandleForReading)
    DispatchQueue.global().async(group: reading) { [self] in outData = o.readDataToEndOfFile() }
    DispatchQueue.global().async(group: reading) { [self] in errData = e.readDataToEndOfFile() }
  }

  /// Waits for the end; returns (status, stdout, stderr).
  func wait() -> (status: Int32, stdout: String, stderr: String) {
    process.waitUntilExit()
    reading.wait()
    return (
      process.terminationStatus, String(decoding: outData, as: UTF8.self),
      String(decoding: errData, as: UTF8.self)
    )
  }

  func signal(_ s: Int32) { kill(process.processIdentifier, s) }

  /// Runs to the end.
  static func run(
    _ arguments: [String], in directory: String, environment: [String: String] = [:]
  ) throws -> (status: Int32, stdout: String, stderr: String) {
    try ForecastProcess(arguments, in: directory, environment: environment).wait()
  }
}

/// Every regular file below `root` (relative path → bytes).
func fileTree(_ root: String) -> [String: Data] {
  var files: [String: Data] = [:]
  guard let items = FileManager.default.enumerator(atPath: root) else { return files }
  for case let item as String in items {
    var isDirectory: ObjCBool = false
    let path = root + "/" + item
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory),
      !isDirectory.boolValue
    {
      files[item] = FileManager.default.contents(atPath: path)
    }
  }
  return files
}
