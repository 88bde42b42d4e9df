/// Sessions of one user (or one user within one split key), built from events in any order.
///
/// A session is a maximal run of events, in start order, whose gap (next start minus the latest
/// end so far) is at most `gap`. Equivalently: the connected components of the intervals
/// `[start, end + gap]` (closed, so a gap of exactly `gap` joins). An event arriving in order
/// touches only the last session (O(1)); an event earlier than the last session's start waits
/// in `late` until `sessions` is read or the late events outnumber the sessions, and is then
/// merged in one sorted sweep. So a file in any order, reverse time order included, costs
/// amortised O(log n) per event, never a shift of every session.
struct SessionList {
  /// One session: first start, latest end, and the timezone of its first event.
  struct Session: Equatable {
    var start: Int64  // Unix ms
    var end: Int64  // Unix ms, max over its events
    var zone: Int32  // timezone index of the event that starts it
  }

  /// Sessions of the events so far but the late ones: sorted by start, pairwise more than
  /// `gap` apart.
  private var ordered: [Session] = []
  /// Events that arrived after a later-starting one, in arrival order, not yet merged.
  private var late: [Session] = []
  private var gap: Int64 = 0

  /// The sessions, sorted by start.
  var sessions: [Session] { late.isEmpty ? ordered : Self.merged(ordered, late, gap: gap) }

  /// `a + b`, held at `Int64.max` instead of overflowing (the builder's time window keeps
  /// real sums far below it; this keeps a damaged value from trapping).
  @inline(__always)
  private static func reach(_ a: Int64, _ b: Int64) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b > 0 ? .max : .min) : sum
  }

  /// Adds one event `[start, end]` (Unix ms) in `zone`; `gap` is the same for every call.
  mutating func add(start: Int64, end: Int64, zone: Int32, gap: Int64) {
    self.gap = gap
    let end = max(start, end)
    guard let last = ordered.last else {
      ordered.append(Session(start: start, end: end, zone: zone))
      return
    }
    if start >= last.start {
      if start <= Self.reach(last.end, gap) {
        ordered[ordered.count - 1].end = max(last.end, end)
      } else {
        ordered.append(Session(start: start, end: end, zone: zone))
      }
      return
    }
    late.append(Session(start: start, end: end, zone: zone))
    if late.count >= max(64, ordered.count) {
      ordered = Self.merged(ordered, late, gap: gap)
      late = []
    }
  }

  /// The sessions of `ordered` (sorted, disjoint) and `late` (any order) together: one sweep in
  /// start order (on equal starts, sessions before late events, late events in arrival order,
  /// so the zone is that of the event that came first), each joining the last session when it
  /// starts at most `gap` after that session's end.
  private static func merged(_ ordered: [Session], _ late: [Session], gap: Int64) -> [Session] {
    let sorted = late.indices.sorted { (late[$0].start, $0) < (late[$1].start, $1) }
    var out: [Session] = []
    out.reserveCapacity(ordered.count + late.count)
    var i = 0
    var j = 0
    while i < ordered.count || j < sorted.count {
      let next: Session
      if j == sorted.count || (i < ordered.count && ordered[i].start <= late[sorted[j]].start) {
        next = ordered[i]
        i += 1
      } else {
        next = late[sorted[j]]
        j += 1
      }
      if let last = out.last, next.start <= reach(last.end, gap) {
        out[out.count - 1].end = max(last.end, next.end)
      } else {
        out.append(next)
      }
    }
    return out
  }
}
