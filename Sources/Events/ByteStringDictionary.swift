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
  /// Per id: start offset in the arena and length.
  private var starts: [Int]
  private var lengths: [Int]
  private var hashes: [UInt64]
  /// Per slot: id + 1, or 0 when empty. Capacity is a power of two, at most half full.
  private var slots: UnsafeMutablePointer<Int32>
  private var slotMask: Int
  /// Strings made so far, per id (nil until asked for).
  private var strings: [String?] = []

  /// The number of distinct strings.
  var count: Int { starts.count }

  init() {
    arenaCapacity = 4096
    arena = .allocate(capacity: arenaCapacity)
    starts = []
    lengths = []
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
    if !starts.isEmpty {
      slots.update(repeating: 0, count: slotMask + 1)
      starts.removeAll(keepingCapacity: true)
      lengths.removeAll(keepingCapacity: true)
      hashes.removeAll(keepingCapacity: true)
      strings.removeAll(keepingCapacity: true)
      arenaCount = 0
    }
  }

  /// The id of `n` bytes at `p`, adding them if new.
  @inline(__always)
  mutating func intern(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int32 {
    let h = ByteString.hash(p, n)
    var slot = Int(truncatingIfNeeded: h) & slotMask
    while true {
      let entry = slots[slot]
      if entry == 0 { break }
      let id = Int(entry) - 1
      if hashes[id] == h && lengths[id] == n && ByteString.equal(arena + starts[id], p, n) {
        return Int32(id)
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
    let id = starts.count
    starts.append(arenaCount)
    lengths.append(n)
    hashes.append(h)
    strings.append(nil)
    arenaCount += n
    slots[slot] = Int32(id + 1)
    if (id + 1) * 2 > slotMask + 1 { rehash() }
    return Int32(id)
  }

  private mutating func rehash() {
    let newSize = (slotMask + 1) * 2
    slots.deallocate()
    slots = .allocate(capacity: newSize)
    slots.initialize(repeating: 0, count: newSize)
    slotMask = newSize - 1
    for id in 0..<starts.count {
      var slot = Int(truncatingIfNeeded: hashes[id]) & slotMask
      while slots[slot] != 0 { slot = (slot + 1) & slotMask }
      slots[slot] = Int32(id + 1)
    }
  }

  /// The string with id `id` (made once, then shared).
  @inline(__always)
  mutating func string(_ id: Int32) -> String {
    let i = Int(id)
    if let s = strings[i] { return s }
    let s = String(
      decoding: UnsafeBufferPointer(start: arena + starts[i], count: lengths[i]), as: UTF8.self)
    strings[i] = s
    return s
  }

  /// The bytes of id `id` (valid until the next `intern` or `removeAll`).
  @inline(__always)
  func bytes(_ id: Int32) -> UnsafeBufferPointer<UInt8> {
    UnsafeBufferPointer(start: arena + starts[Int(id)], count: lengths[Int(id)])
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
