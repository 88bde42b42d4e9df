import Events

/// How events become series (docs/series.md).
public struct EventSeriesOptions: Sendable, Equatable {
  /// `.dailySessions` or `.weeklyEngagement`.
  public var kind: SeriesKind
  /// UTC (default) or each event's own timezone.
  public var calendar: SeriesCalendar
  /// One series per value of this field; nil: one series, `all`.
  public var splitKey: SeriesSplitKey?
  /// Largest gap (next start minus previous end) inside a session, in minutes; default 30.
  public var sessionGapMinutes: Int
  /// Keep the intact blocks around damage in the Avro file instead of refusing it; what was
  /// kept and dropped becomes a note of the series.
  public var salvage: Bool
  /// How a foreign schema's fields stand for the event fields (`--map`).
  public var mapping: EventFieldMapping
  /// The plausible event times (`--time-range`); start and end must lie inside.
  public var timeWindow: EventTimeWindow
  /// What to do with an event outside `timeWindow` (`--out-of-range`).
  public var outOfRange: OutOfRangeEvents

  /// The largest `sessionGapMinutes`: one week.
  public static let sessionGapLimit = 10_080

  /// Options with the defaults of docs/series.md.
  public init(
    kind: SeriesKind, calendar: SeriesCalendar = .utc, splitKey: SeriesSplitKey? = nil,
    sessionGapMinutes: Int = 30, salvage: Bool = false,
    mapping: EventFieldMapping = EventFieldMapping(),
    timeWindow: EventTimeWindow = .standard, outOfRange: OutOfRangeEvents = .refuse
  ) {
    self.timeWindow = timeWindow
    self.outOfRange = outOfRange
    self.kind = kind
    self.calendar = calendar
    self.splitKey = splitKey
    self.sessionGapMinutes = sessionGapMinutes
    self.salvage = salvage
    self.mapping = mapping
  }

  /// The key of an event under `splitKey` (`all` without a split).
  public func key(of event: ListeningEvent) -> String {
    switch splitKey {
    case nil: return "all"
    case .continent: return event.continent.rawValue
    case .country: return event.location.country
    case .subscription: return event.subscription.rawValue
    case .genre: return event.song.genre
    }
  }
}

/// Builds daily-session or weekly-engagement series from events streamed once, in any order.
///
/// Memory: one running session list per (key, user), the sessions themselves (24 bytes each,
/// late events too until they are merged), and per key one counter per period between the
/// first and last period seen (never more than the event-time window allows). Per event: one
/// dictionary lookup and O(1) work when a user's events arrive in time order; late events are
/// merged in sorted sweeps (amortised O(log n) each, whatever the order of the file).
///
/// - A session belongs to the day (week) in which its first event starts, in UTC or in that
///   event's timezone.
/// - Weekly engagement, per ISO week (Monday–Sunday): listening hours (Σ end − start of the
///   events starting that week), active users (users with an event starting that week),
///   sessions (starting that week), events (starting that week).
/// - Periods between the first and last complete period with nothing in them are zeros. The
///   history covers `[first start ↓ hour, last start ↑ hour]`; a first or last period (in any
///   timezone present, for the local calendar) not inside it is dropped and a note says so.
/// - With a split key, each key's series is built from that key's events alone (a user's
///   sessions are counted per key), over the common range of all events.
public final class EventSeriesBuilder {
  public let options: EventSeriesOptions
  private let gapMillis: Int64
  private var zones = TimeZoneOffsets()
  private var keyIndex: [String: Int32] = [:]
  private var keyNames: [String] = []
  private struct UserKey: Hashable {
    var key: Int32
    var user: Int64
  }
  private struct UserState {
    var sessions = SessionList()
    var lastWeek = Int.min
    var weeks: Set<Int> = []
  }
  private var users: [UserKey: UserState] = [:]
  private var events: [PeriodCounts] = []
  private var milliseconds: [PeriodCounts] = []
  private var zonesSeen: Set<Int32> = []
  private var firstStart = Int64.max
  private var lastStart = Int64.min
  private var eventCount = 0
  private var skipped = 0
  private var firstSkipped: (record: Int, start: Int64, end: Int64)?
  /// The history's name for messages (its path), set by `read(path:options:)`.
  public var source = "history"

  /// A builder for `options`.
  /// - Precondition: `options.kind` is `.dailySessions` or `.weeklyEngagement`, and
  ///   `options.sessionGapMinutes` is in `0...EventSeriesOptions.sessionGapLimit` (the
  ///   command line and the model loader check it first).
  public init(options: EventSeriesOptions) {
    precondition(options.kind != .csv, "EventSeriesBuilder: kind .csv has no event definition")
    precondition(
      (0...EventSeriesOptions.sessionGapLimit).contains(options.sessionGapMinutes),
      "EventSeriesBuilder: session gap \(options.sessionGapMinutes) outside 0...10080")
    self.options = options
    self.gapMillis = Int64(options.sessionGapMinutes) * 60_000
  }

  /// Adds one event.
  /// - Throws: `SeriesError.unknownTimeZone` for the local calendar and a zone nobody knows.
  public func add(_ event: ListeningEvent) throws {
    try add(
      userID: event.userID, start: event.startTime, end: event.endTime,
      timezone: event.location.timezone, key: options.key(of: event))
  }

  /// Adds one event given as columns (Unix milliseconds, IANA zone name, split-key value).
  public func add(userID: Int64, start: Int64, end: Int64, timezone: String, key: String) throws {
    let zone = options.calendar == .local ? zones.intern(timezone) : 0
    try add(userID: userID, start: start, end: end, zone: zone, key: internKey(key))
  }

  /// The index of a split-key value (for callers that map per-file string tables once); an
  /// empty value is the series `unknown`.
  public func internKey(_ key: String) -> Int32 {
    let key = key.isEmpty ? "unknown" : key
    if let i = keyIndex[key] { return i }
    let i = Int32(keyNames.count)
    keyIndex[key] = i
    keyNames.append(key)
    events.append(PeriodCounts())
    milliseconds.append(PeriodCounts())
    return i
  }

  /// The index of a timezone name (0 for every zone under the UTC calendar).
  public func internZone(_ name: String) -> Int32 {
    options.calendar == .local ? zones.intern(name) : 0
  }

  /// Adds one event with interned zone and key indices.
  /// - Throws: `SeriesError.eventTimeOutOfRange` for a start or end outside the window (unless
  ///   `options.outOfRange` is `.skip`: the event is then counted and left out).
  public func add(userID: Int64, start: Int64, end: Int64, zone: Int32, key: Int32) throws {
    // The window bounds every later product and sum (period indices, `end - start`,
    // `end + gap`) and the span any counter array covers.
    let window = options.timeWindow
    guard window.contains(start), window.contains(end) else {
      let record = eventCount + skipped + 1
      guard options.outOfRange == .skip else {
        throw SeriesError.eventTimeOutOfRange(
          path: source, record: record, field: window.contains(start) ? "end_time" : "start_time",
          value: window.contains(start) ? end : start, window: window.description)
      }
      if firstSkipped == nil { firstSkipped = (record, start, end) }
      skipped += 1
      return
    }
    let offset = try offsetSeconds(zone: zone, at: start)
    let day = DayArithmetic.dayNumber(millis: start, offsetSeconds: offset)
    let period = options.kind == .dailySessions ? day : DayArithmetic.weekIndex(dayNumber: day)
    eventCount += 1
    firstStart = min(firstStart, start)
    lastStart = max(lastStart, start)
    if options.calendar == .local { zonesSeen.insert(zone) }
    events[Int(key)].add(period, 1)
    milliseconds[Int(key)].add(period, Double(max(0, end - start)))
    let weekly = options.kind == .weeklyEngagement
    let gap = gapMillis
    func update(_ state: inout UserState) {
      state.sessions.add(start: start, end: end, zone: zone, gap: gap)
      if weekly && state.lastWeek != period {
        state.lastWeek = period
        state.weeks.insert(period)
      }
    }
    update(&users[UserKey(key: key, user: userID), default: UserState()])
  }

  private func offsetSeconds(zone: Int32, at millis: Int64) throws -> Int32 {
    guard options.calendar == .local else { return 0 }
    guard let offset = zones.offset(zone, atMillis: millis) else {
      throw SeriesError.unknownTimeZone(path: source, name: zones.name(zone))
    }
    return offset
  }

  /// The series, over the complete periods of the history.
  /// - Parameter source: the history's name for messages (its path).
  /// - Returns: one series per key, sorted by key, with notes for the user.
  /// - Throws: `SeriesError.emptyHistory`, `.noCompletePeriod`, `.splitKeyAbsent`.
  public func finish(source: String) throws -> SeriesCollection {
    guard eventCount > 0 else {
      if let first = firstSkipped {
        throw SeriesError.everyEventOutOfRange(
          path: source, skipped: skipped, record: first.record,
          window: options.timeWindow.description)
      }
      throw SeriesError.emptyHistory(path: source)
    }
    // Only the keys some event carries make series: a columnar batch interns every value of
    // its string table, including values no event of the window uses.
    let used = keyNames.indices.filter { events[$0].firstPeriod != nil }
    if let split = options.splitKey {
      let known = used.filter { !SeriesError.isUnknownKey(keyNames[$0]) }
      if known.isEmpty { throw SeriesError.splitKeyAbsent(path: source, key: split) }
    }
    let weekly = options.kind == .weeklyEngagement
    let periodDays = weekly ? 7 : 1
    func firstDay(_ p: Int) -> Int { weekly ? DayArithmetic.mondayOfWeek(p) : p }
    // Coverage, to the whole hour.
    let hour: Int64 = 3_600_000
    let coverFrom = DayArithmetic.floorDivide(firstStart, hour) * hour
    let coverTo = -DayArithmetic.floorDivide(-lastStart, hour) * hour
    let zoneList: [Int32] = options.calendar == .local ? zonesSeen.sorted() : [0]
    func isComplete(_ p: Int) throws -> Bool {
      for zone in zoneList {
        let from =
          Int64(firstDay(p)) * DayArithmetic.millisecondsPerDay
          - Int64(try offsetSeconds(zone: zone, at: coverFrom)) * 1000
        let to =
          Int64(firstDay(p) + periodDays) * DayArithmetic.millisecondsPerDay
          - Int64(try offsetSeconds(zone: zone, at: coverTo)) * 1000
        if from < coverFrom || to > coverTo { return false }
      }
      return true
    }
    let lowest = events.compactMap(\.firstPeriod).min() ?? 0
    let highest = events.compactMap(\.lastPeriod).max() ?? 0
    var first = lowest
    var dropped: [Int] = []
    while first <= highest, try !isComplete(first) {
      dropped.append(first)
      first += 1
    }
    var last = highest
    while last >= first, try !isComplete(last) {
      dropped.append(last)
      last -= 1
    }
    let unit = weekly ? "week" : "day"
    guard first <= last else {
      throw SeriesError.noCompletePeriod(
        path: source, unit: unit, from: Timestamp.format(coverFrom / 1000),
        to: Timestamp.format(coverTo / 1000))
    }
    var notes: [String] = []
    if let first = firstSkipped {
      notes.append(
        "--out-of-range skip: skipped \(skipped) event\(skipped == 1 ? "" : "s") with a start or "
          + "end outside \(options.timeWindow) (the first is record \(first.record), start_time "
          + "\(first.start), end_time \(first.end))")
    }
    if !dropped.isEmpty {
      let names = dropped.sorted().map { periodName(firstDay($0), weekly: weekly) }
      notes.append(
        "dropped incomplete \(unit)\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")):"
          + " the history covers only part of \(names.count == 1 ? "it" : "them") (events from "
          + "\(Timestamp.format(firstStart / 1000)) to \(Timestamp.format(lastStart / 1000)))")
    }
    // The longest run of periods without any event: a stray event far from the others (a
    // wrong year) or a gap in the data makes zeros there, which a user should hear about.
    var longest = (first: 0, count: 0)
    var run = (first: 0, count: 0)
    for p in first...last {
      if used.contains(where: { events[$0].count(at: p) > 0 }) {
        run = (p + 1, 0)
      } else {
        run.count += 1
        if run.count > longest.count { longest = run }
      }
    }
    if longest.count >= (weekly ? 8 : 28) {
      let from = periodName(firstDay(longest.first), weekly: weekly)
      let to = periodName(firstDay(longest.first + longest.count - 1), weekly: weekly)
      notes.append(
        "no event in \(longest.count) \(unit)s, \(from) to \(to): the series are 0 there. If "
          + "the history has a gap or stray events far from the others (a wrong year), pass "
          + "--time-range FROM..TO to keep the part you mean")
    }
    // Sessions and active users per key and period.
    var sessions = [PeriodCounts](repeating: PeriodCounts(), count: keyNames.count)
    var active = [PeriodCounts](repeating: PeriodCounts(), count: keyNames.count)
    for (userKey, state) in users {
      for session in state.sessions.sessions {
        let offset = try offsetSeconds(zone: session.zone, at: session.start)
        let day = DayArithmetic.dayNumber(millis: session.start, offsetSeconds: offset)
        sessions[Int(userKey.key)].add(weekly ? DayArithmetic.weekIndex(dayNumber: day) : day, 1)
      }
      for week in state.weeks { active[Int(userKey.key)].add(week, 1) }
    }
    let count = last - first + 1
    var result: [TimeSeries] = []
    for k in used {
      let id = keyNames[k]
      let start = Int64(firstDay(first)) * 86_400
      if weekly {
        let hours = milliseconds[k].dense(from: first, count: count).map { $0 / 3_600_000 }
        result.append(
          TimeSeries(
            id: id, start: start, step: SeriesSpacing.weekly.seconds, values: hours,
            covariates: [
              active[k].dense(from: first, count: count),
              sessions[k].dense(from: first, count: count),
              events[k].dense(from: first, count: count),
            ]))
      } else {
        result.append(
          TimeSeries(
            id: id, start: start, step: SeriesSpacing.daily.seconds,
            values: sessions[k].dense(from: first, count: count)))
      }
    }
    result.sort { $0.id < $1.id }
    return SeriesCollection(
      kind: options.kind, targetName: weekly ? "listening_hours" : "sessions",
      covariateNames: weekly ? ["active_users", "sessions", "events"] : [], series: result,
      notes: notes)
  }

  private func periodName(_ day: Int, weekly: Bool) -> String {
    let date = CivilDate(daysSinceEpoch: day).description
    guard weekly else { return date }
    let (year, week) = DayArithmetic.isoWeek(dayNumber: day)
    return "\(year)-W\(week < 10 ? "0" : "")\(week) (from \(date))"
  }
}

/// A counter per period index, dense over the range seen, growing in both directions (towards
/// earlier periods by at least its own size at a time, so a file in reverse time order costs
/// amortised O(1) per event, not a shift of every counter).
struct PeriodCounts {
  private var base = 0
  private var values: [Double] = []
  private var low = 0
  private var high = 0

  var firstPeriod: Int? { values.isEmpty ? nil : low }

  /// The value at `period` (0 outside the range seen).
  func count(at period: Int) -> Double {
    let j = period - base
    return j >= 0 && j < values.count ? values[j] : 0
  }
  var lastPeriod: Int? { values.isEmpty ? nil : high }

  mutating func add(_ period: Int, _ amount: Double) {
    if values.isEmpty {
      base = period
      values = [0]
      (low, high) = (period, period)
    }
    low = min(low, period)
    high = max(high, period)
    if period < base {
      let grow = max(base - period, values.count)
      values.insert(contentsOf: repeatElement(0, count: grow), at: 0)
      base -= grow
    } else if period >= base + values.count {
      values.append(contentsOf: repeatElement(0, count: period - base - values.count + 1))
    }
    values[period - base] += amount
  }

  /// `count` values from `period`, zeros outside the range seen.
  func dense(from period: Int, count: Int) -> [Double] {
    (0..<count).map { i in
      let j = period + i - base
      return j >= 0 && j < values.count ? values[j] : 0
    }
  }
}

extension EventSeriesBuilder {
  /// Adds every event of a columnar batch (string tables mapped once per batch).
  public func add(_ batch: EventBatch) throws {
    let zones = batch.timezone.values.map { internZone($0) }
    let keyColumn: DictionaryColumn?
    switch options.splitKey {
    case nil: keyColumn = nil
    case .continent: keyColumn = batch.continent
    case .country: keyColumn = batch.country
    case .subscription: keyColumn = batch.subscription
    case .genre: keyColumn = batch.genre
    }
    let keys = keyColumn?.values.map { internKey($0) } ?? []
    let all = keyColumn == nil ? internKey("all") : 0
    for i in 0..<batch.count {
      try add(
        userID: batch.userID[i], start: batch.startTime[i], end: batch.endTime[i],
        zone: zones[Int(batch.timezone.indices[i])],
        key: keyColumn.map { keys[Int($0.indices[i])] } ?? all)
    }
  }

  /// Series from an Avro history — a file, or a directory of `.avro` files (a consumer's
  /// `--archive`) read as one history — streaming over each file once.
  /// - Throws: the reader's `AvroReadError` (naming the file and block) or `SeriesError`.
  public static func read(path: String, options: EventSeriesOptions) throws -> SeriesCollection {
    let builder = EventSeriesBuilder(options: options)
    var salvaged: [String] = []
    var damaged: DamagedEventsReport?
    let files = try HistoryFiles.list(path)
    for file in files {
      builder.source = file
      let reader = try EventFileReader(
        path: file,
        options: EventReadOptions(
          salvage: options.salvage, mapping: options.mapping, damagedEvents: options.outOfRange))
      try reader.forEachBatch { try builder.add($0) }
      if let report = reader.salvageReport {
        salvaged.append("--salvage: " + (files.count > 1 ? "\(file): " : "") + "\(report)")
      }
      if let report = reader.damagedEventsReport {
        damaged = report
        salvaged.append(
          "--out-of-range skip: " + (files.count > 1 ? "\(file): " : "") + "\(report)")
      }
    }
    var collection: SeriesCollection
    do {
      collection = try builder.finish(source: path)
    } catch SeriesError.emptyHistory(let path) where damaged != nil {
      throw SeriesError.everyEventDamaged(path: path, report: "\(damaged.map { "\($0)" } ?? "")")
    }
    collection.notes.insert(contentsOf: salvaged, at: 0)
    return collection
  }
}
