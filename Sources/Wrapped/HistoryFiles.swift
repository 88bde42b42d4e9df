import Events

#if canImport(Glibc)
import Glibc
#endif

/// The Avro files of a history: the path itself, or every `*.avro` file of a directory (such as
/// a consumer's `--archive`), sorted by name.
public enum HistoryFiles {
  /// - Throws: `AvroReadError.cannotRead` for a missing path or a directory without Avro files.
  public static func list(_ path: String) throws(AvroReadError) -> [String] {
    var info = stat()
    guard stat(path, &info) == 0 else {
      return [path]  // the reader reports the missing file with its own message
    }
    guard info.st_mode & S_IFMT == S_IFDIR else { return [path] }
    guard let dir = opendir(path) else {
      throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
    }
    defer { closedir(dir) }
    var names: [String] = []
    while let entry = readdir(dir) {
      let name = withUnsafePointer(to: entry.pointee.d_name) {
        $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
      }
      if name.hasSuffix(".avro") && !name.hasPrefix(".") { names.append(name) }
    }
    guard !names.isEmpty else {
      throw .cannotRead(
        path: path,
        reason: "a directory without .avro files; pass an Avro file or a directory of them")
    }
    let base = path.hasSuffix("/") ? String(path.dropLast()) : path
    return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { base + "/" + $0 }
  }
}
