import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A file a command names: how the command line names it (`--out`, "the history") and its path.
package struct NamedPath: Sendable, Equatable {
  /// The flag, or a phrase for a positional argument.
  package var name: String
  /// The path as given.
  package var path: String

  package init(_ name: String, _ path: String) {
    self.name = name
    self.path = path
  }
}

/// Two paths a command was given that are one file: two outputs, or an output and an input
/// (`inside` is the input directory when the output is one of its files).
package struct SameFile: Sendable, Equatable {
  /// The output.
  package var output: NamedPath
  /// The other output, or the input.
  package var other: NamedPath
  /// Whether `other` is an input (else an output).
  package var otherIsInput: Bool
  /// The file of the input directory `other` that is `output`, when `other` is a directory.
  package var inside: String?

  package init(output: NamedPath, other: NamedPath, otherIsInput: Bool, inside: String?) {
    self.output = output
    self.other = other
    self.otherIsInput = otherIsInput
    self.inside = inside
  }

  /// The first output that is another output or one of the inputs (an input directory stands
  /// for the files directly in it), in the order given; nil when every output is a file of its
  /// own. Two existing paths are the same file when their device and inode are; a path that
  /// does not exist is compared by where it resolves to (symbolic links followed, absolute,
  /// `.` and `..` removed).
  ///
  /// - Complexity: one `stat` per path and per file of an input directory.
  package static func first(outputs: [NamedPath], inputs: [NamedPath]) -> SameFile? {
    let outputKeys = outputs.map { FileKey($0.path) }
    for (i, output) in outputs.enumerated() {
      for j in 0..<i where outputKeys[j] == outputKeys[i] {
        return SameFile(output: outputs[j], other: output, otherIsInput: false, inside: nil)
      }
    }
    for input in inputs {
      let key = FileKey(input.path)
      for (i, output) in outputs.enumerated() where outputKeys[i] == key {
        return SameFile(output: output, other: input, otherIsInput: true, inside: nil)
      }
      guard key.isDirectory, outputKeys.contains(where: \.exists) else { continue }
      let base = input.path.hasSuffix("/") ? String(input.path.dropLast()) : input.path
      for name in directoryNames(input.path) ?? [] {
        let file = FileKey(base + "/" + name)
        guard file.exists, !file.isDirectory else { continue }
        for (i, output) in outputs.enumerated() where outputKeys[i] == file {
          return SameFile(output: output, other: input, otherIsInput: true, inside: name)
        }
      }
    }
    return nil
  }
}

/// What identifies a file: device and inode when it exists, else the path it resolves to.
private struct FileKey: Equatable {
  var device: UInt64 = 0
  var inode: UInt64 = 0
  var resolved = ""
  var exists = false
  var isDirectory = false

  init(_ path: String) {
    var info = stat()
    if stat(path, &info) == 0 {
      exists = true
      device = UInt64(info.st_dev)
      inode = UInt64(info.st_ino)
      isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
    } else {
      resolved = FileKey.absolute((try? AtomicOutput.destination(of: path)) ?? path)
    }
  }

  static func == (a: FileKey, b: FileKey) -> Bool {
    a.exists == b.exists
      && (a.exists ? a.device == b.device && a.inode == b.inode : a.resolved == b.resolved)
  }

  /// `path` made absolute, its directory resolved when it exists, `.` and `..` removed.
  static func absolute(_ path: String) -> String {
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    var base: String
    if let real = realpath(directory, nil) {
      base = String(cString: real)
      free(real)
    } else if directory.hasPrefix("/") {
      base = directory
    } else {
      base = FileManager.default.currentDirectoryPath + "/" + directory
    }
    var parts: [Substring] = []
    for part in (base + "/" + name).split(separator: "/") {
      switch part {
      case ".": continue
      case "..": if !parts.isEmpty { parts.removeLast() }
      default: parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }
}
