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
