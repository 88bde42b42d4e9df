import Events

/// What counts, exactly (the definitions users compare with their own SQL; README.md).
public enum WrappedDefinitions {
  /// An event is a **stream** when its listening time (`end − start`) is at least this many
  /// milliseconds, whatever its interaction.
  public static let streamMilliseconds: Int64 = 30_000
  /// Users with fewer streams get no inferred personality.
  public static let personalityMinimumStreams: Int64 = 50
  /// An artist with fewer listeners gives its listeners no `top_artist_percentile`.
  public static let percentileMinimumListeners = 100
}

/// The half-open UTC period `[from, to)` on event start, Unix epoch milliseconds (nil: open).
public struct WrappedPeriod: Sendable, Equatable {
  /// First included start, or nil for the beginning of the history.
  public var from: Int64?
  /// First excluded start, or nil for the end of the history.
  public var to: Int64?

  /// The whole history.
  public static let all = WrappedPeriod(from: nil, to: nil)

  /// A period; `from < to` when both are given (the command line checks it).
  public init(from: Int64?, to: Int64?) {
    self.from = from
    self.to = to
  }

  /// Whether an event starting at `start` lies in the period.
  @inline(__always)
  public func contains(_ start: Int64) -> Bool {
    if let from, start < from { return false }
    if let to, start >= to { return false }
    return true
  }
}

/// Counts of one (user, item, place) or (scope, item): streams and listening milliseconds.
struct ListenCounts: Sendable, Equatable {
  var streams: Int64 = 0
  var milliseconds: Int64 = 0
}

/// Per listener: what they did, whatever the song.
struct ListenerTotals: Sendable, Equatable {
  var events: Int64 = 0
  var streams: Int64 = 0
  var milliseconds: Int64 = 0
  var skipped: Int64 = 0
  var repeated: Int64 = 0
  var liked: Int64 = 0
  var paused: Int64 = 0
  var firstStart: Int64 = .max
  var lastStart: Int64 = .min

  mutating func merge(_ o: Self) {
    events += o.events
    streams += o.streams
    milliseconds += o.milliseconds
    skipped += o.skipped
    repeated += o.repeated
    liked += o.liked
    paused += o.paused
    firstStart = min(firstStart, o.firstStart)
    lastStart = max(lastStart, o.lastStart)
  }
}

/// Why events were not counted.
public struct WrappedSkips: Sendable, Equatable {
  /// Events whose start lies outside `--from`/`--to`.
  public var outsidePeriod: Int64 = 0
  /// Events that end before they start (or whose duration overflows).
  public var endBeforeStart: Int64 = 0
  /// Events starting or ending outside the plausible event times (`EventTimeWindow`).
  public var outsideTimeWindow: Int64 = 0
}

/// The mergeable state of every Wrapped analysis: one entry per (listener, song variant, place)
/// with its streams and milliseconds, and per-listener totals. Everything `WrappedReport`
/// shows derives from it at the end, so two accumulators of disjoint events merge exactly
/// (`merge`), and the days of a file, the partitions of a topic and the members of a consumer
/// group all give the numbers one pass over all events gives.
///
/// Memory grows with the distinct (listener, song, place) triples, not with events.
public struct WrappedAccumulator: Sendable {
  /// The period counted.
  public let period: WrappedPeriod
  /// Plausible event times: an event starting or ending outside is not counted
  /// (`skipped.outsideTimeWindow`; the jobs refuse the history or note it, `--out-of-range`).
  public let timeWindow: EventTimeWindow
  /// The first event outside `timeWindow`: its number among the events read, start and end.
  public private(set) var firstOutsideTimeWindow: (event: Int64, start: Int64, end: Int64)?

  // Names.
  var artists = StringTable()
  var songNames = StringTable()
  var genres = StringTable()
  var continents = StringTable()
  var countries = StringTable()
  var cities = StringTable()
  var personalities = StringTable()
  /// The id of the empty personality (events that record none).
  var emptyPersonality: Int32

  /// (artist << 32 | song name, genre) → track: a song variant as events name it.
  var tracks = PairTable()
  /// Per track: the smallest non-zero release year seen (0: none).
  var trackYear: [Int32] = []
  /// Per track: the largest popularity seen (0: none).
  var trackPopularity: [Int32] = []
  /// (continent << 32 | country, city) → place.
  var places = PairTable()
  /// (user id, 0) → listener index.
  var listeners = PairTable()
  var listenerTotals: [ListenerTotals] = []
  /// (listener, track, place) → streams and milliseconds.
  var entries = EntryTable()
  /// (listener, personality) → how many events recorded it (the evaluation's truth only).
  var recordedPersonality = PairTable()
  var recordedPersonalityCount: [Int64] = []

  /// Events offered, in the period or not.
  public private(set) var eventsRead: Int64 = 0
  /// Events counted.
  public private(set) var eventsCounted: Int64 = 0
  /// Events not counted, by reason.
  public private(set) var skipped = WrappedSkips()
  /// Earliest and latest start counted (`.max`/`.min` when none).
  public private(set) var firstStart: Int64 = .max
  public private(set) var lastStart: Int64 = .min

  /// An empty accumulator for `period`, counting events within `timeWindow`.
  public init(period: WrappedPeriod = .all, timeWindow: EventTimeWindow = .standard) {
    self.period = period
    self.timeWindow = timeWindow
    emptyPersonality = personalities.id("")
  }

  /// Events counted so far.
  public var isEmpty: Bool { eventsCounted == 0 }

  // MARK: Adding events

  /// Adds one event (the streaming path: one decoded message at a time).
  public mutating func add(_ e: ListeningEvent) {
    guard admit(start: e.startTime, end: e.endTime) else { return }
    let track = track(
      artist: artists.id(e.song.artist), song: songNames.id(e.song.name),
      genre: genres.id(e.song.genre), year: e.song.year, popularity: e.song.popularity)
    let place = place(
      continent: continents.id(e.continent.rawValue), country: countries.id(e.location.country),
      city: cities.id(e.location.city))
    let personality = personalities.id(e.personality)
    record(
      user: e.userID, start: e.startTime, duration: e.endTime - e.startTime, track: track,
      place: place, interaction: e.interaction, personality: personality)
  }

  /// Adds every event of a file, reading it as columns (`EventFileReader.forEachBatch`).
  ///
  /// - Parameters:
  ///   - reader: the file, opened.
  ///   - progress: called after each block with the bytes read so far and the file's size.
  /// - Throws: the reader's `AvroReadError` at damage (the accumulator then holds part of the
  ///   file: discard it).
  public mutating func add(
    file reader: EventFileReader, progress: ((_ bytes: Int, _ total: Int) -> Void)? = nil
  ) throws {
    var map = ColumnMap()
    let total = reader.fileSize
    try reader.forEachBatch(extended: true) { batch in
      self.add(batch, map: &map)
      progress?(batch.fileOffset, total)
    }
    entries.flush()
  }

  /// Maps the dictionary ids of a file's batches, or of a Kafka run decoder's batches under one
  /// `DictionaryEpoch` (stable from batch to batch), to this accumulator's ids.
  public struct ColumnMap {
    var artist: [Int32] = []
    var song: [Int32] = []
    var genre: [Int32] = []
    var continent: [Int32] = []
    var country: [Int32] = []
    var city: [Int32] = []
    var personality: [Int32] = []
    var interaction: [Interaction] = []
    /// Per song-title column id: the (artist, genre) column ids last seen with it and their
    /// track, so most events find their track without hashing.
    var trackArtist: [Int32] = []
    var trackGenre: [Int32] = []
    var track: [Int32] = []
    /// Per city column id: the (continent, country) column ids last seen with it and their place.
    var placeContinent: [Int32] = []
    var placeCountry: [Int32] = []
    var place: [Int32] = []

    public init() {}
  }

  mutating func add(_ b: EventBatch, map m: inout ColumnMap) {
    func extend(_ map: inout [Int32], _ values: [String], _ table: inout StringTable) {
      while map.count < values.count { map.append(table.id(values[map.count])) }
    }
    extend(&m.artist, b.artist.values, &artists)
    extend(&m.song, b.songName.values, &songNames)
    extend(&m.genre, b.genre.values, &genres)
    var continentNames: [String] = []
    for v in b.continent.values[m.continent.count...] {
      continentNames.append(Continent(parsing: v).rawValue)
    }
    for name in continentNames { m.continent.append(continents.id(name)) }
    extend(&m.country, b.country.values, &countries)
    extend(&m.city, b.city.values, &cities)
    extend(&m.personality, b.personality.values, &personalities)
    while m.interaction.count < b.interaction.values.count {
      m.interaction.append(Interaction(parsing: b.interaction.values[m.interaction.count]))
    }
    growCaches(&m, b)
    add(b, rows: 0..<b.count, map: &m)
  }

  /// Adds the events `rows` of a batch whose string columns index the batch's own values (an
  /// `EventRecordsDecoder` run of Kafka messages); a name is interned when an event counted
  /// first uses it.
  public mutating func add(_ b: EventBatch, rows: some Sequence<Int>) {
    var m = ColumnMap()
    add(b, rows: Array(rows), keeping: &m)
  }

  /// `add(_:rows:)` for consecutive batches whose dictionaries continue one another (an
  /// `EventRecordsDecoder`'s under one epoch: ids keep their strings, values only grow): `m`,
  /// kept by the caller beside this accumulator for that epoch, remembers what each id maps to,
  /// so a name is interned once, not once a batch.
  ///
  /// `rows` is an array, not any sequence: a generic public entry point would run unspecialized
  /// in the caller's module, through the sequence's witness table at every row.
  public mutating func add(_ b: EventBatch, rows: [Int], keeping m: inout ColumnMap) {
    func extend(_ map: inout [Int32], to count: Int) {
      if map.count < count { map.append(contentsOf: repeatElement(-1, count: count - map.count)) }
    }
    extend(&m.artist, to: b.artist.values.count)
    extend(&m.song, to: b.songName.values.count)
    extend(&m.genre, to: b.genre.values.count)
    extend(&m.continent, to: b.continent.values.count)
    extend(&m.country, to: b.country.values.count)
    extend(&m.city, to: b.city.values.count)
    extend(&m.personality, to: b.personality.values.count)
    while m.interaction.count < b.interaction.values.count {
      m.interaction.append(Interaction(parsing: b.interaction.values[m.interaction.count]))
    }
    growCaches(&m, b)
    add(b, rows: rows, map: &m)
  }

  /// Sizes the per-column-id track and place caches to the batch's dictionaries.
  private func growCaches(_ m: inout ColumnMap, _ b: EventBatch) {
    while m.track.count < b.songName.values.count {
      m.trackArtist.append(-1)
      m.trackGenre.append(-1)
      m.track.append(-1)
    }
    while m.place.count < b.city.values.count {
      m.placeContinent.append(-1)
      m.placeCountry.append(-1)
      m.place.append(-1)
    }
  }

  /// The rows of `b`, its column ids mapped through `m` (a map entry of -1 is interned here).
  private mutating func add(_ b: EventBatch, rows: some Sequence<Int>, map m: inout ColumnMap) {
    @inline(__always)
    func id(
      _ map: inout [Int32], _ local: Int32, _ values: [String], _ table: inout StringTable
    ) -> Int32 {
      let k = Int(local)
      if map[k] < 0 { map[k] = table.id(values[k]) }
      return map[k]
    }
    for i in rows {
      let start = b.startTime[i]
      let end = b.endTime[i]
      guard admit(start: start, end: end) else { continue }
      let (a, s, g) = (b.artist.indices[i], Int(b.songName.indices[i]), b.genre.indices[i])
      let track: Int32
      if m.trackArtist[s] == a && m.trackGenre[s] == g {
        track = m.track[s]
        noteAttributes(of: track, year: b.year[i], popularity: b.popularity[i])
      } else {
        track = self.track(
          artist: id(&m.artist, a, b.artist.values, &artists),
          song: id(&m.song, Int32(s), b.songName.values, &songNames),
          genre: id(&m.genre, g, b.genre.values, &genres), year: b.year[i],
          popularity: b.popularity[i])
        (m.trackArtist[s], m.trackGenre[s], m.track[s]) = (a, g, track)
      }
      let (k, n, c) = (b.continent.indices[i], b.country.indices[i], Int(b.city.indices[i]))
      let place: Int32
      if m.placeContinent[c] == k && m.placeCountry[c] == n {
        place = m.place[c]
      } else {
        if m.continent[Int(k)] < 0 {
          m.continent[Int(k)] = continents.id(
            Continent(parsing: b.continent.values[Int(k)]).rawValue)
        }
        place = self.place(
          continent: m.continent[Int(k)], country: id(&m.country, n, b.country.values, &countries),
          city: id(&m.city, Int32(c), b.city.values, &cities))
        (m.placeContinent[c], m.placeCountry[c], m.place[c]) = (k, n, place)
      }
      record(
        user: b.userID[i], start: start, duration: end - start, track: track, place: place,
        interaction: m.interaction[Int(b.interaction.indices[i])],
        personality: id(
          &m.personality, b.personality.indices[i], b.personality.values,
          &personalities))
    }
  }

  /// Counts the event as read; true when it is to be counted.
  @inline(__always)
  private mutating func admit(start: Int64, end: Int64) -> Bool {
    eventsRead += 1
    guard timeWindow.contains(start) && timeWindow.contains(end) else {
      skipped.outsideTimeWindow += 1
      if firstOutsideTimeWindow == nil { firstOutsideTimeWindow = (eventsRead, start, end) }
      return false
    }
    guard period.contains(start) else {
      skipped.outsidePeriod += 1
      return false
    }
    let (d, overflow) = end.subtractingReportingOverflow(start)
    guard !overflow && d >= 0 else {
      skipped.endBeforeStart += 1
      return false
    }
    return true
  }

  @inline(__always)
  private mutating func track(
    artist: Int32, song: Int32, genre: Int32, year: Int32, popularity: Int32
  ) -> Int32 {
    let t = tracks.index(
      of: UInt64(UInt32(bitPattern: artist)) << 32 | UInt64(UInt32(bitPattern: song)),
      UInt64(UInt32(bitPattern: genre)))
    if Int(t) == trackYear.count {
      trackYear.append(0)
      trackPopularity.append(0)
    }
    noteAttributes(of: t, year: year, popularity: popularity)
    return t
  }

  /// Keeps the track's smallest release year and largest popularity (order-free, so merges
  /// are exact).
  @inline(__always)
  private mutating func noteAttributes(of t: Int32, year: Int32, popularity: Int32) {
    let i = Int(t)
    if popularity > trackPopularity[i] { trackPopularity[i] = popularity }
    if year > 0 && (trackYear[i] == 0 || year < trackYear[i]) { trackYear[i] = year }
  }

  @inline(__always)
  private mutating func place(continent: Int32, country: Int32, city: Int32) -> Int32 {
    places.index(
      of: UInt64(UInt32(bitPattern: continent)) << 32 | UInt64(UInt32(bitPattern: country)),
      UInt64(UInt32(bitPattern: city)))
  }

  @inline(__always)
  private mutating func record(
    user: Int64, start: Int64, duration: Int64, track: Int32, place: Int32,
    interaction: Interaction, personality: Int32
  ) {
    eventsCounted += 1
    firstStart = min(firstStart, start)
    lastStart = max(lastStart, start)
    let u = listeners.index(of: UInt64(bitPattern: user), 0)
    if Int(u) == listenerTotals.count { listenerTotals.append(ListenerTotals()) }
    let stream: Int64 = duration >= WrappedDefinitions.streamMilliseconds ? 1 : 0
    listenerTotals.withUnsafeMutableBufferPointer { totals in
      let i = Int(u)
      totals[i].events += 1
      totals[i].streams += stream
      totals[i].milliseconds += duration
      totals[i].firstStart = min(totals[i].firstStart, start)
      totals[i].lastStart = max(totals[i].lastStart, start)
      switch interaction {
      case .skipped: totals[i].skipped += 1
      case .repeated: totals[i].repeated += 1
      case .liked: totals[i].liked += 1
      case .paused: totals[i].paused += 1
      case .played, .other: break
      }
    }
    entries.add(user: u, track: track, place: place, stream: stream, milliseconds: duration)
    if entries.needsFlush { entries.flush() }
    if personality != emptyPersonality {
      let p = recordedPersonality.index(
        of: UInt64(UInt32(bitPattern: u)), UInt64(UInt32(bitPattern: personality)))
      if Int(p) == recordedPersonalityCount.count { recordedPersonalityCount.append(0) }
      recordedPersonalityCount[Int(p)] += 1
    }
  }

  // MARK: Capacity

  /// How large an accumulator's tables are: what another one expected to grow as large (the
  /// next window of a stream, a merge) reserves up front, instead of growing every table by
  /// doubling from empty (rehashing each string and key again at each step).
  public struct Capacity: Sendable, Equatable {
    var artists = 0
    var songNames = 0
    var genres = 0
    var countries = 0
    var cities = 0
    var tracks = 0
    var places = 0
    var listeners = 0
    var recordedPersonalities = 0
    var events = 0

    public init() {}

    /// Room for both: what a merge of the two needs at most.
    public static func + (a: Self, b: Self) -> Self {
      let fields: [WritableKeyPath<Self, Int>] = [
        \.artists, \.songNames, \.genres, \.countries, \.cities, \.tracks, \.places,
        \.listeners, \.recordedPersonalities, \.events,
      ]
      var c = a
      for field in fields { c[keyPath: field] += b[keyPath: field] }
      return c
    }
  }

  /// This accumulator's sizes.
  public var capacity: Capacity {
    var c = Capacity()
    c.artists = artists.count
    c.songNames = songNames.count
    c.genres = genres.count
    c.countries = countries.count
    c.cities = cities.count
    c.tracks = tracks.count
    c.places = places.count
    c.listeners = listeners.count
    c.recordedPersonalities = recordedPersonality.count
    c.events = Int(clamping: eventsCounted)
    return c
  }

  /// Reserves room for `c` in every table (no effect on what it counts).
  public mutating func reserveCapacity(_ c: Capacity) {
    artists.reserveCapacity(c.artists)
    songNames.reserveCapacity(c.songNames)
    genres.reserveCapacity(c.genres)
    countries.reserveCapacity(c.countries)
    cities.reserveCapacity(c.cities)
    tracks.reserveCapacity(c.tracks)
    trackYear.reserveCapacity(c.tracks)
    trackPopularity.reserveCapacity(c.tracks)
    places.reserveCapacity(c.places)
    listeners.reserveCapacity(c.listeners)
    listenerTotals.reserveCapacity(c.listeners)
    recordedPersonality.reserveCapacity(c.recordedPersonalities)
    recordedPersonalityCount.reserveCapacity(c.recordedPersonalities)
    entries.reserveCapacity(events: c.events)
  }

  // MARK: Merging

  /// Sorts and sums the entries added or merged since the last flush, in place. Optional (a
  /// report flushes a copy of what is pending); an owner done adding flushes first, so that a
  /// report copies nothing.
  public mutating func flush() {
    entries.flush()
  }

  /// Adds the events of `other` (disjoint from this accumulator's, same period): counts add,
  /// distinct sets unite; every result derived afterwards equals one pass over both.
  ///
  /// - Precondition: both count the same period.
  public mutating func merge(_ other: WrappedAccumulator) {
    precondition(
      period == other.period,
      "WrappedAccumulator.merge: periods differ (\(period), \(other.period))")
    func remap(_ from: StringTable, into table: inout StringTable) -> [Int32] {
      from.strings.map { table.id($0) }
    }
    let artistMap = remap(other.artists, into: &artists)
    let songMap = remap(other.songNames, into: &songNames)
    let genreMap = remap(other.genres, into: &genres)
    let continentMap = remap(other.continents, into: &continents)
    let countryMap = remap(other.countries, into: &countries)
    let cityMap = remap(other.cities, into: &cities)
    let personalityMap = remap(other.personalities, into: &personalities)
    var trackMap: [Int32] = []
    for (t, key) in other.tracks.keys.enumerated() {
      trackMap.append(
        track(
          artist: artistMap[Int(key.a >> 32)], song: songMap[Int(key.a & 0xFFFF_FFFF)],
          genre: genreMap[Int(key.b)], year: other.trackYear[t],
          popularity: other.trackPopularity[t]))
    }
    var placeMap: [Int32] = []
    for key in other.places.keys {
      placeMap.append(
        place(
          continent: continentMap[Int(key.a >> 32)], country: countryMap[Int(key.a & 0xFFFF_FFFF)],
          city: cityMap[Int(key.b)]))
    }
    var listenerMap: [Int32] = []
    for (u, key) in other.listeners.keys.enumerated() {
      let mine = listeners.index(of: key.a, 0)
      if Int(mine) == listenerTotals.count { listenerTotals.append(ListenerTotals()) }
      listenerTotals[Int(mine)].merge(other.listenerTotals[u])
      listenerMap.append(mine)
    }
    // Left pending (sorted by the next flush, once for every piece merged, not per piece).
    entries.add(other.entries, users: listenerMap, tracks: trackMap, places: placeMap)
    for (k, key) in other.recordedPersonality.keys.enumerated() {
      let mine = recordedPersonality.index(
        of: UInt64(UInt32(bitPattern: listenerMap[Int(key.a)])),
        UInt64(UInt32(bitPattern: personalityMap[Int(key.b)])))
      if Int(mine) == recordedPersonalityCount.count { recordedPersonalityCount.append(0) }
      recordedPersonalityCount[Int(mine)] += other.recordedPersonalityCount[k]
    }
    eventsRead += other.eventsRead
    eventsCounted += other.eventsCounted
    skipped.outsidePeriod += other.skipped.outsidePeriod
    skipped.endBeforeStart += other.skipped.endBeforeStart
    skipped.outsideTimeWindow += other.skipped.outsideTimeWindow
    if firstOutsideTimeWindow == nil { firstOutsideTimeWindow = other.firstOutsideTimeWindow }
    firstStart = min(firstStart, other.firstStart)
    lastStart = max(lastStart, other.lastStart)
  }
}
