/// Sessions of one user (or one user within one split key), built from events in any order.
///
/// A session is a maximal run of events, in start order, whose gap (next start minus the latest
/// end so far) is at most `gap`. Equivalently: the connected components of the intervals
/// `[start, end + gap]` (closed, so a gap of exactly `gap` joins). Sessions are kept sorted by
/// start and pairwise more than `gap` apart, so an event arriving in order touches only the last
/// one, and a late event merges the run of sessions it bridges.
struct SessionList {
  /// One session: first start, latest end, and the timezone of its first event.
  struct Session: Equatable {
    var start: Int64  // Unix ms
    var end: Int64  // Unix ms, max over its events
    var zone: Int32  // timezone index of the event that starts it
  }

  var sessions: [Session] = []

  /// `a + b`, held at `Int64.max` instead of overflowing (the builder's time window keeps
  /// real sums far below it; this keeps a damaged value from trapping).
  @inline(__always)
  private static func reach(_ a: Int64, _ b: Int64) -> Int64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b > 0 ? .max : .min) : sum
  }

  /// Adds one event `[start, end]` (Unix ms) in `zone`.
  mutating func add(start: Int64, end: Int64, zone: Int32, gap: Int64) {
    let end = max(start, end)
    if let last = sessions.last, start >= last.start {
      if start <= Self.reach(last.end, gap) {
        sessions[sessions.count - 1].end = max(last.end, end)
      } else {
        sessions.append(Session(start: start, end: end, zone: zone))
      }
      return
    }
    // Out of order: find the sessions the interval touches (from the back: late events are
    // usually recent). Session j touches when start ≤ j.end + gap and j.start ≤ end + gap.
    var first = sessions.count
    var last = -1
    var j = sessions.count - 1
    while j >= 0 {
      let s = sessions[j]
      if Self.reach(s.end, gap) < start { break }  // ends are increasing: nothing earlier touches
      if s.start <= Self.reach(end, gap) {
        first = j
        if last < 0 { last = j }
      }
      j -= 1
    }
    if last < 0 {
      // Touches nothing: insert at its place by start.
      var position = sessions.count
      while position > 0 && sessions[position - 1].start > start { position -= 1 }
      sessions.insert(Session(start: start, end: end, zone: zone), at: position)
      return
    }
    var merged = Session(start: start, end: end, zone: zone)
    for k in first...last {
      let s = sessions[k]
      if s.start <= merged.start {
        merged.start = s.start
        merged.zone = s.zone
      }
      merged.end = max(merged.end, s.end)
    }
    sessions.replaceSubrange(first...last, with: [merged])
  }
}
