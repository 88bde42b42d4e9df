import Plumbing

#if canImport(Glibc)
import Glibc
#endif

/// The Avro files of a history: the path itself, or every `*.avro` file of a directory (such as
/// a consumer's `--archive`), sorted by name.
public enum HistoryFiles {
  /// - Throws: `AvroReadError.cannotRead` for a directory that cannot be listed or holds no
  ///   Avro files (a missing path is returned as is: the reader reports it).
  public static func list(_ path: String) throws(AvroReadError) -> [String] {
    var info = stat()
    guard stat(path, &info) == 0 else { return [path] }
    guard info.st_mode & S_IFMT == S_IFDIR else { return [path] }
    guard let all = directoryNames(path) else {
      throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
    }
    let names = all.filter { $0.hasSuffix(".avro") && !$0.hasPrefix(".") }
    guard !names.isEmpty else {
      throw .cannotRead(
        path: path,
        reason: "a directory without .avro files; pass an Avro file or a directory of them")
    }
    let base = path.hasSuffix("/") ? String(path.dropLast()) : path
    return names.map { base + "/" + $0 }
  }
}
