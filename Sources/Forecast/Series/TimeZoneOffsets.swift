import Events
import Foundation

/// UTC offsets of IANA timezones at given instants, cached per zone and UTC hour.
///
/// Foundation's `TimeZone.secondsFromGMT(for:)` costs about a microsecond; a history has millions
/// of events in a few dozen zones, so each zone keeps a dense array of offsets per UTC hour over
/// the hours seen so far (offsets only change on whole hours or half hours in every zone the
/// tz database knows since 1970; a change at a half hour is caught by caching per half hour).
final class TimeZoneOffsets {
  private var zones: [TimeZone?] = []
  private var names: [String] = []
  private var index: [String: Int32] = [:]
  /// Per zone: the first cached half-hour slot and the offsets from it (Int32.min = not yet).
  private var caches: [(base: Int64, offsets: [Int32])] = []

  /// The index of a zone name; unknown names get an index too and fail in `offset`.
  func intern(_ name: String) -> Int32 {
    if let i = index[name] { return i }
    let i = Int32(names.count)
    names.append(name)
    zones.append(TimeZone(identifier: name))
    caches.append((0, []))
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
    var cache = caches[z]
    if cache.offsets.isEmpty {
      cache.base = slot
      cache.offsets = [Int32.min]
    }
    if slot < cache.base {
      let grow = Int(cache.base - slot)
      cache.offsets.insert(contentsOf: repeatElement(Int32.min, count: grow), at: 0)
      cache.base = slot
    } else if slot >= cache.base + Int64(cache.offsets.count) {
      let grow = Int(slot - cache.base) + 1 - cache.offsets.count
      cache.offsets.append(contentsOf: repeatElement(Int32.min, count: grow))
    }
    let i = Int(slot - cache.base)
    if cache.offsets[i] == Int32.min {
      let date = Date(timeIntervalSince1970: Double(slot) * 1800)
      cache.offsets[i] = Int32(timeZone.secondsFromGMT(for: date))
    }
    let result = cache.offsets[i]
    caches[z] = cache
    return result
  }
}
