import Dispatch
import Foundation

/// The dense ids the report works with, derived once from an accumulator's tables.
struct ReportLayout: Sendable {
  var songOf: [Int32] = []  // [tracks]
  var artistOf: [Int32] = []  // [tracks]
  var genreOf: [Int32] = []  // [tracks]
  var songArtist: [Int32] = []  // [songs]
  var songTitle: [Int32] = []  // [songs]
  var songCount = 0
  var continentOf: [Int32] = []  // [places]
  var countryOf: [Int32] = []  // [places]
  var cityOf: [Int32] = []  // [places] (country, city) ids
  var cityKeys = PairTable()
  /// Entries, sorted by listener; listener u's are `start[u]..<start[u + 1]`.
  var entries = EntryTable()
  var start: [Int] = []
  var listenerCount = 0
}

/// A value filled by one of the two passes that run side by side.
private final class PassResult<T>: @unchecked Sendable {
  var value: T?
}

extension WrappedAccumulator {
  /// Derives every table from the counts: top `top` songs, artists and genres per scope, one
  /// row per listener, the artists' geography, and the inferred personalities. The scope pass
  /// and the listener pass are independent and run side by side.
  ///
  /// Deterministic: the same counts (however they were added or merged) give the same report.
  ///
  /// - Parameter top: the length of each top list (≥ 1).
  /// - Returns: every table, sorted as the files are.
  /// - Complexity: O(E log E) in the distinct (listener, song, place) entries E.
  public func report(top: Int) -> WrappedReport {
    // Dense cells pay for zeroing and scanning the whole matrix: worth it only when the entries
    // (each updating up to nine cells) fill it many times over, not for a streaming window's
    // few thousand entries.
    report(top: top, denseCells: min(1 << 22, 9 * entries.count))
  }

  /// `report(top:)` with the most dense (scope, item) cells allowed (tests use 0 and a budget
  /// for world and continents only, to check the hashed paths give the same tables).
  func report(top: Int, denseCells: Int) -> WrappedReport {
    precondition(top >= 1, "WrappedAccumulator.report: top must be ≥ 1, got \(top)")
    let layout = makeLayout()
    let scopeResult = PassResult<WrappedReport>()
    let listenerResult = PassResult<(rows: [ListenerRow], model: PersonalityModel, scored: Int)>()
    let pass: @Sendable (Int) -> Void = { k in
      if k == 0 {
        scopeResult.value = scopeTables(layout, top: top, denseCells: denseCells)
      } else {
        listenerResult.value = listenerTables(layout)
      }
    }
    // Small reports (a streaming window's) run the passes one after the other: handing them to
    // other threads costs more than it saves, and idle workers spin on a busy machine.
    if entries.count < Self.parallelReportEntries {
      pass(0)
      pass(1)
    } else {
      DispatchQueue.concurrentPerform(iterations: 2, execute: pass)
    }
    guard var report = scopeResult.value, let listeners = listenerResult.value else {
      preconditionFailure("WrappedAccumulator.report: both passes fill their result")
    }
    report.listeners = listeners.rows
    report.personalityModel = listeners.model
    report.totals.usersWithStreams = listeners.rows.filter { $0.streams > 0 }.count
    report.totals.usersWithoutPersonality = listeners.rows.count - listeners.scored
    return report
  }

  /// Distinct entries from which the two passes of a report run side by side.
  static let parallelReportEntries = 200_000

  func makeLayout() -> ReportLayout {
    var l = ReportLayout()
    // Songs are (artist, title); tracks add the genre as events name it.
    var songKeys = PairTable()
    for key in tracks.keys {
      l.songOf.append(songKeys.index(of: key.a, 0))
      l.artistOf.append(Int32(key.a >> 32))
      l.genreOf.append(Int32(key.b))
    }
    l.songArtist = songKeys.keys.map { Int32($0.a >> 32) }
    l.songTitle = songKeys.keys.map { Int32($0.a & 0xFFFF_FFFF) }
    l.songCount = songKeys.count
    for key in places.keys {
      l.continentOf.append(Int32(key.a >> 32))
      l.countryOf.append(Int32(key.a & 0xFFFF_FFFF))
      l.cityOf.append(l.cityKeys.index(of: key.a & 0xFFFF_FFFF, key.b))
    }

    // Entries sorted by listener: each listener's are contiguous.
    l.entries = entries
    l.entries.flush()
    let n = listenerTotals.count
    l.listenerCount = n
    l.start = [Int](repeating: 0, count: n + 1)
    for u in l.entries.users { l.start[Int(u) + 1] += 1 }
    for u in 0..<n { l.start[u + 1] += l.start[u] }
    return l
  }

  /// The scope pass: (scope, item) counts and listeners, the top lists, the artists'
  /// geography and the totals.
  func scopeTables(_ layout: ReportLayout, top: Int, denseCells budget: Int) -> WrappedReport {
    let (songOf, artistOf, genreOf) = (layout.songOf, layout.artistOf, layout.genreOf)
    let (songArtist, songTitle) = (layout.songArtist, layout.songTitle)
    let (continentOf, countryOf, cityOf) = (layout.continentOf, layout.countryOf, layout.cityOf)
    let cityKeys = layout.cityKeys
    let entries = layout.entries
    let start = layout.start
    let n = layout.listenerCount
    // Pass A: (scope, item) counts and listeners; scope totals.
    var cells = PairTable(capacity: 1 << 16)
    var cellCounts: [ListenCounts] = []
    var cellListeners: [Int32] = []
    var cellLastUser: [Int32] = []
    var scopes = PairTable()
    var scopeCounts: [ListenCounts] = []
    func scopeKey(_ type: UInt64, _ id: Int32) -> UInt64 {
      type << 40 | UInt64(UInt32(bitPattern: id))
    }
    func add(_ scope: UInt64, _ item: UInt64, _ c: ListenCounts, user: Int32) {
      let i = Int(cells.index(of: scope, item))
      if i == cellCounts.count {
        cellCounts.append(ListenCounts())
        cellListeners.append(0)
        cellLastUser.append(-1)
      }
      cellCounts[i].streams += c.streams
      cellCounts[i].milliseconds += c.milliseconds
      if c.streams > 0 && cellLastUser[i] != user {
        cellLastUser[i] = user
        cellListeners[i] += 1
      }
    }
    func addScope(_ scope: UInt64, _ c: ListenCounts) {
      let i = Int(scopes.index(of: scope, 0))
      if i == scopeCounts.count { scopeCounts.append(ListenCounts()) }
      scopeCounts[i].streams += c.streams
      scopeCounts[i].milliseconds += c.milliseconds
    }
    let song: UInt64 = 0 << 40
    let artist: UInt64 = 1 << 40
    let genre: UInt64 = 2 << 40
    // The world and continent (and country) cells are dense (slot 0 the world, 1 + c continent c; items
    // songs, then artists, then genres): most updates need no hashing. They join `cells`
    // after the pass.
    let (songCount, artistCount) = (layout.songCount, artists.count)
    let items = songCount + artistCount + genres.count
    // Countries are dense too when the cells fit in the budget (about 100 MB at most).
    let continentSlots = 1 + continents.count
    let denseCountries = (continentSlots + countries.count) * items <= budget
    let dense = denseCountries || continentSlots * items <= budget
    let slots = denseCountries ? continentSlots + countries.count : continentSlots
    var denseCounts = [ListenCounts](repeating: ListenCounts(), count: dense ? slots * items : 0)
    var denseListeners = [Int32](repeating: 0, count: dense ? slots * items : 0)
    var denseLast = [Int32](repeating: -1, count: dense ? slots * items : 0)
    for u in 0..<n {
      let user = Int32(u)
      for e in start[u]..<start[u + 1] {
        let t = Int(entries.tracks[e])
        let p = Int(entries.places[e])
        let c = entries.counts[e]
        let songItem = song | UInt64(songOf[t])
        let artistItem = artist | UInt64(artistOf[t])
        let genreItem = genre | UInt64(genreOf[t])
        func addAll(_ s: UInt64) {
          addScope(s, c)
          add(s, songItem, c, user: user)
          add(s, artistItem, c, user: user)
          add(s, genreItem, c, user: user)
        }
        if dense {
          addScope(scopeKey(0, 0), c)
          addScope(scopeKey(1, continentOf[p]), c)
          let columns = (
            Int(songOf[t]), songCount + Int(artistOf[t]), songCount + artistCount + Int(genreOf[t])
          )
          func bump(_ i: Int) {
            denseCounts[i].streams += c.streams
            denseCounts[i].milliseconds += c.milliseconds
            if c.streams > 0 && denseLast[i] != user {
              denseLast[i] = user
              denseListeners[i] += 1
            }
          }
          let continentBase = (1 + Int(continentOf[p])) * items
          bump(columns.0)
          bump(columns.1)
          bump(columns.2)
          bump(continentBase + columns.0)
          bump(continentBase + columns.1)
          bump(continentBase + columns.2)
          if denseCountries {
            addScope(scopeKey(2, countryOf[p]), c)
            let countryBase = (continentSlots + Int(countryOf[p])) * items
            bump(countryBase + columns.0)
            bump(countryBase + columns.1)
            bump(countryBase + columns.2)
          } else {
            addAll(scopeKey(2, countryOf[p]))
          }
        } else {
          addAll(scopeKey(0, 0))
          addAll(scopeKey(1, continentOf[p]))
          addAll(scopeKey(2, countryOf[p]))
        }
        add(scopeKey(3, cityOf[p]), artist | UInt64(artistOf[t]), c, user: user)
      }
    }
    if dense {
      for slot in 0..<slots {
        let scope =
          slot == 0
          ? scopeKey(0, 0)
          : slot < continentSlots
            ? scopeKey(1, Int32(slot - 1)) : scopeKey(2, Int32(slot - continentSlots))
        for item in 0..<items where denseCounts[slot * items + item] != ListenCounts() {
          let key =
            item < songCount
            ? song | UInt64(item)
            : item < songCount + artistCount
              ? artist | UInt64(item - songCount) : genre | UInt64(item - songCount - artistCount)
          let i = Int(cells.index(of: scope, key))
          cellCounts.append(denseCounts[slot * items + item])
          cellListeners.append(denseListeners[slot * items + item])
          cellLastUser.append(-1)
          precondition(i == cellCounts.count - 1, "dense cells are new to the table")
        }
      }
    }
    func cell(_ scope: UInt64, _ item: UInt64) -> (ListenCounts, Int) {
      guard let i = cells.find(scope, item) else { return (ListenCounts(), 0) }
      return (cellCounts[Int(i)], Int(cellListeners[Int(i)]))
    }
    func scopeTotal(_ scope: UInt64) -> ListenCounts {
      scopes.find(scope, 0).map { scopeCounts[Int($0)] } ?? ListenCounts()
    }

    var report = WrappedReport()

    // Top lists: every (scope, item kind) group, ranked.
    struct Group: Hashable {
      var scope: UInt64
      var kind: UInt64
    }
    var groups: [Group: [Int]] = [:]
    for (i, key) in cells.keys.enumerated() where cellCounts[i].streams > 0 && key.a >> 40 < 3 {
      groups[Group(scope: key.a, kind: (key.b >> 40) << 40), default: []].append(i)
    }
    func scopeName(_ scope: UInt64) -> (WrappedScopeType, String) {
      let id = Int32(scope & 0xFF_FFFF_FFFF)
      switch scope >> 40 {
      case 1: return (.continent, continents[id])
      case 2: return (.country, countries[id])
      default: return (.world, "world")
      }
    }
    func names(_ item: UInt64) -> (String, String) {
      let id = Int(item & 0xFF_FFFF_FFFF)
      switch item >> 40 {
      case 0: return (songNames[songTitle[id]], artists[songArtist[id]])
      case 1: return (artists[Int32(id)], "")
      default: return (genres[Int32(id)], "")
      }
    }
    // Names in byte order, as integers: every table below is emitted in its order, not sorted.
    let artistRank = nameRanks(artists)
    let continentRank = nameRanks(continents)
    let countryRank = nameRanks(countries)
    func scopeOrder(_ scope: UInt64) -> (Int, Int32) {
      let id = Int(scope & 0xFF_FFFF_FFFF)
      switch scope >> 40 {
      case 1: return (1, continentRank[id])
      case 2: return (2, countryRank[id])
      default: return (0, 0)
      }
    }
    let (counts, keys) = (cellCounts, cells.keys)
    // Each kind's rows by scope type, scope name and rank.
    let orderedGroups = groups.keys.sorted {
      let (a, b) = (scopeOrder($0.scope), scopeOrder($1.scope))
      return a != b ? a < b : $0.kind < $1.kind
    }
    for group in orderedGroups {
      let members = groups[group] ?? []
      let (scopeType, scope) = scopeName(group.scope)
      let total = scopeTotal(group.scope).streams
      let ranked = firstRanked(members.map { ($0, counts[$0]) }, top) { names(keys[$0].b) }
      for (r, i) in ranked.enumerated() {
        let name = names(keys[i].b)
        let row = TopRow(
          scopeType: scopeType, scope: scope, rank: r + 1, item: name.0, artist: name.1,
          streams: cellCounts[i].streams, listeners: Int(cellListeners[i]),
          milliseconds: cellCounts[i].milliseconds,
          share: Ratio(Int128(cellCounts[i].streams), Int128(total)))
        switch group.kind >> 40 {
        case 0: report.topSongs.append(row)
        case 1: report.topArtists.append(row)
        default: report.topGenres.append(row)
        }
      }
    }

    // Artists' geography: every (artist, continent/country) with streams; top 10 cities.
    let world = scopeTotal(scopeKey(0, 0))
    var cityRows: [Int32: [Int]] = [:]
    // (artist name, scope type, streams descending, scope name) → cell, as integers.
    var placeOrder: [(artist: Int32, scope: (Int, Int32), streams: Int64, cell: Int)] = []
    for (i, key) in keys.enumerated()
    where key.b >> 40 == 1 && counts[i].streams > 0 && key.a >> 40 != 0 {
      let a = Int32(key.b & 0xFF_FFFF_FFFF)
      if key.a >> 40 == 3 {
        cityRows[a, default: []].append(i)
        continue
      }
      placeOrder.append((artistRank[Int(a)], scopeOrder(key.a), -counts[i].streams, i))
    }
    placeOrder.sort {
      ($0.artist, $0.scope.0, $0.streams, $0.scope.1) < (
        $1.artist, $1.scope.0, $1.streams, $1.scope.1
      )
    }
    report.artistPlaces.reserveCapacity(placeOrder.count)
    for (_, _, _, i) in placeOrder {
      let key = keys[i]
      let a = Int32(key.b & 0xFF_FFFF_FFFF)
      let (artistTotal, _) = cell(scopeKey(0, 0), artist | UInt64(UInt32(bitPattern: a)))
      let there = scopeTotal(key.a)
      let (scopeType, scope) = scopeName(key.a)
      let streams = Int128(cellCounts[i].streams)
      report.artistPlaces.append(
        ArtistPlaceRow(
          artist: artists[a], scopeType: scopeType, scope: scope, streams: cellCounts[i].streams,
          listeners: Int(cellListeners[i]),
          shareOfArtist: Ratio(streams, Int128(artistTotal.streams)),
          locationQuotient: Ratio(
            streams * Int128(world.streams), Int128(artistTotal.streams) * Int128(there.streams))))
    }
    for a in cityRows.keys.sorted(by: { artistRank[Int($0)] < artistRank[Int($1)] }) {
      let members = cityRows[a] ?? []
      let (artistTotal, _) = cell(scopeKey(0, 0), artist | UInt64(UInt32(bitPattern: a)))
      func place(_ i: Int) -> (String, String) {
        let key = cityKeys.keys[Int(keys[i].a & 0xFF_FFFF_FFFF)]
        return (cities[Int32(key.b)], countries[Int32(key.a)])
      }
      let ranked = firstRanked(members.map { ($0, counts[$0]) }, 10, names: place)
      for (r, i) in ranked.enumerated() {
        let (city, country) = place(i)
        report.artistCities.append(
          ArtistCityRow(
            artist: artists[a], rank: r + 1, city: city, country: country,
            streams: cellCounts[i].streams, listeners: Int(cellListeners[i]),
            milliseconds: cellCounts[i].milliseconds,
            shareOfArtist: Ratio(Int128(cellCounts[i].streams), Int128(artistTotal.streams))))
      }
    }

    report.totals = WrappedTotals(
      eventsRead: eventsRead, eventsCounted: eventsCounted, skipped: skipped,
      streams: world.streams, milliseconds: world.milliseconds, users: n,
      usersWithStreams: 0, usersWithoutPersonality: 0,
      artists: Set(cells.keys.filter { $0.a == 0 && $0.b >> 40 == 1 }.map(\.b)).count,
      songs: cells.keys.filter { $0.a == 0 && $0.b >> 40 == 0 }.count,
      genres: cells.keys.filter { $0.a == 0 && $0.b >> 40 == 2 }.count,
      continents: Set(continentOf).count, countries: Set(countryOf).count,
      cities: cityKeys.count, firstStart: eventsCounted > 0 ? firstStart : nil,
      lastStart: eventsCounted > 0 ? lastStart : nil)
    return report
  }

  /// The listener pass: each listener's favourites, top-artist percentile and personality.
  func listenerTables(
    _ layout: ReportLayout
  ) -> (rows: [ListenerRow], model: PersonalityModel, scored: Int) {
    let (songOf, artistOf, genreOf) = (layout.songOf, layout.artistOf, layout.genreOf)
    let (songArtist, songTitle) = (layout.songArtist, layout.songTitle)
    let entries = layout.entries
    let start = layout.start
    let n = layout.listenerCount
    // Pass B: each listener's favourites, scores and top artist.
    var songScratch = [ListenCounts](repeating: ListenCounts(), count: layout.songCount)
    var artistScratch = [ListenCounts](repeating: ListenCounts(), count: artists.count)
    var genreScratch = [ListenCounts](repeating: ListenCounts(), count: genres.count)
    var songTouched: [Int32] = []
    var artistTouched: [Int32] = []
    var genreTouched: [Int32] = []
    var artistListenerStreams: [[Int64]] = Array(repeating: [], count: artists.count)
    let recorded = recordedPersonalities(listeners: n)
    var rows: [ListenerRow] = []
    var rowTopArtist: [(artist: Int32, streams: Int64)?] = []
    var scored: [Int] = []  // indices into rows
    var scores: [[Double]] = []
    // Commonality: the catalogue's popularity where the history carries it, else how many of
    // this history's listeners streamed the song (log₂).
    let hasPopularity = trackPopularity.contains { $0 > 0 }
    // Loyalty: the share of events put on repeat where the history records repeats, else the
    // share of streams that replay a song (which grows with volume, hence second choice).
    let hasRepeats = listenerTotals.contains { $0.repeated > 0 }
    let songListeners = hasPopularity ? [] : songListenerCounts(layout)
    for u in 0..<n {
      let totals = listenerTotals[u]
      var yearSum = 0.0
      var yearStreams = 0.0
      var commonSum = 0.0
      for e in start[u]..<start[u + 1] {
        let t = Int(entries.tracks[e])
        let c = entries.counts[e]
        let sid = Int(songOf[t])
        let aid = Int(artistOf[t])
        let gid = Int(genreOf[t])
        if songScratch[sid] == ListenCounts() { songTouched.append(Int32(sid)) }
        songScratch[sid].streams += c.streams
        songScratch[sid].milliseconds += c.milliseconds
        if artistScratch[aid] == ListenCounts() { artistTouched.append(Int32(aid)) }
        artistScratch[aid].streams += c.streams
        artistScratch[aid].milliseconds += c.milliseconds
        if genreScratch[gid] == ListenCounts() { genreTouched.append(Int32(gid)) }
        genreScratch[gid].streams += c.streams
        genreScratch[gid].milliseconds += c.milliseconds
        if c.streams > 0 {
          if trackYear[t] > 0 {
            yearSum += Double(trackYear[t]) * Double(c.streams)
            yearStreams += Double(c.streams)
          }
          let common =
            hasPopularity
            ? Double(trackPopularity[t]) : log2(max(1, songListeners[Int(songOf[t])]))
          commonSum += common * Double(c.streams)
        }
      }
      // Only the first few of each ranking are shown; the counts need no order.
      let songsStreamed = songTouched.filter { songScratch[Int($0)].streams > 0 }
      let artistsStreamed = artistTouched.filter { artistScratch[Int($0)].streams > 0 }
      let songsRanked = firstRanked(songsStreamed.map { ($0, songScratch[Int($0)]) }, 5) {
        (songNames[songTitle[Int($0)]], artists[songArtist[Int($0)]])
      }
      let artistsRanked = firstRanked(artistsStreamed.map { ($0, artistScratch[Int($0)]) }, 5) {
        (artists[$0], "")
      }
      let genresRanked = firstRanked(
        genreTouched.filter { genreScratch[Int($0)].streams > 0 }.map {
          ($0, genreScratch[Int($0)])
        }, 1
      ) { (genres[$0], "") }
      for a in artistsStreamed {
        artistListenerStreams[Int(a)].append(artistScratch[Int(a)].streams)
      }
      var row = ListenerRow(
        userID: Int64(bitPattern: listeners.keys[u].a), milliseconds: totals.milliseconds,
        streams: totals.streams, distinctArtists: artistsStreamed.count,
        distinctSongs: songsStreamed.count, topGenre: genresRanked.first.map { genres[$0] } ?? "",
        topArtists: artistsRanked.prefix(5).map { artists[$0] },
        topSongs: songsRanked.prefix(5).map {
          (songNames[songTitle[Int($0)]], artists[songArtist[Int($0)]])
        }, topArtistPercentile: nil, personality: "", recordedPersonality: "")
      rowTopArtist.append(artistsRanked.first.map { ($0, artistScratch[Int($0)].streams) })
      if totals.streams >= WrappedDefinitions.personalityMinimumStreams {
        let streams = Double(totals.streams)
        let top5 = artistsRanked.prefix(5).reduce(Int64(0)) { $0 + artistScratch[Int($1)].streams }
        scores.append([
          Double(top5) / streams,
          hasRepeats
            ? Double(totals.repeated) / Double(totals.events)
            : 1 - Double(songsStreamed.count) / streams,
          yearStreams > 0 ? yearSum / yearStreams : 0,
          commonSum / streams,
        ])
        scored.append(rows.count)
      }
      row.recordedPersonality = recorded[u]
      rows.append(row)
      for s in songTouched { songScratch[Int(s)] = ListenCounts() }
      for a in artistTouched { artistScratch[Int(a)] = ListenCounts() }
      for g in genreTouched { genreScratch[Int(g)] = ListenCounts() }
      songTouched.removeAll(keepingCapacity: true)
      artistTouched.removeAll(keepingCapacity: true)
      genreTouched.removeAll(keepingCapacity: true)
    }
    // Percentiles: 100 × (1 + listeners with strictly more of the artist's streams) ÷ listeners.
    for a in 0..<artistListenerStreams.count { artistListenerStreams[a].sort(by: >) }
    for (i, top) in rowTopArtist.enumerated() {
      guard let top else { continue }
      let list = artistListenerStreams[Int(top.artist)]
      guard list.count >= WrappedDefinitions.percentileMinimumListeners else { continue }
      // Count of entries strictly greater (the list is descending).
      var lo = 0
      var hi = list.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if list[mid] > top.streams { lo = mid + 1 } else { hi = mid }
      }
      rows[i].topArtistPercentile = Ratio(Int128(100 * (1 + lo)), Int128(list.count))
    }
    let model = PersonalityModel.fit(scores)
    for (k, i) in scored.enumerated() { rows[i].personality = model.letters(scores[k]) }
    rows.sort { $0.userID < $1.userID }
    return (rows, model, scored.count)
  }

  /// Per id of `table`, the rank of its name in UTF-8 byte order.
  func nameRanks(_ table: StringTable) -> [Int32] {
    let names = table.strings
    let order = names.indices.sorted { compareUTF8(names[$0], names[$1]) < 0 }
    var rank = [Int32](repeating: 0, count: names.count)
    for (r, id) in order.enumerated() { rank[id] = Int32(r) }
    return rank
  }

  /// Per song, its listeners in the world (distinct listeners with a stream of it).
  func songListenerCounts(_ layout: ReportLayout) -> [Double] {
    var count = [Double](repeating: 0, count: layout.songCount)
    var last = [Int32](repeating: -1, count: layout.songCount)
    for e in 0..<layout.entries.count where layout.entries.counts[e].streams > 0 {
      let s = Int(layout.songOf[Int(layout.entries.tracks[e])])
      let u = layout.entries.users[e]
      if last[s] != u {
        last[s] = u
        count[s] += 1
      }
    }
    return count
  }

  /// Per listener, the personality most of its events recorded (ties: the first by bytes;
  /// empty when none did).
  private func recordedPersonalities(listeners n: Int) -> [String] {
    var best = [(name: String, count: Int64)](repeating: ("", 0), count: n)
    for (k, key) in recordedPersonality.keys.enumerated() {
      let u = Int(key.a)
      let name = personalities[Int32(key.b)]
      let count = recordedPersonalityCount[k]
      if count > best[u].count
        || (count == best[u].count && compareUTF8(name, best[u].name) < 0)
      {
        best[u] = (name, count)
      }
    }
    return best.map(\.name)
  }
}
