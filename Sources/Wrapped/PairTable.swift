import Plumbing

/// An open-addressing hash map from a pair of 64-bit words to a dense index `0..<count`,
/// assigned in insertion order: the interning table behind every accumulator of this module.
///
/// Linear probing over a power-of-two table kept at most half full; the keys live in one flat
/// array, so a lookup touches one or two cache lines and allocates nothing.
///
/// - Complexity: expected O(1) per `index(of:)`; growth doubles the table.
struct PairTable: Sendable {
  /// Per slot: key words and `index + 1` (0 marks an empty slot).
  private var slots: [Slot]
  private var mask: Int
  /// The keys in index order.
  private(set) var keys: [Key] = []

  struct Key: Hashable, Sendable {
    var a: UInt64
    var b: UInt64
  }

  private struct Slot: Sendable {
    var a: UInt64 = 0
    var b: UInt64 = 0
    var index: Int32 = 0
  }

  init(capacity: Int = 16) {
    var size = 16
    while size < 2 * capacity { size <<= 1 }
    slots = Array(repeating: Slot(), count: size)
    mask = size - 1
  }

  /// Keys held.
  var count: Int { keys.count }

  @inline(__always)
  private static func hash(_ a: UInt64, _ b: UInt64) -> Int {
    // A 128 → 64-bit mix (multiply-xorshift), good enough for linear probing.
    var h = a &* 0x9E37_79B9_7F4A_7C15 ^ (b &+ 0x632B_E59B_D9B4_E019) &* 0xBF58_476D_1CE4_E5B9
    h ^= h >> 31
    h = h &* 0x94D0_49BB_1331_11EB
    h ^= h >> 29
    return Int(truncatingIfNeeded: h)
  }

  /// The index of `(a, b)`, inserting it (with the next index) when new.
  @inline(__always)
  mutating func index(of a: UInt64, _ b: UInt64) -> Int32 {
    var i = Self.hash(a, b) & mask
    while true {
      let slot = slots[i]
      if slot.index == 0 { break }
      if slot.a == a && slot.b == b { return slot.index - 1 }
      i = (i + 1) & mask
    }
    let index = Int32(keys.count)
    slots[i] = Slot(a: a, b: b, index: index + 1)
    keys.append(Key(a: a, b: b))
    if 2 * keys.count > slots.count { grow() }
    return index
  }

  /// The index of `(a, b)`, or nil.
  func find(_ a: UInt64, _ b: UInt64) -> Int32? {
    var i = Self.hash(a, b) & mask
    while true {
      let slot = slots[i]
      if slot.index == 0 { return nil }
      if slot.a == a && slot.b == b { return slot.index - 1 }
      i = (i + 1) & mask
    }
  }

  /// Room for `capacity` keys without growing.
  mutating func reserveCapacity(_ capacity: Int) {
    keys.reserveCapacity(capacity)
    var size = slots.count
    while size < 2 * capacity { size <<= 1 }
    if size > slots.count { rebuild(size: size) }
  }

  private mutating func grow() { rebuild(size: slots.count * 2) }

  private mutating func rebuild(size: Int) {
    var fresh = Array(repeating: Slot(), count: size)
    let m = size - 1
    for (k, key) in keys.enumerated() {
      var i = Self.hash(key.a, key.b) & m
      while fresh[i].index != 0 { i = (i + 1) & m }
      fresh[i] = Slot(a: key.a, b: key.b, index: Int32(k + 1))
    }
    slots = fresh
    mask = m
  }
}

/// Strings interned to dense ids in first-seen order, distinct as UTF-8 bytes (as the names of
/// an Avro history are, and as the Python reference counts them): "é" and "e" + U+0301 are two
/// names, where `String`'s `==` (canonical equivalence) would make them one.
///
/// Open addressing with linear probing over a power-of-two table at most half full; each
/// string's bytes are also kept end to end, so a lookup hashes and compares bytes (no SipHash,
/// no Unicode normalisation, no reference counting).
struct StringTable: Sendable {
  /// Per slot: id + 1, or 0 when empty.
  private var slots = [Int32](repeating: 0, count: 16)
  /// Per id: its hash, and where its bytes start in `bytes` (id + 1: where they end).
  private var hashes: [UInt64] = []
  private var starts: [Int] = [0]
  private var bytes: [UInt8] = []
  /// The strings in id order.
  private(set) var strings: [String] = []

  /// The id of `s`, inserting it when new.
  mutating func id(_ s: String) -> Int32 {
    let found = s.utf8.withContiguousStorageIfAvailable { u -> Int32? in
      guard let p = u.baseAddress else { return nil }
      return id(of: p, u.count, s)
    }
    if let found, let id = found { return id }
    // Empty, or not stored as contiguous UTF-8: from a copy one byte longer (never empty).
    var copy = Array(s.utf8)
    let n = copy.count
    copy.append(0)
    return copy.withUnsafeBufferPointer { b in
      guard let p = b.baseAddress else { preconditionFailure("a non-empty array has storage") }
      return id(of: p, n, s)
    }
  }

  private mutating func id(of p: UnsafePointer<UInt8>, _ n: Int, _ s: String) -> Int32 {
    let h = ByteString.hash(p, n)
    let mask = slots.count - 1
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let entry = slots[slot]
      if entry == 0 { break }
      let id = Int(entry) - 1
      if hashes[id] == h && starts[id + 1] - starts[id] == n
        && bytes.withUnsafeBufferPointer({ b in
          b.baseAddress.map { ByteString.equal($0 + starts[id], p, n) } ?? (n == 0)
        })
      {
        return Int32(id)
      }
      slot = (slot + 1) & mask
    }
    let id = Int32(strings.count)
    slots[slot] = id + 1
    hashes.append(h)
    bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: n))
    starts.append(bytes.count)
    strings.append(s)
    if 2 * strings.count > slots.count { rebuild(size: 2 * slots.count) }
    return id
  }

  /// Strings held.
  var count: Int { strings.count }

  /// Room for `capacity` strings without growing.
  mutating func reserveCapacity(_ capacity: Int) {
    hashes.reserveCapacity(capacity)
    starts.reserveCapacity(capacity + 1)
    strings.reserveCapacity(capacity)
    var size = slots.count
    while size < 2 * capacity { size <<= 1 }
    if size > slots.count { rebuild(size: size) }
  }

  private mutating func rebuild(size: Int) {
    var fresh = [Int32](repeating: 0, count: size)
    let mask = size - 1
    for (id, h) in hashes.enumerated() {
      var slot = Int(truncatingIfNeeded: h) & mask
      while fresh[slot] != 0 { slot = (slot + 1) & mask }
      fresh[slot] = Int32(id + 1)
    }
    slots = fresh
  }

  subscript(id: Int32) -> String { strings[Int(id)] }
}
