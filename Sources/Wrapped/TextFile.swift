#if canImport(Glibc)
import Glibc
#endif

/// Reads a small UTF-8 text file whole, refusing directories, devices and files over a limit.
enum TextFile {
  struct Failure: Error {
    var reason: String
  }

  static func read(_ path: String, limit: Int) throws(Failure) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw Failure(reason: String(cString: strerror(errno))) }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw Failure(reason: String(cString: strerror(errno))) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      throw Failure(reason: info.st_mode & S_IFMT == S_IFDIR ? "a directory" : "not a regular file")
    }
    guard info.st_size <= limit else {
      throw Failure(reason: "\(info.st_size) bytes, more than \(limit)")
    }
    var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeMutableBytes { buffer -> Int in
        guard let base = buffer.baseAddress else { return 0 }
        return Glibc.read(fd, base + offset, buffer.count - offset)
      }
      guard n > 0 else { throw Failure(reason: String(cString: strerror(errno))) }
      offset += n
    }
    guard let text = String(validating: bytes, as: UTF8.self) else {
      throw Failure(reason: "not UTF-8 text")
    }
    return text
  }
}
