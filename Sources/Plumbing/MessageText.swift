#if canImport(Glibc)
import Glibc
#endif

/// A value a user controls, quoted for a message: in single quotes, control characters escaped,
/// and at most `Quoted.limit` characters, then "…" and the value's length in bytes — a 100 MB
/// field is named, never printed. Every error type of the package quotes values through it.
package struct Quoted: CustomStringConvertible, Sendable {
  /// The most characters shown.
  package static let limit = 80
  private let text: String

  /// Quotes `value` between `mark`s (a single quote by default).
  package init(_ value: some StringProtocol, mark: Unicode.Scalar = "'") {
    text = Quoted.render(
      value.utf8.count, value.unicodeScalars.prefix(Quoted.limit + 1), mark: mark)
  }

  /// Quotes `bytes` read as UTF-8 (invalid bytes shown as U+FFFD).
  package init(bytes: some Collection<UInt8>, mark: Unicode.Scalar = "'") {
    // Decode only the head: a long value costs nothing beyond it.
    let head = String(decoding: bytes.prefix(4 * (Quoted.limit + 1)), as: UTF8.self)
    text = Quoted.render(bytes.count, head.unicodeScalars.prefix(Quoted.limit + 1), mark: mark)
  }

  private static func render(
    _ byteCount: Int, _ head: some Collection<Unicode.Scalar>, mark: Unicode.Scalar
  ) -> String {
    var out = String(mark)
    for scalar in head.prefix(limit) {
      switch scalar {
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case mark: out += "\\" + String(mark)
      default:
        if scalar.value < 0x20 || scalar.value == 0x7F {
          out += "\\u{" + String(scalar.value, radix: 16) + "}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    if head.count > limit { out += "…" }
    out.unicodeScalars.append(mark)
    if head.count > limit { out += " (\(byteCount) bytes)" }
    return out
  }

  package var description: String { text }

  /// `value` as it is when it has at most `limit` characters, else its first `limit`, "…" and
  /// its length: for messages that show a value without quotes (`--map user_id=uid: …`).
  package static func clipped(_ value: some StringProtocol) -> String {
    let head = value.unicodeScalars.prefix(limit + 1)
    guard head.count > limit else { return String(value) }
    var out = ""
    out.unicodeScalars.append(contentsOf: head.prefix(limit))
    return out + "… (\(value.utf8.count) bytes)"
  }
}

/// What a path a user named as an input is, when it is not a readable regular file: the real
/// reason for a message ("it is a directory", "it is a device, not a file"), never Foundation's
/// internal text.
package enum InputPath {
  /// Nil for a regular file that can be opened for reading; else the reason, e.g. "no such
  /// file", "it is a directory", "it is a device, not a file", "it is a pipe or socket, not a
  /// file", "permission denied".
  package static func problem(_ path: String) -> String? {
    if path.isEmpty { return "the path is empty" }
    var info = stat()
    guard stat(path, &info) == 0 else { return systemReason(errno) }
    switch info.st_mode & S_IFMT {
    case S_IFREG: break
    case S_IFDIR: return "it is a directory, not a file"
    case S_IFCHR, S_IFBLK: return "it is a device, not a file"
    case S_IFIFO, S_IFSOCK: return "it is a pipe or socket, not a file"
    default: return "it is not a regular file"
    }
    guard access(path, R_OK) == 0 else { return systemReason(errno) }
    return nil
  }

  /// The C library's reason for `code`, in lower case where it is one of the common ones.
  package static func systemReason(_ code: Int32) -> String {
    switch code {
    case ENOENT: return "no such file"
    case EACCES, EPERM: return "permission denied"
    case ENOTDIR: return "a part of the path is not a directory"
    case EISDIR: return "it is a directory, not a file"
    case ENAMETOOLONG: return "the path is too long"
    default: return String(cString: strerror(code))
    }
  }
}
