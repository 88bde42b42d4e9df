import Plumbing

/// What went wrong decoding Avro binary data; the caller adds the file, block and record.
enum AvroDecodeFailure: Error, Equatable, Sendable {
  /// A value runs past the end of the data (`needed` bytes at `offset`, `available` left).
  case truncated(needed: Int, available: Int)
  /// A variable-length integer longer than 10 bytes.
  case varintTooLong
  /// A negative string, bytes or block length.
  case negativeLength(Int64)
  /// A union branch index outside the union.
  case unionIndex(Int64, branches: Int)
  /// An enum index outside the symbols.
  case enumIndex(Int64, symbols: Int)
  /// A writer's enum symbol the reader lacks, and the reader enum has no default.
  case unknownSymbol(String)
  /// A union branch the reader's schema cannot read.
  case unreadableBranch(String)
  /// A boolean byte other than 0 or 1.
  case badBoolean(UInt8)
  /// An array or map block declares more items than its bytes can hold.
  case itemCount(Int64)
  /// Values nested deeper than `maximumNestingDepth` (a recursive schema's data).
  case nestingTooDeep

  var reason: String {
    switch self {
    case .truncated(let needed, let available):
      return "a value needs \(needed) bytes but only \(available) remain"
    case .varintTooLong: return "an integer is longer than 10 bytes"
    case .negativeLength(let n): return "a length is negative (\(n))"
    case .unionIndex(let i, let n): return "union branch \(i) of a union of \(n)"
    case .enumIndex(let i, let n): return "enum index \(i) of an enum of \(n) symbols"
    case .unknownSymbol(let s):
      return "enum symbol \"\(s)\" is unknown to the reader's schema, which has no default"
    case .unreadableBranch(let t): return "a union holds a \(t) the reader's schema cannot read"
    case .badBoolean(let b): return "a boolean byte is \(b), not 0 or 1"
    case .itemCount(let n): return "an array or map block declares \(n) items, more than its bytes"
    case .nestingTooDeep: return "values nest more than \(maximumNestingDepth) levels deep"
    }
  }
}

/// A bounds-checked read position in Avro binary data. Every length is checked against the
/// bytes that remain before it is used, so no allocation follows a lying length.
struct AvroCursor {
  var position: UnsafePointer<UInt8>
  let end: UnsafePointer<UInt8>
  /// Array items of zero encoded size (`null`, `fixed(0)`, records of those) this cursor may
  /// still materialise: their count is not bounded by the bytes, so it is bounded here, over
  /// every array the cursor decodes (nested ones included), not per array.
  private var zeroSizeItemsLeft = zeroSizeItemLimit

  init(_ buffer: UnsafeRawBufferPointer) {
    let base: UnsafePointer<UInt8> =
      buffer.baseAddress?.assumingMemoryBound(to: UInt8.self)
      ?? UnsafePointer(AvroCursor.emptyPointer)
    position = base
    end = base + buffer.count
  }

  init(position: UnsafePointer<UInt8>, end: UnsafePointer<UInt8>) {
    self.position = position
    self.end = end
  }

  nonisolated(unsafe) static let emptyPointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

  @inline(__always) var remaining: Int { end - position }

  @inline(__always)
  mutating func readLong() throws(AvroDecodeFailure) -> Int64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    var p = position
    while true {
      guard p < end else { throw .truncated(needed: 1, available: 0) }
      let b = p.pointee
      p += 1
      result |= UInt64(b & 0x7F) << shift
      if b & 0x80 == 0 { break }
      shift += 7
      if shift >= 70 { throw .varintTooLong }
    }
    position = p
    return Int64(bitPattern: (result >> 1) ^ (0 &- (result & 1)))
  }

  @inline(__always)
  mutating func readInt() throws(AvroDecodeFailure) -> Int32 {
    Int32(truncatingIfNeeded: try readLong())
  }

  @inline(__always)
  mutating func readFloat() throws(AvroDecodeFailure) -> Float {
    guard remaining >= 4 else { throw .truncated(needed: 4, available: remaining) }
    let bits = UnsafeRawPointer(position).loadUnaligned(as: UInt32.self)
    position += 4
    return Float(bitPattern: UInt32(littleEndian: bits))
  }

  @inline(__always)
  mutating func readDouble() throws(AvroDecodeFailure) -> Double {
    guard remaining >= 8 else { throw .truncated(needed: 8, available: remaining) }
    let bits = UnsafeRawPointer(position).loadUnaligned(as: UInt64.self)
    position += 8
    return Double(bitPattern: UInt64(littleEndian: bits))
  }

  @inline(__always)
  mutating func readBoolean() throws(AvroDecodeFailure) -> Bool {
    guard remaining >= 1 else { throw .truncated(needed: 1, available: 0) }
    let b = position.pointee
    position += 1
    guard b <= 1 else { throw .badBoolean(b) }
    return b == 1
  }

  /// Reads a length-prefixed byte string and returns where it is (no copy).
  @inline(__always)
  mutating func readBytesSpan() throws(AvroDecodeFailure) -> UnsafeBufferPointer<UInt8> {
    let n = try readLong()
    guard n >= 0 else { throw .negativeLength(n) }
    guard n <= Int64(remaining) else { throw .truncated(needed: Int(n), available: remaining) }
    let span = UnsafeBufferPointer(start: position, count: Int(n))
    position += Int(n)
    return span
  }

  @inline(__always)
  mutating func readFixedSpan(_ n: Int) throws(AvroDecodeFailure) -> UnsafeBufferPointer<UInt8> {
    guard n <= remaining else { throw .truncated(needed: n, available: remaining) }
    let span = UnsafeBufferPointer(start: position, count: n)
    position += n
    return span
  }

  mutating func readString() throws(AvroDecodeFailure) -> String {
    String(decoding: try readBytesSpan(), as: UTF8.self)
  }

  @inline(__always)
  mutating func skip(_ n: Int) throws(AvroDecodeFailure) {
    guard n <= remaining else { throw .truncated(needed: n, available: remaining) }
    position += n
  }

  /// Reads an array or map block header: the item count (0 ends the value) and, for a negative
  /// count, the block's byte size, which is then ignored. The count is checked against the bytes
  /// left, given that every item takes at least `minimumItemSize` bytes.
  @inline(__always)
  /// Counts `n` array items of zero encoded size about to be materialised against the cursor's
  /// budget; throws `.itemCount` with the total once it passes `zeroSizeItemLimit`.
  mutating func takeZeroSizeItems(_ n: Int) throws(AvroDecodeFailure) {
    guard n <= zeroSizeItemsLeft else {
      throw .itemCount(Int64(zeroSizeItemLimit - zeroSizeItemsLeft) + Int64(n))
    }
    zeroSizeItemsLeft -= n
  }

  mutating func readBlockCount(minimumItemSize: Int) throws(AvroDecodeFailure) -> Int {
    var count = try readLong()
    if count < 0 {
      if count == Int64.min { throw .itemCount(count) }
      count = -count
      _ = try readLong()
    }
    if minimumItemSize > 0 {
      guard count <= Int64(remaining / minimumItemSize) else { throw .itemCount(count) }
    } else if count > Int64(Int32.max) {
      throw .itemCount(count)
    }
    return Int(count)
  }
}

/// A growable byte buffer for encoding, written through raw pointers (the writer's hot path):
/// a `ByteBuffer` shared by reference.
final class AvroByteBuffer: @unchecked Sendable {
  private var storage: ByteBuffer
  var base: UnsafeMutablePointer<UInt8> { storage.base }
  var capacity: Int { storage.capacity }
  var count: Int {
    get { storage.count }
    set { storage.count = newValue }
  }

  init(capacity: Int = 1 << 16) {
    storage = ByteBuffer(capacity: capacity)
  }

  @inline(__always)
  func reserve(_ extra: Int) { storage.reserve(extra) }

  var bytes: UnsafeBufferPointer<UInt8> { storage.bytes }
  var array: [UInt8] { Array(bytes) }

  @inline(__always)
  func writeLong(_ value: Int64) {
    reserve(10)
    var v = UInt64(bitPattern: (value << 1) ^ (value >> 63))
    var p = base + count
    while v >= 0x80 {
      p.pointee = UInt8(truncatingIfNeeded: v) | 0x80
      p += 1
      v >>= 7
    }
    p.pointee = UInt8(truncatingIfNeeded: v)
    count = p + 1 - base
  }

  @inline(__always)
  func writeFloat(_ value: Float) {
    reserve(4)
    UnsafeMutableRawPointer(base + count).storeBytes(
      of: value.bitPattern.littleEndian, as: UInt32.self)
    count += 4
  }

  @inline(__always)
  func writeDouble(_ value: Double) {
    reserve(8)
    UnsafeMutableRawPointer(base + count).storeBytes(
      of: value.bitPattern.littleEndian, as: UInt64.self)
    count += 8
  }

  @inline(__always)
  func writeByte(_ value: UInt8) {
    reserve(1)
    base[count] = value
    count += 1
  }

  @inline(__always)
  func writeRaw(_ bytes: UnsafeBufferPointer<UInt8>) {
    reserve(bytes.count)
    if let src = bytes.baseAddress { (base + count).update(from: src, count: bytes.count) }
    count += bytes.count
  }

  func writeRaw(_ bytes: [UInt8]) {
    bytes.withUnsafeBufferPointer { writeRaw($0) }
  }

  @inline(__always)
  func writeBytes(_ bytes: UnsafeBufferPointer<UInt8>) {
    writeLong(Int64(bytes.count))
    writeRaw(bytes)
  }

  @inline(__always)
  func writeString(_ string: String) {
    var s = string
    s.withUTF8 { writeBytes($0) }
  }
}
