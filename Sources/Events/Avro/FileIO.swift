#if canImport(Glibc)
import Glibc
#endif

/// A file opened for reading with positioned reads (no shared offset: blocks are read by index).
final class ReadableFile: @unchecked Sendable {
  let path: String
  let descriptor: Int32
  let size: Int

  init(path: String) throws(AvroReadError) {
    self.path = path
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw .cannotRead(path: path, reason: systemError()) }
    var info = stat()
    guard fstat(fd, &info) == 0 else {
      let reason = systemError()
      close(fd)
      throw .cannotRead(path: path, reason: reason)
    }
    if (info.st_mode & S_IFMT) == S_IFDIR {
      close(fd)
      throw .cannotRead(path: path, reason: "it is a directory")
    }
    // A device (/dev/zero: "empty" by its size, endless by its reads), pipe or socket has no
    // size to read blocks by.
    if (info.st_mode & S_IFMT) != S_IFREG {
      close(fd)
      let kind = (info.st_mode & S_IFMT) == S_IFCHR || (info.st_mode & S_IFMT) == S_IFBLK
      throw .cannotRead(
        path: path,
        reason: kind ? "it is a device, not a file" : "it is a pipe or socket, not a file")
    }
    descriptor = fd
    size = Int(info.st_size)
    #if os(Linux)
    _ = posix_fadvise(fd, 0, 0, Int32(POSIX_FADV_SEQUENTIAL))
    #endif
  }

  deinit { close(descriptor) }

  /// Reads `count` bytes at `offset` into `buffer[0..<count]` (resizing it if needed); returns
  /// the bytes read (fewer only at the end of the file).
  func read(at offset: Int, count: Int, into buffer: inout [UInt8]) throws(AvroReadError) -> Int {
    if buffer.count < count { buffer = [UInt8](repeating: 0, count: count) }
    var done = 0
    var failure: String?
    buffer.withUnsafeMutableBytes { raw in
      guard let base = raw.baseAddress else { return }
      while done < count {
        let n = pread(descriptor, base + done, count - done, off_t(offset + done))
        if n < 0 {
          if errno == EINTR { continue }
          failure = systemError()
          return
        }
        if n == 0 { break }
        done += n
      }
    }
    if let failure { throw .cannotRead(path: path, reason: failure) }
    return done
  }
}

func systemError() -> String {
  String(cString: strerror(errno))
}

/// Why a file could not be written.
public enum AvroWriteError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The file (or its temporary file) could not be created, written or renamed.
  case cannotWrite(path: String, reason: String)
  /// A value does not fit the file's schema.
  case invalidValue(path: String, AvroEncodingError)
  /// An argument is out of range (sync marker not 16 bytes, block size below 1, …).
  case invalidArgument(path: String, reason: String)
  /// `write` or `finish` after `finish()` or `abandon()`.
  case closed(path: String)

  public var description: String {
    switch self {
    case .cannotWrite(let path, let reason):
      return "\(path): cannot write (\(reason)). Check that the directory exists and is writable."
    case .invalidValue(let path, let error):
      return "\(path): \(error)"
    case .invalidArgument(let path, let reason):
      return "\(path): \(reason)."
    case .closed(let path):
      return "\(path): the writer is already finished or abandoned; create a new writer."
    }
  }
}
