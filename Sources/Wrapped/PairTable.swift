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

/// Strings interned to dense ids in first-seen order.
struct StringTable: Sendable {
  private var ids: [String: Int32] = [:]
  /// The strings in id order.
  private(set) var strings: [String] = []

  /// The id of `s`, inserting it when new.
  mutating func id(_ s: String) -> Int32 {
    // One lookup, inserting the next id when `s` is new (the defaulted subscript's in-place
    // access keeps the default it inserted), not a failed lookup then an insertion: each
    // string is hashed once.
    let next = Int32(strings.count)
    let id = Self.value(&ids[s, default: next])
    if id == next { strings.append(s) }
    return id
  }

  @inline(__always)
  private static func value(_ v: inout Int32) -> Int32 { v }

  /// Strings held.
  var count: Int { strings.count }

  /// Room for `capacity` strings without growing.
  mutating func reserveCapacity(_ capacity: Int) {
    ids.reserveCapacity(capacity)
    strings.reserveCapacity(capacity)
  }

  subscript(id: Int32) -> String { strings[Int(id)] }
}
