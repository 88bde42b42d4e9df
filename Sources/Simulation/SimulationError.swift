import Plumbing

/// Everything a user can get wrong when simulating: flags, catalogue and gazetteer files, output.
/// Each message names the file or flag, the place, and what to do.
public enum SimulationError: Error, CustomStringConvertible, Equatable {
  /// A configuration value is out of range (`flag` is the command-line spelling).
  case invalidConfiguration(flag: String, value: String, expected: String)
  /// A file could not be read.
  case unreadableFile(path: String, reason: String)
  /// The CSV header lacks a column the loader needs.
  case missingColumn(path: String, column: String, accepted: [String], header: [String])
  /// A record has a different number of fields than the header.
  case wrongFieldCount(path: String, line: Int, expected: Int, found: Int)
  /// A field holds a value that cannot be read.
  case badValue(path: String, line: Int, column: String, value: String, expected: String)
  /// The CSV is not valid CSV (unterminated quote, bad encoding, …).
  case malformedCSV(path: String, reason: String)
  /// The file has a header but no usable rows.
  case empty(path: String, what: String)
  /// The output could not be written.
  case unwritableOutput(path: String, reason: String)
  /// The run would need more memory than the process may allocate.
  case notEnoughMemory(accounts: Double, neededBytes: Double, availableBytes: Double)

  public var description: String {
    switch self {
    case .invalidConfiguration(let flag, let value, let expected):
      return "\(flag) \(value) is out of range: expected \(expected). Please pass a value in range."
    case .unreadableFile(let path, let reason):
      return "\(path): cannot read the file (\(reason)). Check the path and its permissions."
    case .missingColumn(let path, let column, let accepted, let header):
      return "\(path), line 1: no \(column) column (accepted names: "
        + accepted.map { "\"\($0)\"" }.joined(separator: ", ") + "; the header has "
        + header.map { "\"\($0)\"" }.joined(separator: ", ")
        + "). Add the column or rename the header to one of the accepted names."
    case .wrongFieldCount(let path, let line, let expected, let found):
      return "\(path), line \(line): \(found) fields where the header has \(expected). "
        + "Quote fields that contain commas (\"Earth, Wind & Fire\") and check the line."
    case .badValue(let path, let line, let column, let value, let expected):
      return
        "\(path), line \(line), column \(column): \(Quoted(value, mark: "\"")) is not \(expected). "
        + "Fix the value or remove the line."
    case .malformedCSV(let path, let reason):
      return "\(path): not valid CSV (\(reason)). Save the file as UTF-8 CSV with a header line."
    case .empty(let path, let what):
      return "\(path): no \(what) found after the header. Add at least one data line."
    case .unwritableOutput(let path, let reason):
      return "\(path): cannot write the output (\(reason)). Check that the directory exists "
        + "and is writable."
    case .notEnoughMemory(let accounts, let needed, let available):
      func gigabytes(_ bytes: Double) -> String {
        let tenths = (bytes / 1e8).rounded()
        return "\(Int(tenths) / 10).\(Int(tenths) % 10) GB"
      }
      return "simulating about \(Int(accounts.rounded())) accounts (--users, and those who "
        + "join over --days) needs about \(gigabytes(needed)) of memory, but this process may "
        + "allocate only \(gigabytes(available)) (free memory, ulimit and cgroup limits). "
        + "Please pass fewer --users or --days, or free memory."
    }
  }
}
