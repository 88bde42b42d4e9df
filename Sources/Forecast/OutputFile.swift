import Foundation

/// Why an output file could not be written.
public enum OutputFileError: Error, CustomStringConvertible, Equatable {
  case cannotWrite(path: String, reason: String)

  public var description: String {
    switch self {
    case .cannotWrite(let path, let reason):
      return "\(path): cannot write the output (\(reason)). Check that the directory exists "
        + "and is writable."
    }
  }
}

/// Output written whole to a temporary file beside the target, then renamed over it, so a
/// failure never leaves a half-written file (docs/formats.md).
public enum OutputFile {
  /// Writes `text` to `path` atomically.
  public static func write(_ text: String, to path: String) throws {
    try write(Data(text.utf8), to: path)
  }

  /// Writes `data` to `path` atomically.
  public static func write(_ data: Data, to path: String) throws {
    let temporary = temporaryPath(for: path)
    do {
      try data.write(to: URL(fileURLWithPath: temporary))
      try commit(temporary, to: path)
    } catch let error as OutputFileError {
      throw error
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw OutputFileError.cannotWrite(path: path, reason: reason(error))
    }
  }

  /// A fresh temporary name beside `path`.
  public static func temporaryPath(for path: String) -> String {
    "\(path).tmp-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))"
  }

  /// Renames `temporary` over `path` (removing the temporary file on failure).
  public static func commit(_ temporary: String, to path: String) throws {
    if rename(temporary, path) != 0 {
      let message = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: temporary)
      throw OutputFileError.cannotWrite(path: path, reason: message)
    }
  }

  private static func reason(_ error: Error) -> String {
    let ns = error as NSError
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError,
      let posix = POSIXErrorCode(rawValue: Int32(underlying.code))
    {
      return String(cString: strerror(posix.rawValue))
    }
    return ns.localizedDescription
  }
}
