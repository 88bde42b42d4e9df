/// Writes listening events to an Avro object container file, atomically: to
/// `path + ".tmp-<random>"`, renamed to `path` by `finish()`.
///
/// ```swift
/// let writer = try EventFileWriter(path: "history.avro", codec: .snappy)
/// for event in events { try writer.write(event) }
/// try writer.finish()
/// ```
public final class EventFileWriter {
  /// The final path.
  public let path: String
  /// The schema records are written with.
  public let schema: EventSchema
  /// The block codec.
  public let codec: AvroCodec
  /// Records per block.
  public let blockRecordCount: Int
  private let container: AvroContainerWriter
  private let buffer = AvroByteBuffer(capacity: 1 << 21)
  private var pending = 0
  private var closed = false
  /// Records written so far.
  public private(set) var recordCount = 0

  /// Creates the temporary file and writes the header.
  ///
  /// - Parameters:
  ///   - path: the file to create (replaced atomically by `finish()`).
  ///   - schema: `.toolkit` (every field) or `.milestone1` (the seed's schema; continent and
  ///     subscription are not written, user ids must fit in 32 bits).
  ///   - codec: the block codec.
  ///   - blockRecordCount: records per block (≥ 1).
  ///   - syncMarker: 16 bytes, or nil for random ones; given, the output is deterministic.
  ///   - metadata: extra header entries (keys must not start with `avro.`).
  /// - Throws: `AvroWriteError` if the temporary file cannot be created or an argument is invalid.
  public init(
    path: String, schema: EventSchema = .toolkit, codec: AvroCodec = .deflate,
    blockRecordCount: Int = 16_384, syncMarker: [UInt8]? = nil, metadata: [String: String] = [:]
  ) throws(AvroWriteError) {
    guard blockRecordCount >= 1 else {
      throw .invalidArgument(path: path, reason: "blockRecordCount must be at least 1")
    }
    self.path = path
    self.schema = schema
    self.codec = codec
    self.blockRecordCount = blockRecordCount
    container = try AvroContainerWriter(
      path: path, schemaJSON: schema.json, codec: codec, syncMarker: syncMarker,
      metadata: metadata)
  }

  deinit { if !closed { container.abandon() } }

  /// Appends one event (encoded now; written when its block is full).
  ///
  /// - Throws: `AvroWriteError` on a write failure, or a user id beyond 32 bits with
  ///   `.milestone1`.
  public func write(_ event: ListeningEvent) throws(AvroWriteError) {
    guard !closed else { throw .closed(path: path) }
    let b = buffer
    switch schema {
    case .toolkit:
      b.writeLong(event.userID)
    case .milestone1:
      guard let id = Int32(exactly: event.userID) else {
        throw .invalidValue(
          path: path,
          AvroEncodingError(path: "user_id", expected: "int (32 bits), not \(event.userID)"))
      }
      b.writeLong(Int64(id))
    }
    b.writeFloat(event.location.latitude)
    b.writeFloat(event.location.longitude)
    b.writeString(event.location.country)
    b.writeString(event.location.city)
    b.writeString(event.location.timezone)
    b.writeString(event.interaction.rawValue)
    b.writeString(event.song.name)
    b.writeString(event.song.artist)
    b.writeString(event.song.genre)
    b.writeLong(Int64(event.song.year))
    b.writeLong(Int64(event.song.popularity))
    b.writeFloat(event.song.danceability)
    b.writeFloat(event.song.energy)
    b.writeLong(Int64(event.song.lengthSeconds))
    b.writeLong(event.startTime)
    b.writeLong(event.endTime)
    b.writeString(event.personality)
    if schema == .toolkit {
      b.writeString(event.continent.rawValue)
      b.writeLong(EventFileWriter.subscriptionIndex(event.subscription))
    }
    pending += 1
    recordCount += 1
    if pending >= blockRecordCount { try flush() }
  }

  /// The index of `subscription` in the toolkit schema's `Subscription` enum.
  static func subscriptionIndex(_ subscription: Subscription) -> Int64 {
    switch subscription {
    case .free: return 0
    case .premium: return 1
    case .family: return 2
    case .student: return 3
    case .unknown: return 4
    }
  }

  private func flush() throws(AvroWriteError) {
    guard pending > 0 else { return }
    do {
      try container.writeBlock(count: pending, data: buffer.bytes)
    } catch {
      abandon()
      throw error
    }
    pending = 0
    buffer.count = 0
  }

  /// Writes the last block and renames the temporary file to `path`.
  ///
  /// - Throws: `AvroWriteError` (the temporary file is then removed).
  public func finish() throws(AvroWriteError) {
    guard !closed else { throw .closed(path: path) }
    try flush()
    closed = true
    try container.commit()
  }

  /// Removes the temporary file; nothing is left at `path` (also done by deinit if `finish()`
  /// was never called).
  public func abandon() {
    closed = true
    container.abandon()
  }
}
