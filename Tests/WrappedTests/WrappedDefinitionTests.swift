import Events
import Foundation
import Plumbing
import XCTest

@testable import Wrapped

/// Every figure of `handMadeHistory()` computed by hand (streams are events of ≥ 30,000 ms;
/// minutes count every event; ranking: streams, then minutes, descending, then the name by
/// bytes, songs by title then artist).
///
///     streams: e1 e3 e4 e6 e7 e8 e9 e10 e11 = 9 (e2 and e5 last 29,999 ms)
///     Zed/Alpha: e1 e6 e10 = 3 streams, 30,000 + 29,999 (e2) + 30,000 + 30,000 = 119,999 ms
///     Zed/Beta:  e4 e9 e11 = 3 streams, 90,000 + 45,000 + 30,000 = 165,000 ms
///     Amy/Alpha: e3 e7     = 2 streams, 59,999 + 30,000 = 89,999 ms
///     Amy/Delta: e8        = 1 stream, 29,999 (e5) + 120,000 = 149,999 ms
///     Europe (Paris, Lyon): e1 e3 e7 e9 e10 = 5 streams; North America (user 2 in New York): e4;
///     Asia (Tokyo): e6 e8 e11.
final class WrappedDefinitionTests: XCTestCase {
  private var directory = ""

  override func setUpWithError() throws { directory = try makeTemporaryDirectory() }
  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: directory)
  }

  private func run(
    _ events: [ListeningEvent], period: WrappedPeriod = .all, top: Int = 10
  ) throws -> WrappedJob.Result {
    let path = directory + "/history.avro"
    try writeHistory(events, to: path)
    var job = WrappedJob(history: path)
    job.period = period
    job.top = top
    return try job.run()
  }

  func testTopSongs_handComputed() throws {
    let result = try run(handMadeHistory())
    // Europe: Amy/Alpha and Zed/Alpha tie on 2 streams and 89,999 ms (Zed/Alpha: e1 + e2 +
    // e10), and on the title: Amy comes first by artist. Asia: Zed/Alpha and Zed/Beta tie on 1
    // stream and 30,000 ms: Alpha before Beta.
    XCTAssertEqual(
      table(result.tables, "top_songs.csv"),
      """
      scope_type,scope,rank,item,artist,streams,listeners,minutes,share
      world,world,1,Beta,Zed,3,3,2.750000,0.333333
      world,world,2,Alpha,Zed,3,3,1.999983,0.333333
      world,world,3,Alpha,Amy,2,2,1.499983,0.222222
      world,world,4,Delta,Amy,1,1,2.499983,0.111111
      continent,Asia,1,Delta,Amy,1,1,2.000000,0.333333
      continent,Asia,2,Alpha,Zed,1,1,0.500000,0.333333
      continent,Asia,3,Beta,Zed,1,1,0.500000,0.333333
      continent,Europe,1,Alpha,Amy,2,2,1.499983,0.400000
      continent,Europe,2,Alpha,Zed,2,2,1.499983,0.400000
      continent,Europe,3,Beta,Zed,1,1,0.750000,0.200000
      continent,North America,1,Beta,Zed,1,1,1.500000,1.000000
      country,FR,1,Alpha,Amy,2,2,1.499983,0.400000
      country,FR,2,Alpha,Zed,2,2,1.499983,0.400000
      country,FR,3,Beta,Zed,1,1,0.750000,0.200000
      country,JP,1,Delta,Amy,1,1,2.000000,0.333333
      country,JP,2,Alpha,Zed,1,1,0.500000,0.333333
      country,JP,3,Beta,Zed,1,1,0.500000,0.333333
      country,US,1,Beta,Zed,1,1,1.500000,1.000000

      """)
  }

  func testTopArtistsAndGenres_handComputed() throws {
    let result = try run(handMadeHistory())
    // Zed: 6 streams, 284,999 ms; Amy: 3 streams, 239,998 ms (e5 counts in minutes only).
    // Europe: Zed e1 e9 e10 (134,999 ms with e2), Amy e3 e7 (119,998 ms with e5; user 3 is no
    // listener: no stream).
    XCTAssertEqual(
      table(result.tables, "top_artists.csv"),
      """
      scope_type,scope,rank,item,artist,streams,listeners,minutes,share
      world,world,1,Zed,,6,3,4.749983,0.666667
      world,world,2,Amy,,3,3,3.999967,0.333333
      continent,Asia,1,Zed,,2,1,1.000000,0.666667
      continent,Asia,2,Amy,,1,1,2.000000,0.333333
      continent,Europe,1,Zed,,3,2,2.249983,0.600000
      continent,Europe,2,Amy,,2,2,1.999967,0.400000
      continent,North America,1,Zed,,1,1,1.500000,1.000000
      country,FR,1,Zed,,3,2,2.249983,0.600000
      country,FR,2,Amy,,2,2,1.999967,0.400000
      country,JP,1,Zed,,2,1,1.000000,0.666667
      country,JP,2,Amy,,1,1,2.000000,0.333333
      country,US,1,Zed,,1,1,1.500000,1.000000

      """)
    XCTAssertEqual(
      table(result.tables, "top_genres.csv").split(separator: "\n").prefix(3).joined(
        separator: "\n"),
      """
      scope_type,scope,rank,item,artist,streams,listeners,minutes,share
      world,world,1,pop,,6,3,4.749983,0.666667
      world,world,2,rock,,3,3,3.999967,0.333333
      """)
  }

  func testUsers_handComputed() throws {
    let result = try run(handMadeHistory())
    // User 1: Zed/Alpha (e1 + e2: 1 stream, 59,999 ms) ties Amy/Alpha (e3: 1 stream, 59,999 ms):
    // Amy first. User 2's New York stream counts like any other. User 3 has an event and no
    // stream: a row with 0 streams and empty favourites. Fewer than 50 streams: no personality;
    // artists with fewer than 100 listeners: no percentile.
    XCTAssertEqual(
      table(result.tables, "users.csv"),
      """
      user_id,minutes,streams,distinct_artists,distinct_songs,top_genre,top_artist_1,\
      top_artist_2,top_artist_3,top_artist_4,top_artist_5,top_song_1,top_song_2,top_song_3,\
      top_song_4,top_song_5,top_artist_percentile,personality
      1,2.749967,3,2,3,pop,Zed,Amy,,,,Amy - Alpha,Zed - Alpha,Zed - Beta,,,,
      2,2.500000,3,2,3,pop,Zed,Amy,,,,Zed - Beta,Amy - Alpha,Zed - Alpha,,,,
      3,0.499983,0,0,0,,,,,,,,,,,,,
      4,3.000000,3,2,3,pop,Zed,Amy,,,,Amy - Delta,Zed - Alpha,Zed - Beta,,,,

      """)
  }

  func testArtistGeography_handComputed() throws {
    let result = try run(handMadeHistory())
    // Location quotient = (artist there / artist) ÷ (all there / all): Zed in Europe
    // (3/6) ÷ (5/9) = 0.9, in North America (1/6) ÷ (1/9) = 1.5; Amy in Europe (2/3) ÷ (5/9) = 1.2.
    XCTAssertEqual(
      table(result.tables, "artists.csv"),
      """
      artist,scope_type,scope,streams,listeners,share_of_artist,location_quotient
      Amy,continent,Europe,2,2,0.666667,1.200000
      Amy,continent,Asia,1,1,0.333333,1.000000
      Amy,country,FR,2,2,0.666667,1.200000
      Amy,country,JP,1,1,0.333333,1.000000
      Zed,continent,Europe,3,2,0.500000,0.900000
      Zed,continent,Asia,2,1,0.333333,1.000000
      Zed,continent,North America,1,1,0.166667,1.500000
      Zed,country,FR,3,2,0.500000,0.900000
      Zed,country,JP,2,1,0.333333,1.000000
      Zed,country,US,1,1,0.166667,1.500000

      """)
    // Cities: equal streams rank by minutes (Amy: Tokyo 120,000 ms, Paris 59,999 + 29,999,
    // Lyon 30,000).
    XCTAssertEqual(
      table(result.tables, "artist_cities.csv"),
      """
      artist,rank,city,country,streams,listeners,minutes,share_of_artist
      Amy,1,Tokyo,JP,1,1,2.000000,0.333333
      Amy,2,Paris,FR,1,1,1.499967,0.333333
      Amy,3,Lyon,FR,1,1,0.500000,0.333333
      Zed,1,Paris,FR,2,1,1.749983,0.333333
      Zed,2,Tokyo,JP,2,1,1.000000,0.333333
      Zed,3,New York,US,1,1,1.500000,0.166667
      Zed,4,Lyon,FR,1,1,0.500000,0.166667

      """)
  }

  /// One continent (a streaming window of one partition): its rows are the world's under its
  /// own scope, and its artists' shares and quotients those of the world (the report reuses the
  /// world's counts for the continent).
  func testOneContinent_continentRowsAreTheWorlds() throws {
    let europe = handMadeHistory().filter { $0.continent == .europe }
    let result = try run(europe)
    // Europe: e1 e3 e7 e9 e10 are its 5 streams; e2 and e5 add minutes only.
    XCTAssertEqual(
      table(result.tables, "top_songs.csv"),
      """
      scope_type,scope,rank,item,artist,streams,listeners,minutes,share
      world,world,1,Alpha,Amy,2,2,1.499983,0.400000
      world,world,2,Alpha,Zed,2,2,1.499983,0.400000
      world,world,3,Beta,Zed,1,1,0.750000,0.200000
      continent,Europe,1,Alpha,Amy,2,2,1.499983,0.400000
      continent,Europe,2,Alpha,Zed,2,2,1.499983,0.400000
      continent,Europe,3,Beta,Zed,1,1,0.750000,0.200000
      country,FR,1,Alpha,Amy,2,2,1.499983,0.400000
      country,FR,2,Alpha,Zed,2,2,1.499983,0.400000
      country,FR,3,Beta,Zed,1,1,0.750000,0.200000

      """)
    // Zed: e1 e9 e10 (users 1 and 2), 30,000 + 29,999 + 45,000 + 30,000 ms; Amy: e3 e7,
    // 59,999 + 29,999 + 30,000 ms.
    XCTAssertEqual(
      table(result.tables, "top_genres.csv"),
      """
      scope_type,scope,rank,item,artist,streams,listeners,minutes,share
      world,world,1,pop,,3,2,2.249983,0.600000
      world,world,2,rock,,2,2,1.999967,0.400000
      continent,Europe,1,pop,,3,2,2.249983,0.600000
      continent,Europe,2,rock,,2,2,1.999967,0.400000
      country,FR,1,pop,,3,2,2.249983,0.600000
      country,FR,2,rock,,2,2,1.999967,0.400000

      """)
    XCTAssertEqual(
      table(result.tables, "artists.csv"),
      """
      artist,scope_type,scope,streams,listeners,share_of_artist,location_quotient
      Amy,continent,Europe,2,2,1.000000,1.000000
      Amy,country,FR,2,2,1.000000,1.000000
      Zed,continent,Europe,3,2,1.000000,1.000000
      Zed,country,FR,3,2,1.000000,1.000000

      """)
  }

  func testSummary_totalsAndSkips() throws {
    var events = handMadeHistory()
    var broken = events[0]
    broken.endTime = broken.startTime - 1  // ends before it starts: skipped, and said so
    events.append(broken)
    let result = try run(events)
    let summary = try XCTUnwrap(
      try JSONValue.parse(table(result.tables, "summary.json")) as JSONValue?)
    XCTAssertEqual(summary["events_read"], .number(12, integer: 12))
    XCTAssertEqual(summary["events_counted"], .number(11, integer: 11))
    XCTAssertEqual(summary["events_skipped"]?["end_before_start"], .number(1, integer: 1))
    XCTAssertEqual(summary["streams"], .number(9, integer: 9))
    XCTAssertEqual(summary["users"], .number(4, integer: 4))
    XCTAssertEqual(summary["users_with_streams"], .number(3, integer: 3))
    XCTAssertEqual(summary["first_event_start"], .string("2024-03-01T08:00:00.000Z"))
  }

  func testPeriod_halfOpenOnStart() throws {
    // [2024-03-02, 2024-03-03): e7, e8, e9 only. Amy 2 streams (e7, e8), Zed 1 (e9).
    let day: Int64 = 1_709_251_200_000 + 86_400_000
    let result = try run(
      handMadeHistory(), period: WrappedPeriod(from: day, to: day + 86_400_000), top: 1)
    XCTAssertEqual(
      table(result.tables, "top_artists.csv").split(separator: "\n").prefix(2).joined(
        separator: "\n"),
      """
      scope_type,scope,rank,item,artist,streams,listeners,minutes,share
      world,world,1,Amy,,2,2,2.500000,0.666667
      """)
    XCTAssertEqual(result.report.totals.skipped.outsidePeriod, 8)
  }

  func testPeriod_emptySaysSo() throws {
    let later: Int64 = 1_735_689_600_000  // 2025-01-01
    XCTAssertThrowsError(try run(handMadeHistory(), period: WrappedPeriod(from: later, to: nil))) {
      XCTAssertEqual(
        "\($0)",
        "\(directory)/history.avro: no event starts in the period (11 events read). Widen "
          + "--from/--to, or check the history's dates with forecast inspect.")
    }
  }

  func testMissingFields_namedWithTheOutputsThatNeedThem() throws {
    // The seed's Milestone-1 schema has no continent.
    let path = directory + "/seed.avro"
    try writeHistory(handMadeHistory(), to: path, schema: .milestone1)
    XCTAssertThrowsError(try WrappedJob(history: path).run()) {
      XCTAssertEqual(
        "\($0)",
        "\(path): the history lacks continent, which artists.csv, the continent rows of "
          + "top_*.csv need. Pass a history that carries it, or add --skip-missing to write the "
          + "other outputs without those.")
    }
    var job = WrappedJob(history: path)
    job.skipMissing = true
    let result = try job.run()
    XCTAssertFalse(result.tables.files.contains { $0.name == "artists.csv" })
    XCTAssertFalse(table(result.tables, "top_songs.csv").contains("continent,"))
    XCTAssertTrue(table(result.tables, "top_songs.csv").contains("country,US,1,Beta,Zed,1,1"))
  }

  func testRatio_sixDecimalsHalfToEven() {
    XCTAssertEqual(Ratio(1, 128).description, "0.007812")  // 0.0078125: a tie, to even
    XCTAssertEqual(Ratio(3, 128).description, "0.023438")  // 0.0234375: a tie, to even (up)
    XCTAssertEqual(Ratio.minutes(740_740).description, "12.345667")
    XCTAssertEqual(Ratio(2, 3).description, "0.666667")
    XCTAssertEqual(Ratio(5, 0).description, "0.000000")
    // Beyond 64-bit millionths, the 128-bit path: the same rule.
    XCTAssertEqual(Ratio(Int128(Int64.max), 1).description, "9223372036854775807.000000")
    XCTAssertEqual(Ratio(100_000_000_000_001, 2).description, "50000000000000.500000")
    XCTAssertEqual(Ratio(20_000_000_000_000_001, 1_000_000).description, "20000000000.000001")
    // The CSV writer prints the same digits on both paths.
    var t = CSVText()
    for r in [Ratio(1, 128), Ratio(2, 3), Ratio(5, 0), Ratio(Int128(Int64.max), 3)] { t.field(r) }
    t.field(Int64.min)
    t.field(0)
    t.endLine()
    XCTAssertEqual(
      t.string,
      "0.007812,0.666667,0.000000,3074457345618258602.333333,-9223372036854775808,0\n")
  }
}
