import Foundation
import Plumbing

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

/// Forecast's outputs (series and predictions CSV, JSON): written whole through Plumbing's
/// atomic output (temporary file beside the target, fsync, rename, fsync of the directory), so a
/// failure never leaves a half-written file (docs/formats.md).
public enum OutputFile {
  /// Writes `text` to `path` atomically and durably.
  ///
  /// - Throws: `OutputFileError.cannotWrite`; `path` then keeps what it held.
  public static func write(_ text: String, to path: String) throws {
    try write(Array(text.utf8), to: path)
  }

  /// Writes `data` to `path` atomically and durably.
  ///
  /// - Throws: `OutputFileError.cannotWrite`; `path` then keeps what it held.
  public static func write(_ data: Data, to path: String) throws {
    try write([UInt8](data), to: path)
  }

  private static func write(_ bytes: [UInt8], to path: String) throws {
    do {
      try AtomicOutput.write(bytes, to: path)
    } catch {
      throw OutputFileError.cannotWrite(path: path, reason: error.reason)
    }
  }
}
