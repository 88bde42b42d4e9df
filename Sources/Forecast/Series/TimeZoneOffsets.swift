import Events
import Foundation

/// UTC offsets of IANA timezones at given instants, cached per zone and UTC half hour.
///
/// Foundation's `TimeZone.secondsFromGMT(for:)` costs about a microsecond; a history has millions
/// of events in a few dozen zones, so each zone caches offsets per half-hour slot (offsets only
/// change on whole hours or half hours in every zone the tz database knows since 1970). The cache
/// is sparse: chunks of 1024 slots (about 21 days) created where events fall, so its memory follows
/// the days that hold events, never the span between the earliest and the latest.
final class TimeZoneOffsets {
  private var zones: [TimeZone?] = []
  private var names: [String] = []
  private var index: [String: Int32] = [:]
  /// Slots per chunk.
  private static let chunkSlots: Int64 = 1024
  /// Per zone: chunk number → the offsets of its slots (Int32.min = not yet).
  private var caches: [[Int64: [Int32]]] = []

  /// The index of a zone name; unknown names get an index too and fail in `offset`.
  func intern(_ name: String) -> Int32 {
    if let i = index[name] { return i }
    let i = Int32(names.count)
    names.append(name)
    zones.append(TimeZone(identifier: name))
    caches.append([:])
    index[name] = i
    return i
  }

  /// The zone's name.
  func name(_ zone: Int32) -> String { names[Int(zone)] }

  /// True when the name is a timezone Foundation knows.
  func isKnown(_ zone: Int32) -> Bool { zones[Int(zone)] != nil }

  /// Every interned zone.
  var count: Int { names.count }

  /// Seconds east of UTC in `zone` at `millis` (Unix milliseconds); nil for an unknown zone.
  func offset(_ zone: Int32, atMillis millis: Int64) -> Int32? {
    let z = Int(zone)
    guard let timeZone = zones[z] else { return nil }
    let slot = DayArithmetic.floorDivide(millis, 1_800_000)
    let chunk = DayArithmetic.floorDivide(slot, Self.chunkSlots)
    let i = Int(slot - chunk * Self.chunkSlots)
    if let cached = caches[z][chunk]?[i], cached != Int32.min { return cached }
    let date = Date(timeIntervalSince1970: Double(slot) * 1800)
    let value = Int32(clamping: timeZone.secondsFromGMT(for: date))
    caches[z][chunk, default: [Int32](repeating: Int32.min, count: Int(Self.chunkSlots))][i] =
      value
    return value
  }
}
