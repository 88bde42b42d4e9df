import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why an output could not be written: the destination and what the system said. Modules wrap
/// it in their own error type; its `description` already names the path and the fix.
package struct AtomicOutputError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The destination (not the temporary file).
  package var path: String
  /// The failing operation and the system's reason: "rename: Permission denied".
  package var reason: String
  /// What to do, when it is not the usual "Check that the directory exists and is writable."
  package var fix: String?

  package init(path: String, reason: String, fix: String? = nil) {
    self.path = path
    self.reason = reason
    self.fix = fix
  }

  package var description: String {
    "\(path): cannot write (\(reason)). "
      + (fix ?? "Check that the directory exists and is writable.")
  }
}

/// One output file, written at a temporary path beside its destination
/// (`target.tmp-<random>`, same directory, so the rename cannot cross file systems) and made
/// durable and visible by `commit()`: fsync of the file, rename over `path`, fsync of the
/// directory. Until then nothing exists at `path`; `abandon()` (or deinit without a commit)
/// removes the temporary file. Readers never see a half-written file, and after `commit()`
/// returns the file survives a crash.
///
/// Several files that vouch for each other (a history and its ground truth) are committed
/// together with `AtomicOutput.commit(_:)`.
///
/// A `path` that is a symbolic link is written through: the file it resolves to (`target`) is
/// replaced, and the link stays (`AtomicOutput.destination(of:)`).
package final class AtomicFile {
  /// The destination, as the caller named it (messages name it).
  package let path: String
  /// Where the file lands: `path`, or what it resolves to when it is a symbolic link.
  package let target: String
  /// Where the bytes go until the commit.
  package let temporaryPath: String
  private var descriptor: Int32
  private var synced = false
  private var finished = false
  /// Where `InterruptCleanup` holds the temporary path (nil: not noted).
  private var interruptSlot: Int?
  /// Skip the fsyncs: the caller makes the file durable later with `AtomicOutput.sync(paths:)`
  /// (many files back to back), before anything relies on it surviving a power loss. The
  /// temporary name and the rename stay, so no reader ever sees a partial file.
  package var deferSync = false
  /// Bytes written so far.
  package private(set) var bytesWritten = 0

  /// Creates the temporary file beside `path`, or beside what it resolves to when it is a
  /// symbolic link (exclusively: never an existing file).
  ///
  /// - Throws: `AtomicOutputError` if it cannot be created (no directory, no permission), or
  ///   when `path` is, or resolves to, something other than a regular file.
  package init(path: String) throws(AtomicOutputError) {
    self.path = path
    if let problem = AtomicOutput.existingProblem(path, directory: false) {
      throw AtomicOutputError(path: path, reason: problem)
    }
    target = try AtomicOutput.destination(of: path)
    temporaryPath = AtomicOutput.temporaryPath(for: target)
    // Noted before it exists, so that no signal finds it unnoted (InterruptCleanup).
    interruptSlot = InterruptCleanup.note(temporaryPath)
    descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else {
      let reason = AtomicOutput.systemError()
      if let interruptSlot { InterruptCleanup.remove(interruptSlot) }
      throw AtomicOutputError(path: path, reason: reason)
    }
  }

  deinit { abandon() }

  /// Appends `bytes`.
  ///
  /// - Throws: `AtomicOutputError` (the file is then abandoned).
  package func write(_ bytes: UnsafeRawBufferPointer) throws(AtomicOutputError) {
    guard !finished, descriptor >= 0 else {
      throw AtomicOutputError(path: path, reason: "write after commit or abandon")
    }
    if let reason = AtomicOutput.writeAll(bytes, to: descriptor) {
      abandon()
      throw AtomicOutputError(path: path, reason: reason)
    }
    bytesWritten += bytes.count
  }

  /// Appends `bytes`.
  package func write(_ bytes: [UInt8]) throws(AtomicOutputError) {
    let result = bytes.withUnsafeBytes { raw in
      Result { () throws(AtomicOutputError) in try write(raw) }
    }
    try result.get()
  }

  /// Appends `text` as UTF-8.
  package func write(_ text: String) throws(AtomicOutputError) {
    try write(Array(text.utf8))
  }

  /// Flushes the file's bytes to disk and closes it (the first half of a commit; the file is
  /// still invisible at `path`).
  package func sync() throws(AtomicOutputError) {
    if synced { return }
    guard !finished, descriptor >= 0 else {
      throw AtomicOutputError(path: path, reason: "commit after commit or abandon")
    }
    if !deferSync && fsync(descriptor) != 0 {
      let reason = "fsync: " + AtomicOutput.systemError()
      abandon()
      throw AtomicOutputError(path: path, reason: reason)
    }
    if deferSync {
      // The fsync comes later, batched: start writing the bytes back now, so that the device
      // works while the caller computes, and the fsync finds them written or in flight. Only
      // advice: a file system without it (an error) waits for the fsync as before.
      AtomicOutput.startWriteback(descriptor)
    }
    let status = close(descriptor)
    descriptor = -1
    guard status == 0 else {
      let reason = "close: " + AtomicOutput.systemError()
      abandon()
      throw AtomicOutputError(path: path, reason: reason)
    }
    synced = true
  }

  /// Renames the synced file over `target` (the second half of a commit, before the directory
  /// sync).
  func publish() throws(AtomicOutputError) {
    try sync()
    guard rename(temporaryPath, target) == 0 else {
      let reason = "rename: " + AtomicOutput.systemError()
      abandon()
      throw AtomicOutputError(path: path, reason: reason)
    }
    finished = true
    forgetTemporary()
  }

  /// fsync of the file, rename over `path`, fsync of the directory: the file is then in place
  /// and durable.
  ///
  /// - Throws: `AtomicOutputError`; nothing is left at the temporary path, and `path` keeps what
  ///   it held before.
  package func commit() throws(AtomicOutputError) {
    try publish()
    if !deferSync { try AtomicOutput.syncDirectory(of: target, for: path) }
  }

  /// Closes and removes the temporary file; nothing is written at `path`. Safe to call twice.
  package func abandon() {
    if descriptor >= 0 {
      close(descriptor)
      descriptor = -1
    }
    if !finished {
      finished = true
      unlink(temporaryPath)
      forgetTemporary()
    }
  }

  private func forgetTemporary() {
    if let interruptSlot { InterruptCleanup.remove(interruptSlot) }
    interruptSlot = nil
  }
}

/// Atomic, durable output: the one way the package writes files (docs/style.md rule 14).
package enum AtomicOutput {
  /// Writes `bytes` to `path` atomically and durably (temporary file, fsync, rename, fsync of
  /// the directory).
  ///
  /// - Throws: `AtomicOutputError`; `path` then keeps what it held.
  /// With `durable: false` the fsyncs are left to a later `sync(paths:)`.
  package static func write(_ bytes: [UInt8], to path: String, durable: Bool = true)
    throws(AtomicOutputError)
  {
    let file = try AtomicFile(path: path)
    file.deferSync = !durable
    try file.write(bytes)
    try file.commit()
  }

  /// Writes `text` (UTF-8) to `path` atomically and durably (or, with `durable: false`, durable
  /// at a later `sync(paths:)`).
  package static func write(_ text: String, to path: String, durable: Bool = true)
    throws(AtomicOutputError)
  {
    try write(Array(text.utf8), to: path, durable: durable)
  }

  /// Writes `bytes` to `path`, a new file inside a directory no reader sees yet (the
  /// temporary directory `writeDirectory(at:)` hands to its `fill`, renamed into place as a
  /// whole): created exclusively, with no temporary name and no rename of its own, which the
  /// directory's rename makes unnecessary. Its writeback is started; its fsync is the caller's
  /// (`writeDirectory`'s, or a later `sync(paths:)`).
  ///
  /// - Throws: `AtomicOutputError`; nothing is then left at `path`.
  package static func writeInsideTemporary(_ bytes: UnsafeRawBufferPointer, to path: String)
    throws(AtomicOutputError)
  {
    // Noted before it exists, so that no signal finds it unnoted (InterruptCleanup).
    let slot = InterruptCleanup.note(path)
    defer { if let slot { InterruptCleanup.remove(slot) } }
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw AtomicOutputError(path: path, reason: systemError()) }
    let failure = writeAll(bytes, to: fd)
    if failure == nil { startWriteback(fd) }
    let closed = close(fd) == 0 ? nil : "close: " + systemError()
    if let reason = failure ?? closed {
      unlink(path)
      throw AtomicOutputError(path: path, reason: reason)
    }
  }

  /// `sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE)`: starts writing a file's dirty pages
  /// back without waiting (Linux). Does nothing where it is missing.
  static func startWriteback(_ descriptor: Int32) {
    _ = syncFileRange?(descriptor, 0, 0, 2)  // SYNC_FILE_RANGE_WRITE
  }

  private static let syncFileRange = cFunction(
    "sync_file_range", as: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)

  /// fsync of each path (files or directories): the batched form of the fsyncs that
  /// `durable: false` writes skipped (a path that no longer exists is skipped). Many paths are
  /// synced from a few threads at once (the device flushes them together); all are durable
  /// when it returns.
  package static func sync(paths: [String]) throws(AtomicOutputError) {
    let threads = paths.count >= 16 ? 4 : 1
    let failure = FirstFailure()
    let syncEvery: @Sendable (Int) -> Void = { k in
      for i in stride(from: k, to: paths.count, by: threads) {
        let path = paths[i]
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
          if errno == ENOENT { continue }
          failure.note(AtomicOutputError(path: path, reason: "open: " + systemError()))
          return
        }
        defer { close(fd) }
        // Some file systems refuse fsync on a directory (EINVAL).
        if fsync(fd) != 0 && errno != EINVAL {
          failure.note(AtomicOutputError(path: path, reason: "fsync: " + systemError()))
          return
        }
      }
    }
    if threads == 1 {
      syncEvery(0)
    } else {
      DispatchQueue.concurrentPerform(iterations: threads, execute: syncEvery)
    }
    if let error = failure.error { throw error }
  }

  /// The first error of concurrent work.
  private final class FirstFailure: @unchecked Sendable {
    private let lock = NSLock()
    private var first: AtomicOutputError?
    func note(_ error: AtomicOutputError) {
      lock.lock()
      defer { lock.unlock() }
      if first == nil { first = error }
    }
    var error: AtomicOutputError? {
      lock.lock()
      defer { lock.unlock() }
      return first
    }
  }

  /// Commits files that belong together: every one is flushed to disk first, then all are
  /// renamed into place in order, then their directories are synced. If any fails before the
  /// renames, none appears; the renames themselves follow each other back to back.
  ///
  /// - Throws: `AtomicOutputError` of the first failure; every file not yet renamed is
  ///   abandoned.
  package static func commit(_ files: [AtomicFile]) throws(AtomicOutputError) {
    do {
      for file in files { try file.sync() }
      for file in files { try file.publish() }
    } catch {
      for file in files { file.abandon() }
      throw error
    }
    var directories: [String] = []
    for file in files {
      let directory = directoryPath(of: file.target)
      if !directories.contains(directory) { directories.append(directory) }
    }
    for directory in directories { try syncDirectory(directory, for: files[0].path) }
  }

  /// Writes a whole directory atomically: `fill` writes into a fresh temporary directory beside
  /// `path` (its argument), every file in it is synced, and the directory is renamed into place.
  /// A directory already at `path` is replaced (moved aside, then removed). A `path` that is a
  /// symbolic link is written through: the directory it resolves to is replaced, the link stays.
  ///
  /// - Throws: `AtomicOutputError` (before `fill` runs when `path` is, or resolves to, something
  ///   other than a directory), or what `fill` throws; the temporary directory is then removed
  ///   and `path` keeps what it held.
  package static func writeDirectory(
    at path: String, durable: Bool = true, _ fill: (String) throws -> Void
  ) throws {
    if let problem = existingProblem(path, directory: true) {
      throw AtomicOutputError(path: path, reason: problem)
    }
    let target = try destination(of: path)
    let temporary = temporaryPath(for: target)
    guard mkdir(temporary, 0o755) == 0 else {
      throw AtomicOutputError(path: path, reason: "mkdir: " + systemError())
    }
    do {
      try fill(temporary)
      if durable { try syncTree(temporary, for: path) }
      var info = stat()
      var aside: String?
      if lstat(target, &info) == 0 {
        guard (info.st_mode & S_IFMT) == S_IFDIR else {
          throw AtomicOutputError(path: path, reason: "it exists and is not a directory")
        }
        let old = temporaryPath(for: target) + ".old"
        guard rename(target, old) == 0 else {
          throw AtomicOutputError(path: path, reason: "rename: " + systemError())
        }
        aside = old
      }
      guard rename(temporary, target) == 0 else {
        let reason = "rename: " + systemError()
        if let aside { _ = rename(aside, target) }
        throw AtomicOutputError(path: path, reason: reason)
      }
      if durable { try syncDirectory(of: target, for: path) }
      if let aside { try? FileManager.default.removeItem(atPath: aside) }
    } catch {
      try? FileManager.default.removeItem(atPath: temporary)
      throw error
    }
  }

  /// A fresh temporary name beside `path`: `path.tmp-<8 random base-36 digits>`.
  package static func temporaryPath(for path: String) -> String {
    var suffix = ""
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<8 { suffix += String(generator.next() % 36, radix: 36) }
    return path + ".tmp-" + suffix
  }

  /// The directory holding `path` ("." for a bare name).
  static func directoryPath(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// fsync of the directory holding `path`, so a rename in it survives a crash (errors name
  /// `given`, the path as the caller named it).
  static func syncDirectory(of path: String, for given: String) throws(AtomicOutputError) {
    try syncDirectory(directoryPath(of: path), for: given)
  }

  private static func syncDirectory(_ directory: String, for path: String)
    throws(AtomicOutputError)
  {
    let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    guard fd >= 0 else {
      throw AtomicOutputError(path: path, reason: "open \(directory): " + systemError())
    }
    defer { close(fd) }
    // Some file systems refuse fsync on a directory (EINVAL); the rename is then as durable as
    // they make it.
    if fsync(fd) != 0 && errno != EINVAL {
      throw AtomicOutputError(path: path, reason: "fsync \(directory): " + systemError())
    }
  }

  /// fsync of every regular file below `directory`, then of every directory, deepest first.
  private static func syncTree(_ directory: String, for path: String) throws(AtomicOutputError) {
    var files: [String] = []
    var directories = [directory]
    if let items = FileManager.default.enumerator(atPath: directory) {
      for case let item as String in items {
        let full = directory + "/" + item
        var info = stat()
        guard lstat(full, &info) == 0 else { continue }
        switch info.st_mode & S_IFMT {
        case S_IFREG: files.append(full)
        case S_IFDIR: directories.append(full)
        default: break
        }
      }
    }
    for file in files {
      let fd = open(file, O_RDONLY | O_CLOEXEC)
      guard fd >= 0 else {
        throw AtomicOutputError(path: path, reason: "open \(file): " + systemError())
      }
      let status = fsync(fd)
      close(fd)
      guard status == 0 else {
        throw AtomicOutputError(path: path, reason: "fsync \(file): " + systemError())
      }
    }
    for d in directories.reversed() {
      let fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
      guard fd >= 0 else { continue }
      _ = fsync(fd)
      close(fd)
    }
  }

  /// The C library's message for `errno`.
  package static func systemError() -> String {
    String(cString: strerror(errno))
  }

  /// Writes all of `bytes` to `descriptor` (again after a short write or EINTR).
  ///
  /// - Returns: the system's reason when a write fails, nil when all were written.
  static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> String? {
    guard let base = bytes.baseAddress else { return nil }
    var done = 0
    while done < bytes.count {
      let n = Glibc.write(descriptor, base + done, bytes.count - done)
      if n < 0 {
        if errno == EINTR { continue }
        return systemError()
      }
      done += n
    }
    return nil
  }
}
