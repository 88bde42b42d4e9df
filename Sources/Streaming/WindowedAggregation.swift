import Events
import Plumbing
import Wrapped

#if canImport(Glibc)
import Glibc
#endif

/// How a consumer aggregates: the options its state must keep across runs, and where it writes.
public struct StreamOptions: Sendable {
  public var topic = TopicLayout.defaultTopic
  public var window = WindowSize.day
  /// How long after a window's end (in stream time) it stays open, milliseconds.
  public var graceMs: Int64 = 2 * 3_600_000
  public var top = 10
  /// A partition at the end of its log for this long (wall clock) no longer holds back the
  /// world-wide windows, milliseconds.
  public var idleMs: Int64 = 60_000
  public var stateDirectory: String
  public var outDirectory: String
  public var archiveDirectory: String?
  /// Bad records tolerated before the consumer stops.
  public var maxBad = 0
  /// Events between checkpoints of a partition (also every few seconds).
  public var checkpointEvents = 200_000

  public init(stateDirectory: String, outDirectory: String) {
    self.stateDirectory = stateDirectory
    self.outDirectory = outDirectory
  }
}

/// The event-time window engine of `forecast consume`, without Kafka: records of the assigned
/// partitions come in (`accept`), windows close on each partition's stream time, world-wide
/// windows on the minimum over partitions, and `checkpointRound` makes everything durable before
/// the caller commits the offsets it returns.
///
/// The state directory (shared by the members of a group, one file per partition):
///
///     config.json               the options that must not change (topic, window, grace, top)
///     lock                      flock'ed while a member checkpoints or writes world-wide files
///     partition-P.json          partition P's checkpoint: offset, stream time, windows, late counts
///     segments/P/*.avro         the events of P's open and closed windows, and its late events
///     world/YYYY-MM-DD.done     world-wide window written
public final class WindowedAggregation {
  public let options: StreamOptions
  var partitions: [Int32: PartitionState] = [:]
  private var lateDirty = true
  private let lockPath: String

  private var opened = false
  /// `-e`: the log's end is the input's end, so a partition at its end is idle at once.
  public var idleAtEnd = false
  /// A window closed or a partition reached its end since the world-wide windows were last
  /// looked at.
  private var worldCheckDue = false
  /// World-wide windows submitted between rounds (`closeWorldWindowsBetweenRounds`), made
  /// durable by the next round.
  private var worldSubmitted = Set<Int64>()
  /// The state's lock, taken between rounds for the world-wide windows then submitted; the next
  /// round uses it and lets it go.
  private var heldLock: Lock?
  /// Closed windows' outputs, written on other cores while records keep coming.
  private let writer = WindowWriter()
  /// Files and directories written since the last barrier, without their own fsync.
  private var unsynced = Set<String>()
  /// Window jobs held while a checkpoint round closes windows, submitted largest first once it
  /// has closed them all (nil: submitted at once).
  private var heldJobs: [(events: Int64, job: WindowJob)]?
  typealias WindowJob = @Sendable () throws(StreamError) -> WindowWriter.Written
  /// Emptied record buffers, kept with their capacity for the next windows: a window's records
  /// then go into memory already mapped instead of growing a new buffer page by page.
  private var spareRecords: [PendingRecords] = []
  private var unsyncedDirectories = Set<String>()

  /// Notes a file written without its fsync (and its directory, for the rename).
  private func written(_ path: String) {
    unsynced.insert(path)
    unsyncedDirectories.insert(parentDirectory(of: path))
  }

  /// An engine over `options`; nothing is read or written before `open()`.
  public init(options: StreamOptions) {
    self.options = options
    lockPath = options.stateDirectory + "/lock"
  }

  /// Opens (or creates) the state, output and archive directories and checks the state's
  /// configuration (done by `assign` too, once).
  ///
  /// - Throws: `StreamError.stateMismatch` for a state made with other options,
  ///   `.cannotWrite` for directories that cannot be created.
  public func open() throws(StreamError) {
    guard !opened else { return }
    let archive = [options.archiveDirectory].compactMap { $0 }
    for d in [options.stateDirectory, options.outDirectory] + archive { try makeDirectory(d) }
    try makeDirectory(options.stateDirectory + "/segments")
    try makeDirectory(options.stateDirectory + "/world")
    try checkConfiguration()
    opened = true
  }

  // MARK: Configuration

  private var configuration: [(key: String, flag: String, value: String)] {
    [
      ("topic", "-t", options.topic), ("window", "--window", options.window.rawValue),
      ("grace", "--grace", StreamDuration.format(options.graceMs)),
      ("top", "--top", String(options.top)),
    ]
  }

  private func checkConfiguration() throws(StreamError) {
    let path = options.stateDirectory + "/config.json"
    if let json = try readJSONIfPresent(path) {
      for (key, flag, value) in configuration {
        let stored = json[key]?.stringValue ?? "(none)"
        if stored != value {
          throw .stateMismatch(
            path: options.stateDirectory, key: "\(flag) \(stored)", stored: "",
            given: "\(flag) \(value)")
        }
      }
      return
    }
    let json = JSONValue.object(configuration.map { ($0.key, .string($0.value)) })
    try write(json.description + "\n", to: path)
  }

  // MARK: Partitions

  /// Takes partition `p` over: its checkpoint (if any) is read, its open windows rebuilt from
  /// their segments, stale files of a crashed run removed.
  ///
  /// - Returns: the offset to read from (-2, the beginning, for a partition never read).
  public func assign(_ p: Int32) throws(StreamError) -> Int64 {
    try open()
    let path = checkpointPath(p)
    let state: PartitionState
    if let json = try readJSONIfPresent(path) {
      let (s, open) = try PartitionState.read(json, path: path)
      guard s.partition == p else {
        throw .damagedState(path: path, reason: "it holds partition \(s.partition)")
      }
      for (w, segments) in open {
        let window = OpenWindow(start: w, size: options.window)
        window.segments = segments
        for segment in segments {
          let file = segmentPath(p, segment)
          do {
            let reader = try EventFileReader(path: file)
            try window.accumulator.add(file: reader)
          } catch {
            throw .damagedState(path: file, reason: "\(error)")
          }
        }
        s.open[w] = window
      }
      s.earliestOpen = s.open.keys.min()
      state = s
    } else {
      state = PartitionState(partition: p)
    }
    try makeDirectory(segmentDirectory(p))
    let keep = state.referencedFiles
    for name in (try? listDirectory(segmentDirectory(p))) ?? [] where !keep.contains(name) {
      unlink(segmentPath(p, name))
    }
    removeTemporaries(in: options.outDirectory, scope: TopicLayout.directoryName(of: p))
    partitions[p] = state
    if try readIfPresent(path) == nil { try writeCheckpoint(state) }
    return state.nextOffset
  }

  /// Gives partition `p` up: made durable, then forgotten.
  ///
  /// - Returns: the offset to commit for it.
  public func revoke(_ p: Int32) throws(StreamError) -> Int64? {
    guard let s = partitions[p] else { return nil }
    try flushPending(s)
    try barrier()
    try writeCheckpoint(s)
    partitions[p] = nil
    return s.nextOffset
  }

  /// The partitions held.
  public var assigned: [Int32] { partitions.keys.sorted() }

  // MARK: Records

  /// Events before 1970 or from 2200 on are refused as bad records (their windows would make
  /// no sense and their arithmetic could overflow), and so is a start of exactly 0, a missing
  /// value written as zero: the files' default window (`EventTimeWindow.standard`).
  static let earliestStart = EventTimeWindow.standard.from
  static let latestStart = EventTimeWindow.standard.to  // 2200-01-01T00:00:00Z

  /// One event read from partition `p` at `offset`; `record` is its Avro encoding with the
  /// toolkit's schema (kept in the state segments, the archive and late.avro).
  public func accept(
    partition p: Int32, offset: Int64, event: ListeningEvent, record: UnsafeBufferPointer<UInt8>
  ) throws(StreamError) {
    guard let s = partitions[p] else { return }
    switch try route(s, offset: offset, start: event.startTime, record: record) {
    case .window(let window): window.accumulator.add(event)
    case .late, .bad: break
    }
    try advance(s, offset: offset, start: event.startTime) {}
  }

  /// Events read from partition `p`, in offset order, decoded as columns
  /// (`EventRecordsDecoder`): `offsets[i]` and `records[i]` (its toolkit encoding) belong to
  /// row i; `epoch` identifies the dictionaries the batch's string columns index (each window
  /// keeps its column map while it stays). The same as `accept` for each in turn, with each
  /// window's rows added to its aggregates at once.
  func accept(
    partition p: Int32, offsets: [Int64], batch: EventBatch,
    records: [UnsafeBufferPointer<UInt8>], epoch: DictionaryEpoch
  ) throws(StreamError) {
    guard let s = partitions[p] else { return }
    // Windows holding rows of this batch not yet added; added before a window closes, and at
    // the end (also when a bad record stops the run: what came before it counts).
    var touched: [OpenWindow] = []
    func addRows() {
      for window in touched {
        if window.columnsEpoch !== epoch {
          window.columns = WrappedAccumulator.ColumnMap()
          window.columnsEpoch = epoch
        }
        window.accumulator.add(batch, rows: window.rows, keeping: &window.columns)
        window.rows.removeAll(keepingCapacity: true)
      }
      touched.removeAll(keepingCapacity: true)
    }
    defer { addRows() }
    for i in 0..<batch.count {
      let start = batch.startTime[i]
      switch try route(s, offset: offsets[i], start: start, record: records[i]) {
      case .window(let window):
        if window.rows.isEmpty { touched.append(window) }
        window.rows.append(i)
      case .late: break
      case .bad: continue
      }
      try advance(s, offset: offsets[i], start: start, beforeClosing: addRows)
    }
  }

  private enum Route {
    case window(OpenWindow)
    case late
    case bad
  }

  /// Where an event starting at `start` goes: its open window (its record kept pending), the
  /// late events (counted, kept), or the bad records (a start outside 1970…2200).
  private func route(
    _ s: PartitionState, offset: Int64, start: Int64, record: UnsafeBufferPointer<UInt8>
  ) throws(StreamError) -> Route {
    guard start >= Self.earliestStart && start < Self.latestStart else {
      try bad(
        partition: s.partition, offset: offset,
        reason:
          "the event starts at \(start) ms"
          + (start == 0 ? " (1970-01-01T00:00:00Z, a missing value written as zero)" : "")
          + ", outside 1970-01-01 … 2200-01-01 (Unix milliseconds)")
      return .bad
    }
    let size = options.window
    let w = size.start(of: start)
    s.atEndSince = nil
    s.idle = false
    if w + size.milliseconds + options.graceMs <= s.effectiveTime {
      var count = s.late[w] ?? LateCount()
      count.events += 1
      count.maxLatenessMs = max(count.maxLatenessMs, s.effectiveTime - start)
      s.late[w] = count
      s.latePending.append(record)
      s.lateChanged = true
      return .late
    }
    let window: OpenWindow
    if let last = s.lastWindow, last.start == w {
      window = last  // most events go where the one before went: no lookup
    } else if let existing = s.open[w] {
      window = existing
      s.lastWindow = existing
    } else {
      window = OpenWindow(start: w, size: size)
      if let capacity = s.windowCapacity { window.accumulator.reserveCapacity(capacity) }
      if let spare = spareRecords.popLast() { window.pending = spare }
      s.open[w] = window
      s.lastWindow = window
      s.earliestOpen = min(s.earliestOpen ?? w, w)
    }
    window.pending.append(record)
    return .window(window)
  }

  /// After an event at `offset` starting at `start`: the partition's position and stream time,
  /// and the windows that closes (`beforeClosing` runs first when any will).
  private func advance(
    _ s: PartitionState, offset: Int64, start: Int64, beforeClosing: () -> Void
  ) throws(StreamError) {
    s.nextOffset = offset + 1
    s.sinceCheckpoint += 1
    if start > s.streamTime { s.streamTime = start }
    if s.streamTime > s.effectiveTime {
      s.effectiveTime = s.streamTime
      if let earliest = s.earliestOpen,
        earliest + options.window.milliseconds + options.graceMs <= s.effectiveTime
      {
        beforeClosing()
      }
      try closeWindows(s)
    }
  }

  /// A record that is not a usable event: counted and listed; past `maxBad`, the consumer
  /// stops before it (its offset is not committed).
  public func bad(partition p: Int32, offset: Int64, reason: String) throws(StreamError) {
    guard let s = partitions[p] else { return }
    let record = BadRecord(partition: p, offset: offset, reason: reason)
    if totalBad() + 1 > Int64(options.maxBad) { throw .badRecord(record, maxBad: options.maxBad) }
    s.badCount += 1
    if s.badRecords.count < PartitionState.keptBadRecords { s.badRecords.append(record) }
    s.badChanged = true
    s.nextOffset = offset + 1
    s.sinceCheckpoint += 1
  }

  private func totalBad() -> Int64 { partitions.values.reduce(0) { $0 + $1.badCount } }

  /// Partition `p` reached the end of its log (or, with nil, records flow again).
  public func atEnd(_ p: Int32, since now: Int64?) {
    guard let s = partitions[p] else { return }
    if now == nil || s.atEndSince == nil { s.atEndSince = now }
    if now != nil && idleAtEnd { worldCheckDue = true }
  }

  /// Whether a partition has read `checkpointEvents` events since its last checkpoint.
  public var wantsCheckpoint: Bool {
    partitions.values.contains { $0.sinceCheckpoint >= options.checkpointEvents }
  }

  // MARK: Closing windows

  private func closeWindows(_ s: PartitionState) throws(StreamError) {
    let size = options.window
    // Most events raise the stream time without closing anything: the earliest open window
    // (kept up to date here) says so without sorting the windows.
    if let earliest = s.earliestOpen,
      earliest + size.milliseconds + options.graceMs > s.effectiveTime
    {
      return
    }
    defer { s.earliestOpen = s.open.keys.min() }
    for w in s.open.keys.sorted() where w + size.milliseconds + options.graceMs <= s.effectiveTime {
      guard let window = s.open[w] else { continue }
      let (accumulator, options) = (window.accumulator, options)
      let (scope, sources) = (
        TopicLayout.directoryName(of: s.partition), ["kafka:\(options.topic)/\(s.partition)"]
      )
      submit(events: accumulator.eventsCounted) { () throws(StreamError) in
        let written = try WindowWriter.writeWindow(
          accumulator, start: w, scope: scope, sources: sources, partial: false, options: options)
        CrashPoint.reach("window")
        return written
      }
      s.sealed[w] = window.segments
      s.sealedAccumulators[w] = window.accumulator
      s.windowCapacity = window.accumulator.capacity
      worldCheckDue = true
      // Its events not yet in segments stay in memory until the next checkpoint round, which
      // writes them only if the world-wide window is not written in that round.
      if !window.pending.isEmpty {
        s.sealedPending[w] = window.pending
        window.pending = PendingRecords()
      } else {
        recycle(&window.pending)
      }
      s.open[w] = nil
      if s.lastWindow === window { s.lastWindow = nil }
      s.sinceCheckpoint = max(s.sinceCheckpoint, 1)
    }
  }

  // MARK: Durability

  /// Writes a window's pending events as a new segment file.
  private func flush(_ window: OpenWindow, of s: PartitionState) throws(StreamError) {
    guard !window.pending.isEmpty else { return }
    let name = nextSegmentName(s, prefix: "w" + WindowSize.name(of: window.start))
    try writeSegment(window.pending, to: segmentPath(s.partition, name))
    window.segments.append(name)
    window.pending.removeAll()
  }

  private func nextSegmentName(_ s: PartitionState, prefix: String) -> String {
    s.segmentSequence += 1
    let n = String(s.segmentSequence)
    return prefix + "-" + String(repeating: "0", count: max(0, 8 - n.count)) + n + ".avro"
  }

  private func writeSegment(_ records: PendingRecords, to path: String) throws(StreamError) {
    do {
      // Uncompressed: segments live only until their world-wide window is written.
      let writer = try Self.stateFileWriter(
        path: path, codec: .null, blockRecordCount: 4096, syncMarker: Self.syncMarker(0))
      try records.bytes.withUnsafeBufferPointer { all throws(AvroWriteError) in
        try writer.writeEncoded(all, ends: records.ends)
      }
      try writer.finish()
    } catch {
      throw .cannotWrite(path: path, reason: error.description)
    }
    written(path)
    CrashPoint.reach("segment")
  }

  /// A fixed sync marker (state and archive files are then the same bytes in every run).
  static func syncMarker(_ n: Int64) -> [UInt8] {
    Array("forecast".utf8) + (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * Int64($0))) }
  }

  /// Writes every pending event of `s` as segments (durable at the next barrier).
  private func flushPending(_ s: PartitionState, keepingSealed: Bool = false) throws(StreamError) {
    for w in s.open.keys.sorted() {
      if let window = s.open[w] { try flush(window, of: s) }
    }
    if !keepingSealed { try flushSealed(s, except: []) }
    if !s.latePending.isEmpty {
      let name = nextSegmentName(s, prefix: "late")
      try writeSegment(s.latePending, to: segmentPath(s.partition, name))
      s.lateSegments.append(name)
      s.latePending.removeAll()
    }
    if s.lateChanged || s.badChanged { lateDirty = true }
    s.lateChanged = false
    s.badChanged = false
  }

  /// Writes the events of the windows `s` closed since the last round (kept in memory) as
  /// segments; those of the windows in `skipped`, whose world-wide files this round writes from
  /// memory, are dropped instead: no file needs them any more (a backfill's windows mostly
  /// close world-wide in the round that read them, and then never touch the disk as segments).
  private func flushSealed(_ s: PartitionState, except skipped: Set<Int64>) throws(StreamError) {
    for w in s.sealedPending.keys.sorted() {
      guard var records = s.sealedPending.removeValue(forKey: w) else { continue }
      defer { recycle(&records) }
      if skipped.contains(w) { continue }
      let name = nextSegmentName(s, prefix: "w" + WindowSize.name(of: w))
      try writeSegment(records, to: segmentPath(s.partition, name))
      s.sealed[w, default: []].append(name)
    }
  }

  /// Keeps `records`' buffers (emptied) for a next window, up to a few of moderate size.
  private func recycle(_ records: inout PendingRecords) {
    guard spareRecords.count < 8, records.bytes.capacity <= 16 << 20 else { return }
    records.removeAll()
    spareRecords.append(records)
    records = PendingRecords()
  }

  /// Writes the checkpoint of `s` (durably: everything it refers to must be durable already).
  /// A checkpoint equal to the one last written is not written again: the file holds it,
  /// durably (each is made durable before the next round), and a rename over it would only
  /// churn inodes.
  private func writeCheckpoint(_ s: PartitionState, durable: Bool = true) throws(StreamError) {
    let text = s.checkpoint.description + "\n"
    s.sinceCheckpoint = 0
    guard text != s.lastCheckpoint else { return }
    try write(text, to: checkpointPath(s.partition), durable: durable)
    s.lastCheckpoint = text
    CrashPoint.reach("checkpoint")
  }

  /// Waits for the closed windows' outputs being written (and fsynced) on other threads; the
  /// next barrier makes their directories durable.
  package func waitForOutputs() throws(StreamError) {
    unsyncedDirectories.formUnion(try writer.drain())
  }

  /// Makes every file written without its own fsync durable (window outputs, segments, world
  /// outputs and markers, the archive, late and bad files, checkpoints): their fsyncs back to
  /// back, then their directories', so a checkpoint never refers to, and an offset is never
  /// committed past, anything a power loss could take back. (Only our files: a `syncfs` would
  /// also wait for every other writer's data on the file system.)
  func barrier() throws(StreamError) {
    try waitForOutputs()
    do {
      try AtomicOutput.sync(paths: unsynced.sorted())
      try AtomicOutput.sync(paths: unsyncedDirectories.sorted(by: { $0.count > $1.count }))
    } catch {
      throw .cannotWrite(path: error.path, reason: error.reason)
    }
    unsynced.removeAll()
    unsyncedDirectories.removeAll()
  }

  /// Makes every held partition durable, lets idle partitions follow the others, writes the
  /// world-wide windows every partition has closed, and rebuilds late.csv, late.avro and
  /// bad_records.csv; under the state directory's lock (members of a group take turns).
  ///
  /// - Parameters:
  ///   - now: wall-clock milliseconds (for the idle timeout).
  ///   - allIdle: every held partition counts as idle (`-e` at the end of the logs).
  ///   - closeOpen: also write the windows still open, marked partial (`writeOpenWindows`),
  ///     made durable by the same barriers.
  /// - Returns: the offsets to commit, now that what they cover is durable.
  /// - Throws: `StreamError` when a state, output or archive file cannot be written or read.
  public func checkpointRound(now: Int64, allIdle: Bool = false, closeOpen: Bool = false)
    throws(StreamError) -> [(
      partition: Int32, offset: Int64
    )]
  {
    // (Held already when world-wide windows were submitted between rounds: their temporaries
    // must not look like a crashed member's.)
    let lock: Lock
    if let held = heldLock {
      lock = held
      heldLock = nil
    } else {
      lock = try Lock(path: lockPath)
    }
    defer {
      // Nothing of this member's is left in flight when it lets the lock go, also when the
      // round fails (another member's round would take its temporaries for a crashed run's).
      try? waitForOutputs()
      lock.release()
    }
    // The world-wide windows submitted between rounds stay in flight: the round closes and
    // submits its own windows beside them, and its barrier waits for all.
    heldJobs = []
    defer { heldJobs = nil }
    var others = try otherPartitions()
    try followIdle(now: now, allIdle: allIdle, others: others)
    // With an archive (made of the segments), the closed windows' events become segments
    // first. Without, they wait in memory until it is known which world-wide windows this round
    // writes, and every segment is written after the round's windows went to the writer.
    let keepSealed = options.archiveDirectory == nil
    if !keepSealed {
      for p in assigned {
        if let s = partitions[p] { try flushPending(s) }
      }
    }
    let closing = try closeWorldWindows(others: others).union(worldSubmitted)
    if closeOpen { submitOpenWindows(excluding: closing) }
    // The round's windows go to the writer now, largest first, while segments and late files
    // are written.
    if let held = heldJobs {
      heldJobs = nil
      submitLargestFirst(held)
    }
    if keepSealed {
      for p in assigned {
        guard let s = partitions[p] else { continue }
        try flushPending(s, keepingSealed: true)
        try flushSealed(s, except: closing)
      }
    }
    if lateDirty {
      others = try otherPartitions()
      try writeLateAndBad(others: others)
      lateDirty = false
    }
    // Everything written so far becomes durable before a checkpoint refers to it or a segment
    // it replaces is removed.
    try barrier()
    worldSubmitted.removeAll()
    // Segments of windows written world-wide are no longer needed: the checkpoints stop
    // referring to them, and they are removed only once those checkpoints are durable (removed
    // first, a crash before the new checkpoint left the old one naming missing files, and no
    // restart could read the state). A crash after the checkpoints leaves them unreferenced,
    // and the next `assign` removes them.
    var obsolete: [String] = []
    for s in partitions.values {
      for w in s.sealed.keys where worldDone(w) {
        for name in s.sealed[w] ?? [] { obsolete.append(segmentPath(s.partition, name)) }
        s.sealed[w] = nil
        s.sealedAccumulators[w] = nil
      }
    }
    if !obsolete.isEmpty { CrashPoint.reach("obsolete") }
    // The checkpoints, then one more barrier for all of them (rather than an fsync each).
    for p in assigned {
      if let s = partitions[p] { try writeCheckpoint(s, durable: false) }
    }
    try barrier()
    for path in obsolete { unlink(path) }
    // Temporaries a crashed member left (world-wide files and markers, late files, archive
    // days): every file of this member is renamed into place by now, and no other member has
    // any in flight while this one holds the lock. (Removed at the start instead, the round
    // first waited there for the world-wide windows submitted between rounds, with the open
    // windows of `--close-open` not yet submitted and a core idle.)
    removeSharedTemporaries()
    return assigned.compactMap { p in partitions[p].map { (p, $0.nextOffset) } }
  }

  /// Idle partitions follow the rest: the minimum stream time of the active partitions, or,
  /// when every partition is idle, the largest (closing their windows that this passes).
  private func followIdle(now: Int64, allIdle: Bool, others: [Int32: PartitionState])
    throws(StreamError)
  {
    let idleMs = idleAtEnd ? 0 : options.idleMs
    for s in partitions.values {
      s.idle = allIdle ? true : (s.atEndSince.map { now - $0 >= idleMs } ?? false)
    }
    var times: [(stream: Int64, idle: Bool)] = partitions.values.map { ($0.streamTime, $0.idle) }
    times += others.values.map { ($0.streamTime, $0.idle) }
    let missing = TopicLayout.partitionCount - times.count
    let active =
      times.filter { !$0.idle }.map(\.stream) + Array(repeating: .min, count: max(0, missing))
    let follow = active.isEmpty ? (times.map(\.stream).max() ?? .min) : (active.min() ?? .min)
    for s in partitions.values where s.idle && follow > s.effectiveTime {
      s.effectiveTime = follow
      try closeWindows(s)
      s.sinceCheckpoint = max(s.sinceCheckpoint, 1)
    }
  }

  /// Between checkpoint rounds, when this member holds every partition and a window closed or a
  /// partition reached its end since the last look: submits the world-wide windows every
  /// partition has now closed, so that they are written while records are still read (on the
  /// writer's threads) rather than at the next round. The next round makes them durable, and
  /// their events never become segments when their world-wide window is written first.
  ///
  /// - Parameter now: wall-clock milliseconds (for the idle timeout).
  /// - Throws: `StreamError` when the lock or a file cannot be taken or written.
  public func closeWorldWindowsBetweenRounds(now: Int64) throws(StreamError) {
    guard worldCheckDue else { return }
    worldCheckDue = false
    guard partitions.count == TopicLayout.partitionCount else { return }
    // The world-wide files are written under the state's lock, which stays held until the next
    // round has waited for them (another member's round would take their temporaries for a
    // crashed run's).
    if heldLock == nil { heldLock = try Lock(path: lockPath) }
    try followIdle(now: now, allIdle: false, others: [:])
    worldCheckDue = false  // (the windows idle partitions just closed are looked at below)
    if options.archiveDirectory != nil {
      // The archive's day files are made of the segments.
      for s in partitions.values { try flushSealed(s, except: []) }
    }
    worldSubmitted.formUnion(try closeWorldWindows(others: [:]))
    if worldSubmitted.isEmpty {
      heldLock?.release()
      heldLock = nil
    }
  }

  /// The checkpoints of the partitions this member does not hold.
  private func otherPartitions() throws(StreamError) -> [Int32: PartitionState] {
    var out: [Int32: PartitionState] = [:]
    for p in 0..<Int32(TopicLayout.partitionCount) where partitions[p] == nil {
      let path = checkpointPath(p)
      guard let json = try readJSONIfPresent(path) else { continue }
      out[p] = try PartitionState.read(json, path: path).state
    }
    return out
  }

  private func worldDone(_ w: Int64) -> Bool {
    access(worldMarker(w), F_OK) == 0
  }

  /// World-wide windows close when every partition's (effective) stream time has passed their
  /// end plus the grace: their events are the closed windows' segments of every partition.
  ///
  /// - Returns: the windows whose world-wide files are being written.
  @discardableResult
  private func closeWorldWindows(others: [Int32: PartitionState]) throws(StreamError) -> Set<
    Int64
  > {
    var all: [Int32: PartitionState] = others
    for (p, s) in partitions { all[p] = s }
    guard all.count == TopicLayout.partitionCount else { return [] }
    var closing = Set<Int64>()
    let mark = all.values.map(\.effectiveTime).min() ?? .min
    let size = options.window
    let candidates = Set(all.values.flatMap { $0.sealed.keys }).sorted()
    for w in candidates
    where w + size.milliseconds + options.graceMs <= mark && !worldSubmitted.contains(w)
      && !worldDone(w)
    {
      closing.insert(w)
      // A piece this member closed is merged from memory (merges are exact); another
      // member's, or one closed before a restart, is read from its segments.
      var pieces: [WrappedAccumulator] = []
      var fromFiles: [String] = []
      var files: [String] = []
      for p in all.keys.sorted() {
        let names = (all[p]?.sealed[w] ?? []).map { segmentPath(p, $0) }
        files += names
        if let piece = partitions[p]?.sealedAccumulators[w] {
          pieces.append(piece)
        } else {
          fromFiles += names
        }
      }
      let (options, marker) = (options, worldMarker(w))
      let (closed, segmentFiles, allFiles) = (pieces, fromFiles, files)
      submit(events: Self.worldEvents(closed, segmentFiles)) { () throws(StreamError) in
        var accumulator = WrappedAccumulator(
          period: WrappedPeriod(from: w, to: w + size.milliseconds))
        accumulator.reserveCapacity(
          closed.reduce(WrappedAccumulator.Capacity()) { $0 + $1.capacity })
        for piece in closed { accumulator.merge(piece) }
        for file in segmentFiles {
          do {
            try accumulator.add(file: try EventFileReader(path: file))
          } catch {
            throw .damagedState(path: file, reason: "\(error)")
          }
        }
        accumulator.flush()
        var written = try WindowWriter.writeWindow(
          accumulator, start: w, scope: "world", sources: ["kafka:\(options.topic)"],
          partial: false, options: options)
        if let archive = options.archiveDirectory {
          let days = try Self.writeArchive(
            allFiles, to: archive, oneDay: size == .day ? w : nil)
          written.files += days
          written.directories.append(archive)
        }
        CrashPoint.reach("world")
        do throws(AtomicOutputError) {
          try AtomicOutput.write("", to: marker, durable: false)
        } catch {
          throw .cannotWrite(path: marker, reason: error.reason)
        }
        written.files.append(marker)
        written.directories.append(parentDirectory(of: marker))
        return written
      }
    }
    return closing
  }

  /// One Avro container file per UTC day of the events in `files`, in their order.
  ///
  /// - Parameters:
  ///   - files: segment files, in order.
  ///   - directory: the archive.
  ///   - oneDay: the day (its start) every event of `files` starts in, when the files are
  ///     segments of a day window: their records are then copied as encoded (`appendRecords`),
  ///     not decoded to find each event's day and encoded again.
  /// - Returns: the files written (without fsync).
  /// - Throws: `StreamError.cannotWrite` when a segment cannot be read or a file written.
  private static func writeArchive(_ files: [String], to directory: String, oneDay: Int64?)
    throws(StreamError) -> [String]
  {
    var writers: [Int64: EventFileWriter] = [:]
    var written: [String] = []
    /// The archive file of UTC day `day` (days since the epoch).
    func archiveWriter(_ day: Int64) throws(AvroWriteError) -> EventFileWriter {
      try stateFileWriter(
        path: directory + "/" + WindowSize.name(of: day * DayArithmetic.millisecondsPerDay)
          + ".avro", codec: .snappy, syncMarker: syncMarker(day))
    }
    do {
      if let start = oneDay {
        let day = DayArithmetic.floorDivide(start, DayArithmetic.millisecondsPerDay)
        let writer = try archiveWriter(day)
        writers[day] = writer
        var records = 0
        for file in files { records += try writer.appendRecords(of: file) }
        if records == 0 {
          writer.abandon()
          writers[day] = nil
        }
      } else {
        for file in files {
          let reader = try EventFileReader(path: file)
          while let event = try reader.next() {
            let day = DayArithmetic.floorDivide(event.startTime, DayArithmetic.millisecondsPerDay)
            if writers[day] == nil { writers[day] = try archiveWriter(day) }
            try writers[day]?.write(event)
          }
        }
      }
      for day in writers.keys.sorted() {
        try writers[day]?.finish()
        if let path = writers[day]?.path { written.append(path) }
      }
    } catch {
      for w in writers.values { w.abandon() }
      throw .cannotWrite(path: directory, reason: "\(error)")
    }
    return written
  }

  /// A writer for one of the consumer's Avro files (segments, archive days, `late.avro`): its
  /// fsyncs left to the round's barrier, its blocks compressed on the calling thread (the
  /// window outputs' jobs keep the other cores busy).
  private static func stateFileWriter(
    path: String, codec: AvroCodec, blockRecordCount: Int = 16_384, syncMarker: [UInt8]
  ) throws(AvroWriteError) -> EventFileWriter {
    let writer = try EventFileWriter(
      path: path, codec: codec, blockRecordCount: blockRecordCount, syncMarker: syncMarker)
    writer.deferDurability = true
    writer.writesInline = true
    return writer
  }

  /// `late.csv` (`window,partition,continent,late_events,max_lateness_ms`), `late.avro` (the late
  /// events, partition by partition in offset order) and `bad_records.csv`.
  private func writeLateAndBad(others: [Int32: PartitionState]) throws(StreamError) {
    var all: [Int32: PartitionState] = others
    for (p, s) in partitions { all[p] = s }
    var rows: [(w: Int64, p: Int32, count: LateCount)] = []
    for (p, s) in all {
      for (w, c) in s.late { rows.append((w, p, c)) }
    }
    rows.sort { ($0.w, $0.p) < ($1.w, $1.p) }
    var csv = "window,partition,continent,late_events,max_lateness_ms\n"
    for r in rows {
      csv +=
        "\(WindowSize.name(of: r.w)),\(r.p),\(TopicLayout.directoryName(of: r.p)),"
        + "\(r.count.events),\(r.count.maxLatenessMs)\n"
    }
    let out = options.outDirectory
    try write(csv, to: out + "/late.csv", durable: false)
    do {
      let writer = try Self.stateFileWriter(
        path: out + "/late.avro", codec: .snappy, syncMarker: Self.syncMarker(-1))
      do {
        for p in all.keys.sorted() {
          // Copied as encoded (the segments are in the writer's schema): not decoded.
          for name in all[p]?.lateSegments ?? [] {
            try writer.appendRecords(of: segmentPath(p, name))
          }
        }
        try writer.finish()
        written(writer.path)
      } catch {
        writer.abandon()
        throw error
      }
    } catch {
      throw .cannotWrite(path: out + "/late.avro", reason: "\(error)")
    }
    var bad = "partition,offset,reason\n"
    for p in all.keys.sorted() {
      for r in all[p]?.badRecords ?? [] { bad += "\(p),\(r.offset),\(CSVField.quoted(r.reason))\n" }
    }
    try write(bad, to: out + "/bad_records.csv", durable: false)
    CrashPoint.reach("late")
  }

  /// Writes every open window of the held partitions marked partial (`--close-open`); they
  /// stay open in the state, and their final output replaces these when they close. The
  /// world-wide partial windows are written only by a member holding every partition.
  public func writeOpenWindows() throws(StreamError) {
    submitOpenWindows(excluding: worldSubmitted)
    try barrier()
  }

  /// `writeOpenWindows` without the barrier; world-wide windows in `closing` (their final files
  /// being written) are left alone.
  private func submitOpenWindows(excluding closing: Set<Int64>) {
    let options = options
    var jobs: [(events: Int64, job: WindowJob)] = []
    for s in partitions.values {
      for (w, window) in s.open {
        let accumulator = window.accumulator
        let (scope, sources) = (
          TopicLayout.directoryName(of: s.partition), ["kafka:\(options.topic)/\(s.partition)"]
        )
        jobs.append(
          (
            accumulator.eventsCounted,
            { () throws(StreamError) in
              try WindowWriter.writeWindow(
                accumulator, start: w, scope: scope, sources: sources, partial: true,
                options: options)
            }
          ))
      }
    }
    if partitions.count == TopicLayout.partitionCount {
      let size = options.window
      var windows = Set<Int64>()
      for s in partitions.values {
        windows.formUnion(s.open.keys)
        windows.formUnion(s.sealed.keys)
      }
      for w in windows.sorted() where !worldDone(w) && !closing.contains(w) {
        var pieces: [WrappedAccumulator] = []
        var fromFiles: [String] = []
        for p in assigned {
          guard let s = partitions[p] else { continue }
          if let piece = s.sealedAccumulators[w] {
            pieces.append(piece)
          } else {
            fromFiles += (s.sealed[w] ?? []).map { segmentPath(p, $0) }
          }
          if let window = s.open[w] { pieces.append(window.accumulator) }
        }
        let (files, closed) = (fromFiles, pieces)
        jobs.append(
          (
            Self.worldEvents(closed, files),
            { () throws(StreamError) in
              var accumulator = WrappedAccumulator(
                period: WrappedPeriod(from: w, to: w + size.milliseconds))
              for file in files {
                do {
                  try accumulator.add(file: try EventFileReader(path: file))
                } catch {
                  throw .damagedState(path: file, reason: "\(error)")
                }
              }
              for piece in closed { accumulator.merge(piece) }
              accumulator.flush()
              return try WindowWriter.writeWindow(
                accumulator, start: w, scope: "world", sources: ["kafka:\(options.topic)"],
                partial: true, options: options)
            }
          ))
      }
    }
    submitLargestFirst(jobs)
  }

  /// Submits `job` (a window of `events` events) now, or holds it for the end of the round.
  private func submit(events: Int64, _ job: @escaping WindowJob) {
    if heldJobs != nil {
      heldJobs?.append((events, job))
    } else {
      writer.submit(job)
    }
  }

  /// Submits `jobs` largest first (stable: equal sizes keep their order), or holds them: the
  /// writer's threads then finish together, rather than one of them alone on a large window
  /// (a world-wide one) at the end.
  private func submitLargestFirst(_ jobs: [(events: Int64, job: WindowJob)]) {
    if heldJobs != nil {
      heldJobs? += jobs
      return
    }
    let order = jobs.indices.sorted {
      jobs[$0].events != jobs[$1].events ? jobs[$0].events > jobs[$1].events : $0 < $1
    }
    for i in order { writer.submit(jobs[i].job) }
  }

  /// The size of a world-wide window for `submitLargestFirst`: its pieces' events, and any
  /// segment files to read first counted as the largest.
  private static func worldEvents(_ pieces: [WrappedAccumulator], _ files: [String]) -> Int64 {
    files.isEmpty ? pieces.reduce(Int64(0)) { $0 + $1.eventsCounted } : Int64.max / 2
  }

  // MARK: Paths and files

  func checkpointPath(_ p: Int32) -> String { options.stateDirectory + "/partition-\(p).json" }
  func segmentDirectory(_ p: Int32) -> String { options.stateDirectory + "/segments/\(p)" }
  func segmentPath(_ p: Int32, _ name: String) -> String { segmentDirectory(p) + "/" + name }
  func worldMarker(_ w: Int64) -> String {
    options.stateDirectory + "/world/" + WindowSize.name(of: w) + ".done"
  }

  private func write(_ text: String, to path: String, durable: Bool = true) throws(StreamError) {
    do {
      try AtomicOutput.write(text, to: path, durable: durable)
    } catch {
      throw .cannotWrite(path: path, reason: error.reason)
    }
    if !durable { written(path) }
  }

  /// The JSON of a state file, or nil when there is none.
  private func readJSONIfPresent(_ path: String) throws(StreamError) -> JSONValue? {
    guard let text = try readIfPresent(path) else { return nil }
    do {
      return try JSONValue.parse(text)
    } catch {
      throw .damagedState(path: path, reason: error.description)
    }
  }

  private func readIfPresent(_ path: String) throws(StreamError) -> String? {
    guard let f = fopen(path, "rb") else {
      if errno == ENOENT { return nil }
      throw .damagedState(path: path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(f) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let n = fread(&chunk, 1, chunk.count, f)
      if n <= 0 { break }
      bytes += chunk[0..<n]
      if bytes.count > 64 << 20 { throw .damagedState(path: path, reason: "larger than 64 MB") }
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  /// Removes the temporaries a member killed while writing left of the files written under the
  /// state's lock (world-wide windows and their markers, the archive, late and bad files): called
  /// holding the lock, when no other member writes them.
  private func removeSharedTemporaries() {
    let out = options.outDirectory
    removeTemporaries(in: out, scope: "world")
    var directories = [out, options.stateDirectory + "/world"]
    if let archive = options.archiveDirectory { directories.append(archive) }
    for directory in directories {
      for name in (try? listDirectory(directory)) ?? [] where name.contains(".tmp-") {
        removeTree(directory + "/" + name)
      }
    }
  }

  /// Removes temporaries a crashed run left for `scope` (`OUT/*/scope.tmp-*`).
  private func removeTemporaries(in out: String, scope: String) {
    for w in (try? listDirectory(out)) ?? [] {
      let directory = out + "/" + w
      for name in (try? listDirectory(directory)) ?? [] where name.hasPrefix(scope + ".tmp-") {
        removeTree(directory + "/" + name)
      }
    }
  }
}

/// `mkdir -p`, fsync'ing each parent it creates a directory in.
func makeDirectory(_ path: String) throws(StreamError) {
  var info = stat()
  let parentPath = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    .joined(separator: "/")
  if !parentPath.isEmpty && stat(parentPath, &info) != 0 { try makeDirectory(parentPath) }
  if stat(path, &info) == 0 {
    guard info.st_mode & S_IFMT == S_IFDIR else {
      throw .cannotWrite(path: path, reason: "it exists and is not a directory")
    }
    return
  }
  guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
    throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
  }
  let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
    .joined(separator: "/")
  let fd = open(parent.isEmpty ? (path.hasPrefix("/") ? "/" : ".") : parent, O_RDONLY | O_DIRECTORY)
  if fd >= 0 {
    _ = fsync(fd)
    close(fd)
  }
}

/// The names in a directory (without `.` and `..`), sorted.
func listDirectory(_ path: String) throws(StreamError) -> [String] {
  guard let names = directoryNames(path) else {
    throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
  }
  return names
}

/// The directory holding `path` ("." for a bare name).
func parentDirectory(of path: String) -> String {
  guard let slash = path.lastIndex(of: "/") else { return "." }
  return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// `rm -r`.
func removeTree(_ path: String) {
  var info = stat()
  guard lstat(path, &info) == 0 else { return }
  if info.st_mode & S_IFMT == S_IFDIR {
    for name in (try? listDirectory(path)) ?? [] { removeTree(path + "/" + name) }
    rmdir(path)
  } else {
    unlink(path)
  }
}

/// An exclusive `flock` on a file, held until `release`.
struct Lock {
  let fd: Int32
  init(path: String) throws(StreamError) {
    fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw .cannotWrite(path: path, reason: String(cString: strerror(errno)))
    }
    while flock(fd, LOCK_EX) != 0 {
      guard errno == EINTR else {
        let reason = String(cString: strerror(errno))
        close(fd)
        throw .cannotWrite(path: path, reason: "flock: " + reason)
      }
    }
  }
  func release() {
    _ = flock(fd, LOCK_UN)
    close(fd)
  }
}
