import Events
import Plumbing
import Wrapped

/// Late events of one window at one partition.
struct LateCount: Equatable {
  var events: Int64 = 0
  var maxLatenessMs: Int64 = 0
}

/// A record the consumer could not use: where it was and why.
public struct BadRecord: Sendable, Equatable {
  public var partition: Int32
  public var offset: Int64
  public var reason: String
}

/// Encoded records waiting to be written as a state segment.
struct PendingRecords {
  var bytes: [UInt8] = []
  var ends: [Int] = []
  var isEmpty: Bool { ends.isEmpty }
  mutating func append(_ record: UnsafeBufferPointer<UInt8>) {
    bytes.append(contentsOf: record)
    ends.append(bytes.count)
  }
  mutating func removeAll() {
    bytes.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
  }
}

/// One event-time window still open at a partition: its aggregates in memory, and its events
/// in durable segment files (plus those read since the last checkpoint, pending).
final class OpenWindow {
  let start: Int64
  var accumulator: WrappedAccumulator
  var segments: [String] = []
  var pending = PendingRecords()
  /// Rows of the batch being accepted that belong here, not yet added to `accumulator`.
  var rows: [Int] = []
  /// The run decoder's dictionary ids mapped to `accumulator`'s, for `columnsEpoch`.
  var columns = WrappedAccumulator.ColumnMap()
  var columnsEpoch: DictionaryEpoch?

  init(start: Int64, size: WindowSize) {
    self.start = start
    accumulator = WrappedAccumulator(
      period: WrappedPeriod(from: start, to: start + size.milliseconds))
  }
}

/// What the consumer knows of one partition: how far it has read, its stream time, its open
/// windows, the windows it closed whose events wait for the world-wide window, its late and bad
/// records. `checkpoint` is its durable form (`partition-P.json` in the state directory).
final class PartitionState {
  let partition: Int32
  /// The next offset to read (librdkafka's `RD_KAFKA_OFFSET_BEGINNING`, -2, before any).
  var nextOffset: Int64 = -2
  /// The largest event start read (Int64.min before any).
  var streamTime: Int64 = .min
  /// The time windows close on: the stream time, raised to the other partitions' while this one
  /// is idle.
  var effectiveTime: Int64 = .min
  /// At the end of its log for longer than the idle timeout (or at `-e`'s exit).
  var idle = false
  var segmentSequence = 0
  var open: [Int64: OpenWindow] = [:]
  /// The open window the last event went to (nil when it closed).
  var lastWindow: OpenWindow?
  /// The sizes of the last window this partition closed: a new window reserves as much (the
  /// next day or week of the same partition is about as large).
  var windowCapacity: WrappedAccumulator.Capacity?
  /// The start of the earliest open window (nil: none).
  var earliestOpen: Int64?
  /// Windows closed here: their segment files, kept until the world-wide window is written.
  var sealed: [Int64: [String]] = [:]
  /// The aggregates of the windows closed here since this member took the partition over (the
  /// world-wide window merges them instead of reading the segments again).
  var sealedAccumulators: [Int64: WrappedAccumulator] = [:]
  /// Per window closed since the last checkpoint round: its events not yet in segment files.
  var sealedPending: [Int64: PendingRecords] = [:]
  var late: [Int64: LateCount] = [:]
  var lateSegments: [String] = []
  var latePending = PendingRecords()
  var badCount: Int64 = 0
  var badRecords: [BadRecord] = []
  /// Events read since the last checkpoint.
  var sinceCheckpoint = 0
  /// The text of the checkpoint this member last wrote (nil: none yet).
  var lastCheckpoint: String?
  var lateChanged = false
  var badChanged = false
  /// At the end of the log since this wall-clock time (nil: records are flowing).
  var atEndSince: Int64?

  init(partition: Int32) {
    self.partition = partition
  }

  static let keptBadRecords = 1000

  // MARK: The checkpoint file

  var checkpoint: JSONValue {
    func int(_ v: Int64) -> JSONValue { .number(Double(v), integer: v) }
    func time(_ v: Int64) -> JSONValue { v == .min ? .null : int(v) }
    return .object([
      ("partition", int(Int64(partition))),
      ("next_offset", int(nextOffset)),
      ("stream_time", time(streamTime)),
      ("effective_time", time(effectiveTime)),
      ("idle", .bool(idle)),
      ("segment_sequence", int(Int64(segmentSequence))),
      (
        "open",
        .array(
          open.keys.sorted().map { w in
            .object([
              ("window", int(w)),
              ("segments", .array((open[w]?.segments ?? []).map { .string($0) })),
            ])
          })
      ),
      (
        "sealed",
        .array(
          sealed.keys.sorted().map { w in
            .object([
              ("window", int(w)), ("segments", .array((sealed[w] ?? []).map { .string($0) })),
            ])
          })
      ),
      (
        "late",
        .array(
          late.keys.sorted().map { w in
            .object([
              ("window", int(w)), ("events", int(late[w]?.events ?? 0)),
              ("max_lateness_ms", int(late[w]?.maxLatenessMs ?? 0)),
            ])
          })
      ),
      ("late_segments", .array(lateSegments.map { .string($0) })),
      ("bad_count", int(badCount)),
      (
        "bad",
        .array(
          badRecords.map {
            .object([("offset", int($0.offset)), ("reason", .string($0.reason))])
          })
      ),
    ])
  }

  /// The partition's durable fields from a checkpoint (open windows' accumulators are rebuilt
  /// from their segments by the store).
  static func read(_ json: JSONValue, path: String) throws(StreamError) -> (
    state: PartitionState, open: [(window: Int64, segments: [String])]
  ) {
    func fail(_ what: String) -> StreamError { .damagedState(path: path, reason: what) }
    func integer(_ v: JSONValue?, _ name: String) throws(StreamError) -> Int64 {
      guard case .number(_, let i?)? = v else { throw fail("\(name) is not an integer") }
      return i
    }
    func time(_ v: JSONValue?, _ name: String) throws(StreamError) -> Int64 {
      if case .null? = v { return .min }
      return try integer(v, name)
    }
    func strings(_ v: JSONValue?, _ name: String) throws(StreamError) -> [String] {
      guard case .array(let items)? = v else { throw fail("\(name) is not an array") }
      var out: [String] = []
      for item in items {
        guard let s = item.stringValue, !s.contains("/") else {
          throw fail("\(name) holds a bad file name")
        }
        out.append(s)
      }
      return out
    }
    func windows(_ name: String) throws(StreamError) -> [(Int64, [String])] {
      guard case .array(let items)? = json[name] else { throw fail("\(name) is not an array") }
      var out: [(Int64, [String])] = []
      for item in items {
        out.append(
          (try integer(item["window"], name + ".window"), try strings(item["segments"], name)))
      }
      return out
    }
    let p = try integer(json["partition"], "partition")
    guard let partition = Int32(exactly: p) else { throw fail("partition is out of range") }
    let s = PartitionState(partition: partition)
    s.nextOffset = try integer(json["next_offset"], "next_offset")
    s.streamTime = try time(json["stream_time"], "stream_time")
    s.effectiveTime = try time(json["effective_time"], "effective_time")
    if case .bool(let b)? = json["idle"] { s.idle = b }
    s.segmentSequence = Int(try integer(json["segment_sequence"], "segment_sequence"))
    for (w, segments) in try windows("sealed") { s.sealed[w] = segments }
    guard case .array(let lates)? = json["late"] else { throw fail("late is not an array") }
    for item in lates {
      s.late[try integer(item["window"], "late.window")] = LateCount(
        events: try integer(item["events"], "late.events"),
        maxLatenessMs: try integer(item["max_lateness_ms"], "late.max_lateness_ms"))
    }
    s.lateSegments = try strings(json["late_segments"], "late_segments")
    s.badCount = try integer(json["bad_count"], "bad_count")
    if case .array(let bad)? = json["bad"] {
      for item in bad {
        s.badRecords.append(
          BadRecord(
            partition: partition, offset: try integer(item["offset"], "bad.offset"),
            reason: item["reason"]?.stringValue ?? ""))
      }
    }
    return (s, try windows("open").map { (window: $0.0, segments: $0.1) })
  }

  /// Every segment file the partition refers to.
  var referencedFiles: Set<String> {
    var files = Set(lateSegments)
    for w in open.values { files.formUnion(w.segments) }
    for s in sealed.values { files.formUnion(s) }
    return files
  }
}
