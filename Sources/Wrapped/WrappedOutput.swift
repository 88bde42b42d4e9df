import Events
import Plumbing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checks `forecast wrapped` and `forecast anomalies` make on their output paths before any
/// work, and their writes through the package's one atomic output (`Plumbing.AtomicOutput`:
/// temporary file or directory, fsync, rename, directory fsync).
public enum WrappedOutput {
  /// Writes `files` (name → text) as directory `path`, atomically.
  ///
  /// - Parameters:
  ///   - files: names and contents.
  ///   - path: the directory to create or replace.
  ///   - replaceable: the file names an existing directory at `path` may hold to be replaced
  ///     (an earlier run's output); any other file makes the call refuse, so a user's own
  ///     directory is never removed.
  /// - Throws: `WrappedError` naming the path and the fix.
  public static func writeDirectory(
    _ files: [WrappedFile], to path: String, replaceable: Set<String>
  ) throws(WrappedError) {
    try writeDirectory(files, to: path, replaceable: replaceable, durable: true)
  }

  /// `writeDirectory` whose fsyncs, with `durable: false`, are left to a later
  /// `AtomicOutput.sync(paths:)` (callers that batch durability, such as the Kafka consumer).
  package static func writeDirectory(
    _ files: [WrappedFile], to path: String, replaceable: Set<String>,
    durable: Bool
  ) throws(WrappedError) {
    try checkDirectory(path, replaceable: replaceable)
    do {
      try AtomicOutput.writeDirectory(at: trimmed(path), durable: durable) { temporary in
        for file in files {
          try file.bytes.withUnsafeBytes { bytes in
            try AtomicOutput.writeInsideTemporary(bytes, to: temporary + "/" + file.name)
          }
        }
      }
    } catch let error as AtomicOutputError {
      throw .cannotWrite(path: path, reason: error.reason)
    } catch {
      throw .cannotWrite(path: path, reason: "\(error)")
    }
  }

  /// Writes `text` to file `path` atomically.
  public static func writeFile(_ text: String, to path: String) throws(WrappedError) {
    try checkFile(path)
    do {
      try AtomicOutput.write(text, to: path)
    } catch {
      throw .cannotWrite(path: path, reason: error.reason)
    }
  }

  /// Checks that file `path` could be written: its directory exists and is writable, and it
  /// is not a directory.
  public static func checkFile(_ path: String) throws(WrappedError) {
    guard !path.isEmpty else { throw .cannotWrite(path: "\"\"", reason: "an empty path") }
    var info = stat()
    if stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
      throw .cannotWrite(path: path, reason: "it is a directory")
    }
    try checkParent(of: path)
  }

  /// Checks that directory `path` could be written: its parent exists and is writable, and it
  /// is absent or a directory holding only `replaceable` files.
  public static func checkDirectory(_ path: String, replaceable: Set<String>) throws(WrappedError) {
    let target = trimmed(path)
    guard !target.isEmpty else { throw .cannotWrite(path: "\"\"", reason: "an empty path") }
    var info = stat()
    if stat(target, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFDIR else { throw .outputNotDirectory(path: target) }
      if let other = try entries(of: target).first(where: { !replaceable.contains($0) }) {
        throw .outputHoldsOtherFiles(path: target, example: other)
      }
    }
    try checkParent(of: target)
  }

  private static func trimmed(_ path: String) -> String {
    path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
  }

  private static func checkParent(of path: String) throws(WrappedError) {
    let target = trimmed(path)
    let parent = target.split(separator: "/", omittingEmptySubsequences: false).dropLast()
      .joined(separator: "/")
    let directory = parent.isEmpty ? (target.hasPrefix("/") ? "/" : ".") : parent
    var info = stat()
    guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
      throw .cannotWrite(path: target, reason: "\(directory) is not a directory")
    }
    guard access(directory, W_OK) == 0 else {
      throw .cannotWrite(path: target, reason: "\(directory) is not writable")
    }
  }

  private static func entries(of directory: String) throws(WrappedError) -> [String] {
    do {
      return try directoryEntries(directory)
    } catch {
      throw .cannotWrite(path: directory, reason: error.reason)
    }
  }
}

/// The names in `directory` (without `.` and `..`), sorted by bytes.
func directoryEntries(_ directory: String) throws(TextFile.Failure) -> [String] {
  guard let names = directoryNames(directory) else {
    throw TextFile.Failure(reason: String(cString: strerror(errno)))
  }
  return names
}
