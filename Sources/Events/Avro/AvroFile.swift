/// Reads any Avro object container file as generic values, block by block in constant memory,
/// resolving the file's schema against a reader's schema (or its own) once.
public final class AvroFileReader {
  /// The file.
  public let path: String
  let container: AvroContainerFile
  private let plan: ResolvedNode
  private let minimumRecordSize: Int
  private let context = AvroCodecContext()
  private var raw = AvroContainerFile.RawBlock()
  private var decompressed: [UInt8] = []
  private var values: [AvroValue] = []
  private var valueIndex = 0
  private var offset: Int
  private var blockIndex = 0
  private var done = false

  /// The writer's schema, from the header.
  public var writerSchema: AvroSchema { container.schema }
  /// The schema values are returned in.
  public let readerSchema: AvroSchema
  /// The file's codec.
  public var codec: AvroCodec { container.codec }
  /// The header's metadata.
  public var metadata: [String: [UInt8]] { container.metadata }
  /// The file's sync marker.
  public var syncMarker: [UInt8] { container.sync }
  /// Blocks read so far (empty blocks included).
  public var blocksRead: Int { blockIndex }

  /// Opens `path` and resolves its schema against `readerSchema` (nil: the writer's own).
  ///
  /// - Throws: `AvroReadError` for a damaged header or a schema that does not resolve.
  public init(path: String, readerSchema: AvroSchema? = nil) throws(AvroReadError) {
    self.path = path
    container = try AvroContainerFile(path: path)
    self.readerSchema = readerSchema ?? container.schema
    var resolver = AvroResolver()
    do {
      plan = try resolver.resolve(writer: container.schema, reader: self.readerSchema)
    } catch {
      throw .incompatibleSchema(path: path, error)
    }
    minimumRecordSize = minimumEncodedSize(container.schema)
    offset = container.dataStart
  }

  /// The next value, or nil at the end.
  ///
  /// - Throws: `AvroReadError` at the first damage.
  public func next() throws(AvroReadError) -> AvroValue? {
    while valueIndex == values.count {
      if done { return nil }
      values.removeAll(keepingCapacity: true)
      valueIndex = 0
      guard
        let next = try container.readBlock(
          at: offset, index: blockIndex, into: &raw, minimumRecordSize: minimumRecordSize)
      else {
        done = true
        return nil
      }
      offset = next
      try decodeBlock()
      blockIndex += 1
    }
    valueIndex += 1
    return values[valueIndex - 1]
  }

  /// Every remaining value.
  ///
  /// - Throws: `AvroReadError` at the first damage.
  public func readAll() throws(AvroReadError) -> [AvroValue] {
    var out: [AvroValue] = []
    while let v = try next() { out.append(v) }
    return out
  }

  private func decodeBlock() throws(AvroReadError) {
    if raw.count == 0 && raw.size == 0 {  // an empty block, whatever the codec
      values = []
      return
    }
    let n = try decompressBlock()
    let count = raw.count
    let decoded = decompressed.withUnsafeBytes { bytes in
      Result { () throws(AvroReadError) -> [AvroValue] in
        var c = AvroCursor(UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
        var out: [AvroValue] = []
        out.reserveCapacity(count)
        for record in 0..<count {
          if c.remaining == 0 && minimumRecordSize > 0 {
            throw .recordCountMismatch(
              path: path, block: raw.index, declared: count,
              reason: "its data ends after \(record) records")
          }
          do throws(AvroDecodeFailure) {
            out.append(try plan.decode(&c))
          } catch {
            throw .corruptRecord(path: path, block: raw.index, record: record, reason: error.reason)
          }
        }
        if c.remaining > 0 {
          throw .recordCountMismatch(
            path: path, block: raw.index, declared: count,
            reason: "\(c.remaining) bytes remain after the last declared record")
        }
        return out
      }
    }
    values = try decoded.get()
  }

  /// Decompresses the current raw block into `decompressed`; returns its size in bytes.
  private func decompressBlock() throws(AvroReadError) -> Int {
    let size = raw.size
    let codec = container.codec
    let result = raw.data.withUnsafeBytes { bytes in
      Result { () throws(AvroCodecFailure) in
        try context.decompress(
          codec, UnsafeRawBufferPointer(rebasing: bytes[0..<size]), into: &decompressed)
      }
    }
    let n: Int
    switch result {
    case .success(let v): n = v
    case .failure(.corrupt(let reason)):
      throw .corruptBlock(path: path, block: raw.index, codec: codec, reason: reason)
    case .failure(.checksum(let expected, let actual)):
      throw .checksumMismatch(path: path, block: raw.index, expected: expected, actual: actual)
    case .failure(.tooLarge(let size)):
      throw .corruptBlock(
        path: path, block: raw.index, codec: codec, reason: "it claims \(size) bytes decompressed")
    }
    let count = raw.count
    if minimumRecordSize > 0 && count > n / minimumRecordSize {
      throw .recordCountMismatch(
        path: path, block: raw.index, declared: count,
        reason: "its \(n) bytes hold at most \(n / minimumRecordSize) records")
    }
    return n
  }

  /// Calls `body` once per remaining block with a cursor over the block's decompressed records
  /// and their declared count, for readers that do not build values (`AvroFileSummary`). `body`
  /// must read exactly `count` records; what it throws propagates.
  ///
  /// - Parameters:
  ///   - damaged: when given, damage does not throw: it is passed on with the blocks it costs
  ///     (`ends`: the rest of the file), and reading resumes after the damaged block, at the
  ///     next sync marker (salvage).
  ///   - body: called with each block's records.
  /// - Throws: `AvroReadError` at the first damage (without `damaged`), or what `body` throws.
  func forEachRecordBlock(
    damaged: ((_ error: AvroReadError, _ dropped: Int, _ ends: Bool) -> Void)? = nil,
    _ body: (inout AvroCursor, _ count: Int, _ block: Int) throws(AvroReadError) -> Void
  ) throws(AvroReadError) {
    while !done {
      let blockStart = offset
      do throws(AvroReadError) {
        try readRecordBlock(body)
      } catch {
        guard let damaged else { throw error }
        if offset != blockStart {
          // Read intact, it did not decode: the next block is where it ends.
          blockIndex += 1
          damaged(error, 1, false)
        } else if let r = container.resynchronise(
          after: error, blockAt: blockStart, minimumRecordSize: minimumRecordSize)
        {
          offset = r.offset
          blockIndex += r.dropped
          damaged(error, r.dropped, false)
        } else {
          done = true
          var trailing = false
          if case .trailingBytes = error { trailing = true }
          let rest = trailing ? 0 : (try? container.countSyncMarkers(from: blockStart)) ?? 1
          damaged(error, trailing ? 0 : max(1, rest), true)
        }
      }
    }
  }

  /// Reads the block at `offset` and passes its records to `body` (one step of
  /// `forEachRecordBlock`; `offset` moves past the block once it is read).
  private func readRecordBlock(
    _ body: (inout AvroCursor, _ count: Int, _ block: Int) throws(AvroReadError) -> Void
  ) throws(AvroReadError) {
    guard
      let next = try container.readBlock(
        at: offset, index: blockIndex, into: &raw, minimumRecordSize: minimumRecordSize)
    else {
      done = true
      return
    }
    offset = next
    if !(raw.count == 0 && raw.size == 0) {
      let n = try decompressBlock()
      let count = raw.count
      let index = raw.index
      let result = decompressed.withUnsafeBytes { bytes in
        Result { () throws(AvroReadError) in
          var c = AvroCursor(UnsafeRawBufferPointer(rebasing: bytes[0..<n]))
          try body(&c, count, index)
          if c.remaining > 0 {
            throw .recordCountMismatch(
              path: path, block: index, declared: count,
              reason: "\(c.remaining) bytes remain after the last declared record")
          }
        }
      }
      try result.get()
    }
    blockIndex += 1
  }
}

/// Writes generic values to an Avro object container file, atomically (temporary file, rename).
public final class AvroFileWriter {
  /// The final path.
  public let path: String
  /// The schema values are written with.
  public let schema: AvroSchema
  private let container: AvroContainerWriter
  private let blockRecordCount: Int
  private let buffer = AvroByteBuffer(capacity: 1 << 16)
  private var pending = 0
  private var closed = false

  /// Creates the temporary file and writes the header.
  ///
  /// - Parameters:
  ///   - path: the file to create.
  ///   - schema: the values' schema.
  ///   - schemaJSON: the header's schema text (nil: `schema.description`).
  ///   - codec: the block codec.
  ///   - blockRecordCount: records per block (≥ 1).
  ///   - syncMarker: 16 bytes, or nil for random ones.
  ///   - metadata: extra header entries (keys must not start with `avro.`).
  /// - Throws: `AvroWriteError` if the file cannot be created or an argument is invalid.
  public init(
    path: String, schema: AvroSchema, schemaJSON: String? = nil, codec: AvroCodec = .deflate,
    blockRecordCount: Int = 4096, syncMarker: [UInt8]? = nil, metadata: [String: String] = [:]
  ) throws(AvroWriteError) {
    guard blockRecordCount >= 1 else {
      throw .invalidArgument(path: path, reason: "blockRecordCount must be at least 1")
    }
    self.path = path
    self.schema = schema
    self.blockRecordCount = blockRecordCount
    container = try AvroContainerWriter(
      path: path, schemaJSON: schemaJSON ?? schema.description, codec: codec,
      syncMarker: syncMarker, metadata: metadata)
  }

  deinit { if !closed { container.abandon() } }

  /// Appends one value.
  ///
  /// - Throws: `AvroWriteError.invalidValue` if it does not fit the schema (nothing of it is
  ///   written), or a write failure.
  public func append(_ value: AvroValue) throws(AvroWriteError) {
    guard !closed else { throw .closed(path: path) }
    let mark = buffer.count
    do {
      try value.encode(schema, into: buffer, path: schema.fullName ?? "value")
    } catch {
      buffer.count = mark
      throw .invalidValue(path: path, error)
    }
    pending += 1
    if pending >= blockRecordCount { try flush() }
  }

  private func flush() throws(AvroWriteError) {
    guard pending > 0 else { return }
    try container.writeBlock(count: pending, data: buffer.bytes)
    pending = 0
    buffer.count = 0
  }

  /// Writes the last block and renames the file into place.
  ///
  /// - Throws: `AvroWriteError`.
  public func finish() throws(AvroWriteError) {
    guard !closed else { throw .closed(path: path) }
    do {
      try flush()
    } catch {
      abandon()
      throw error
    }
    closed = true
    try container.commit()
  }

  /// Removes the temporary file.
  public func abandon() {
    closed = true
    container.abandon()
  }
}

extension AvroValue {
  /// Decodes one value of `writerSchema` from `bytes` (binary encoding), resolved to
  /// `readerSchema` (nil: the writer's).
  ///
  /// - Throws: `AvroDecodingError` if the schemas do not resolve or the bytes are not one value.
  public static func decode(
    _ bytes: [UInt8], writerSchema: AvroSchema, readerSchema: AvroSchema? = nil
  ) throws(AvroDecodingError) -> AvroValue {
    var resolver = AvroResolver()
    let plan: ResolvedNode
    do {
      plan = try resolver.resolve(writer: writerSchema, reader: readerSchema ?? writerSchema)
    } catch {
      throw .incompatibleSchema(error)
    }
    let result = bytes.withUnsafeBytes { raw in
      Result { () throws(AvroDecodingError) -> AvroValue in
        var c = AvroCursor(raw)
        let value: AvroValue
        do throws(AvroDecodeFailure) {
          value = try plan.decode(&c)
        } catch {
          throw .corrupt(error.reason)
        }
        if c.remaining > 0 { throw .trailingBytes(c.remaining) }
        return value
      }
    }
    return try result.get()
  }
}

/// Why a single encoded value (a Kafka message body, …) could not be decoded.
public enum AvroDecodingError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The writer's and reader's schemas do not resolve.
  case incompatibleSchema(AvroResolutionError)
  /// The bytes are not a value of the writer's schema.
  case corrupt(String)
  /// Bytes remain after the value.
  case trailingBytes(Int)
  /// A Confluent wire-format message does not start with the magic byte 0.
  case notConfluentWireFormat(firstByte: UInt8?)
  /// A Confluent message is shorter than its 5-byte header.
  case truncatedConfluentHeader(Int)

  public var description: String {
    switch self {
    case .incompatibleSchema(let e): return "the message's schema does not resolve: \(e)"
    case .corrupt(let reason):
      return "the message is not valid Avro binary data: \(reason). Check the writer's schema id."
    case .trailingBytes(let n):
      return "\(n) bytes follow the value: the writer's schema is probably not the one used. "
        + "Check the schema id."
    case .notConfluentWireFormat(let b):
      return "the message does not start with the Confluent magic byte 0 (first byte: "
        + "\(b.map { String($0) } ?? "none")). Produce it with a Confluent Avro serializer."
    case .truncatedConfluentHeader(let n):
      return
        "the message has \(n) bytes, fewer than the 5-byte Confluent header (magic, schema id)."
    }
  }
}
