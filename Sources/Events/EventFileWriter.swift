import Dispatch
import Plumbing

/// Writes listening events to an Avro object container file, atomically and durably: to
/// `path + ".tmp-<random>"`, synced and renamed to `path` by `finish()`.
///
/// With a compressing codec, full blocks are compressed in groups on all cores and written in
/// order; memory holds at most `blocksInFlight` blocks.
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
  /// Two sets of blocks: one being filled by `write`, the other being compressed (on all
  /// cores) and written in the background. Each slot holds one block's encoded records, its
  /// record count, and its compression state and output.
  private let sets: [[BlockSlot]]
  private var setIndex = 0
  private var slot = 0
  private var inFlight: DispatchGroup?
  private let failure = FailureBox()
  private var buffer: AvroByteBuffer
  private var pending = 0
  private var closed = false
  /// Records written so far.
  public private(set) var recordCount = 0
  /// Leave the fsyncs of `finish()` to a later `AtomicOutput.sync(paths:)` (the consumer's batched
  /// durability).
  package var deferDurability: Bool {
    get { container.output.deferSync }
    set { container.output.deferSync = newValue }
  }
  /// Compress and write full blocks on the calling thread, not in the background on all cores:
  /// for the consumer's small state files, written while the window outputs' jobs keep every
  /// core busy (a background block would wait for a thread of the same pool, and the caller
  /// with it).
  package var writesInline = false

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
  ///   - deflateLevel: zlib level for `.deflate`, 1 (fastest) … 9 (smallest); 6 is zlib's default.
  /// - Throws: `AvroWriteError` if the temporary file cannot be created or an argument is invalid.
  public init(
    path: String, schema: EventSchema = .toolkit, codec: AvroCodec = .deflate,
    blockRecordCount: Int = 16_384, syncMarker: [UInt8]? = nil, metadata: [String: String] = [:],
    deflateLevel: Int = 6
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
      metadata: metadata, deflateLevel: deflateLevel)
    let perSet = codec == .null ? 1 : 4
    sets = (0..<2).map { _ in
      (0..<perSet).map { _ in
        BlockSlot(context: AvroCodecContext(deflateLevel: Int32(clamping: deflateLevel)))
      }
    }
    buffer = sets[0][0].records
  }

  /// The first error of a background write (read only after waiting for it).
  private final class FailureBox: @unchecked Sendable {
    var error: AvroWriteError?
  }

  /// One block's encoded records and, once compressed, the block as written.
  private final class BlockSlot: @unchecked Sendable {
    let records = AvroByteBuffer(capacity: 1 << 21)
    var count = 0
    let block = AvroByteBuffer(capacity: 1 << 20)
    var blockStart = 0
    let context: AvroCodecContext
    init(context: AvroCodecContext) { self.context = context }
  }

  deinit {
    inFlight?.wait()
    if !closed { container.abandon() }
  }

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

  /// Appends records already encoded with this writer's schema (Kafka messages' Avro bodies whose
  /// writer's schema is the toolkit's), laid end to end in `bytes`: record i is
  /// `bytes[ends[i - 1]..<ends[i]]` (the first starts at 0). Copied a block at a time, not
  /// decoded.
  package func writeEncoded(_ bytes: UnsafeBufferPointer<UInt8>, ends: [Int])
    throws(AvroWriteError)
  {
    guard !closed else { throw .closed(path: path) }
    var next = 0
    var from = 0
    while next < ends.count {
      let take = min(blockRecordCount - pending, ends.count - next)
      let end = ends[next + take - 1]
      buffer.writeRaw(UnsafeBufferPointer(rebasing: bytes[from..<end]))
      pending += take
      recordCount += take
      next += take
      from = end
      if pending >= blockRecordCount { try flush() }
    }
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

  /// Closes the block being filled; when its set is full (or `force`), hands the set to the
  /// background and fills the other one.
  private func flush(force: Bool = false) throws(AvroWriteError) {
    if pending > 0 {
      sets[setIndex][slot].count = pending
      slot += 1
      pending = 0
    }
    if slot == sets[setIndex].count || (force && slot > 0) {
      try waitForGroup()
      startGroup(Array(sets[setIndex][0..<slot]))
      setIndex = 1 - setIndex
      slot = 0
    }
    if force { try waitForGroup() }
    buffer = sets[setIndex][slot].records
    buffer.count = 0
  }

  /// Waits for the set in the background; on its failure, abandons the file and throws.
  private func waitForGroup() throws(AvroWriteError) {
    inFlight?.wait()
    inFlight = nil
    if let error = failure.error {
      abandon()
      throw error
    }
  }

  /// Compresses the full slots in parallel, then writes them in order, in the background (or
  /// both on this thread, `writesInline`).
  private func startGroup(_ full: [BlockSlot]) {
    let codec = self.codec
    let container = self.container
    let sync = container.sync
    let failure = self.failure
    let inline = writesInline
    let work: @Sendable () -> Void = {
      if codec != .null {
        let encode: @Sendable (Int) -> Void = { i in
          let s = full[i]
          s.blockStart = AvroContainerWriter.encodeBlock(
            count: s.count, data: s.records.bytes, codec: codec, sync: sync, context: s.context,
            into: s.block)
        }
        if inline {
          for i in full.indices { encode(i) }
        } else {
          DispatchQueue.concurrentPerform(iterations: full.count, execute: encode)
        }
      }
      do throws(AvroWriteError) {
        for s in full {
          if codec == .null {
            try container.writeBlock(count: s.count, data: s.records.bytes)
          } else {
            try container.writeEncoded(s.block, from: s.blockStart)
          }
        }
      } catch {
        failure.error = error
      }
    }
    if inline {
      work()
      return
    }
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group, execute: work)
    inFlight = group
  }

  /// Writes the last block and renames the temporary file to `path`.
  ///
  /// - Throws: `AvroWriteError` (the temporary file is then removed).
  public func finish() throws(AvroWriteError) {
    guard !closed else { throw .closed(path: path) }
    try flush(force: true)
    closed = true
    try container.commit()
  }

  /// Writes the last block and flushes the file to disk without renaming it into place: the
  /// returned file is committed together with the files that vouch for it
  /// (`AtomicOutput.commit(_:)`), or removed when dropped uncommitted.
  ///
  /// - Throws: `AvroWriteError` (the temporary file is then removed).
  package func finishUncommitted() throws(AvroWriteError) -> AtomicFile {
    guard !closed else { throw .closed(path: path) }
    try flush(force: true)
    closed = true
    try container.flushToDisk()
    return container.output
  }

  /// Removes the temporary file; nothing is left at `path` (also done by deinit if `finish()`
  /// was never called).
  public func abandon() {
    inFlight?.wait()
    inFlight = nil
    closed = true
    container.abandon()
  }
}

extension EventFileWriter {
  /// Appends the Avro binary encoding of `event` under the toolkit's schema to `out` (the
  /// Kafka path: one message value at a time, no allocation beyond `out`'s growth). The bytes
  /// equal `EventEncoding.encode(event)`.
  package static func appendEncoded(_ event: ListeningEvent, to out: inout [UInt8]) {
    func long(_ v: Int64) {
      var z = UInt64(bitPattern: (v << 1) ^ (v >> 63))
      while z >= 0x80 {
        out.append(UInt8(truncatingIfNeeded: z) | 0x80)
        z >>= 7
      }
      out.append(UInt8(z))
    }
    func float(_ v: Float) {
      let b = v.bitPattern
      for s in stride(from: 0, to: 32, by: 8) {
        out.append(UInt8(truncatingIfNeeded: b >> UInt32(s)))
      }
    }
    func string(_ s: String) {
      var s = s
      s.withUTF8 { u in
        long(Int64(u.count))
        out.append(contentsOf: u)
      }
    }
    long(event.userID)
    float(event.location.latitude)
    float(event.location.longitude)
    string(event.location.country)
    string(event.location.city)
    string(event.location.timezone)
    string(event.interaction.rawValue)
    string(event.song.name)
    string(event.song.artist)
    string(event.song.genre)
    long(Int64(event.song.year))
    long(Int64(event.song.popularity))
    float(event.song.danceability)
    float(event.song.energy)
    long(Int64(event.song.lengthSeconds))
    long(event.startTime)
    long(event.endTime)
    string(event.personality)
    string(event.continent.rawValue)
    long(subscriptionIndex(event.subscription))
  }
}
