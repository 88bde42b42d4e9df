#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a set of files as one directory, atomically: into a temporary directory beside the
/// target (each file fsynced), then renamed into place (an earlier output directory is
/// replaced whole) and the parent directory fsynced. A failure leaves nothing behind.
public enum AtomicOutput {
  /// Writes `files` (name → text) as directory `path`.
  ///
  /// - Parameters:
  ///   - files: names and contents.
  ///   - path: the directory to create or replace.
  ///   - replaceable: the file names an existing directory at `path` may hold to be replaced
  ///     (an earlier run's output); any other file makes the call refuse.
  /// - Throws: `WrappedError` naming the path and the fix.
  public static func writeDirectory(
    _ files: [(name: String, text: String)], to path: String, replaceable: Set<String>
  ) throws(WrappedError) {
    let target = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    guard !target.isEmpty else { throw .cannotWrite(path: "\"\"", reason: "an empty path") }
    var info = stat()
    let exists = stat(target, &info) == 0
    if exists {
      guard info.st_mode & S_IFMT == S_IFDIR else { throw .outputNotDirectory(path: target) }
      if let other = try entries(of: target).first(where: { !replaceable.contains($0) }) {
        throw .outputHoldsOtherFiles(path: target, example: other)
      }
    }
    let parentPath = parent(of: target)
    let temporary = "\(target).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    guard mkdir(temporary, 0o755) == 0 else {
      throw .cannotWrite(path: target, reason: errorText())
    }
    do throws(WrappedError) {
      for file in files { try writeFile(temporary + "/" + file.name, file.text) }
      try sync(temporary)
      if exists {
        let old = "\(target).old-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard rename(target, old) == 0 else {
          throw .cannotWrite(path: target, reason: errorText())
        }
        guard rename(temporary, target) == 0 else {
          let reason = errorText()
          _ = rename(old, target)
          throw .cannotWrite(path: target, reason: reason)
        }
        removeTree(old)
      } else {
        guard rename(temporary, target) == 0 else {
          throw .cannotWrite(path: target, reason: errorText())
        }
      }
      try sync(parentPath)
    } catch {
      removeTree(temporary)
      throw error
    }
  }

  /// Writes `text` to file `path` atomically: a temporary file beside it, fsynced, renamed over
  /// it, then the directory fsynced.
  public static func writeFile(_ text: String, to path: String) throws(WrappedError) {
    guard !path.isEmpty else { throw .cannotWrite(path: "\"\"", reason: "an empty path") }
    var info = stat()
    if stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
      throw .cannotWrite(path: path, reason: "it is a directory")
    }
    let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    do throws(WrappedError) {
      try writeFile(temporary, text)
      guard rename(temporary, path) == 0 else {
        throw .cannotWrite(path: path, reason: errorText())
      }
    } catch {
      unlink(temporary)
      throw error
    }
    try sync(parent(of: path))
  }

  /// Checks before any work that file `path` could be written (its directory exists and is
  /// writable; it is not a directory).
  public static func checkFile(_ path: String) throws(WrappedError) {
    guard !path.isEmpty else { throw .cannotWrite(path: "\"\"", reason: "an empty path") }
    var info = stat()
    if stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR {
      throw .cannotWrite(path: path, reason: "it is a directory")
    }
    let dir = parent(of: path)
    guard stat(dir, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
      throw .cannotWrite(path: path, reason: "\(dir) is not a directory")
    }
    guard access(dir, W_OK) == 0 else {
      throw .cannotWrite(path: path, reason: "\(dir) is not writable")
    }
  }

  static func parent(of path: String) -> String {
    let target = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    let parent = target.split(separator: "/", omittingEmptySubsequences: false).dropLast()
      .joined(separator: "/")
    return parent.isEmpty ? (target.hasPrefix("/") ? "/" : ".") : parent
  }

  /// Checks before any work that `path` could be written: its parent exists and is a writable
  /// directory, and `path` is absent or a directory of replaceable files.
  public static func check(_ path: String, replaceable: Set<String>) throws(WrappedError) {
    let target = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    guard !target.isEmpty else { throw .cannotWrite(path: "\"\"", reason: "an empty path") }
    var info = stat()
    if stat(target, &info) == 0 {
      guard info.st_mode & S_IFMT == S_IFDIR else { throw .outputNotDirectory(path: target) }
      if let other = try entries(of: target).first(where: { !replaceable.contains($0) }) {
        throw .outputHoldsOtherFiles(path: target, example: other)
      }
    }
    let parentPath = parent(of: target)
    guard stat(parentPath, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
      throw .cannotWrite(path: target, reason: "\(parentPath) is not a directory")
    }
    guard access(parentPath, W_OK) == 0 else {
      throw .cannotWrite(path: target, reason: "\(parentPath) is not writable")
    }
  }

  private static func errorText() -> String { String(cString: strerror(errno)) }

  private static func entries(of directory: String) throws(WrappedError) -> [String] {
    guard let dir = opendir(directory) else {
      throw .cannotWrite(path: directory, reason: errorText())
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names.sorted()
  }

  private static func writeFile(_ path: String, _ text: String) throws(WrappedError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { throw .cannotWrite(path: path, reason: errorText()) }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes { buffer -> Int in
        guard let base = buffer.baseAddress else { return 0 }
        return Glibc.write(fd, base + offset, buffer.count - offset)
      }
      guard n > 0 else { throw .cannotWrite(path: path, reason: errorText()) }
      offset += n
    }
    guard fsync(fd) == 0 else { throw .cannotWrite(path: path, reason: errorText()) }
  }

  private static func sync(_ directory: String) throws(WrappedError) {
    let fd = open(directory, O_RDONLY | O_DIRECTORY)
    guard fd >= 0 else { throw .cannotWrite(path: directory, reason: errorText()) }
    defer { close(fd) }
    _ = fsync(fd)
  }

  private static func removeTree(_ directory: String) {
    if let dir = opendir(directory) {
      while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
          $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != "." && name != ".." { unlink(directory + "/" + name) }
      }
      closedir(dir)
    }
    rmdir(directory)
  }
}
