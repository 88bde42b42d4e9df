/// Hashing and comparing raw byte strings, for the interning tables of the package (the Avro
/// decoders' dictionaries, the Wrapped accumulators' name tables): names are distinct as bytes.
///
/// Public, not package, although no product exports it: the compiler inlines the `@inlinable`
/// bodies of public declarations into other modules, not those of package ones (the decoders
/// call both once per string field of every record).
public enum ByteString {
  /// A 64-bit hash of `n` bytes at `p`.
  ///
  /// Whole 8-byte words, the last one overlapping the one before it when n is not a multiple
  /// of 8 (and two overlapping 4-byte halves, or three bytes, for shorter strings): every byte
  /// counts and no byte past the string is read, without a loop over the last bytes one by one.
  /// The length is mixed in, so overlapping words of different strings do not collide more.
  @inlinable @inline(__always)
  public static func hash(_ p: UnsafePointer<UInt8>, _ n: Int) -> UInt64 {
    let raw = UnsafeRawPointer(p)
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
    let last: UInt64
    if n >= 8 {
      var i = 0
      while i + 8 < n {
        h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01B3
        h ^= h >> 29
        i += 8
      }
      last = raw.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    } else if n >= 4 {
      last =
        UInt64(raw.loadUnaligned(as: UInt32.self))
        | UInt64(raw.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)) << 32
    } else if n > 0 {
      last = UInt64(p[0]) | UInt64(p[n >> 1]) << 8 | UInt64(p[n - 1]) << 16
    } else {
      last = 0
    }
    // MurmurHash3's 64-bit finalizer: every input bit reaches the low bits the slots use.
    h ^= last
    h = (h ^ (h >> 33)) &* 0xFF51_AFD7_ED55_8CCD
    h = (h ^ (h >> 33)) &* 0xC4CE_B9FE_1A85_EC53
    return h ^ (h >> 33)
  }

  /// Whether `n` bytes at `a` and `b` are equal: 8-byte words, the last one overlapping the one
  /// before it (as `hash` reads them), 4-byte halves below 8 bytes.
  @inlinable @inline(__always)
  public static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int)
    -> Bool
  {
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    if n >= 8 {
      var i = 0
      while i + 8 < n {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self)
          != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        {
          return false
        }
        i += 8
      }
      return ra.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
        == rb.loadUnaligned(fromByteOffset: n - 8, as: UInt64.self)
    }
    if n >= 4 {
      return ra.loadUnaligned(as: UInt32.self) == rb.loadUnaligned(as: UInt32.self)
        && ra.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
          == rb.loadUnaligned(fromByteOffset: n - 4, as: UInt32.self)
    }
    var i = 0
    while i < n {
      if a[i] != b[i] { return false }
      i += 1
    }
    return true
  }
}
