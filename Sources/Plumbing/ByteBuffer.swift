/// A growable byte buffer in memory of its own, written through raw pointers: what the Avro
/// encoder and the CSV text append to. Noncopyable, so an append checks no reference count or
/// uniqueness; the memory is freed with the value.
package struct ByteBuffer: ~Copyable {
  package private(set) var base: UnsafeMutablePointer<UInt8>
  package private(set) var capacity: Int
  /// The bytes written. A writer that stores through `base` (after `reserve`) moves it on.
  package var count = 0

  /// An empty buffer with room for `capacity` bytes (at least 16).
  package init(capacity: Int = 1 << 16) {
    self.capacity = max(capacity, 16)
    base = .allocate(capacity: self.capacity)
  }

  deinit { base.deallocate() }

  /// Room for `extra` more bytes past `count` (the buffer doubles until they fit).
  @inlinable @inline(__always)
  package mutating func reserve(_ extra: Int) {
    if count + extra > capacity { grow(to: count + extra) }
  }

  @usableFromInline
  package mutating func grow(to needed: Int) {
    var newCapacity = capacity * 2
    while newCapacity < needed { newCapacity *= 2 }
    let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
    newBase.update(from: base, count: count)
    base.deallocate()
    base = newBase
    capacity = newCapacity
  }

  @inlinable @inline(__always)
  package mutating func append(_ byte: UInt8) {
    reserve(1)
    base[count] = byte
    count += 1
  }

  @inlinable @inline(__always)
  package mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let from = bytes.baseAddress else { return }
    reserve(bytes.count)
    (base + count).update(from: from, count: bytes.count)
    count += bytes.count
  }

  /// The bytes written (valid until the next append).
  package var bytes: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: base, count: count) }
}
