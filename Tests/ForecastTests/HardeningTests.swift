import Events
import Foundation
import XCTest

@testable import Forecast

/// Bounds at the edges (issue 14): event times outside the plausible window, options and sums
/// that would overflow, session arithmetic on extreme values, CSV values out of range.
final class HardeningTests: XCTestCase {
  private let day: Int64 = 86_400_000
  private let base: Int64 = 1_704_067_200_000  // 2024-01-01T00:00:00Z

  /// Hourly events of user 1 over `days` days, then `extra`.
  private func build(
    days: Int64 = 3, extra: [(Int64, Int64)] = [], options: EventSeriesOptions
  ) throws -> SeriesCollection {
    let builder = EventSeriesBuilder(options: options)
    builder.source = "h.avro"
    for hour in 0..<(24 * days) {
      let start = base + hour * 3_600_000
      try builder.add(userID: 1, start: start, end: start + 60_000, timezone: "UTC", key: "all")
    }
    for (start, end) in extra {
      try builder.add(userID: 2, start: start, end: end, timezone: "UTC", key: "all")
    }
    return try builder.finish(source: "h.avro")
  }

  func testEventSeriesBuilder_refusesAnEventOutsideTheWindow() throws {
    XCTAssertThrowsError(
      try build(extra: [(Int64.max, Int64.max)], options: EventSeriesOptions(kind: .dailySessions))
    ) {
      XCTAssertEqual(
        "\($0)",
        "h.avro: record 73: listening_time.start_time 9223372036854775807 "
          + "(292278994-08-17T07:12:55.807Z) is outside the plausible event times "
          + "1970-01-01..2200-01-01. Fix the file, pass --out-of-range skip to leave such events "
          + "out, or widen --time-range FROM..TO (dates YYYY-MM-DD).")
    }
    XCTAssertThrowsError(
      try build(extra: [(base, Int64.min)], options: EventSeriesOptions(kind: .weeklyEngagement))
    ) {
      XCTAssertEqual(
        $0 as? SeriesError,
        .eventTimeOutOfRange(
          path: "h.avro", record: 73, field: "end_time", value: .min,
          window: "1970-01-01..2200-01-01"))
    }
  }

  /// A time of exactly 0 is a missing value written as zero: outside the default window, but
  /// inside an explicit --time-range that starts on 1970-01-01 (its bounds are as given).
  func testEventSeriesBuilder_zeroTimeIsDamageUnlessTheRangeIncludesIt() throws {
    XCTAssertThrowsError(
      try build(extra: [(0, 1000)], options: EventSeriesOptions(kind: .dailySessions))
    ) {
      XCTAssertEqual(
        "\($0)",
        "h.avro: record 73: listening_time.start_time 0 (1970-01-01T00:00:00Z, a missing value "
          + "written as zero) is outside the plausible event times 1970-01-01..2200-01-01. Fix "
          + "the file, pass --out-of-range skip to leave such events out, or widen --time-range "
          + "FROM..TO (dates YYYY-MM-DD).")
    }
    var options = EventSeriesOptions(kind: .dailySessions)
    options.timeWindow = try XCTUnwrap(EventTimeWindow(parsing: "1970-01-01..2100-01-01"))
    let series = try build(extra: [(0, 1000)], options: options).series[0]
    // 1970-01-01 (day 0) to 2024-01-02 (day 19724; 2024-01-03 is cut at 23:00): 19725 days.
    XCTAssertEqual(series.count, 19_725)
    XCTAssertEqual(series.values.first, 1)
  }

  /// A null start (a nullable union in the file's schema) is damage, not 1970-01-01: refused
  /// naming the record, or left out with a note; a history of nothing else says so.
  func testEventSeriesRead_nullStartIsDamage() throws {
    let path = NSTemporaryDirectory() + "null-start-\(UUID().uuidString).avro"
    defer { try? FileManager.default.removeItem(atPath: path) }
    func write(nulls: Set<Int>) throws {
      let schema = try AvroSchema(
        json: #"""
          {"type": "record", "name": "Plays", "fields": [
            {"name": "user_id", "type": "long"}, {"name": "interaction", "type": "string"},
            {"name": "genre", "type": "string"},
            {"name": "listening_time", "type": {"type": "record", "name": "ListeningPeriod",
              "fields": [{"name": "start_time", "type": ["null", "long"]},
                         {"name": "end_time", "type": "long"}]}}]}
          """#)
      let writer = try AvroFileWriter(path: path, schema: schema, codec: .null)
      for hour in 0..<(24 * 3) {
        let start = base + Int64(hour) * 3_600_000
        let value: AvroValue =
          nulls.contains(hour) ? .union(index: 0, .null) : .union(index: 1, .long(start))
        try writer.append(
          .record([
            .long(1), .string("played"), .string("pop"), .record([value, .long(start + 60_000)]),
          ]))
      }
      try writer.finish()
    }
    try write(nulls: [30])
    XCTAssertThrowsError(
      try EventSeriesBuilder.read(path: path, options: .init(kind: .dailySessions))
    ) {
      guard case .damagedEvent(_, 31, let flaw) = $0 as? AvroReadError else {
        return XCTFail("\($0)")
      }
      XCTAssertEqual(flaw.problem, "listening_time.start_time is null")
    }
    let skipped = try EventSeriesBuilder.read(
      path: path, options: .init(kind: .dailySessions, outOfRange: .skip))
    // The second day loses its 06:00 session: 23 of 24; no 1970 day appears.
    XCTAssertEqual(skipped.series[0].values, [24, 23])
    XCTAssertEqual(
      skipped.notes.first,
      "--out-of-range skip: left out 1 event with a value the toolkit cannot use (the first is "
        + "record 31: listening_time.start_time is null)")
    try write(nulls: Set(0..<72))
    XCTAssertThrowsError(
      try EventSeriesBuilder.read(
        path: path, options: .init(kind: .dailySessions, outOfRange: .skip))
    ) {
      XCTAssertEqual(
        "\($0)",
        "\(path): --out-of-range skip left out 72 events with a value the toolkit cannot use (the "
          + "first is record 1: listening_time.start_time is null), so no event is left. Fix the "
          + "file (or map the fields with --map TOOLKIT_FIELD=FILE_FIELD); forecast inspect shows "
          + "its fields.")
    }
  }

  /// Skipping leaves the series of the plausible events alone, and says so.
  func testEventSeriesBuilder_skipsOutOfWindowEventsWithANote() throws {
    var options = EventSeriesOptions(kind: .dailySessions, outOfRange: .skip)
    let plain = try build(options: options)
    let skipped = try build(extra: [(.max, .max), (.min, .min), (-1, 0)], options: options)
    XCTAssertEqual(skipped.series, plain.series)
    // Each of the three days holds 24 sessions (events an hour apart, gap 30 minutes).
    XCTAssertEqual(plain.series[0].values, [24, 24])
    XCTAssertEqual(
      skipped.notes.first,
      "--out-of-range skip: skipped 3 events with a start or end outside 1970-01-01..2200-01-01 "
        + "(the first is record 73, start_time 9223372036854775807, end_time "
        + "9223372036854775807)")
    // Every event outside: its own message, not "no event".
    options.timeWindow = EventTimeWindow(from: 0, to: base)
    XCTAssertThrowsError(try build(options: options)) {
      XCTAssertEqual(
        $0 as? SeriesError,
        .everyEventOutOfRange(
          path: "h.avro", skipped: 72, record: 1, window: "1970-01-01..2024-01-01"))
    }
  }

  /// A span the window allows (one event in 2199) costs counters for the days output, and the
  /// sparse timezone cache only what the events touch.
  func testEventSeriesBuilder_farEventUnderLocalCalendar() throws {
    let options = EventSeriesOptions(kind: .weeklyEngagement, calendar: .local)
    let far = EventTimeWindow.standard.to - day
    let collection = try build(days: 14, extra: [(far, far + 60_000)], options: options)
    // From Monday 2024-01-01 to Tuesday 2199-12-31, whose week the history covers only in part
    // (dropped): 9183 whole weeks, holding the 336 hourly events of the first two.
    XCTAssertEqual(collection.series[0].count, 9_183)
    XCTAssertEqual(collection.series[0].covariates[2].reduce(0, +), 24 * 14)
  }

  /// Events in reverse time order grow the counters towards earlier days by doubling, and the
  /// series are those of the same events in order.
  func testPeriodCounts_reverseTimeOrder() throws {
    let days: Int64 = 20_000
    func series(_ order: [Int64]) throws -> SeriesCollection {
      let builder = EventSeriesBuilder(options: EventSeriesOptions(kind: .dailySessions))
      for d in order {
        // One user per day (a user's sessions are another matter); start 12:00 UTC.
        let start = base + d * day + day / 2
        try builder.add(userID: d, start: start, end: start + 60_000, timezone: "", key: "all")
      }
      return try builder.finish(source: "h.avro")
    }
    let forward = try series(Array(0..<days))
    let backward = try series(Array((0..<days).reversed()))
    XCTAssertEqual(backward.series, forward.series)
    // The first and last days are covered only from and to noon: dropped.
    XCTAssertEqual(forward.series[0].values, [Double](repeating: 1, count: Int(days) - 2))
  }

  /// One user's events in reverse time order: the same sessions as in order, with no shift of
  /// every session per event (once quadratic: 10^10 moves for 10^5 sessions).
  func testSessionList_reverseTimeOrder() {
    let hour: Int64 = 3_600_000
    let gap: Int64 = 1_800_000
    var forward = SessionList()
    var backward = SessionList()
    let n: Int64 = 100_000
    // Events an hour apart, each a session of its own (gap 30 minutes).
    for i in 0..<n { forward.add(start: i * hour, end: i * hour + 60_000, zone: 0, gap: gap) }
    for i in (0..<n).reversed() {
      backward.add(start: i * hour, end: i * hour + 60_000, zone: Int32(i % 2), gap: gap)
    }
    XCTAssertEqual(backward.sessions.count, Int(n))
    XCTAssertEqual(backward.sessions.map(\.start), forward.sessions.map(\.start))
    XCTAssertEqual(backward.sessions.last?.zone, Int32((n - 1) % 2))
  }

  func testSessionList_extremeValuesDoNotOverflow() {
    var list = SessionList()
    list.add(start: .max - 10, end: .max, zone: 0, gap: 604_800_000)
    list.add(start: .max - 5, end: .max, zone: 0, gap: 604_800_000)
    list.add(start: .min, end: .min + 1, zone: 0, gap: 604_800_000)
    XCTAssertEqual(
      list.sessions,
      [
        SessionList.Session(start: .min, end: .min + 1, zone: 0),
        SessionList.Session(start: .max - 10, end: .max, zone: 0),
      ])
  }

  func testTrainingOptions_rangesAndCheckedSums() {
    var o = TrainingOptions.defaults(step: 86_400)
    XCTAssertNil(o.problem)
    o.lookback = .max
    XCTAssertEqual(o.minimumLength, .max)
    XCTAssertEqual(
      o.problem,
      OptionProblem(
        flag: "lookback", field: "lookback", value: "9223372036854775807",
        expected: "between 1 and 10000"))
    o = TrainingOptions.defaults(step: 86_400, horizon: .max)
    XCTAssertEqual(o.lookback, .max)
    XCTAssertEqual(o.problem?.flag, "horizon")
    o = TrainingOptions.defaults(step: 86_400)
    o.windowsPerEpoch = 0
    XCTAssertEqual(o.problem?.field, "windowsPerEpoch")
    o = TrainingOptions.defaults(step: 86_400)
    o.validationLength = 3
    XCTAssertEqual(o.problem?.expected, "at least the horizon (14)")
    XCTAssertEqual(
      TrainingOptions.problem(flag: "threads", value: .max)?.expected, "between 1 and 1024")
    XCTAssertNil(TrainingOptions.problem(flag: "test", value: 0))
  }

  func testSeriesCSV_valueBeyond1e15IsOutOfRange() throws {
    let path = NSTemporaryDirectory() + "range-\(UUID().uuidString).csv"
    try "series_id,timestamp,value\na,2024-01-01,1e308\n".write(
      toFile: path, atomically: false, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    XCTAssertThrowsError(try SeriesCSV.read(path: path)) {
      XCTAssertEqual(
        "\($0)",
        "\(path):2: series 'a' at 2024-01-01: value '1e308' is out of range: values must lie "
          + "within ±1e15. Fix the value.")
    }
  }
}
