import Events
import Foundation
import XCTest

@testable import Forecast

/// Hand-built events: `at` is an ISO-8601 UTC instant, `minutes` the duration.
func event(
  user: Int64, at start: String, minutes: Double, zone: String = "Europe/London",
  continent: Continent = .europe, subscription: Subscription = .free
) -> ListeningEvent {
  let startMillis = (Timestamp.parse(start) ?? 0) * 1000
  return ListeningEvent(
    userID: user,
    location: Location(latitude: 0, longitude: 0, country: "GB", city: "London", timezone: zone),
    continent: continent, subscription: subscription, interaction: .played,
    song: Song(
      name: "s", artist: "a", genre: "pop", year: 2000, popularity: 50, danceability: 50,
      energy: 50, lengthSeconds: 180),
    startTime: startMillis, endTime: startMillis + Int64(minutes * 60_000), personality: "ELNC")
}

func buildSeries(_ events: [ListeningEvent], _ options: EventSeriesOptions) throws
  -> SeriesCollection
{
  let builder = EventSeriesBuilder(options: options)
  for e in events { try builder.add(e) }
  return try builder.finish(source: "history.avro")
}

final class EventSeriesTests: XCTestCase {
  /// Five days of UTC history (2024-01-01 00:05 to 2024-01-05 23:30), users interleaved and
  /// user 2's events out of order.
  let dailyEvents: [ListeningEvent] = [
    event(user: 1, at: "2024-01-01T00:05:00Z", minutes: 5),  // session a (ends 00:10)
    event(user: 2, at: "2024-01-02T10:40:00Z", minutes: 10),  // user 2, late-first
    event(user: 1, at: "2024-01-01T00:40:00Z", minutes: 5),  // gap exactly 30 min: a
    ListeningEvent(  // gap 30 min + 1 ms: session b
      userID: 1,
      location: Location(
        latitude: 0, longitude: 0, country: "GB", city: "London", timezone: "Europe/London"),
      continent: .europe, subscription: .free, interaction: .played,
      song: Song(
        name: "s", artist: "a", genre: "pop", year: 2000, popularity: 50, danceability: 50,
        energy: 50, lengthSeconds: 180),
      startTime: 1_704_071_700_001, endTime: 1_704_072_000_000, personality: "ELNC"),
    event(user: 2, at: "2024-01-02T10:00:00Z", minutes: 20),  // before 10:40, gap 20: joins
    event(user: 1, at: "2024-01-01T23:50:00Z", minutes: 5),  // session c crosses midnight
    event(user: 2, at: "2024-01-02T13:00:00Z", minutes: 10),
    event(user: 1, at: "2024-01-02T00:10:00Z", minutes: 10),  // gap 15: still c (Jan 1)
    event(user: 2, at: "2024-01-02T12:00:00Z", minutes: 10),  // 50 min before 13:00: apart
    event(user: 2, at: "2024-01-02T12:30:00Z", minutes: 10),  // bridges 12:00 and 13:00
    event(user: 3, at: "2024-01-04T23:30:00Z", minutes: 10, zone: "Asia/Tokyo"),  // Jan 5 local
    event(user: 1, at: "2024-01-05T23:30:00Z", minutes: 10),
  ]

  func testDailySessions_utcCalendar() throws {
    let series = try buildSeries(dailyEvents, EventSeriesOptions(kind: .dailySessions))
    XCTAssertEqual(series.series.count, 1)
    let s = series.series[0]
    XCTAssertEqual(s.id, "all")
    XCTAssertEqual(Timestamp.format(s.start), "2024-01-01")
    XCTAssertEqual(s.step, 86_400)
    // Jan 1: a, b, c (c crosses midnight, belongs to Jan 1); Jan 2: user 2's two sessions
    // (10:00–10:50 merged out of order, 12:00–13:10 bridged by the late 12:30); Jan 3 empty;
    // Jan 4 23:30 UTC; Jan 5.
    XCTAssertEqual(s.values, [3, 2, 0, 1, 1])
    XCTAssertEqual(series.notes, [])
    XCTAssertEqual(series.targetName, "sessions")
  }

  func testDailySessions_localCalendarDropsIncompleteFirstDay() throws {
    let series = try buildSeries(
      dailyEvents, EventSeriesOptions(kind: .dailySessions, calendar: .local))
    let s = series.series[0]
    // Tokyo's Jan 1 began at Dec 31 15:00 UTC, before the history: dropped. Jan 2: user 2's
    // two sessions (user 1's midnight session started on Jan 1 London time). Jan 4 23:30 UTC is
    // Jan 5 08:30 in Tokyo.
    XCTAssertEqual(Timestamp.format(s.start), "2024-01-02")
    XCTAssertEqual(s.values, [2, 0, 0, 2])
    XCTAssertEqual(
      series.notes,
      [
        "dropped incomplete day 2024-01-01: the history covers only part of it (events from "
          + "2024-01-01T00:05:00Z to 2024-01-05T23:30:00Z)"
      ])
  }

  func testDailySessions_gapIsConfigurable() throws {
    // With a 10-minute gap: Jan 1 has a, a' (30 min apart), b, c; Jan 2 00:10 is 15 min after c
    // ended: a new session on Jan 2, and user 2's 10:00/10:40 (20 min) split, 12:00/12:30/13:00
    // (20 min each) too.
    let series = try buildSeries(
      dailyEvents, EventSeriesOptions(kind: .dailySessions, sessionGapMinutes: 10))
    XCTAssertEqual(series.series[0].values, [4, 6, 0, 1, 1])
  }

  func testDailySessions_splitByContinentSharesTheRange() throws {
    var events = dailyEvents
    events[10].continent = .asia
    let series = try buildSeries(
      events, EventSeriesOptions(kind: .dailySessions, splitKey: .continent))
    XCTAssertEqual(series.series.map(\.id), ["Asia", "Europe"])
    XCTAssertEqual(series.series[0].values, [0, 0, 0, 1, 0])
    XCTAssertEqual(series.series[1].values, [3, 2, 0, 0, 1])
  }

  func testSplitKey_absentFromEventsIsAnError() {
    let events = dailyEvents.map { e -> ListeningEvent in
      var e = e
      e.subscription = .unknown
      return e
    }
    XCTAssertThrowsError(
      try buildSeries(events, EventSeriesOptions(kind: .dailySessions, splitKey: .subscription))
    ) { error in
      XCTAssertEqual(
        "\(error)",
        "history.avro: no event carries a subscription (every value is unknown or empty; files "
          + "written with the Milestone-1 schema have no continent or subscription). Choose "
          + "another --by key or omit --by.")
    }
  }

  func testWeeklyEngagement_isoWeek53AndDroppedFirstWeek() throws {
    let events = [
      event(user: 1, at: "2020-12-15T10:00:00Z", minutes: 60),  // Tue of 2020-W51: incomplete
      event(user: 1, at: "2020-12-22T10:00:00Z", minutes: 30),  // W52
      event(user: 1, at: "2020-12-22T10:45:00Z", minutes: 30),  // W52, same session
      event(user: 2, at: "2020-12-27T23:40:00Z", minutes: 10),  // Sunday of W52
      event(user: 2, at: "2020-12-28T00:10:00Z", minutes: 30),  // Monday of W53, same session
      event(user: 1, at: "2020-12-31T12:00:00Z", minutes: 90),  // W53
      event(user: 3, at: "2021-01-10T23:30:00Z", minutes: 15),  // Sunday of 2021-W01
    ]
    let series = try buildSeries(events, EventSeriesOptions(kind: .weeklyEngagement))
    XCTAssertEqual(series.series.count, 1)
    let s = series.series[0]
    XCTAssertEqual(Timestamp.format(s.start), "2020-12-21")
    XCTAssertEqual(s.step, 604_800)
    XCTAssertEqual(series.targetName, "listening_hours")
    XCTAssertEqual(series.covariateNames, ["active_users", "sessions", "events"])
    // W52: 30 + 30 + 10 minutes; W53: 30 + 90; W01: 15.
    XCTAssertEqual(s.values, [70.0 / 60, 2.0, 0.25])
    XCTAssertEqual(s.covariates[0], [2, 2, 1])  // active users
    XCTAssertEqual(s.covariates[1], [2, 1, 1])  // sessions (user 2's starts on the Sunday)
    XCTAssertEqual(s.covariates[2], [3, 2, 1])  // events
    XCTAssertEqual(
      series.notes,
      [
        "dropped incomplete week 2020-W51 (from 2020-12-14): the history covers only part of it "
          + "(events from 2020-12-15T10:00:00Z to 2021-01-10T23:30:00Z)"
      ])
  }

  func testWeeklyEngagement_emptyWeeksAreZeros() throws {
    let events = [
      event(user: 1, at: "2024-01-01T00:00:00Z", minutes: 60),
      event(user: 1, at: "2024-01-21T23:30:00Z", minutes: 6),
    ]
    let s = try buildSeries(events, EventSeriesOptions(kind: .weeklyEngagement)).series[0]
    XCTAssertEqual(s.values, [1, 0, 0.1])
    XCTAssertEqual(s.covariates[0], [1, 0, 1])
  }

  func testEmptyHistory_isAnError() {
    XCTAssertThrowsError(try buildSeries([], EventSeriesOptions(kind: .dailySessions))) {
      XCTAssertEqual(
        "\($0)",
        "history.avro: the history holds no event. Pass a history with events "
          + "(forecast simulate writes one).")
    }
  }

  func testSessionList_lateEventBridgesThreeSessions() {
    var list = SessionList()
    let minute: Int64 = 60_000
    list.add(start: 0, end: minute, zone: 0, gap: 30 * minute)
    list.add(start: 100 * minute, end: 101 * minute, zone: 1, gap: 30 * minute)
    list.add(start: 200 * minute, end: 201 * minute, zone: 2, gap: 30 * minute)
    XCTAssertEqual(list.sessions.count, 3)
    // A long late event from minute 31 to 170 touches all three (gap exactly 30 to the first).
    list.add(start: 31 * minute, end: 170 * minute, zone: 3, gap: 30 * minute)
    XCTAssertEqual(list.sessions, [.init(start: 0, end: 201 * minute, zone: 0)])
    // An isolated late event is inserted in order.
    list.add(start: -100 * minute, end: -99 * minute, zone: 4, gap: 30 * minute)
    XCTAssertEqual(list.sessions.map(\.zone), [4, 0])
  }

  /// A value of a batch's string table that no event carries (the bundled history's continent
  /// table holds "unknown") makes no series, and does not count as a known key.
  func testSplit_valueNoEventCarriesMakesNoSeries() throws {
    let builder = EventSeriesBuilder(
      options: EventSeriesOptions(kind: .dailySessions, splitKey: .continent))
    _ = builder.internKey("unknown")
    _ = builder.internKey("Oceania")
    for e in dailyEvents { try builder.add(e) }
    let series = try builder.finish(source: "history.avro")
    XCTAssertEqual(series.series.map(\.id), ["Europe"])
    XCTAssertEqual(series.series[0].values, [3, 2, 0, 1, 1])

    let unknownOnly = EventSeriesBuilder(
      options: EventSeriesOptions(kind: .dailySessions, splitKey: .subscription))
    _ = unknownOnly.internKey("premium")
    for var e in dailyEvents {
      e.subscription = .unknown
      try unknownOnly.add(e)
    }
    XCTAssertThrowsError(try unknownOnly.finish(source: "history.avro")) { error in
      XCTAssertTrue("\(error)".contains("no event carries a subscription"), "\(error)")
    }
  }

  /// A stray event two months after the others: the zeros between are named in a note; a gap
  /// of 27 days is not.
  func testDailySessions_longGapWithoutEventsIsNoted() throws {
    let events = [
      event(user: 1, at: "2024-01-01T10:00:00Z", minutes: 5),
      event(user: 1, at: "2024-01-02T10:00:00Z", minutes: 5),
      event(user: 1, at: "2024-03-01T10:00:00Z", minutes: 5),
      event(user: 1, at: "2024-03-02T10:00:00Z", minutes: 5),
    ]
    let series = try buildSeries(events, EventSeriesOptions(kind: .dailySessions))
    // Jan 1 and Mar 2 are dropped as incomplete (events at 10:00 only): 60 days.
    XCTAssertEqual(series.series[0].values.count, 60)
    XCTAssertEqual(
      series.notes.filter { $0.hasPrefix("no event") },
      [
        "no event in 58 days, 2024-01-03 to 2024-02-29: the series are 0 there. If the history "
          + "has a gap or stray events far from the others (a wrong year), pass --time-range "
          + "FROM..TO to keep the part you mean"
      ])
    let shorter = try buildSeries(
      [events[0], events[1], event(user: 1, at: "2024-01-30T10:00:00Z", minutes: 5)],
      EventSeriesOptions(kind: .dailySessions))
    XCTAssertEqual(shorter.notes.filter { $0.hasPrefix("no event") }, [])
  }
}

final class SplitKeyTests: XCTestCase {
  func testSplit_emptyValueIsTheSeriesUnknown() throws {
    var events = [
      event(user: 1, at: "2024-01-01T00:05:00Z", minutes: 5),
      event(user: 2, at: "2024-01-01T23:30:00Z", minutes: 5),
    ]
    events[1].location.country = ""
    let series = try buildSeries(
      events, EventSeriesOptions(kind: .dailySessions, splitKey: .country))
    XCTAssertEqual(series.series.map(\.id), ["GB", "unknown"])
    XCTAssertEqual(series.series.map(\.values), [[1], [1]])
  }

  /// A history cut inside its last block: refused by default; with salvage, the records of the
  /// intact blocks make the series and the note says what was dropped.
  func testSalvage_keepsIntactBlocksAndSaysWhatWasDropped() throws {
    let path = NSTemporaryDirectory() + "forecast-salvage-\(UUID().uuidString).avro"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let writer = try EventFileWriter(path: path, codec: .null, blockRecordCount: 4)
    // One event a day at noon for 12 days: 3 blocks of 4 events.
    for day in 1...12 {
      let date = "2024-01-\(day < 10 ? "0" : "")\(day)T12:00:00Z"
      try writer.write(event(user: Int64(day), at: date, minutes: 5))
    }
    try writer.finish()
    let bytes = try XCTUnwrap(FileManager.default.contents(atPath: path))
    try bytes.prefix(bytes.count - 40).write(to: URL(fileURLWithPath: path))

    let options = EventSeriesOptions(kind: .dailySessions)
    XCTAssertThrowsError(try EventSeriesBuilder.read(path: path, options: options)) {
      XCTAssertTrue(String(describing: $0).contains("--salvage"), "\($0)")
    }
    var salvaging = options
    salvaging.salvage = true
    let collection = try EventSeriesBuilder.read(path: path, options: salvaging)
    // The 8 events of days 1–8 survive; days 1 and 8 are dropped as incomplete edge days (the
    // history starts and ends inside them), leaving one session on each of days 2–7.
    XCTAssertEqual(collection.series.first?.values, [1, 1, 1, 1, 1, 1])
    let note = try XCTUnwrap(collection.notes.first)
    XCTAssertTrue(
      note.hasPrefix("--salvage: salvaged 8 records from 2 blocks; dropped 1 blocks"), note)
  }
}
