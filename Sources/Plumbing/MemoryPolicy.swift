import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a long-running process hands memory back to the system.
package enum MemoryPolicy {
  /// Keeps the memory freed by every thread for reuse instead of returning it to the system at
  /// once: glibc's allocator otherwise maps each large buffer afresh and shrinks each thread's
  /// heap when its top is free, so a consumer that allocates and frees the same buffers
  /// (librdkafka's fetch and decompression buffers, decoded runs, window reports) pays for the
  /// same pages again and again in page faults. Blocks up to 32 MB come from the heaps (not
  /// `mmap`), and a heap is trimmed only past 512 MB free. The resident size then stays near its
  /// peak, which a streaming consumer reaches early anyway. Does nothing where `mallopt` is
  /// missing (another C library).
  package static func keepFreedMemory() {
    guard let mallopt = cFunction("mallopt", as: (@convention(c) (Int32, Int32) -> Int32).self)
    else { return }
    _ = mallopt(-3, 32 << 20)  // M_MMAP_THRESHOLD
    _ = mallopt(-1, 512 << 20)  // M_TRIM_THRESHOLD
  }
}

extension MemoryPolicy {
  /// The bytes this process may still allocate, as far as the system says: the smallest of the
  /// kernel's estimate of available memory (`MemAvailable` in /proc/meminfo), the room under the
  /// soft address-space and data limits (`ulimit -v`, `ulimit -d`) beyond what the process
  /// already maps, and the room under its cgroup's memory limit (cgroup v2 `memory.max` less
  /// `memory.current`). Nil when none of them can be read (another system).
  package static func availableBytes() -> UInt64? {
    var candidates: [UInt64] = []
    if let available = field("MemAvailable:", in: "/proc/meminfo") { candidates.append(available) }
    let mapped = field("VmSize:", in: "/proc/self/status") ?? 0
    let data = field("VmData:", in: "/proc/self/status") ?? 0
    for (resource, used) in [(RLIMIT_AS, mapped), (RLIMIT_DATA, data)] {
      var limit = rlimit()
      if getrlimit(__rlimit_resource_t(resource.rawValue), &limit) == 0,
        limit.rlim_cur != rlim_t.max
      {
        candidates.append(UInt64(limit.rlim_cur) > used ? UInt64(limit.rlim_cur) - used : 0)
      }
    }
    if let max = number(in: "/sys/fs/cgroup/memory.max"),
      let current = number(in: "/sys/fs/cgroup/memory.current")
    {
      candidates.append(max > current ? max - current : 0)
    }
    return candidates.min()
  }

  /// A "Key:   N kB" line's value in bytes.
  private static func field(_ key: String, in path: String) -> UInt64? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(key) {
      let parts = line.dropFirst(key.count).split(separator: " ")
      guard let value = parts.first.flatMap({ UInt64($0) }) else { return nil }
      return parts.count > 1 && parts[1] == "kB" ? value * 1024 : value
    }
    return nil
  }

  /// A file holding one number (nil for "max" or anything else).
  private static func number(in path: String) -> UInt64? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return UInt64(text.trimmingCharacters(in: .whitespacesAndNewlines))
  }
}
