#if canImport(Glibc)
import Glibc
#endif

/// The checks a command makes on its output paths before any work, and where a write through a
/// symbolic link lands.
extension AtomicOutput {
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
  static func checkLength(_ path: String, suffix: Int, for given: String? = nil)
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
  static func checkNameLength(
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
}
