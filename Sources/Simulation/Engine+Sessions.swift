import Dispatch
import Events

extension Engine {
  /// The events of `sessions` (one hour's worth, sorted by start), sorted by (start, user).
  /// Listeners are split across threads by `user % threads`; each listener's sessions run in
  /// order on one thread, so the result does not depend on the thread count.
  func generate(_ sessions: ArraySlice<PlannedSession>, day: Int) -> [CompactEvent] {
    var events: [CompactEvent]
    let workers = sessions.count < 4096 ? 1 : threads
    if workers == 1 {
      events = []
      events.reserveCapacity(sessions.count * 10)
      for s in sessions { runSession(s, day: day, into: &events) }
    } else {
      let parts = WorkerResults(count: workers)
      defer { parts.release() }
      DispatchQueue.concurrentPerform(iterations: workers) { k in
        var local: [CompactEvent] = []
        local.reserveCapacity(sessions.count * 10 / workers)
        for s in sessions where Int(s.user) % workers == k {
          runSession(s, day: day, into: &local)
        }
        parts.slots[k] = local
      }
      events = []
      events.reserveCapacity(parts.slots.reduce(0) { $0 + $1.count })
      for part in parts.slots { events.append(contentsOf: part) }
    }
    sortByStartAndUser(&events)
    return events
  }

  /// Sorts by (start, user), a total order (a listener's events never share a start), in linear
  /// time: a counting sort into 4-second buckets, then insertion sort inside each bucket.
  func sortByStartAndUser(_ events: inout [CompactEvent]) {
    let n = events.count
    guard n > 1 else { return }
    var lo = Int64.max
    var hi = Int64.min
    for e in events {
      lo = min(lo, e.start)
      hi = max(hi, e.start)
    }
    let shift: Int64 = 12
    let bucketCount = Int((hi - lo) >> shift) + 1
    guard bucketCount <= 8 * n + 4096 else {
      events.sort { $0.start != $1.start ? $0.start < $1.start : $0.user < $1.user }
      return
    }
    var offsets = [Int](repeating: 0, count: bucketCount + 1)
    for e in events { offsets[Int((e.start - lo) >> shift) + 1] += 1 }
    for b in 0..<bucketCount { offsets[b + 1] += offsets[b] }
    let sorted = [CompactEvent](unsafeUninitializedCapacity: n) { buffer, count in
      guard let base = buffer.baseAddress else { return }
      var next = offsets
      for e in events {
        let b = Int((e.start - lo) >> shift)
        (base + next[b]).initialize(to: e)
        next[b] += 1
      }
      for b in 0..<bucketCount where offsets[b + 1] - offsets[b] > 1 {
        for i in (offsets[b] + 1)..<offsets[b + 1] {
          let x = buffer[i]
          var j = i - 1
          while j >= offsets[b]
            && (buffer[j].start > x.start
              || (buffer[j].start == x.start && buffer[j].user > x.user))
          {
            buffer[j + 1] = buffer[j]
            j -= 1
          }
          buffer[j + 1] = x
        }
      }
      count = n
    }
    events = sorted
  }

  /// Generates one session's events, unless its listener is still busy with the previous one.
  func runSession(_ s: PlannedSession, day: Int, into out: inout [CompactEvent]) {
    let u = Int(s.user)
    guard s.start >= busyUntil[u] else { return }
    var r = rng[u]
    defer { rng[u] = r }
    var t = s.start
    switch population.anomalyKind[u] {
    case Population.botKind, Population.evasiveBotKind:
      // A bot: its 16-song playlist, back to back, until the hour is over (its next session
      // starts in the first two minutes of the next hour). The plain bot plays every song in
      // full; the evasive one skips one in fifteen and keeps machine-regular gaps.
      let evasive = population.anomalyKind[u] == Population.evasiveBotKind
      let end = (s.start / 3_600_000 + 1) * 3_600_000
      var i = r.below(Self.historyLength)
      while true {
        let song = history[u * Self.historyLength + i % Self.historyLength]
        let length = Int64(songs[Int(song)].lengthSeconds) * 1000
        guard t + length <= end else { break }
        let skip = evasive && r.below(15) == 0
        let duration = skip ? 5000 + Int64(r.below(20_000)) : length
        out.append(
          CompactEvent(
            start: t, end: t + duration, user: s.user, song: song, city: s.city,
            interaction: skip ? 1 : 0))
        t += duration + (evasive ? 1000 + Int64(r.below(250)) : 100 + Int64(r.below(400)))
        i += 1
      }
      busyUntil[u] = t
      return
    case Population.loopBotKind:
      // A stream farm: 10 to 14 plays of its six songs, in full, 0.5 s apart.
      for k in 0..<(10 + r.below(5)) {
        let song = history[u * Self.historyLength + k % 6]
        let length = Int64(songs[Int(song)].lengthSeconds) * 1000
        out.append(
          CompactEvent(
            start: t, end: t + length, user: s.user, song: song, city: s.city, interaction: 0))
        t += length + 500 + Int64(r.below(100))
      }
      busyUntil[u] = t
      return
    case Population.honestSleepKind where s.start == nightStart[u]:
      // The night's playlist: about seven hours of the listener's own choices, played to the
      // end (autoplay crossfades up to 3 s), almost gapless.
      let bits = population.personality[u]
      let end = t + 6 * 3_600_000 + Int64(r.below(7_200_000))
      while t < end {
        let song = chooseSong(user: u, personality: Personality(bits: bits), day: day, rng: &r)
        let length = Int64(songs[song].lengthSeconds) * 1000
        let duration = max(1000, length - Int64(r.below(3000)))
        out.append(
          CompactEvent(
            start: t, end: t + duration, user: s.user, song: Int32(song), city: s.city,
            interaction: 0))
        t += duration + Int64(r.below(800))
      }
      busyUntil[u] = t
      return
    default:
      break
    }
    let bits = population.personality[u]
    let personality = Personality(bits: bits)
    let count = r.geometric(mean: config.meanSongsPerSession)
    let cumulative = Int(bits) * 5
    for _ in 0..<count {
      let song = chooseSong(user: u, personality: personality, day: day, rng: &r)
      let x = r.unit()
      var k = 0
      while k < 4 && interactionCumulative[cumulative + k] <= x { k += 1 }
      let length = Int64(songs[song].lengthSeconds) * 1000
      var duration: Int64
      switch k {
      case 0:  // played: to the end, or cut up to 8 s (10 %) short by a crossfade
        duration = length - Int64(r.below(Int(min(8000, length / 10)) + 1))
      case 1:  // skipped: seconds in
        duration = min(length - 1000, 1000 + Int64(r.exponential(mean: 12_000)))
      case 2:  // paused: part of the song, then a pause
        duration = Int64(Double(length) * (0.2 + 0.7 * r.unit()))
      case 3:  // repeated: played twice
        duration = 2 * length
      default:  // liked: played in full
        duration = length
      }
      duration = max(1000, duration)
      out.append(
        CompactEvent(
          start: t, end: t + duration, user: s.user, song: Int32(song), city: s.city,
          interaction: UInt8(k)))
      t += duration + 300 + Int64(r.below(2700))
      if k == 2 { t += 1000 + min(20 * 60_000, Int64(r.exponential(mean: 90_000))) }
    }
    busyUntil[u] = t
  }

  /// A song for listener `u`: from the current release, a replay of a recent song, a song of a
  /// favourite artist, or any song, weighted by the listener's T/N and C/U traits.
  func chooseSong(
    user u: Int, personality p: Personality, day: Int, rng r: inout SimulationRandom
  ) -> Int {
    var song: Int
    let recent = Int(historyCount[u])
    if population.anomalyKind[u] == Population.honestSuperfanKind && r.chance(0.7) {
      // A super-fan: one artist's first ten songs, most of the time, often the recent ones.
      if recent > 0 && r.chance(0.5) {
        song = Int(history[u * Self.historyLength + r.below(recent)])
      } else {
        let range = catalog.songRange(ofArtist: Int(favourites[u * Self.favouriteCount]))
        song = range.lowerBound + r.below(min(10, range.count))
      }
    } else if releaseOfDay[day] >= 0 && r.chance(releaseChance[day]) {
      let release = releases[releaseOfDay[day]]
      song = Int(release[r.below(release.count)])
    } else if recent > 0 && r.chance(p.replayProbability) {
      song = Int(history[u * Self.historyLength + r.below(recent)])
    } else {
      let pool = pools[Self.poolIndex(p.bits)]
      let range: Range<Int>
      if r.chance(p.favouriteArtistProbability) {
        let artist = favourites[u * Self.favouriteCount + r.below(Self.favouriteCount)]
        range = catalog.songRange(ofArtist: Int(artist))
      } else {
        range = 0..<pool.count
      }
      let base = range.lowerBound > 0 ? pool[range.lowerBound - 1] : 0
      song = upperBound(pool, base + r.unit() * (pool[range.upperBound - 1] - base), in: range)
    }
    let next = Int(historyNext[u])
    history[u * Self.historyLength + next] = Int32(song)
    historyNext[u] = UInt8((next + 1) % Self.historyLength)
    historyCount[u] = UInt8(min(Self.historyLength, recent + 1))
    return song
  }

  /// The `ListeningEvent`s of compact events, materialised by all workers (each fills its own
  /// contiguous part of the result).
  func materialise(_ events: ArraySlice<CompactEvent>) -> EventSlice {
    let n = events.count
    let workers = n < 8192 ? 1 : threads
    return EventSlice(count: n) { pointer in
      let target = OutputSlots(base: pointer)
      DispatchQueue.concurrentPerform(iterations: workers) { k in
        let from = events.startIndex + n * k / workers
        let to = events.startIndex + n * (k + 1) / workers
        for i in from..<to {
          (target.base + (i - events.startIndex)).initialize(to: materialise(events[i]))
        }
      }
    }
  }

  /// The `ListeningEvent` of a compact event.
  @inline(__always)
  func materialise(_ e: CompactEvent) -> ListeningEvent {
    let u = Int(e.user)
    let c = Int(e.city)
    return ListeningEvent(
      userID: population.ids[u], location: locations[c], continent: continents[c],
      subscription: tierValues[Int(population.tier[u])],
      interaction: Personality.interactions[Int(e.interaction)], song: songs[Int(e.song)],
      startTime: e.start, endTime: e.end,
      personality: personalityNames[Int(population.personality[u])])
  }
}

/// One result slot per worker thread; each worker writes only its own slot.
struct WorkerResults: @unchecked Sendable {
  let slots: UnsafeMutableBufferPointer<[CompactEvent]>

  init(count: Int) {
    slots = .allocate(capacity: count)
    slots.initialize(repeating: [])
  }

  func release() {
    slots.deinitialize().deallocate()
  }
}

/// The start of an uninitialised result buffer that workers fill in disjoint parts.
struct OutputSlots: @unchecked Sendable {
  let base: UnsafeMutablePointer<ListeningEvent>
}
