import Plumbing

/// The header of an Avro object container file and its block layout, read through positioned
/// reads so that memory stays flat whatever the file's size.
///
///     file   = "Obj" 0x01, metadata map<bytes>, sync[16], block*
///     block  = count: long, size: long, data[size], sync[16]
final class AvroContainerFile: @unchecked Sendable {
  let file: ReadableFile
  var path: String { file.path }
  /// The writer's schema (`avro.schema`), as text and parsed.
  let schemaText: String
  let schema: AvroSchema
  let codec: AvroCodec
  let sync: [UInt8]
  /// Every metadata entry, keys to raw values.
  let metadata: [String: [UInt8]]
  /// Offset of the first block.
  let dataStart: Int

  static let magic = FileSignature.avroMagic

  init(path: String) throws(AvroReadError) {
    file = try ReadableFile(path: path)
    guard file.size > 0 else { throw .emptyFile(path: path) }
    var buffer: [UInt8] = []
    var window = min(file.size, 1 << 16)
    while true {
      let n = try file.read(at: 0, count: window, into: &buffer)
      if n >= 3 {
        guard buffer[0] == 0x4F, buffer[1] == 0x62, buffer[2] == 0x6A else {
          throw .notAvro(path: path)
        }
      } else {
        guard buffer[0..<n].elementsEqual(AvroContainerFile.magic[0..<n]) else {
          throw .notAvro(path: path)
        }
        throw .invalidHeader(
          path: path, reason: "the file is \(n) bytes long, shorter than a header")
      }
      if n >= 4, buffer[3] != 1 { throw .unsupportedVersion(path: path, version: buffer[3]) }
      let result = buffer.withUnsafeBytes { raw in
        Result { () throws(AvroReadError) in
          try AvroContainerFile.parseHeader(
            UnsafeRawBufferPointer(rebasing: raw[0..<n]), path: path)
        }
      }
      let parsed = try result.get()
      if let parsed {
        metadata = parsed.metadata
        sync = Array(buffer[parsed.end..<parsed.end + 16])
        dataStart = parsed.end + 16
        break
      }
      guard window < file.size else {
        throw .invalidHeader(path: path, reason: "the file ends inside the header")
      }
      window = min(file.size, window * 4)
    }
    guard let schemaBytes = metadata["avro.schema"] else { throw .missingSchema(path: path) }
    schemaText = String(decoding: schemaBytes, as: UTF8.self)
    do {
      schema = try AvroSchema(json: schemaText)
    } catch {
      throw .invalidSchema(path: path, error)
    }
    let codecName = metadata["avro.codec"].map { String(decoding: $0, as: UTF8.self) } ?? "null"
    guard let codec = AvroCodec(rawValue: codecName.isEmpty ? "null" : codecName) else {
      throw .unknownCodec(path: path, codec: codecName)
    }
    self.codec = codec
  }

  /// Parses magic + metadata + sync from the first bytes; nil if they are cut short (read more).
  private static func parseHeader(_ raw: UnsafeRawBufferPointer, path: String)
    throws(AvroReadError) -> (metadata: [String: [UInt8]], end: Int)?
  {
    var c = AvroCursor(raw)
    guard c.remaining >= 4 else { return nil }
    c.position += 4
    var metadata: [String: [UInt8]] = [:]
    do throws(AvroDecodeFailure) {
      while true {
        let n = try c.readBlockCount(minimumItemSize: 2)
        if n == 0 { break }
        for _ in 0..<n {
          let key = String(decoding: try c.readBytesSpan(), as: UTF8.self)
          metadata[key] = Array(try c.readBytesSpan())
        }
      }
    } catch {
      if case .truncated = error { return nil }
      throw .invalidHeader(path: path, reason: "the metadata map is malformed: \(error.reason)")
    }
    guard c.remaining >= 16 else { return nil }
    return (metadata, raw.count - c.remaining)
  }

  /// A block as stored: its index, offset, declared record count and its (still compressed)
  /// data, in `data[0..<size]`.
  struct RawBlock {
    var index = 0
    var offset = 0
    var count = 0
    var size = 0
    var data: [UInt8] = []
  }

  /// Reads block `index` at `offset` into `block` (reusing its buffer) and returns the offset of
  /// the next block, or nil at the end of the file. Checks the header, the lengths against the
  /// bytes left, and the sync marker.
  func readBlock(at offset: Int, index: Int, into block: inout RawBlock, minimumRecordSize: Int)
    throws(AvroReadError) -> Int?
  {
    let available = file.size - offset
    if available == 0 { return nil }
    var head: [UInt8] = []
    let headCount = try file.read(at: offset, count: min(20, available), into: &head)
    var count: Int64 = 0
    var size: Int64 = 0
    var headerLength = 0
    let parsed: Bool = head.withUnsafeBytes { raw in
      var c = AvroCursor(UnsafeRawBufferPointer(rebasing: raw[0..<headCount]))
      let start = c.position
      do throws(AvroDecodeFailure) {
        count = try c.readLong()
        size = try c.readLong()
      } catch {
        return false
      }
      headerLength = c.position - start
      return true
    }
    guard parsed else {
      if try !containsSync(from: offset) && available < 20 {
        throw .trailingBytes(path: path, offset: offset, count: available)
      }
      throw .truncatedBlock(
        path: path, block: index, offset: offset, needed: 20, available: available)
    }
    let dataOffset = offset + headerLength
    let afterHeader = available - headerLength
    if count < 0 || size < 0 || size > Int64(afterHeader - 16) {
      if try !containsSync(from: offset) {
        // No sync marker anywhere after this point: either a block cut short or bytes that are
        // not a block at all.
        if count > 0 && size > Int64(afterHeader - 16) && size <= Int64(maximumBlockSize) {
          throw .truncatedBlock(
            path: path, block: index, offset: offset, needed: Int(size) + 16,
            available: afterHeader)
        }
        throw .trailingBytes(path: path, offset: offset, count: available)
      }
      guard count >= 0 else {
        throw .invalidBlockCount(path: path, block: index, offset: offset, count: count)
      }
      throw .invalidBlockSize(
        path: path, block: index, offset: offset, size: size,
        actual: try syncDistance(from: dataOffset))
    }
    let n = Int(size)
    _ = try file.read(at: dataOffset, count: n + 16, into: &block.data)
    let syncMatches = block.data.withUnsafeBufferPointer { b in
      sync.withUnsafeBufferPointer { s in
        (0..<16).allSatisfy { b[n + $0] == s[$0] }
      }
    }
    guard syncMatches else {
      // Most of the marker in place: the marker itself is damaged. Otherwise, a marker further
      // on shows the block's true size.
      let matching = block.data.withUnsafeBufferPointer { b in
        (0..<16).filter { b[n + $0] == sync[$0] }.count
      }
      if matching < 12, let actual = try syncDistance(from: dataOffset), actual != n {
        throw .invalidBlockSize(
          path: path, block: index, offset: offset, size: size, actual: actual)
      }
      throw .syncMarkerMismatch(path: path, block: index, offset: dataOffset + n)
    }
    if count > Int64(Int32.max) {
      throw .invalidBlockCount(path: path, block: index, offset: offset, count: count)
    }
    block.index = index
    block.offset = offset
    block.count = Int(count)
    block.size = n
    return dataOffset + n + 16
  }

  /// Whether the sync marker occurs anywhere from `offset` to the end (read in windows).
  func containsSync(from offset: Int) throws(AvroReadError) -> Bool {
    try syncDistance(from: offset, limit: file.size) != nil
  }

  /// The distance from `offset` to the next sync marker, if any (searching at most `limit` bytes).
  func syncDistance(from offset: Int, limit: Int = 64 << 20) throws(AvroReadError) -> Int? {
    // Runs only on damaged files, to tell kinds of damage apart.
    var window: [UInt8] = []
    var position = offset
    let end = min(file.size, offset + limit)
    while position < end {
      let n = try file.read(at: position, count: min(1 << 20, end - position), into: &window)
      if n < 16 { return nil }
      let found: Int? = window.withUnsafeBufferPointer { b in
        sync.withUnsafeBufferPointer { s in
          var i = 0
          while i + 16 <= n {
            if b[i] == s[0] && (1..<16).allSatisfy({ b[i + $0] == s[$0] }) { return i }
            i += 1
          }
          return nil
        }
      }
      if let found { return position + found - offset }
      if position + n >= end { return nil }
      position += n - 15
    }
    return nil
  }
}

extension AvroContainerFile {
  /// Where salvage resumes after `error`, the damage found reading the block at `offset`: just
  /// after a damaged sync marker when the block there reads intact, else just after the next
  /// intact sync marker; nil when the damage ends the file (trailing bytes, no marker further
  /// on: a cut file). `dropped`: the blocks lost, counted by the sync markers passed (the
  /// damaged marker included; a block whose marker is destroyed beyond recognition is counted
  /// with the next).
  func resynchronise(after error: AvroReadError, blockAt offset: Int, minimumRecordSize: Int)
    -> (offset: Int, dropped: Int)?
  {
    switch error {
    case .trailingBytes: return nil
    case .syncMarkerMismatch(_, let index, let marker):
      var scratch = RawBlock()
      let next = marker + 16
      if next >= file.size { return (file.size, 1) }
      if (try? readBlock(
        at: next, index: index + 1, into: &scratch, minimumRecordSize: minimumRecordSize))
        != nil
      {
        return (next, 1)
      }
      guard let d = try? syncDistance(from: next, limit: file.size) else { return nil }
      return (next + d + 16, 2)
    default:
      guard let d = try? syncDistance(from: offset + 1, limit: file.size) else { return nil }
      return (offset + 1 + d + 16, 1)
    }
  }

  /// How many sync markers occur from `offset` to the end (each ends a block): the blocks a
  /// salvage drops.
  func countSyncMarkers(from offset: Int) throws(AvroReadError) -> Int {
    var count = 0
    var position = offset
    while let distance = try syncDistance(from: position, limit: file.size) {
      count += 1
      position += distance + 16
    }
    return count
  }
}

/// Writes an Avro object container file: the header, then blocks of encoded records compressed
/// with the codec, each followed by the sync marker; atomically (temporary file, rename).
final class AvroContainerWriter: @unchecked Sendable {
  let output: AtomicFile
  let codec: AvroCodec
  let sync: [UInt8]
  private let context: AvroCodecContext
  private let blockBuffer = AvroByteBuffer(capacity: 1 << 20)
  private let compressed = AvroByteBuffer(capacity: 1 << 20)

  init(
    path: String, schemaJSON: String, codec: AvroCodec, syncMarker: [UInt8]?,
    metadata: [String: String], deflateLevel: Int = 6
  ) throws(AvroWriteError) {
    if let syncMarker, syncMarker.count != 16 {
      throw .invalidArgument(
        path: path, reason: "the sync marker must be 16 bytes, not \(syncMarker.count)")
    }
    for key in metadata.keys where key.hasPrefix("avro.") {
      throw .invalidArgument(
        path: path, reason: "metadata key \"\(key)\" is reserved (avro.*); choose another name")
    }
    if let syncMarker {
      sync = syncMarker
    } else {
      var generator = SystemRandomNumberGenerator()
      sync = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
    self.codec = codec
    context = AvroCodecContext(deflateLevel: Int32(clamping: deflateLevel))
    do {
      output = try AtomicFile(path: path)
    } catch {
      throw .cannotWrite(path: path, reason: error.reason)
    }
    let header = AvroByteBuffer(capacity: 4096)
    header.writeRaw(AvroContainerFile.magic)
    var entries: [(String, [UInt8])] = [
      ("avro.schema", Array(schemaJSON.utf8)), ("avro.codec", Array(codec.rawValue.utf8)),
    ]
    for key in metadata.keys.sorted() { entries.append((key, Array((metadata[key] ?? "").utf8))) }
    header.writeLong(Int64(entries.count))
    for (key, value) in entries {
      header.writeString(key)
      value.withUnsafeBufferPointer { header.writeBytes($0) }
    }
    header.writeLong(0)
    header.writeRaw(sync)
    try write(UnsafeRawBufferPointer(header.bytes))
  }

  private func write(_ bytes: UnsafeRawBufferPointer) throws(AvroWriteError) {
    do {
      try output.write(bytes)
    } catch {
      throw .cannotWrite(path: output.path, reason: error.reason)
    }
  }

  /// Writes one block holding `count` records whose encodings are `data`.
  func writeBlock(count: Int, data: UnsafeBufferPointer<UInt8>) throws(AvroWriteError) {
    guard count > 0 else { return }
    let start = AvroContainerWriter.encodeBlock(
      count: count, data: data, codec: codec, sync: sync, context: context, into: compressed)
    try writeEncoded(compressed, from: start)
  }

  /// Writes a block made by `encodeBlock` (bytes `start..<out.count`).
  func writeEncoded(_ out: AvroByteBuffer, from start: Int) throws(AvroWriteError) {
    try write(UnsafeRawBufferPointer(start: out.base + start, count: out.count - start))
  }

  /// Encodes a whole block — count, size, compressed data, sync marker — into `out` (replacing
  /// its contents) and returns the offset where the block starts. Independent blocks can be
  /// encoded in parallel, one `context` and `out` per thread.
  static func encodeBlock(
    count: Int, data: UnsafeBufferPointer<UInt8>, codec: AvroCodec, sync: [UInt8],
    context: AvroCodecContext, into out: AvroByteBuffer
  ) -> Int {
    out.count = 0
    out.reserve(20)
    out.writeLong(Int64(count))
    let sizeAt = out.count
    // The size is written after compressing; reserve the widest varint and shift if shorter.
    out.count += 10
    let dataStart = out.count
    context.compress(codec, data, into: out)
    let size = out.count - dataStart
    let sizeBuffer = AvroByteBuffer(capacity: 16)
    sizeBuffer.writeLong(Int64(size))
    let gap = 10 - sizeBuffer.count
    (out.base + sizeAt + gap).update(from: sizeBuffer.base, count: sizeBuffer.count)
    // Move the count bytes right by `gap` so the block is contiguous from `gap`.
    let head = out.base
    var i = sizeAt - 1
    while i >= 0 {
      head[i + gap] = head[i]
      i -= 1
    }
    out.writeRaw(sync)
    return gap
  }

  /// fsync, rename into place, fsync of the directory.
  func commit() throws(AvroWriteError) {
    do {
      try output.commit()
    } catch {
      throw .cannotWrite(path: output.path, reason: error.reason)
    }
  }

  /// Flushes the file to disk without renaming it, for a commit together with other files
  /// (`AtomicOutput.commit(_:)`); the file is then `output`.
  func flushToDisk() throws(AvroWriteError) {
    do {
      try output.sync()
    } catch {
      throw .cannotWrite(path: output.path, reason: error.reason)
    }
  }

  func abandon() { output.abandon() }
}
