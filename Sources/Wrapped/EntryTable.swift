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
    // Merge with the sorted arrays, summing runs of equal keys, into arrays of the largest
    // size the result can have (written through pointers: no per-row append), then cut.
    let (old, fresh) = (users.count, pending.count)
    let capacity = old + fresh
    var newUsers = [Int32](repeating: 0, count: capacity)
    var newTracks = [Int32](repeating: 0, count: capacity)
    var newPlaces = [Int32](repeating: 0, count: capacity)
    var newCounts = [ListenCounts](repeating: ListenCounts(), count: capacity)
    var m = 0
    newUsers.withUnsafeMutableBufferPointer { nu in
      newTracks.withUnsafeMutableBufferPointer { nt in
        newPlaces.withUnsafeMutableBufferPointer { np in
          newCounts.withUnsafeMutableBufferPointer { nc in
            pending.withUnsafeBufferPointer { p in
              @inline(__always)
              func put(_ u: Int32, _ t: Int32, _ pl: Int32, _ streams: Int64, _ ms: Int64) {
                if m > 0 && nu[m - 1] == u && nt[m - 1] == t && np[m - 1] == pl {
                  nc[m - 1].streams += streams
                  nc[m - 1].milliseconds += ms
                } else {
                  (nu[m], nt[m], np[m]) = (u, t, pl)
                  nc[m] = ListenCounts(streams: streams, milliseconds: ms)
                  m += 1
                }
              }
              var i = 0
              for j in 0..<fresh {
                let r = p[j]
                // The sorted entries up to this row's key first (equal keys: either order).
                while i < old && (users[i], tracks[i], places[i]) <= (r.user, r.track, r.place) {
                  put(users[i], tracks[i], places[i], counts[i].streams, counts[i].milliseconds)
                  i += 1
                }
                put(r.user, r.track, r.place, Int64(r.stream), r.milliseconds)
              }
              while i < old {
                put(users[i], tracks[i], places[i], counts[i].streams, counts[i].milliseconds)
                i += 1
              }
            }
          }
        }
      }
    }
    newUsers.removeLast(capacity - m)
    newTracks.removeLast(capacity - m)
    newPlaces.removeLast(capacity - m)
    newCounts.removeLast(capacity - m)
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
