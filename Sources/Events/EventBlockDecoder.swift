/// Decompresses and decodes one block of events: a unit of work for one core. Each decoder owns
/// its buffers, codec state and string dictionaries, so decoders run in parallel on independent
/// blocks without sharing anything.
final class EventBlockDecoder: @unchecked Sendable {
  enum Mode {
    /// `ListeningEvent` values into `events`.
    case events
    /// Columns into `userID`, `startTime`, `endTime` and local dictionary ids in `stringIDs`
    /// for `columnSlots` (with `extended`, also every other string slot and the coordinates,
    /// release year and popularity).
    case columns
  }

  let mode: Mode
  /// Columnar mode delivers every column, not only `columnSlots`.
  let extended: Bool
  let program: EventProgram
  let codec: AvroCodec
  let path: String
  var raw = AvroContainerFile.RawBlock()
  /// For `decode(records:count:ends:)`: where each record must end, bytes from the start.
  private var recordEnds: [Int]?
  /// For `decode(separate:)`: the records, each in its own buffer (instead of `raw`).
  private var separateRecords: [UnsafeBufferPointer<UInt8>]?
  private var decompressed: [UInt8] = []
  private let codecContext = AvroCodecContext()
  /// Per string slot: this decoder's dictionary (reset per block in columnar mode), in raw
  /// memory so that interning involves no reference counting.
  let dictionaries: UnsafeMutablePointer<ByteStringTable>
  /// `program.flat` and its branch ranges, in raw memory for the same reason.
  private let ops: UnsafeMutablePointer<FlatOp>
  private let branchRanges: UnsafeMutablePointer<Range<Int>>
  private var ints: UnsafeMutablePointer<Int64>
  private var floats: UnsafeMutablePointer<Float>
  private var strings: UnsafeMutablePointer<Int32>
  private let mainCount: Int
  private var intDefaults: UnsafeMutablePointer<Int64>
  private var floatDefaults: UnsafeMutablePointer<Float>
  private var stringDefaults: UnsafeMutablePointer<Int32>

  // Outputs.
  var events: [ListeningEvent] = []
  var userID: [Int64] = []
  var startTime: [Int64] = []
  var endTime: [Int64] = []
  var latitude: [Float] = []
  var longitude: [Float] = []
  var year: [Int32] = []
  var popularity: [Int32] = []
  var lengthSeconds: [Int32] = []
  /// Local dictionary ids per string slot (columnar mode; slots not delivered stay empty).
  var stringIDs: [[Int32]] = Array(repeating: [], count: EventSlot.stringCount)
  /// Columnar mode writes each record's values here by index while the block decodes, and the
  /// outputs above are made of them once it has: appending to a dozen Swift arrays per record
  /// (a uniqueness and a capacity check each) took about a sixth of the record's decoding.
  private var intColumns = ColumnBuffer<Int64>(columns: 3)  // user, start, end
  private var floatColumns = ColumnBuffer<Float>(columns: 2)  // latitude, longitude
  private var smallColumns = ColumnBuffer<Int32>(columns: 3)  // year, popularity, length
  private var idColumns = ColumnBuffer<Int32>(columns: EventSlot.stringCount)
  /// Records written to the column buffers in this block.
  private var emitted = 0
  var error: AvroReadError?
  var recordCount = 0
  /// Leave out records with an `EventFlaw` (counted in `damagedCount`) instead of failing the
  /// block with `AvroReadError.damagedEvent` (its record counted from 0 in the block).
  let skipsDamaged: Bool
  /// Records of the block left out for a flaw, and the first one's index in the block and flaw.
  var damagedCount = 0
  var firstDamaged: (record: Int, flaw: EventFlaw)?
  /// The flaw (index into `program.flaws`) of the record being decoded, -1 for none.
  private var flaw = -1
  /// Read positions remembered by `.mark` operations.
  private let marks: UnsafeMutablePointer<UnsafePointer<UInt8>?>
  /// Columnar mode keeps the string dictionaries from block to block (up to 65,536 strings a
  /// slot, then they start again under a new `dictionaryEpoch`): the ids of consecutive blocks
  /// then index the same strings.
  var keepsDictionaries = false
  /// Identifies the dictionaries the ids index: replaced whenever they start again.
  private(set) var dictionaryEpoch = DictionaryEpoch()

  /// Per dictionary id, the model enums (events mode), computed once per distinct string.
  private var continentCache: [Continent?] = []
  private var subscriptionCache: [Subscription?] = []
  private var interactionCache: [Interaction?] = []

  static let columnSlots = [
    EventSlot.timezone, EventSlot.continent, EventSlot.country, EventSlot.subscription,
    EventSlot.genre, EventSlot.artist, EventSlot.interaction,
  ]

  /// The string slots of extended columnar mode: `columnSlots`, then song name, city and
  /// personality.
  static let extendedSlots =
    columnSlots + [EventSlot.songName, EventSlot.city, EventSlot.personality]

  /// The string slots this decoder delivers in columnar mode.
  var deliveredSlots: [Int] { extended ? Self.extendedSlots : Self.columnSlots }

  init(
    mode: Mode, program: EventProgram, codec: AvroCodec, path: String, extended: Bool = false,
    skipsDamaged: Bool = false
  ) {
    self.mode = mode
    self.skipsDamaged = skipsDamaged
    self.extended = extended
    self.program = program
    self.codec = codec
    self.path = path
    mainCount = program.mainCount
    dictionaries = .allocate(capacity: EventSlot.stringCount)
    for i in 0..<EventSlot.stringCount { (dictionaries + i).initialize(to: ByteStringTable()) }
    ops = .allocate(capacity: max(1, program.flat.count))
    ops.initialize(from: program.flat, count: program.flat.count)
    branchRanges = .allocate(capacity: max(1, program.branchRanges.count))
    branchRanges.initialize(from: program.branchRanges, count: program.branchRanges.count)
    marks = .allocate(capacity: max(1, program.markCount))
    marks.initialize(repeating: nil, count: max(1, program.markCount))
    ints = .allocate(capacity: EventSlot.intCount)
    floats = .allocate(capacity: EventSlot.floatCount)
    strings = .allocate(capacity: EventSlot.stringCount)
    intDefaults = .allocate(capacity: EventSlot.intCount)
    intDefaults.initialize(from: program.intDefaults, count: EventSlot.intCount)
    floatDefaults = .allocate(capacity: EventSlot.floatCount)
    floatDefaults.initialize(from: program.floatDefaults, count: EventSlot.floatCount)
    stringDefaults = .allocate(capacity: EventSlot.stringCount)
    stringDefaults.initialize(repeating: 0, count: EventSlot.stringCount)
  }

  deinit {
    for i in 0..<EventSlot.stringCount { dictionaries[i].release() }
    dictionaries.deinitialize(count: EventSlot.stringCount)
    dictionaries.deallocate()
    ops.deallocate()
    branchRanges.deallocate()
    marks.deallocate()
    ints.deallocate()
    floats.deallocate()
    strings.deallocate()
    intDefaults.deallocate()
    floatDefaults.deallocate()
    stringDefaults.deallocate()
    intColumns.release()
    floatColumns.release()
    smallColumns.release()
    idColumns.release()
  }

  /// Decodes `count` single records laid end to end in `bytes` (Kafka messages' bodies, codec
  /// null) into the outputs.
  ///
  /// - Throws: `AvroDecodingError.corrupt` naming what is wrong with the bytes.
  func decode(records bytes: [UInt8], count: Int, ends: [Int]? = nil) throws(AvroDecodingError) {
    raw.data = bytes
    raw.size = bytes.count
    raw.count = count
    recordEnds = ends
    decode()
    // The caller's buffers are their own again (kept, they would be copied at their next write).
    raw.data = []
    recordEnds = nil
    try throwError(records: count)
  }

  /// The error of the last `decode()` of `records` single records, as `AvroDecodingError`.
  private func throwError(records count: Int) throws(AvroDecodingError) {
    guard let error else { return }
    switch error {
    case .recordCountMismatch(_, _, _, let reason), .corruptRecord(_, _, _, let reason):
      throw .corrupt(reason)
    case .damagedEvent(_, let record, let flaw):
      throw .corrupt(
        (count > 1 ? "record \(record + 1): " : "") + "\(flaw.problem); \(flaw.fix)")
    default:
      throw .corrupt(error.description)
    }
  }

  /// Decodes single records, each in a buffer of its own (Kafka messages' bodies, read in
  /// place), into the outputs: `decode(records:count:ends:)` without laying them end to end
  /// first. Each record must take its whole buffer.
  ///
  /// - Throws: `AvroDecodingError.corrupt` naming what is wrong with the bytes.
  func decode(separate records: [UnsafeBufferPointer<UInt8>]) throws(AvroDecodingError) {
    separateRecords = records
    raw.data = []
    raw.size = 0
    raw.count = records.count
    recordEnds = nil
    decode()
    separateRecords = nil
    try throwError(records: records.count)
  }

  /// Decodes `raw` into the outputs; on failure sets `error` (and keeps nothing).
  func decode() {
    error = nil
    recordCount = 0
    damagedCount = 0
    firstDamaged = nil
    events.removeAll(keepingCapacity: true)
    userID.removeAll(keepingCapacity: true)
    startTime.removeAll(keepingCapacity: true)
    endTime.removeAll(keepingCapacity: true)
    latitude.removeAll(keepingCapacity: true)
    longitude.removeAll(keepingCapacity: true)
    year.removeAll(keepingCapacity: true)
    popularity.removeAll(keepingCapacity: true)
    lengthSeconds.removeAll(keepingCapacity: true)
    for slot in deliveredSlots { stringIDs[slot].removeAll(keepingCapacity: true) }
    do throws(AvroReadError) {
      try decodeBlock()
    } catch {
      self.error = error
      events.removeAll(keepingCapacity: true)
      recordCount = 0
    }
  }

  private func prepareDictionaries() {
    if keepsDictionaries {
      // Kept across blocks until one grows past the bound; then every one starts again, and
      // `dictionaryEpoch` tells the callers that the ids index new dictionaries.
      guard (0..<EventSlot.stringCount).contains(where: { dictionaries[$0].count > 1 << 16 })
      else {
        for slot in 0..<EventSlot.stringCount {
          stringDefaults[slot] = dictionaries[slot].intern(program.stringDefaults[slot])
        }
        return
      }
      dictionaryEpoch = DictionaryEpoch()
    }
    for slot in 0..<EventSlot.stringCount {
      if mode == .columns || keepsDictionaries || dictionaries[slot].count > 1 << 16 {
        dictionaries[slot].removeAll()
        if slot == EventSlot.continent { continentCache.removeAll(keepingCapacity: true) }
        if slot == EventSlot.subscription { subscriptionCache.removeAll(keepingCapacity: true) }
        if slot == EventSlot.interaction { interactionCache.removeAll(keepingCapacity: true) }
      }
      stringDefaults[slot] = dictionaries[slot].intern(program.stringDefaults[slot])
    }
  }

  private func decodeBlock() throws(AvroReadError) {
    if let records = separateRecords {
      prepareOutputs(count: records.count)
      try decodeSeparate(records)
      finishOutputs(count: records.count)
      return
    }
    if raw.count == 0 && raw.size == 0 { return }  // an empty block, whatever the codec
    let n: Int
    do throws(AvroCodecFailure) {
      let size = raw.size
      let result = raw.data.withUnsafeBytes { bytes in
        Result { () throws(AvroCodecFailure) in
          try codecContext.decompress(
            codec, UnsafeRawBufferPointer(rebasing: bytes[0..<size]), into: &decompressed)
        }
      }
      n = try result.get()
    } catch {
      switch error {
      case .corrupt(let reason):
        throw .corruptBlock(path: path, block: raw.index, codec: codec, reason: reason)
      case .checksum(let expected, let actual):
        throw .checksumMismatch(path: path, block: raw.index, expected: expected, actual: actual)
      case .tooLarge(let size):
        throw .corruptBlock(
          path: path, block: raw.index, codec: codec,
          reason: "it claims \(size) bytes decompressed, more than any block")
      }
    }
    let count = raw.count
    if program.minimumRecordSize > 0 && count > n / program.minimumRecordSize {
      throw .recordCountMismatch(
        path: path, block: raw.index, declared: count,
        reason: "its \(n) bytes hold at most \(n / program.minimumRecordSize) records")
    }
    prepareOutputs(count: count)
    let result = decompressed.withUnsafeBytes { bytes in
      Result { () throws(AvroReadError) in
        try decodeRecords(UnsafeRawBufferPointer(rebasing: bytes[0..<n]), count: count)
      }
    }
    try result.get()
    finishOutputs(count: count)
  }

  /// The dictionaries for a block of `count` records, and room for its outputs.
  private func prepareOutputs(count: Int) {
    prepareDictionaries()
    switch mode {
    case .events: events.reserveCapacity(count)
    case .columns:
      emitted = 0
      intColumns.reserve(count)
      idColumns.reserve(count)
      if extended {
        floatColumns.reserve(count)
        smallColumns.reserve(count)
      }
    }
  }

  /// The outputs of a block of `count` records, once they have decoded.
  private func finishOutputs(count: Int) {
    if mode == .columns {
      // Appended to the emptied outputs, whose storage is reused when the caller has let go of
      // the last block's (new arrays would allocate again every block).
      userID.append(contentsOf: intColumns.values(0, count: emitted))
      startTime.append(contentsOf: intColumns.values(1, count: emitted))
      endTime.append(contentsOf: intColumns.values(2, count: emitted))
      for slot in deliveredSlots {
        stringIDs[slot].append(contentsOf: idColumns.values(slot, count: emitted))
      }
      if extended {
        latitude.append(contentsOf: floatColumns.values(0, count: emitted))
        longitude.append(contentsOf: floatColumns.values(1, count: emitted))
        year.append(contentsOf: smallColumns.values(0, count: emitted))
        popularity.append(contentsOf: smallColumns.values(1, count: emitted))
        lengthSeconds.append(contentsOf: smallColumns.values(2, count: emitted))
      }
    }
    recordCount = count
  }

  /// `decodeRecords` for records in buffers of their own, each of which a record must take whole.
  private func decodeSeparate(_ records: [UnsafeBufferPointer<UInt8>]) throws(AvroReadError) {
    for (record, buffer) in records.enumerated() {
      var c = AvroCursor(UnsafeRawBufferPointer(buffer))
      try decode(record: record, &c)
      if c.remaining > 0 {
        throw misfit(record: record, taken: buffer.count - c.remaining, of: buffer.count)
      }
      try keep(record: record)
    }
  }

  /// Decodes record `record` (its index in the block) at `c`.
  @inline(__always)
  private func decode(record: Int, _ c: inout AvroCursor) throws(AvroReadError) {
    do throws(AvroDecodeFailure) {
      try decodeRecord(&c)
    } catch {
      throw .corruptRecord(path: path, block: raw.index, record: record, reason: error.reason)
    }
  }

  /// Emits the record just decoded, or leaves it out for its flaw (with `skipsDamaged`; else
  /// fails on it).
  @inline(__always)
  private func keep(record: Int) throws(AvroReadError) {
    guard flaw >= 0 else { return emit() }
    let found = program.flaws[flaw]
    guard skipsDamaged else { throw .damagedEvent(path: path, record: record, flaw: found) }
    if firstDamaged == nil { firstDamaged = (record, found) }
    damagedCount += 1
  }

  /// A record (a Kafka message's event) that does not end where its message does: a message
  /// with bytes left over followed by one short of them would otherwise decode as two good
  /// events.
  private func misfit(record: Int, taken: Int, of size: Int) -> AvroReadError {
    .corruptRecord(
      path: path, block: raw.index, record: record,
      reason: "the event takes \(taken) bytes of its message's \(size)")
  }

  private func decodeRecords(_ data: UnsafeRawBufferPointer, count: Int) throws(AvroReadError) {
    var c = AvroCursor(data)
    let start = c.position
    let ends = recordEnds
    if let ends, ends.count != count {
      throw .recordCountMismatch(
        path: path, block: raw.index, declared: count,
        reason: "\(ends.count) record boundaries given for \(count) records")
    }
    for record in 0..<count {
      if c.remaining == 0 && program.minimumRecordSize > 0 {
        throw .recordCountMismatch(
          path: path, block: raw.index, declared: count,
          reason: "its data ends after \(record) records")
      }
      try decode(record: record, &c)
      // Records laid end to end (Kafka messages) must each end where their message does.
      if let ends, c.position - start != ends[record] {
        let from = record > 0 ? ends[record - 1] : 0
        throw misfit(record: record, taken: c.position - start - from, of: ends[record] - from)
      }
      try keep(record: record)
    }
    if c.remaining > 0 {
      throw .recordCountMismatch(
        path: path, block: raw.index, declared: count,
        reason: "\(c.remaining) bytes remain after the last declared record")
    }
  }

  @inline(__always)
  private func decodeRecord(_ c: inout AvroCursor) throws(AvroDecodeFailure) {
    ints.update(from: intDefaults, count: EventSlot.intCount)
    floats.update(from: floatDefaults, count: EventSlot.floatCount)
    strings.update(from: stringDefaults, count: EventSlot.stringCount)
    flaw = -1
    try run(0, mainCount, &c)
  }

  private func run(_ start: Int, _ count: Int, _ c: inout AvroCursor) throws(AvroDecodeFailure) {
    var i = start
    let end = start + count
    while i < end {
      let op = ops[i]
      i += 1
      let slot = Int(op.slot)
      switch op.kind {
      case .long:
        let v = try c.readLong()
        ints[slot] = op.argument == 1 ? v : v / op.argument
      case .longToFloat:
        floats[slot] = Float(try c.readLong())
      case .doubleToFloat:
        floats[slot] = Float(try c.readDouble())
      case .float:
        floats[slot] = try c.readFloat()
      case .string:
        let span = try c.readBytesSpan()
        strings[slot] = dictionaries[slot].intern(span.baseAddress ?? c.position, span.count)
      case .enumSymbol:
        let table = program.enumSymbols[Int(op.argument)]
        let index = try c.readLong()
        guard index >= 0 && index < Int64(table.count) else {
          throw .enumIndex(index, symbols: table.count)
        }
        guard let symbol = table[Int(index)] else {
          throw .unknownSymbol(program.enumNames[Int(op.argument)][Int(index)])
        }
        let position = c.position
        strings[slot] = symbol.withUnsafeBufferPointer { b in
          dictionaries[slot].intern(b.baseAddress ?? position, b.count)
        }
      case .skipVarint:
        _ = try c.readLong()
      case .skipBytes:
        try c.skip(Int(op.argument))
      case .skipString:
        _ = try c.readBytesSpan()
      case .skipValue:
        try skipValue(program.skipSchemas[Int(op.argument)], &c)
      case .union:
        let branch = try c.readLong()
        guard branch >= 0 && branch < Int64(op.slot) else {
          throw .unionIndex(branch, branches: Int(op.slot))
        }
        let range = branchRanges[Int(op.argument) + Int(branch)]
        try run(range.lowerBound, range.count, &c)
      case .flaw:
        if flaw < 0 { flaw = Int(op.argument) }
      case .mark:
        marks[Int(op.argument)] = c.position
      case .rewind:
        if let position = marks[Int(op.argument)] { c.position = position }
      }
    }
  }

  @inline(__always)
  private func emit() {
    let end =
      program.endIsDuration
      ? ints[EventSlot.startTime] &+ ints[EventSlot.endTime] : ints[EventSlot.endTime]
    switch mode {
    case .columns:
      let k = emitted
      emitted += 1
      intColumns[0, k] = ints[EventSlot.userID]
      intColumns[1, k] = ints[EventSlot.startTime]
      intColumns[2, k] = end
      idColumns[EventSlot.timezone, k] = strings[EventSlot.timezone]
      idColumns[EventSlot.continent, k] = strings[EventSlot.continent]
      idColumns[EventSlot.country, k] = strings[EventSlot.country]
      idColumns[EventSlot.subscription, k] = strings[EventSlot.subscription]
      idColumns[EventSlot.genre, k] = strings[EventSlot.genre]
      idColumns[EventSlot.artist, k] = strings[EventSlot.artist]
      idColumns[EventSlot.interaction, k] = strings[EventSlot.interaction]
      if extended {
        idColumns[EventSlot.songName, k] = strings[EventSlot.songName]
        idColumns[EventSlot.city, k] = strings[EventSlot.city]
        idColumns[EventSlot.personality, k] = strings[EventSlot.personality]
        floatColumns[0, k] = floats[EventSlot.latitude]
        floatColumns[1, k] = floats[EventSlot.longitude]
        smallColumns[0, k] = Int32(truncatingIfNeeded: ints[EventSlot.year])
        smallColumns[1, k] = Int32(truncatingIfNeeded: ints[EventSlot.popularity])
        smallColumns[2, k] = Int32(truncatingIfNeeded: ints[EventSlot.lengthSeconds])
      }
    case .events:
      let d = dictionaries
      let event = ListeningEvent(
        userID: ints[EventSlot.userID],
        location: Location(
          latitude: floats[EventSlot.latitude], longitude: floats[EventSlot.longitude],
          country: d[EventSlot.country].string(strings[EventSlot.country]),
          city: d[EventSlot.city].string(strings[EventSlot.city]),
          timezone: d[EventSlot.timezone].string(strings[EventSlot.timezone])),
        continent: continent(strings[EventSlot.continent]),
        subscription: subscription(strings[EventSlot.subscription]),
        interaction: interaction(strings[EventSlot.interaction]),
        song: Song(
          name: d[EventSlot.songName].string(strings[EventSlot.songName]),
          artist: d[EventSlot.artist].string(strings[EventSlot.artist]),
          genre: d[EventSlot.genre].string(strings[EventSlot.genre]),
          year: Int32(truncatingIfNeeded: ints[EventSlot.year]),
          popularity: Int32(truncatingIfNeeded: ints[EventSlot.popularity]),
          danceability: floats[EventSlot.danceability], energy: floats[EventSlot.energy],
          lengthSeconds: Int32(truncatingIfNeeded: ints[EventSlot.lengthSeconds])),
        startTime: ints[EventSlot.startTime], endTime: end,
        personality: d[EventSlot.personality].string(strings[EventSlot.personality]))
      events.append(event)
    }
  }

  @inline(__always)
  private func continent(_ id: Int32) -> Continent {
    let i = Int(id)
    while continentCache.count <= i { continentCache.append(nil) }
    if let c = continentCache[i] { return c }
    let c = Continent(parsing: dictionaries[EventSlot.continent].string(id))
    continentCache[i] = c
    return c
  }

  @inline(__always)
  private func subscription(_ id: Int32) -> Subscription {
    let i = Int(id)
    while subscriptionCache.count <= i { subscriptionCache.append(nil) }
    if let s = subscriptionCache[i] { return s }
    let s = Subscription(parsing: dictionaries[EventSlot.subscription].string(id))
    subscriptionCache[i] = s
    return s
  }

  @inline(__always)
  private func interaction(_ id: Int32) -> Interaction {
    let i = Int(id)
    while interactionCache.count <= i { interactionCache.append(nil) }
    if let s = interactionCache[i] { return s }
    let s = Interaction(parsing: dictionaries[EventSlot.interaction].string(id))
    interactionCache[i] = s
    return s
  }
}

extension Continent {
  /// The continent a file names: the raw value, any case, with `_`, `-` or no space
  /// (`north_america`, `NorthAmerica`); anything else is `.unknown`.
  /// Antarctica is Oceania (the seven partitions merge them).
  public init(parsing text: String) {
    let key = text.lowercased().filter { $0.isLetter }
    if key == "antarctica" {
      self = .oceania
      return
    }
    self =
      Continent.allCases.first { $0.rawValue.lowercased().filter { $0.isLetter } == key }
      ?? .unknown
  }
}

extension Subscription {
  /// The tier a file names, any case; anything else is `.unknown`.
  public init(parsing text: String) {
    self = Subscription(rawValue: text.lowercased()) ?? .unknown
  }
}

extension Interaction {
  /// The interaction a file names, any case (`play`/`played`, `skip`/`skipped`, …); anything
  /// else is `.other`.
  public init(parsing text: String) {
    let t = text.lowercased()
    switch t {
    case "played", "play": self = .played
    case "paused", "pause": self = .paused
    case "skipped", "skip": self = .skipped
    case "repeated", "repeat": self = .repeated
    case "liked", "like": self = .liked
    default: self = .other
    }
  }
}

/// `columns` columns of one trivial type for the records of a block, in raw memory written by
/// index (`buffer[column, record]`), grown by `reserve` (contents not kept).
private struct ColumnBuffer<T: BitwiseCopyable> {
  private var base: UnsafeMutablePointer<T>
  private var capacity = 0
  let columns: Int

  init(columns: Int) {
    self.columns = columns
    base = .allocate(capacity: 1)
  }

  /// Room for `records` records in every column.
  mutating func reserve(_ records: Int) {
    guard records > capacity else { return }
    base.deallocate()
    base = .allocate(capacity: records * columns)
    capacity = records
  }

  subscript(column: Int, record: Int) -> T {
    get { base[column * capacity + record] }
    nonmutating set { base[column * capacity + record] = newValue }
  }

  /// The first `count` values of `column` (valid until the next `reserve`).
  func values(_ column: Int, count: Int) -> UnsafeBufferPointer<T> {
    UnsafeBufferPointer(start: base + column * capacity, count: count)
  }

  func release() { base.deallocate() }
}
