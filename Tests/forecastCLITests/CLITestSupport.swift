import Foundation

/// What one run of the `forecast` executable returned.
struct ForecastRun {
  var status: Int32
  var stdout: String
  var stderr: String
}

/// The built `forecast` executable beside the test bundle.
var forecastExecutable: URL {
  var url = Bundle.main.bundleURL
  for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
    url = bundle.bundleURL.deletingLastPathComponent()
  }
  return url.appendingPathComponent("forecast")
}

/// Runs `forecast` with `arguments` in `directory`, with extra `environment` variables (a nil
/// value removes one), and collects its exit status and output.
func runForecast(
  _ arguments: [String], in directory: String, environment: [String: String?] = [:]
) throws -> ForecastRun {
  let process = Process()
  process.executableURL = forecastExecutable
  process.arguments = arguments
  process.currentDirectoryURL = URL(fileURLWithPath: directory)
  if !environment.isEmpty {
    var merged = ProcessInfo.processInfo.environment
    for (key, value) in environment { merged[key] = value }
    process.environment = merged
  }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return ForecastRun(
    status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
    stderr: String(decoding: errData, as: UTF8.self))
}
