/// The (listener, track, place) → counts table of `WrappedAccumulator`, kept as arrays sorted
/// by (listener, track, place).
///
/// Events arrive in time order, so consecutive events touch unrelated entries; a hash table of
/// millions of entries costs a cache miss per event. Instead each event is appended to a
/// pending buffer (sequential writes); every `flushSize` events the buffer is radix-sorted,
/// runs of equal keys summed, and the result merged into the sorted arrays in one linear pass.
/// The sorted order is also what the report wants: each listener's entries are contiguous.
///
/// - Complexity: amortised O(1) per event plus O(E) per flush for E entries.
struct EntryTable: Sendable {
  /// Sorted entries (after `flush()`).
  private(set) var users: [Int32] = []
  private(set) var tracks: [Int32] = []
  private(set) var places: [Int32] = []
  private(set) var counts: [ListenCounts] = []

  private var pending: [Pending] = []
  private var scratch: [Pending] = []
  static let flushSize = 1 << 20

  private struct Pending: Sendable {
    var key: UInt64 = 0
    var user: Int32
    var track: Int32
    var place: Int32
    var stream: Int32
    var milliseconds: Int64
  }

  /// Sorted entries.
  var count: Int { users.count }

  /// Whether events await a flush.
  var hasPending: Bool { !pending.isEmpty }

  /// Adds one event's counts; `flush()` makes them visible.
  @inline(__always)
  mutating func add(user: Int32, track: Int32, place: Int32, stream: Int64, milliseconds: Int64) {
    pending.append(
      Pending(
        user: user, track: track, place: place, stream: Int32(stream), milliseconds: milliseconds))
  }

  /// Room for `events` pending rows (up to a flush's worth) without growing.
  mutating func reserveCapacity(events: Int) {
    pending.reserveCapacity(min(events, Self.flushSize))
  }

  /// Whether the pending buffer is full.
  var needsFlush: Bool { pending.count >= Self.flushSize }

  /// Adds already-aggregated counts (a merge); `flush()` makes them visible.
  mutating func add(user: Int32, track: Int32, place: Int32, counts c: ListenCounts) {
    // Counts above Int32 are split into several pending rows (exact either way).
    var streams = c.streams
    var first = true
    while streams > Int64(Int32.max) || first {
      let s = min(streams, Int64(Int32.max))
      pending.append(
        Pending(
          user: user, track: track, place: place, stream: Int32(s),
          milliseconds: first ? c.milliseconds : 0))
      streams -= s
      first = false
      if streams == 0 { break }
    }
  }

  /// Adds every entry of `other`, sorted or pending, its ids mapped through `users`, `tracks`
  /// and `places` (a merge); `flush()` makes them visible. Pending events are taken as they
  /// are, not sorted first: the flush after the merge sorts them with the rest (and one every
  /// `flushSize` rows on the way, as for events).
  mutating func add(_ other: EntryTable, users: [Int32], tracks: [Int32], places: [Int32]) {
    pending.reserveCapacity(min(pending.count + other.count + other.pending.count, Self.flushSize))
    for e in 0..<other.count {
      add(
        user: users[Int(other.users[e])], track: tracks[Int(other.tracks[e])],
        place: places[Int(other.places[e])], counts: other.counts[e])
      if needsFlush { flush() }
    }
    for p in other.pending {
      pending.append(
        Pending(
          user: users[Int(p.user)], track: tracks[Int(p.track)], place: places[Int(p.place)],
          stream: p.stream, milliseconds: p.milliseconds))
      if needsFlush { flush() }
    }
  }

  /// Sorts the pending events and merges them into the sorted arrays.
  mutating func flush() {
    guard !pending.isEmpty else { return }
    func bits(_ v: Int32) -> Int { max(1, 32 - UInt32(bitPattern: v).leadingZeroBitCount) }
    var maxUser: Int32 = 0
    var maxTrack: Int32 = 0
    var maxPlace: Int32 = 0
    for p in pending {
      maxUser = max(maxUser, p.user)
      maxTrack = max(maxTrack, p.track)
      maxPlace = max(maxPlace, p.place)
    }
    let (ub, tb, pb) = (bits(maxUser), bits(maxTrack), bits(maxPlace))
    if ub + tb + pb <= 64 {
      for i in pending.indices {
        let p = pending[i]
        pending[i].key =
          UInt64(p.user) << UInt64(tb + pb) | UInt64(p.track) << UInt64(pb) | UInt64(p.place)
      }
      radixSort(keyBits: ub + tb + pb)
    } else {
      pending.sort { ($0.user, $0.track, $0.place) < ($1.user, $1.track, $1.place) }
    }
    // Sum runs of equal keys, then merge with the sorted arrays.
    var newUsers: [Int32] = []
    var newTracks: [Int32] = []
    var newPlaces: [Int32] = []
    var newCounts: [ListenCounts] = []
    let capacity = users.count + pending.count
    newUsers.reserveCapacity(capacity)
    newTracks.reserveCapacity(capacity)
    newPlaces.reserveCapacity(capacity)
    newCounts.reserveCapacity(capacity)
    var i = 0
    var j = 0
    while i < users.count || j < pending.count {
      let takeOld: Bool
      if j == pending.count {
        takeOld = true
      } else if i == users.count {
        takeOld = false
      } else {
        let p = pending[j]
        takeOld = (users[i], tracks[i], places[i]) <= (p.user, p.track, p.place)
      }
      var u: Int32
      var t: Int32
      var pl: Int32
      var c: ListenCounts
      if takeOld {
        (u, t, pl, c) = (users[i], tracks[i], places[i], counts[i])
        i += 1
      } else {
        let p = pending[j]
        (u, t, pl) = (p.user, p.track, p.place)
        c = ListenCounts(streams: Int64(p.stream), milliseconds: p.milliseconds)
        j += 1
      }
      if let last = newUsers.indices.last, newUsers[last] == u, newTracks[last] == t,
        newPlaces[last] == pl
      {
        newCounts[last].streams += c.streams
        newCounts[last].milliseconds += c.milliseconds
      } else {
        newUsers.append(u)
        newTracks.append(t)
        newPlaces.append(pl)
        newCounts.append(c)
      }
    }
    users = newUsers
    tracks = newTracks
    places = newPlaces
    counts = newCounts
    pending.removeAll(keepingCapacity: true)
  }

  /// LSD radix sort of `pending` by `key` (11-bit digits), stable.
  private mutating func radixSort(keyBits: Int) {
    let n = pending.count
    if scratch.count < n {
      scratch = Array(
        repeating: Pending(user: 0, track: 0, place: 0, stream: 0, milliseconds: 0), count: n)
    }
    var histogram = [Int](repeating: 0, count: 2048)
    var shift: UInt64 = 0
    var inScratch = false
    while Int(shift) < keyBits {
      for k in 0..<2048 { histogram[k] = 0 }
      pending.withUnsafeMutableBufferPointer { a in
        scratch.withUnsafeMutableBufferPointer { b in
          let (from, to) = inScratch ? (b, a) : (a, b)
          for i in 0..<n { histogram[Int((from[i].key >> shift) & 2047)] += 1 }
          var sum = 0
          for k in 0..<2048 {
            let c = histogram[k]
            histogram[k] = sum
            sum += c
          }
          for i in 0..<n {
            let d = Int((from[i].key >> shift) & 2047)
            to[histogram[d]] = from[i]
            histogram[d] += 1
          }
        }
      }
      inScratch.toggle()
      shift += 11
    }
    if inScratch {
      pending.withUnsafeMutableBufferPointer { a in
        scratch.withUnsafeBufferPointer { b in
          for i in 0..<n { a[i] = b[i] }
        }
      }
    }
  }
}
