import Dispatch

/// How to read an event file.
public struct EventReadOptions: Sendable {
  /// Keep the intact blocks instead of failing, reading on after each damaged block at the next
  /// sync marker; what was kept and dropped is in `EventFileReader.salvageReport`.
  public var salvage: Bool = false
  /// Blocks decoded at once (in parallel on the cores); two such groups are in flight (one
  /// decoding while the other is consumed), so memory grows with it.
  public var blocksInFlight: Int = 2
  /// How a foreign schema's fields stand for the toolkit's (`--map`); empty: names and
  /// aliases of the toolkit's schema only.
  public var mapping = EventFieldMapping()
  /// What to do with an event holding a value the toolkit cannot use (`EventFlaw`: a null in a
  /// field every event needs, a union branch the field cannot hold): refuse the file with
  /// `AvroReadError.damagedEvent` naming the record (the default, whatever `salvage` says: the
  /// file is intact), or leave the event out and count it in
  /// `EventFileReader.damagedEventsReport` (`--out-of-range skip`).
  public var damagedEvents = OutOfRangeEvents.refuse

  /// Options with salvage off or on, a field mapping, and what to do with damaged events.
  public init(
    salvage: Bool = false, mapping: EventFieldMapping = EventFieldMapping(),
    damagedEvents: OutOfRangeEvents = .refuse
  ) {
    self.salvage = salvage
    self.mapping = mapping
    self.damagedEvents = damagedEvents
  }
}

/// What `--salvage` kept and dropped from a damaged file: reported, never hidden. Reading
/// resumes after each damaged block, at the next sync marker, until damage ends the file.
public struct SalvageReport: Sendable, Equatable, CustomStringConvertible {
  /// Records delivered (from the intact blocks before and between damage).
  public var recordsKept: Int
  /// Blocks delivered.
  public var blocksKept: Int
  /// Blocks not delivered: each damaged one (reading resumes after it, at the next intact sync
  /// marker), and every block after damage that ends the reading (counted by their sync
  /// markers; 0 when only trailing bytes were ignored).
  public var blocksDropped: Int
  /// The first damage.
  public var error: AvroReadError

  public var description: String {
    "salvaged \(recordsKept) records from \(blocksKept) blocks; dropped \(blocksDropped) blocks: "
      + error.damage
  }
}

/// One block's events as columns (`N` = `count` records), the fast path for series building.
/// String columns are dictionary-encoded: `indices[i]` points into `values`, the file's table,
/// which only grows while the file is read (ids are stable across batches).
public struct EventBatch: Sendable {
  /// Records in this batch.
  public var count: Int
  /// The block index in the file.
  public var blockIndex: Int
  /// The byte offset of the block in the file (progress: against `EventFileReader.fileSize`).
  public var fileOffset = 0
  /// The listener of each record.
  public var userID: [Int64]  // [N]
  /// Unix epoch milliseconds.
  public var startTime: [Int64]  // [N]
  /// Unix epoch milliseconds.
  public var endTime: [Int64]  // [N]
  /// IANA timezone of each record (`user_location.timezone`).
  public var timezone: DictionaryColumn
  /// Continent as written (`Unknown` when the file has none).
  public var continent: DictionaryColumn
  /// Country as written.
  public var country: DictionaryColumn
  /// Subscription tier (`unknown` when the file has none).
  public var subscription: DictionaryColumn
  /// Song genre.
  public var genre: DictionaryColumn
  /// Song artist.
  public var artist: DictionaryColumn
  /// Interaction as written (`played`, `skipped`, …; see `Interaction(parsing:)`).
  public var interaction: DictionaryColumn
  /// The columns below are filled only by `forEachBatch(extended: true)` (else empty).
  /// Song title.
  public var songName = DictionaryColumn(indices: [], values: [])
  /// City as written (`user_location.city`).
  public var city = DictionaryColumn(indices: [], values: [])
  /// The recorded listening personality (`personality`).
  public var personality = DictionaryColumn(indices: [], values: [])
  /// Degrees north (`user_location.latitude`).
  public var latitude: [Float] = []  // [N]
  /// Degrees east (`user_location.longitude`).
  public var longitude: [Float] = []  // [N]
  /// Release year of the song (0 when the file has none).
  public var year: [Int32] = []  // [N]
  /// Popularity of the song, 0…100 (0 when the file has none).
  public var popularity: [Int32] = []  // [N]
  /// The song's duration in seconds (0 when the file has none).
  public var lengthSeconds: [Int32] = []  // [N]
}

extension EventBatch {
  /// A columnar decoder's block with its string columns (`EventBlockDecoder.columnSlots`, and
  /// the extended ones when it delivers them), in that order.
  init(_ decoder: EventBlockDecoder, columns: [DictionaryColumn]) {
    self.init(
      count: decoder.userID.count, blockIndex: decoder.raw.index, userID: decoder.userID,
      startTime: decoder.startTime, endTime: decoder.endTime, timezone: columns[0],
      continent: columns[1], country: columns[2], subscription: columns[3], genre: columns[4],
      artist: columns[5], interaction: columns[6])
    fileOffset = decoder.raw.offset
    if decoder.extended {
      songName = columns[7]
      city = columns[8]
      personality = columns[9]
      latitude = decoder.latitude
      longitude = decoder.longitude
      year = decoder.year
      popularity = decoder.popularity
      lengthSeconds = decoder.lengthSeconds
    }
  }
}

/// A dictionary-encoded string column.
public struct DictionaryColumn: Sendable {
  /// Per record, an index into `values`.
  public var indices: [Int32]  // [N]
  /// The distinct strings of the file so far.
  public var values: [String]

  /// The string of record `i`.
  public subscript(i: Int) -> String { values[Int(indices[i])] }
}

/// Reads a file of listening events (any schema that resolves against the toolkit's: the
/// toolkit's own, the seed's Milestone-1 and Milestone-2 ones), in constant memory.
///
/// `next()` streams events; `forEachBatch` delivers columns block by block. Both decode
/// independent blocks on all cores and deliver them in file order.
///
/// Without `salvage`, the first damage throws an `AvroReadError` naming the file, block or record
/// and the fix; the caller must discard what it has read (no partial result is to be used). With
/// `salvage`, reading stops at the damage and `salvageReport` says what was kept and dropped.
public final class EventFileReader {
  /// The file.
  public let path: String
  /// How the file is read.
  public let options: EventReadOptions
  let container: AvroContainerFile
  private let eventProgram: EventProgram
  private var pipeline: EventBlockPipeline?
  private var group = 0
  private var groupIndex = 0
  private var eventIndex = 0
  /// The events of the block being delivered.
  private var current: [ListeningEvent] = []

  /// The file's codec.
  public var codec: AvroCodec { container.codec }
  /// The file's size in bytes.
  public var fileSize: Int { container.file.size }
  /// The writer's schema, from the file header.
  public var writerSchema: AvroSchema { container.schema }
  /// The writer's schema text, as in the header.
  public var writerSchemaJSON: String { container.schemaText }
  /// The header's metadata (values as UTF-8 text).
  public var metadata: [String: String] {
    container.metadata.mapValues { String(decoding: $0, as: UTF8.self) }
  }
  /// The toolkit fields (`song_name`, `user_location.city`, …) that the file's schema
  /// carries; the others read as their defaults.
  public var fieldsPresent: Set<String> { eventProgram.present }
  /// Set when `salvage` stopped at damage: records kept, blocks dropped.
  public private(set) var salvageReport: SalvageReport?
  /// Set when events were left out for an `EventFlaw` (`options.damagedEvents == .skip`).
  public private(set) var damagedEventsReport: DamagedEventsReport?

  /// Opens `path`, reads its header and compiles the decoding plan.
  ///
  /// - Throws: `AvroReadError` for a missing, empty, non-Avro or damaged header, an invalid
  ///   schema, an unknown codec, or a schema that lacks fields the toolkit needs.
  public init(path: String, options: EventReadOptions = .init()) throws(AvroReadError) {
    self.path = path
    self.options = options
    container = try AvroContainerFile(path: path)
    eventProgram = try EventProgram(
      writer: container.schema, path: path, mapping: options.mapping)
  }

  /// The next event, or nil at the end of the file.
  ///
  /// - Throws: `AvroReadError` at the first damage (unless `salvage`).
  public func next() throws(AvroReadError) -> ListeningEvent? {
    if pipeline == nil {
      pipeline = EventBlockPipeline(
        container: container, program: eventProgram, mode: .events, options: options)
    }
    if eventIndex < current.count {
      eventIndex += 1
      return current[eventIndex - 1]
    }
    guard let pipeline else { return nil }
    while true {
      if groupIndex < group {
        // Take the block's events (the decoder keeps our old buffer to refill).
        current.removeAll(keepingCapacity: true)
        swap(&current, &pipeline.decoders[groupIndex].events)
        groupIndex += 1
        eventIndex = 0
        if !current.isEmpty {
          eventIndex = 1
          return current[0]
        }
        continue
      }
      group = try pipeline.nextGroup()
      groupIndex = 0
      eventIndex = 0
      current.removeAll(keepingCapacity: true)
      salvageReport = pipeline.report
      damagedEventsReport = pipeline.damaged
      if group == 0 { return nil }
    }
  }

  /// Calls `body` with every remaining event, in file order (streaming, constant memory).
  ///
  /// - Parameter body: called once per event; errors it throws stop the reading and propagate.
  /// - Throws: `AvroReadError` at the first damage (unless `salvage`), or what `body` throws.
  public func forEachEvent(_ body: (ListeningEvent) throws -> Void) throws {
    while let event = try next() { try body(event) }
  }

  /// Every remaining event, in file order (memory grows with the file: prefer `next()` or
  /// `forEachBatch` for large files).
  ///
  /// - Throws: `AvroReadError` at the first damage (unless `salvage`).
  public func readAll() throws(AvroReadError) -> [ListeningEvent] {
    var out: [ListeningEvent] = []
    while let event = try next() { out.append(event) }
    return out
  }

  /// Reads the whole file (from its first block, independently of `next()`) as columns, one
  /// batch per block, in file order.
  ///
  /// - Parameters:
  ///   - extended: also deliver song names, cities, personalities, coordinates, release years,
  ///     popularity and song lengths (the Wrapped analyses need them; series do not).
  ///   - body: called once per block; errors it throws stop the reading and propagate.
  /// - Throws: `AvroReadError` at the first damage (unless `salvage`), or what `body` throws.
  public func forEachBatch(
    extended: Bool = false, _ body: (EventBatch) throws -> Void
  ) throws {
    var wanted: Set<String> = [
      "user_id", "listening_time.start_time", "listening_time.end_time",
      "user_location.timezone", "continent", "user_location.country", "subscription", "genre",
      "artist", "interaction",
    ]
    if extended {
      wanted.formUnion([
        "song_name", "user_location.city", "personality", "user_location.latitude",
        "user_location.longitude", "year", "popularity", "length_seconds",
      ])
    }
    let program = try EventProgram(
      writer: container.schema, path: path, wanted: wanted, mapping: options.mapping)
    let pipeline = EventBlockPipeline(
      container: container, program: program, mode: .columns, options: options,
      extended: extended)
    let slots = extended ? EventBlockDecoder.extendedSlots : EventBlockDecoder.columnSlots
    let globals = slots.map { _ in ByteStringDictionary() }
    var values: [[String]] = Array(repeating: [], count: slots.count)
    var remap: [Int32] = []
    while true {
      let k = try pipeline.nextGroup()
      salvageReport = pipeline.report
      damagedEventsReport = pipeline.damaged
      if k == 0 { break }
      for decoder in pipeline.decoders[0..<k] {
        var columns: [DictionaryColumn] = []
        for (c, slot) in slots.enumerated() {
          let local = decoder.dictionaries + slot
          let global = globals[c]
          remap.removeAll(keepingCapacity: true)
          for id in 0..<Int32(local.pointee.count) {
            let bytes = local.pointee.bytes(id)
            let g = global.table.intern(bytes.baseAddress ?? UnsafePointer(remapEmpty), bytes.count)
            if Int(g) == values[c].count { values[c].append(global.table.string(g)) }
            remap.append(g)
          }
          let ids = decoder.stringIDs[slot]
          let indices = [Int32](unsafeUninitializedCapacity: ids.count) { out, initialized in
            remap.withUnsafeBufferPointer { map in
              ids.withUnsafeBufferPointer { src in
                for i in 0..<src.count { out[i] = map[Int(src[i])] }
              }
            }
            initialized = ids.count
          }
          columns.append(DictionaryColumn(indices: indices, values: values[c]))
        }
        try body(EventBatch(decoder, columns: columns))
      }
    }
  }
}

nonisolated(unsafe) private let remapEmpty = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

/// Reads blocks in order and decodes groups of them in parallel (one decoder per block in the
/// group), delivering in file order. Two sets of decoders alternate: while the caller consumes
/// one group, the next is already being decoded on the other cores.
final class EventBlockPipeline {
  let container: AvroContainerFile
  let salvage: Bool
  private let sets: [[EventBlockDecoder]]
  private var offset: Int
  private var blockIndex = 0
  private var endOfFile = false
  private var finished = false
  private var recordsDelivered = 0
  private var blocksDelivered = 0
  /// Records in the blocks delivered (events and the ones left out for a flaw).
  private var recordsRead = 0
  private(set) var report: SalvageReport?
  /// With salvage: the first damage, and the blocks dropped so far.
  private var firstDamage: AvroReadError?
  private var blocksDropped = 0
  /// The events left out for a flaw so far.
  private(set) var damaged: DamagedEventsReport?

  /// A group being decoded: its set, block count, and the read failure that ended it, if any.
  private struct Pending {
    var set: Int
    var count: Int
    var failure: AvroReadError?
    var failureOffset: Int
    var done: DispatchGroup
  }
  private var pending: Pending?
  private var current = 0

  /// The decoders of the group `nextGroup()` returned.
  var decoders: [EventBlockDecoder] { sets[current] }

  init(
    container: AvroContainerFile, program: EventProgram, mode: EventBlockDecoder.Mode,
    options: EventReadOptions, extended: Bool = false
  ) {
    self.container = container
    let k = max(1, options.blocksInFlight)
    sets = (0..<2).map { _ in
      (0..<k).map { _ in
        EventBlockDecoder(
          mode: mode, program: program, codec: container.codec, path: container.path,
          extended: extended, skipsDamaged: options.damagedEvents == .skip)
      }
    }
    salvage = options.salvage
    offset = container.dataStart
  }

  /// Reads the next blocks into set `set` and starts decoding them in the background.
  private func start(set: Int) -> Pending {
    let decoders = sets[set]
    var k = 0
    var failure: AvroReadError?
    var failureOffset = offset
    while k < decoders.count && !endOfFile {
      do throws(AvroReadError) {
        guard
          let next = try container.readBlock(
            at: offset, index: blockIndex, into: &decoders[k].raw,
            minimumRecordSize: decoders[k].program.minimumRecordSize)
        else {
          endOfFile = true
          break
        }
        offset = next
        blockIndex += 1
        k += 1
      } catch {
        failure = error
        failureOffset = offset
        endOfFile = true
        break
      }
    }
    let done = DispatchGroup()
    let count = k
    if count > 0 {
      DispatchQueue.global().async(group: done) {
        if count > 1 {
          DispatchQueue.concurrentPerform(iterations: count) { decoders[$0].decode() }
        } else {
          decoders[0].decode()
        }
      }
    }
    return Pending(set: set, count: k, failure: failure, failureOffset: failureOffset, done: done)
  }

  /// Waits for the next group; returns how many of `decoders` hold a block (0 at the end).
  func nextGroup() throws(AvroReadError) -> Int {
    while true {
      if finished { return 0 }
      let group = pending ?? start(set: 0)
      pending = nil
      group.done.wait()
      current = group.set
      let decoders = sets[group.set]
      var good = group.count
      var failure = group.failure
      var failureOffset = group.failureOffset
      var before = recordsRead
      for i in 0..<group.count {
        if let error = decoders[i].error {
          if case .damagedEvent(let path, let record, let flaw) = error {
            // Not damage to the file: refused whatever `salvage` says, numbered in the file.
            finished = true
            throw .damagedEvent(path: path, record: before + record + 1, flaw: flaw)
          }
          good = i
          failure = error
          failureOffset = decoders[i].raw.offset
          break
        }
        if let first = decoders[i].firstDamaged {
          let count = (damaged?.count ?? 0) + decoders[i].damagedCount
          damaged =
            damaged
            ?? DamagedEventsReport(
              count: 0, firstRecord: before + first.record + 1, flaw: first.flaw)
          damaged?.count = count
        }
        before += decoders[i].raw.count
      }
      recordsRead = before
      for decoder in decoders[0..<good] { recordsDelivered += decoder.recordCount }
      blocksDelivered += good
      if let failure {
        guard salvage else {
          finished = true
          throw failure
        }
        firstDamage = firstDamage ?? failure
        // Resume after the damage: at the next block when the damaged one was read intact
        // (it did not decode), else at the next sync marker found (`resynchronise`).
        var resume: (offset: Int, index: Int, dropped: Int)?
        if good < group.count {
          let index = decoders[good].raw.index + 1
          if good + 1 < group.count {
            resume = (decoders[good + 1].raw.offset, index, 1)
          } else {
            resume = (group.failure == nil ? offset : group.failureOffset, index, 1)
          }
        } else if let r = container.resynchronise(
          after: failure, blockAt: failureOffset,
          minimumRecordSize: decoders[0].program.minimumRecordSize)
        {
          resume = (r.offset, blockIndex + r.dropped, r.dropped)
        }
        if let resume {
          blocksDropped += resume.dropped
          offset = resume.offset
          blockIndex = resume.index
          endOfFile = false
        } else {
          finished = true
          var trailing = false
          if case .trailingBytes = failure { trailing = true }
          if !trailing {
            blocksDropped += max(1, (try? container.countSyncMarkers(from: failureOffset)) ?? 1)
          }
        }
        report = SalvageReport(
          recordsKept: recordsDelivered, blocksKept: blocksDelivered,
          blocksDropped: blocksDropped, error: firstDamage ?? failure)
        if good == 0 { continue }
      } else if group.count == 0 {
        finished = true
      } else if !endOfFile {
        // Decode the next group while the caller consumes this one.
        pending = start(set: 1 - group.set)
      }
      if let firstDamage {
        // Counted once the group is delivered (the caller consumes it before asking again).
        report = SalvageReport(
          recordsKept: recordsDelivered, blocksKept: blocksDelivered,
          blocksDropped: blocksDropped, error: firstDamage)
      }
      return good
    }
  }

  deinit {
    // A group still decoding refers to decoders this pipeline owns: let it finish.
    pending?.done.wait()
  }
}
