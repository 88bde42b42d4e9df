import Plumbing

/// Interns byte strings: each distinct byte sequence gets a dense id (0, 1, 2, …) without making
/// a Swift `String` per record. Open addressing with linear probing over raw buffers; the
/// column decoders call `intern` once per string field per record.
///
/// A struct over manually managed buffers so that the decoders keep tables in raw memory and
/// intern without reference counting; `release()` frees it (`ByteStringDictionary` owns one).
struct ByteStringTable {
  private var arena: UnsafeMutablePointer<UInt8>
  private var arenaCapacity: Int
  private var arenaCount = 0
  /// Per id: start offset in the arena and length (one load for both).
  private var spans: [Span]
  /// Per id: the hash (read only to rehash).
  private var hashes: [UInt64]
  /// Per slot: the hash's upper 32 bits, then id + 1 in the lower 32; 0 when empty. Capacity
  /// is a power of two, at most half full. A probe compares the hash bits it holds before it
  /// reads the id's span and bytes: most of the lookups of a large dictionary (song names)
  /// wait on memory, and a separate array of hashes was one more miss per lookup.
  private var slots: UnsafeMutablePointer<UInt64>
  private var slotMask: Int
  /// Strings made so far, per id (nil until asked for).
  private var strings: [String?] = []

  private struct Span {
    var start: Int
    var length: Int
  }

  /// The number of distinct strings.
  var count: Int { spans.count }

  init() {
    arenaCapacity = 4096
    arena = .allocate(capacity: arenaCapacity)
    spans = []
    hashes = []
    slotMask = 255
    slots = .allocate(capacity: 256)
    slots.initialize(repeating: 0, count: 256)
  }

  /// Frees the buffers; the table must not be used afterwards.
  func release() {
    arena.deallocate()
    slots.deallocate()
  }

  /// Forgets every string (ids start again from 0), keeping the memory.
  mutating func removeAll() {
    if !spans.isEmpty {
      slots.update(repeating: 0, count: slotMask + 1)
      spans.removeAll(keepingCapacity: true)
      hashes.removeAll(keepingCapacity: true)
      strings.removeAll(keepingCapacity: true)
      arenaCount = 0
    }
  }

  /// The id of `n` bytes at `p`, adding them if new.
  @inline(__always)
  mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
    let h = ByteString.hash(p, n)
    let tag = h & 0xFFFF_FFFF_0000_0000
    var slot = Int(truncatingIfNeeded: h) & slotMask
    while true {
      let entry = slots[slot]
      if entry == 0 { break }
      if entry & 0xFFFF_FFFF_0000_0000 == tag {
        let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
        let span = spans[id]
        if span.length == n && ByteString.equal(arena + span.start, p, n) { return Int32(id) }
      }
      slot = (slot + 1) & slotMask
    }
    return insert(p, n, hash: h, slot: slot)
  }

  private mutating func insert(_ p: UnsafePointer<UInt8>, _ n: Int, hash h: UInt64, slot: Int)
    -> Int32
  {
    if arenaCount + n > arenaCapacity {
      var newCapacity = arenaCapacity * 2
      while newCapacity < arenaCount + n { newCapacity *= 2 }
      let newArena = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
      newArena.update(from: arena, count: arenaCount)
      arena.deallocate()
      arena = newArena
      arenaCapacity = newCapacity
    }
    (arena + arenaCount).update(from: p, count: n)
    let id = spans.count
    spans.append(Span(start: arenaCount, length: n))
    hashes.append(h)
    strings.append(nil)
    arenaCount += n
    slots[slot] = Self.entry(hash: h, id: id)
    if (id + 1) * 2 > slotMask + 1 { rehash() }
    return Int32(id)
  }

  private mutating func rehash() {
    let newSize = (slotMask + 1) * 2
    slots.deallocate()
    slots = .allocate(capacity: newSize)
    slots.initialize(repeating: 0, count: newSize)
    slotMask = newSize - 1
    for id in 0..<spans.count {
      var slot = Int(truncatingIfNeeded: hashes[id]) & slotMask
      while slots[slot] != 0 { slot = (slot + 1) & slotMask }
      slots[slot] = Self.entry(hash: hashes[id], id: id)
    }
  }

  /// A slot's value for id `id` of hash `h`.
  @inline(__always)
  private static func entry(hash h: UInt64, id: Int) -> UInt64 {
    h & 0xFFFF_FFFF_0000_0000 | UInt64(id + 1)
  }

  /// The string with id `id` (made once, then shared).
  @inline(__always)
  mutating func string(_ id: Int32) -> String {
    let i = Int(id)
    if let s = strings[i] { return s }
    let s = String(
      decoding: UnsafeBufferPointer(start: arena + spans[i].start, count: spans[i].length),
      as: UTF8.self)
    strings[i] = s
    return s
  }

  /// The bytes of id `id` (valid until the next `intern` or `removeAll`).
  @inline(__always)
  func bytes(_ id: Int32) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: arena + spans[Int(id)].start, count: spans[Int(id)].length)
  }

  /// Interns `string` (for defaults and enum symbols).
  mutating func intern(_ string: String) -> Int32 {
    var s = string
    return s.withUTF8 { buffer in
      guard let base = buffer.baseAddress else {
        var empty: UInt8 = 0
        return intern(&empty, 0)
      }
      return intern(base, buffer.count)
    }
  }
}

/// A `ByteStringTable` owned by a class (freed with it), for tables shared by reference.
final class ByteStringDictionary {
  var table = ByteStringTable()
  deinit { table.release() }
}
