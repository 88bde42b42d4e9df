import CSnappy
import CZlib
import CZstd

/// A container file's block codec (`avro.codec` in the header).
///
/// - `null`: blocks stored as they are.
/// - `deflate`: raw RFC 1951 deflate streams (no zlib header), as the specification says.
/// - `snappy`: snappy-compressed data followed by the big-endian CRC-32 of the uncompressed data.
/// - `zstandard`: one or more Zstandard frames (libzstd).
public enum AvroCodec: String, Sendable, CaseIterable {
  case null
  case deflate
  case snappy
  case zstandard
}

/// Why a block did not decompress (the container reader adds the file and block).
enum AvroCodecFailure: Error, Equatable {
  case corrupt(String)
  case checksum(expected: UInt32, actual: UInt32)
  case tooLarge(Int)
}

/// The most bytes one decompressed block may hold: a guard against compressed data that claims
/// (or expands to) more than any real block. Avro writers default to 64 KiB–16 MiB blocks.
let maximumBlockSize = 1 << 30

/// Reusable compression state: one per thread (zlib streams are not shared across threads).
final class AvroCodecContext: @unchecked Sendable {
  private var inflater = z_stream()
  private var inflaterReady = false
  private var deflater = z_stream()
  private var deflaterReady = false
  let level: Int32

  init(deflateLevel: Int32 = 6) { level = deflateLevel }

  private var zstdDecompressor: OpaquePointer?
  private var zstdCompressor: OpaquePointer?

  deinit {
    if inflaterReady { inflateEnd(&inflater) }
    if deflaterReady { deflateEnd(&deflater) }
    if let zstdDecompressor { ZSTD_freeDCtx(zstdDecompressor) }
    if let zstdCompressor { ZSTD_freeCCtx(zstdCompressor) }
  }

  /// Decompresses `input` into `output` (resized as needed) and returns the decompressed length.
  func decompress(
    _ codec: AvroCodec, _ input: UnsafeRawBufferPointer, into output: inout [UInt8]
  ) throws(AvroCodecFailure) -> Int {
    switch codec {
    case .null:
      if output.count < input.count { output = [UInt8](repeating: 0, count: input.count) }
      output.withUnsafeMutableBytes { out in
        if input.count > 0, let src = input.baseAddress, let dst = out.baseAddress {
          dst.copyMemory(from: src, byteCount: input.count)
        }
      }
      return input.count
    case .deflate:
      return try inflate(input, into: &output)
    case .snappy:
      return try unsnappy(input, into: &output)
    case .zstandard:
      return try unzstd(input, into: &output)
    }
  }

  private func unzstd(_ input: UnsafeRawBufferPointer, into output: inout [UInt8])
    throws(AvroCodecFailure) -> Int
  {
    if zstdDecompressor == nil { zstdDecompressor = ZSTD_createDCtx() }
    guard let context = zstdDecompressor, let base = input.baseAddress, input.count > 0 else {
      throw .corrupt("the zstandard block is empty")
    }
    ZSTD_DCtx_reset(context, ZSTD_reset_session_only)
    if output.count < max(4 * input.count, 1 << 16) {
      output = [UInt8](repeating: 0, count: min(max(4 * input.count, 1 << 16), maximumBlockSize))
    }
    var source = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
    var produced = 0
    var lastResult = 0
    while true {
      let result: Int = output.withUnsafeMutableBytes { out in
        var target = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: produced)
        let r = ZSTD_decompressStream(context, &target, &source)
        produced = target.pos
        return r
      }
      if ZSTD_isError(result) != 0 {
        throw .corrupt(String(cString: ZSTD_getErrorName(result)))
      }
      lastResult = result
      if source.pos == source.size && result == 0 { break }
      if produced == output.count {
        guard output.count < maximumBlockSize else { throw .tooLarge(maximumBlockSize) }
        output.append(
          contentsOf: repeatElement(0, count: min(output.count, maximumBlockSize - output.count)))
        continue
      }
      if source.pos == source.size {
        throw .corrupt("the zstandard frame ends early (\(lastResult) bytes expected)")
      }
    }
    return produced
  }

  private func inflate(_ input: UnsafeRawBufferPointer, into output: inout [UInt8])
    throws(AvroCodecFailure) -> Int
  {
    if !inflaterReady {
      guard forecast_inflateInit2(&inflater, -15) == Z_OK else {
        throw .corrupt("zlib could not start an inflate stream")
      }
      inflaterReady = true
    } else {
      inflateReset(&inflater)
    }
    if output.count < max(4 * input.count, 1 << 16) {
      output = [UInt8](repeating: 0, count: min(max(4 * input.count, 1 << 16), maximumBlockSize))
    }
    guard let inBase = input.baseAddress, input.count > 0 else {
      throw .corrupt("the deflate block is empty")
    }
    inflater.next_in = UnsafeMutablePointer(
      mutating: inBase.assumingMemoryBound(to: Bytef.self))
    inflater.avail_in = uInt(input.count)
    var produced = 0
    while true {
      let status: Int32 = output.withUnsafeMutableBufferPointer { out in
        inflater.next_out = out.baseAddress.map { $0 + produced }
        inflater.avail_out = uInt(out.count - produced)
        let s = CZlib.inflate(&inflater, Z_NO_FLUSH)
        produced = out.count - Int(inflater.avail_out)
        return s
      }
      if status == Z_STREAM_END { break }
      if status == Z_OK || status == Z_BUF_ERROR {
        if inflater.avail_out == 0 {
          guard output.count < maximumBlockSize else { throw .tooLarge(maximumBlockSize) }
          output.append(
            contentsOf: repeatElement(0, count: min(output.count, maximumBlockSize - output.count)))
          continue
        }
        if inflater.avail_in == 0 {
          throw .corrupt("the deflate stream ends before its final block")
        }
        if status == Z_BUF_ERROR { throw .corrupt("the deflate stream makes no progress") }
        continue
      }
      let message = inflater.msg.map { String(cString: $0) } ?? "zlib error \(status)"
      throw .corrupt(message)
    }
    return produced
  }

  private func unsnappy(_ input: UnsafeRawBufferPointer, into output: inout [UInt8])
    throws(AvroCodecFailure) -> Int
  {
    guard input.count >= 4, let base = input.baseAddress else {
      throw .corrupt("the snappy block is shorter than its 4-byte checksum")
    }
    let compressedCount = input.count - 4
    let src = base.assumingMemoryBound(to: CChar.self)
    var length = 0
    guard snappy_uncompressed_length(src, compressedCount, &length) == SNAPPY_OK else {
      throw .corrupt("the snappy length header is invalid")
    }
    // Snappy expands at most about 64:1 (a 2-byte copy makes 64 bytes); a larger claim lies.
    guard length <= maximumBlockSize, length <= 64 * compressedCount + 64 else {
      throw .tooLarge(length)
    }
    if output.count < length { output = [UInt8](repeating: 0, count: length) }
    var produced = length
    let status = output.withUnsafeMutableBytes { out in
      snappy_uncompress(
        src, compressedCount, out.baseAddress?.assumingMemoryBound(to: CChar.self), &produced)
    }
    guard status == SNAPPY_OK, produced == length else {
      throw .corrupt("the snappy data is invalid")
    }
    var expected: UInt32 = 0
    for i in 0..<4 { expected = expected << 8 | UInt32(input[compressedCount + i]) }
    let actual = output.withUnsafeBufferPointer {
      crc32Checksum(UnsafeRawBufferPointer($0), count: produced)
    }
    guard actual == expected else { throw .checksum(expected: expected, actual: actual) }
    return produced
  }

  /// Compresses `input` with `codec`, appending the result to `output`.
  func compress(
    _ codec: AvroCodec, _ input: UnsafeBufferPointer<UInt8>, into output: AvroByteBuffer
  ) {
    switch codec {
    case .null:
      output.writeRaw(input)
    case .deflate:
      if !deflaterReady {
        let status = forecast_deflateInit2(&deflater, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY)
        precondition(status == Z_OK, "zlib deflateInit2 failed with \(status)")
        deflaterReady = true
      } else {
        deflateReset(&deflater)
      }
      let bound = Int(deflateBound(&deflater, uLong(input.count))) + 16
      output.reserve(bound)
      deflater.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
      deflater.avail_in = uInt(input.count)
      deflater.next_out = output.base + output.count
      deflater.avail_out = uInt(bound)
      let status = CZlib.deflate(&deflater, Z_FINISH)
      precondition(status == Z_STREAM_END, "zlib deflate within deflateBound returned \(status)")
      output.count += bound - Int(deflater.avail_out)
    case .snappy:
      let bound = snappy_max_compressed_length(input.count)
      output.reserve(bound + 4)
      var length = bound
      let status = input.withMemoryRebound(to: CChar.self) { src in
        (output.base + output.count).withMemoryRebound(to: CChar.self, capacity: bound) { dst in
          snappy_compress(src.baseAddress, input.count, dst, &length)
        }
      }
      precondition(status == SNAPPY_OK, "snappy_compress within its bound returned \(status)")
      output.count += length
      let crc = crc32Checksum(UnsafeRawBufferPointer(input), count: input.count)
      for shift in stride(from: 24, through: 0, by: -8) {
        output.writeByte(UInt8(truncatingIfNeeded: crc >> UInt32(shift)))
      }
    case .zstandard:
      if zstdCompressor == nil { zstdCompressor = ZSTD_createCCtx() }
      let bound = ZSTD_compressBound(input.count)
      output.reserve(bound)
      let written = ZSTD_compressCCtx(
        zstdCompressor, output.base + output.count, bound, input.baseAddress, input.count, 3)
      precondition(ZSTD_isError(written) == 0, "ZSTD_compress within its bound failed")
      output.count += written
    }
  }
}

/// CRC-32 (ISO 3309, zlib's) of the first `count` bytes.
func crc32Checksum(_ bytes: UnsafeRawBufferPointer, count: Int) -> UInt32 {
  guard let base = bytes.baseAddress, count > 0 else { return 0 }
  var crc: uLong = 0
  var offset = 0
  while offset < count {
    let n = min(count - offset, Int(Int32.max))
    crc = crc32(crc, (base + offset).assumingMemoryBound(to: Bytef.self), uInt(n))
    offset += n
  }
  return UInt32(truncatingIfNeeded: crc)
}
