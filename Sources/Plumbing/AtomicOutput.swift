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
    guard let base = bytes.baseAddress else { return }
    var done = 0
    while done < bytes.count {
      let n = Glibc.write(descriptor, base + done, bytes.count - done)
      if n < 0 {
        if errno == EINTR { continue }
        let reason = AtomicOutput.systemError()
        abandon()
        throw AtomicOutputError(path: path, reason: reason)
      }
      done += n
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

  /// Checks, before any work, that `path` can be written: not empty, not a directory, nor a
  /// device, pipe or socket (also through a symbolic link), in a directory that exists and is
  /// writable, with a name the file system takes once the temporary suffix is added (NAME_MAX,
  /// PATH_MAX). A command calls it for every output it will write before it reads, trains or
  /// simulates for minutes.
  ///
  /// - Throws: `AtomicOutputError` with the real reason.
  package static func checkWritable(_ path: String) throws(AtomicOutputError) {
    func fail(_ reason: String, fix: String? = nil) -> AtomicOutputError {
      AtomicOutputError(path: path.isEmpty ? "''" : path, reason: reason, fix: fix)
    }
    guard !path.isEmpty else { throw fail("the path is empty; pass a file name") }
    guard !path.hasSuffix("/") else { throw fail("the path names a directory, not a file") }
    try checkLength(path, suffix: temporarySuffixLength)
    if let problem = existingProblem(path, directory: false) { throw fail(problem) }
    let target = try destination(of: path)
    if target != path { try checkLength(target, suffix: temporarySuffixLength, for: path) }
    var info = stat()
    let directory = directoryPath(of: target)
    guard stat(directory, &info) == 0 else {
      throw fail("the directory \(directory) does not exist")
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      throw fail("\(directory) is not a directory")
    }
    guard access(directory, W_OK | X_OK) == 0 else {
      throw fail("the directory \(directory) is not writable")
    }
    try checkNameLength(target, in: directory, suffix: temporarySuffixLength, for: path)
  }

  /// Checks, before any work, that the directory `writeDirectory(at:)` will write at `path`
  /// has a name the file system takes once its temporary suffixes are added (".tmp-" and 8
  /// digits, and ".old" for the directory it replaces: NAME_MAX), a path within PATH_MAX, and,
  /// when it is a dangling symbolic link, a target whose directory exists.
  ///
  /// - Throws: `AtomicOutputError` with the length, the limit and the fix.
  package static func checkDirectoryPath(_ path: String) throws(AtomicOutputError) {
    let suffix = temporarySuffixLength + 4
    let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    try checkLength(trimmed, suffix: suffix, for: path)
    let target = try destination(of: trimmed)
    if target != trimmed { try checkLength(target, suffix: suffix, for: path) }
    let directory = directoryPath(of: target)
    var info = stat()
    guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return }
    try checkNameLength(target, in: directory, suffix: suffix, for: path)
  }

  /// The bytes `temporaryPath(for:)` adds: ".tmp-" and 8 digits.
  package static let temporarySuffixLength = 13

  /// Refuses a path longer than PATH_MAX once `suffix` bytes are added.
  private static func checkLength(_ path: String, suffix: Int, for given: String? = nil)
    throws(AtomicOutputError)
  {
    let limit = Int(PATH_MAX)
    let length = path.utf8.count
    guard length + suffix >= limit else { return }
    let shown = Quoted.clipped(given ?? path)
    throw AtomicOutputError(
      path: shown,
      reason: "the path is \(length) bytes long; with the \(suffix)-byte temporary suffix it "
        + "reaches the system's limit of \(limit) bytes (PATH_MAX)",
      fix: "Pass a path of at most \(limit - 1 - suffix) bytes.")
  }

  /// Refuses a final component longer than the file system's NAME_MAX once `suffix` bytes are
  /// added (the temporary name beside the file is that long).
  private static func checkNameLength(
    _ path: String, in directory: String, suffix: Int, for given: String
  ) throws(AtomicOutputError) {
    let name = path.split(separator: "/", omittingEmptySubsequences: true).last ?? ""
    let reported = pathconf(directory, Int32(_PC_NAME_MAX))
    let limit = reported > 0 ? reported : Int(NAME_MAX)
    let length = name.utf8.count
    guard length + suffix > limit else { return }
    throw AtomicOutputError(
      path: Quoted.clipped(given),
      reason: "the file name is \(length) bytes long; with the \(suffix)-byte temporary "
        + "suffix it exceeds the file system's limit of \(limit) bytes (NAME_MAX)",
      fix: "Pass a file name of at most \(limit - suffix) bytes.")
  }

  /// Why an existing `path` (followed through symbolic links) cannot be replaced by a file
  /// (`directory: false`) or a directory (`directory: true`); nil when it is absent or of the
  /// right kind.
  static func existingProblem(_ path: String, directory: Bool) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return directory ? "it exists and is not a directory" : nil
    case S_IFDIR: return directory ? nil : "it is a directory, not a file"
    default:
      return directory ? "it exists and is not a directory" : "it exists and is not a regular file"
    }
  }

  /// Where a write to `path` lands: `path` itself, or, when it is a symbolic link, the path it
  /// resolves to (followed link by link; a dangling link's target when the directory of that
  /// target exists), so that the rename replaces the target and keeps the link.
  ///
  /// - Throws: `AtomicOutputError` for a dangling link whose target's directory is missing,
  ///   or a loop of links.
  package static func destination(of path: String) throws(AtomicOutputError) -> String {
    var current = path
    for _ in 0..<40 {
      var info = stat()
      guard lstat(current, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK else {
        if current != path {
          let directory = directoryPath(of: current)
          guard stat(directory, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else {
            throw AtomicOutputError(
              path: path,
              reason: "it is a symbolic link to \(current), whose directory \(directory) does "
                + "not exist",
              fix: "Create \(directory), or pass another path.")
          }
        }
        return current
      }
      if stat(current, &info) == 0, let real = realpath(current, nil) {
        defer { free(real) }
        return String(cString: real)
      }
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let n = readlink(current, &buffer, Int(PATH_MAX))
      guard n > 0 else {
        throw AtomicOutputError(path: path, reason: "readlink \(current): " + systemError())
      }
      let link = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      let directory = directoryPath(of: current)
      current = link.hasPrefix("/") || directory == "." ? link : directory + "/" + link
    }
    throw AtomicOutputError(
      path: path, reason: "too many levels of symbolic links",
      fix: "Pass a path that is not a loop of symbolic links.")
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
}
