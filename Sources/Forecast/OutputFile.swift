import Foundation
import Plumbing

/// Why an output file could not be written.
public enum OutputFileError: Error, CustomStringConvertible, Equatable {
  case cannotWrite(path: String, reason: String)
  /// Refused before any work, with a fix of its own (a name too long for the file system).
  case refused(path: String, reason: String, fix: String)

  public var description: String {
    switch self {
    case .cannotWrite(let path, let reason):
      return "\(path): cannot write the output (\(reason)). Check that the directory exists "
        + "and is writable."
    case .refused(let path, let reason, let fix):
      return "\(path): cannot write the output (\(reason)). \(fix)"
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

  /// Writes several files that belong together (a forecast and its chart): every one is
  /// written to its temporary file and synced first, then all are renamed into place, so either
  /// all appear or none changes.
  ///
  /// - Parameter files: each file's text and path.
  /// - Throws: `OutputFileError.cannotWrite` naming the file that failed; every path then keeps
  ///   what it held.
  public static func write(_ files: [(text: String, path: String)]) throws {
    var atomic: [AtomicFile] = []
    do throws(AtomicOutputError) {
      for file in files {
        let output = try AtomicFile(path: file.path)
        atomic.append(output)
        try output.write(file.text)
      }
      try AtomicOutput.commit(atomic)
    } catch {
      for output in atomic { output.abandon() }
      throw OutputFileError.cannotWrite(path: error.path, reason: error.reason)
    }
  }

  private static func write(_ bytes: [UInt8], to path: String) throws {
    do {
      try AtomicOutput.write(bytes, to: path)
    } catch {
      throw OutputFileError.cannotWrite(path: path, reason: error.reason)
    }
  }
}
