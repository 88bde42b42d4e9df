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
    precondition(top >= 1, "WrappedAccumulator.report: top must be ≥ 1, got \(top)")
    let layout = makeLayout()
    let scopeResult = PassResult<WrappedReport>()
    let listenerResult = PassResult<(rows: [ListenerRow], model: PersonalityModel, scored: Int)>()
    let pass: @Sendable (Int) -> Void = { k in
      if k == 0 {
        scopeResult.value = scopeTables(layout, top: top)
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
  ///
  /// Each scope level (the world, continents, countries, cities) is one pass over the entries
  /// grouped by their scope (a stable counting sort, so each scope's entries stay in listener
  /// order and a listener is counted once per cell by remembering the last one), adding into
  /// one scratch row over every item that is reset through the list of items touched: no
  /// hashing, and each scope's cells come out grouped by item kind, ready to rank.
  func scopeTables(_ layout: ReportLayout, top: Int) -> WrappedReport {
    let (songOf, artistOf, genreOf) = (layout.songOf, layout.artistOf, layout.genreOf)
    let (songArtist, songTitle) = (layout.songArtist, layout.songTitle)
    let (continentOf, countryOf, cityOf) = (layout.continentOf, layout.countryOf, layout.cityOf)
    let cityKeys = layout.cityKeys
    let entries = layout.entries
    let n = layout.listenerCount
    let entryCount = entries.tracks.count
    func scopeKey(_ type: UInt64, _ id: Int32) -> UInt64 {
      type << 40 | UInt64(UInt32(bitPattern: id))
    }
    let song: UInt64 = 0 << 40
    let artist: UInt64 = 1 << 40
    let genre: UInt64 = 2 << 40
    // Item columns: songs, then artists, then genres.
    let (songCount, artistCount) = (layout.songCount, artists.count)
    let items = songCount + artistCount + genres.count
    func itemKey(_ column: Int) -> UInt64 {
      column < songCount
        ? song | UInt64(column)
        : column < songCount + artistCount
          ? artist | UInt64(column - songCount) : genre | UInt64(column - songCount - artistCount)
    }

    // The cells, scope by scope and kind by kind; `groups` names each (scope, kind) range.
    var cellScope: [UInt64] = []
    var cellItem: [UInt64] = []
    var cellCounts: [ListenCounts] = []
    var cellListeners: [Int32] = []
    // Room for two cells an entry to start with (each level repeats many items), so that the
    // arrays do not grow from empty by doubling; they still grow past it when needed.
    cellScope.reserveCapacity(2 * entryCount)
    cellItem.reserveCapacity(2 * entryCount)
    cellCounts.reserveCapacity(2 * entryCount)
    cellListeners.reserveCapacity(2 * entryCount)
    var groups: [(scope: UInt64, kind: Int, cells: Range<Int>)] = []
    var scratchCounts = [ListenCounts](repeating: ListenCounts(), count: items)
    var scratchListeners = [Int32](repeating: 0, count: items)
    var scratchLast = [Int32](repeating: -1, count: items)
    // The scratch row's touched columns, by kind.
    var touchedSongs: [Int32] = []
    var touchedArtists: [Int32] = []
    var touchedGenres: [Int32] = []

    // Entry indices grouped by scope id (stable: listener order kept).
    func grouped(_ scopeOf: (Int) -> Int, count: Int) -> (order: [Int32], start: [Int]) {
      var start = [Int](repeating: 0, count: count + 1)
      for e in 0..<entryCount { start[scopeOf(e) + 1] += 1 }
      for i in 0..<count { start[i + 1] += start[i] }
      var next = start
      var order = [Int32](repeating: 0, count: entryCount)
      for e in 0..<entryCount {
        let g = scopeOf(e)
        order[next[g]] = Int32(e)
        next[g] += 1
      }
      return (order, start)
    }
    /// One scope level: `scopeOf` each entry, `count` scopes, every kind or artists only.
    /// Each scope's entries are added into the scratch row, whose touched cells then move to
    /// the scope's cells (kind by kind) and are reset.
    ///
    /// - Returns: each scope's totals.
    func level(
      _ type: UInt64, count: Int, artistsOnly: Bool, _ scopeOf: (Int) -> Int
    ) -> [ListenCounts] {
      var totals = [ListenCounts](repeating: ListenCounts(), count: count)
      let (order, start) = grouped(scopeOf, count: count)
      scratchCounts.withUnsafeMutableBufferPointer { counts in
        scratchListeners.withUnsafeMutableBufferPointer { listeners in
          scratchLast.withUnsafeMutableBufferPointer { last in
            @inline(__always)
            func bump(_ column: Int, _ touched: inout [Int32], _ c: ListenCounts, user: Int32) {
              // -1: untouched in this scope; -2: touched, no listener yet.
              if last[column] == -1 {
                touched.append(Int32(column))
                last[column] = -2
              }
              counts[column].streams += c.streams
              counts[column].milliseconds += c.milliseconds
              if c.streams > 0 && last[column] != user {
                last[column] = user
                listeners[column] += 1
              }
            }
            /// Moves the touched cells of one kind to the cells of `scope`, and resets them.
            func emit(_ scope: UInt64, kind: Int, _ touched: inout [Int32]) {
              let first = cellCounts.count
              for column in touched {
                let c = Int(column)
                cellScope.append(scope)
                cellItem.append(itemKey(c))
                cellCounts.append(counts[c])
                cellListeners.append(listeners[c])
                counts[c] = ListenCounts()
                listeners[c] = 0
                last[c] = -1
              }
              touched.removeAll(keepingCapacity: true)
              if cellCounts.count > first { groups.append((scope, kind, first..<cellCounts.count)) }
            }
            entries.tracks.withUnsafeBufferPointer { tracks in
              entries.counts.withUnsafeBufferPointer { entryCounts in
                entries.users.withUnsafeBufferPointer { users in
                  for g in 0..<count where start[g + 1] > start[g] {
                    var total = ListenCounts()
                    for i in start[g]..<start[g + 1] {
                      let e = Int(order[i])
                      let t = Int(tracks[e])
                      let c = entryCounts[e]
                      let user = users[e]
                      total.streams += c.streams
                      total.milliseconds += c.milliseconds
                      bump(songCount + Int(artistOf[t]), &touchedArtists, c, user: user)
                      if !artistsOnly {
                        bump(Int(songOf[t]), &touchedSongs, c, user: user)
                        bump(
                          songCount + artistCount + Int(genreOf[t]), &touchedGenres, c, user: user)
                      }
                    }
                    totals[g] = total
                    let scope = scopeKey(type, Int32(g))
                    emit(scope, kind: 0, &touchedSongs)
                    emit(scope, kind: 1, &touchedArtists)
                    emit(scope, kind: 2, &touchedGenres)
                  }
                }
              }
            }
          }
        }
      }
      return totals
    }
    let placeOfEntry = entries.places
    let worldTotal = level(0, count: 1, artistsOnly: false) { _ in 0 }[0]
    let continentTotals: [ListenCounts]
    if continents.count == 1 {
      // One continent (a streaming window of one partition): its entries are the world's, in
      // the same order, so its cells are the world's under another scope key.
      let scope = scopeKey(1, 0)
      // (Copied by index: a slice of the array appended to itself would copy all of it.)
      for group in groups {
        let first = cellCounts.count
        for i in group.cells {
          cellScope.append(scope)
          cellItem.append(cellItem[i])
          cellCounts.append(cellCounts[i])
          cellListeners.append(cellListeners[i])
        }
        groups.append((scope, group.kind, first..<cellCounts.count))
      }
      continentTotals = [worldTotal]
    } else {
      continentTotals = level(1, count: continents.count, artistsOnly: false) {
        Int(continentOf[Int(placeOfEntry[$0])])
      }
    }
    let countryTotals = level(2, count: countries.count, artistsOnly: false) {
      Int(countryOf[Int(placeOfEntry[$0])])
    }
    _ = level(3, count: cityKeys.count, artistsOnly: true) { Int(cityOf[Int(placeOfEntry[$0])]) }
    func scopeTotal(_ scope: UInt64) -> ListenCounts {
      let id = Int(scope & 0xFF_FFFF_FFFF)
      switch scope >> 40 {
      case 0: return worldTotal
      case 1: return continentTotals[id]
      case 2: return countryTotals[id]
      default: return ListenCounts()
      }
    }

    var report = WrappedReport()

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

    // Top lists: every (scope, item kind) group of the world, continents and countries, ranked;
    // each kind's rows by scope type, scope name and rank.
    let ranked = groups.filter { $0.scope >> 40 < 3 }.sorted {
      let (a, b) = (scopeOrder($0.scope), scopeOrder($1.scope))
      return a != b ? a < b : $0.kind < $1.kind
    }
    for group in ranked {
      let members = group.cells.filter { cellCounts[$0].streams > 0 }
      guard !members.isEmpty else { continue }
      let (scopeType, scope) = scopeName(group.scope)
      let total = scopeTotal(group.scope).streams
      let first = firstRanked(
        members, top, counts: { cellCounts[$0] }, names: { names(cellItem[$0]) })
      for (r, i) in first.enumerated() {
        let name = names(cellItem[i])
        let row = TopRow(
          scopeType: scopeType, scope: scope, rank: r + 1, item: name.0, artist: name.1,
          streams: cellCounts[i].streams, listeners: Int(cellListeners[i]),
          milliseconds: cellCounts[i].milliseconds,
          share: Ratio(Int128(cellCounts[i].streams), Int128(total)))
        switch group.kind {
        case 0: report.topSongs.append(row)
        case 1: report.topArtists.append(row)
        default: report.topGenres.append(row)
        }
      }
    }

    // Artists' geography: every (artist, continent/country) with streams; top 10 cities.
    // Each artist's world-wide streams; its continent and country cells, and its city cells,
    // grouped by the artist's name rank (counting sorts: artists in name order, each one's cells
    // together in the order of the groups).
    var artistStreams = [Int64](repeating: 0, count: artistCount)
    var placeStart = [Int](repeating: 0, count: artistCount + 1)
    var cityStart = [Int](repeating: 0, count: artistCount + 1)
    for group in groups where group.kind == 1 && group.scope >> 40 != 0 {
      let isCity = group.scope >> 40 == 3
      for i in group.cells where cellCounts[i].streams > 0 {
        let r = Int(artistRank[Int(cellItem[i] & 0xFF_FFFF_FFFF)]) + 1
        if isCity { cityStart[r] += 1 } else { placeStart[r] += 1 }
      }
    }
    for r in 0..<artistCount {
      placeStart[r + 1] += placeStart[r]
      cityStart[r + 1] += cityStart[r]
    }
    // An artist's continent and country cells sort on (scope type, streams descending, scope
    // name) as one key: the scope type (2 bits), Int64.max − streams (63) and the scope's name
    // rank (31), most significant first. Each (artist, scope) is one cell, so an artist's keys
    // are distinct and any sort gives the one order.
    var placeOrder = [(key: UInt128, cell: Int)](
      repeating: (0, 0), count: placeStart[artistCount])
    var cityOrder = [Int](repeating: 0, count: cityStart[artistCount])
    var (placeNext, cityNext) = (placeStart, cityStart)
    for group in groups where group.kind == 1 {
      let type = group.scope >> 40
      let (scopeType, scopeRank) = scopeOrder(group.scope)
      for i in group.cells where cellCounts[i].streams > 0 {
        let a = Int(cellItem[i] & 0xFF_FFFF_FFFF)
        let r = Int(artistRank[a])
        switch type {
        case 0: artistStreams[a] = cellCounts[i].streams
        case 3:
          cityOrder[cityNext[r]] = i
          cityNext[r] += 1
        default:
          let key =
            UInt128(scopeType) << 94 | UInt128(UInt64(Int64.max - cellCounts[i].streams)) << 31
            | UInt128(UInt32(scopeRank))
          placeOrder[placeNext[r]] = (key, i)
          placeNext[r] += 1
        }
      }
    }
    placeOrder.withUnsafeMutableBufferPointer { order in
      for r in 0..<artistCount where placeStart[r + 1] - placeStart[r] > 1 {
        order[placeStart[r]..<placeStart[r + 1]].sort { $0.key < $1.key }
      }
    }
    report.artistPlaces.reserveCapacity(placeOrder.count)
    for (_, i) in placeOrder {
      let a = Int32(cellItem[i] & 0xFF_FFFF_FFFF)
      let artistTotal = artistStreams[Int(a)]
      let there = scopeTotal(cellScope[i])
      let (scopeType, scope) = scopeName(cellScope[i])
      let streams = Int128(cellCounts[i].streams)
      report.artistPlaces.append(
        ArtistPlaceRow(
          artist: artists[a], scopeType: scopeType, scope: scope, streams: cellCounts[i].streams,
          listeners: Int(cellListeners[i]),
          shareOfArtist: Ratio(streams, Int128(artistTotal)),
          locationQuotient: Ratio(
            streams * Int128(worldTotal.streams), Int128(artistTotal) * Int128(there.streams))))
    }
    for rank in 0..<artistCount where cityStart[rank + 1] > cityStart[rank] {
      let members = cityOrder[cityStart[rank]..<cityStart[rank + 1]]
      let a = Int32(cellItem[members[members.startIndex]] & 0xFF_FFFF_FFFF)
      let artistTotal = artistStreams[Int(a)]
      func place(_ i: Int) -> (String, String) {
        let key = cityKeys.keys[Int(cellScope[i] & 0xFF_FFFF_FFFF)]
        return (cities[Int32(key.b)], countries[Int32(key.a)])
      }
      let first = firstRanked(members, 10, counts: { cellCounts[$0] }, names: place)
      for (r, i) in first.enumerated() {
        let (city, country) = place(i)
        report.artistCities.append(
          ArtistCityRow(
            artist: artists[a], rank: r + 1, city: city, country: country,
            streams: cellCounts[i].streams, listeners: Int(cellListeners[i]),
            milliseconds: cellCounts[i].milliseconds,
            shareOfArtist: Ratio(Int128(cellCounts[i].streams), Int128(artistTotal))))
      }
    }

    // Distinct songs, artists and genres: the world's cells of each kind.
    var distinct = [0, 0, 0]
    for group in groups where group.scope >> 40 == 0 { distinct[group.kind] += group.cells.count }
    report.totals = WrappedTotals(
      eventsRead: eventsRead, eventsCounted: eventsCounted, skipped: skipped,
      streams: worldTotal.streams, milliseconds: worldTotal.milliseconds, users: n,
      usersWithStreams: 0, usersWithoutPersonality: 0,
      artists: distinct[1], songs: distinct[0], genres: distinct[2],
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
    rows.reserveCapacity(n)
    var rowTopArtist: [(artist: Int32, streams: Int64)?] = []
    rowTopArtist.reserveCapacity(n)
    var scored: [Int] = []  // indices into rows
    var scores: [[Double]] = []
    // Commonality: the catalogue's popularity where the history carries it, else how many of
    // this history's listeners streamed the song (log₂).
    let hasPopularity = trackPopularity.contains { $0 > 0 }
    // Loyalty: the share of events put on repeat where the history records repeats, else the
    // share of streams that replay a song (which grows with volume, hence second choice).
    let hasRepeats = listenerTotals.contains { $0.repeated > 0 }
    let songListeners = hasPopularity ? [] : songListenerCounts(layout)
    // The listeners in user id order (each is one id), the order of the rows: nothing below
    // depends on the order they are visited in (the percentiles' lists are sorted, the
    // thresholds are fitted on sorted scores).
    var byID = (0..<n).map { (id: Int64(bitPattern: listeners.keys[$0].a), listener: Int32($0)) }
    byID.sort { $0.id < $1.id }
    for u in byID.lazy.map({ Int($0.listener) }) {
      let totals = listenerTotals[u]
      var yearSum = 0.0
      var yearStreams = 0.0
      var commonSum = 0.0
      var (songsStreamed, artistsStreamed) = (0, 0)
      for e in start[u]..<start[u + 1] {
        let t = Int(entries.tracks[e])
        let c = entries.counts[e]
        let sid = Int(songOf[t])
        let aid = Int(artistOf[t])
        let gid = Int(genreOf[t])
        if songScratch[sid] == ListenCounts() { songTouched.append(Int32(sid)) }
        if c.streams > 0 && songScratch[sid].streams == 0 { songsStreamed += 1 }
        if c.streams > 0 && artistScratch[aid].streams == 0 { artistsStreamed += 1 }
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
      let songsRanked = firstRanked(
        songTouched.lazy.filter { songScratch[Int($0)].streams > 0 }, 5,
        counts: { songScratch[Int($0)] },
        names: { (songNames[songTitle[Int($0)]], artists[songArtist[Int($0)]]) })
      let artistsRanked = firstRanked(
        artistTouched.lazy.filter { artistScratch[Int($0)].streams > 0 }, 5,
        counts: { artistScratch[Int($0)] }, names: { (artists[$0], "") })
      let genresRanked = firstRanked(
        genreTouched.lazy.filter { genreScratch[Int($0)].streams > 0 }, 1,
        counts: { genreScratch[Int($0)] }, names: { (genres[$0], "") })
      for a in artistTouched where artistScratch[Int(a)].streams > 0 {
        artistListenerStreams[Int(a)].append(artistScratch[Int(a)].streams)
      }
      var row = ListenerRow(
        userID: Int64(bitPattern: listeners.keys[u].a), milliseconds: totals.milliseconds,
        streams: totals.streams, distinctArtists: artistsStreamed,
        distinctSongs: songsStreamed, topGenre: genresRanked.first.map { genres[$0] } ?? "",
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
            : 1 - Double(songsStreamed) / streams,
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
    return (rows, model, scored.count)
  }

  /// Per id of `table`, the rank of its name in UTF-8 byte order.
  ///
  /// Sorted on each name's first eight bytes as one integer (zeros past its end), the names
  /// themselves compared only where those tie: most comparisons then touch no string.
  func nameRanks(_ table: StringTable) -> [Int32] {
    let names = table.strings
    var keyed: [(prefix: UInt64, id: Int32)] = []
    keyed.reserveCapacity(names.count)
    for (id, name) in names.enumerated() {
      var name = name
      let prefix = name.withUTF8 { u in
        var key: UInt64 = 0
        for i in 0..<8 { key = key << 8 | (i < u.count ? UInt64(u[i]) : 0) }
        return key
      }
      keyed.append((prefix, Int32(id)))
    }
    // (A shorter name ties the prefix of a longer one it starts, zeros standing for its missing
    // bytes; the full comparison then puts it first, as byte order does.)
    keyed.sort {
      $0.prefix != $1.prefix
        ? $0.prefix < $1.prefix : compareUTF8(names[Int($0.id)], names[Int($1.id)]) < 0
    }
    var rank = [Int32](repeating: 0, count: names.count)
    for (r, entry) in keyed.enumerated() { rank[Int(entry.id)] = Int32(r) }
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
