#if canImport(Glibc)
import Glibc
#endif

/// The names in `directory` (without `.` and `..`), sorted by bytes; nil if it cannot be
/// listed (`errno` says why).
package func directoryNames(_ directory: String) -> [String]? {
  guard let dir = opendir(directory) else { return nil }
  defer { closedir(dir) }
  var names: [String] = []
  while let entry = readdir(dir) {
    let name = withUnsafePointer(to: entry.pointee.d_name) {
      $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
    }
    if name != "." && name != ".." { names.append(name) }
  }
  return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
}
