import Events
import Foundation
import XCTest

@testable import Wrapped

/// A temporary directory per test.
func makeTemporaryDirectory() throws -> String {
  let directory = NSTemporaryDirectory() + "wrapped-tests-\(UUID().uuidString)"
  try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
  return directory
}

/// Writes `events` as an Avro file (fixed sync marker: deterministic bytes).
func writeHistory(
  _ events: [ListeningEvent], to path: String, schema: EventSchema = .toolkit,
  file: StaticString = #filePath, line: UInt = #line
) throws {
  let writer = try EventFileWriter(
    path: path, schema: schema, codec: .null, blockRecordCount: 4,
    syncMarker: Array(repeating: 7, count: 16))
  for e in events { try writer.write(e) }
  try writer.finish()
}

/// The text of output `name` of a job's tables.
func table(
  _ tables: WrappedTables, _ name: String, file: StaticString = #filePath, line: UInt = #line
)
  -> String
{
  guard let text = tables.files.first(where: { $0.name == name })?.text else {
    XCTFail("no \(name) among \(tables.files.map(\.name))", file: file, line: line)
    return ""
  }
  return text
}

/// The hand-made history of `WrappedDefinitionTests` (figures derived there).
///
/// Day 1 = 2024-03-01 UTC. Songs: Zed "Alpha" and "Beta" (pop), Amy "Alpha" and "Delta"
/// (rock). Listener 1 lives in Paris; 2 in Lyon and travels to New York on day 1; 3 has one
/// event of 29,999 ms (no stream); 4 lives in Tokyo.
func handMadeHistory() -> [ListeningEvent] {
  let day: Int64 = 1_709_251_200_000  // 2024-03-01T00:00:00Z
  let hour: Int64 = 3_600_000
  func place(_ city: String) -> (Location, Continent) {
    switch city {
    case "Paris":
      return (
        Location(
          latitude: 48.86, longitude: 2.35, country: "FR", city: city, timezone: "Europe/Paris"),
        .europe
      )
    case "Lyon":
      return (
        Location(
          latitude: 45.76, longitude: 4.84, country: "FR", city: city, timezone: "Europe/Paris"),
        .europe
      )
    case "New York":
      return (
        Location(
          latitude: 40.71, longitude: -74.0, country: "US", city: city, timezone: "America/New_York"
        ), .northAmerica
      )
    default:
      return (
        Location(
          latitude: 35.68, longitude: 139.69, country: "JP", city: city, timezone: "Asia/Tokyo"),
        .asia
      )
    }
  }
  func song(_ artist: String, _ title: String) -> Song {
    Song(
      name: title, artist: artist, genre: artist == "Zed" ? "pop" : "rock", year: 2020,
      popularity: 50, danceability: 0.5, energy: 0.5, lengthSeconds: 200)
  }
  func event(
    _ user: Int64, _ city: String, _ artist: String, _ title: String, day d: Int64, hour h: Int64,
    _ ms: Int64, _ interaction: Interaction = .played
  ) -> ListeningEvent {
    let (location, continent) = place(city)
    let start = day + d * 86_400_000 + h * hour
    return ListeningEvent(
      userID: user, location: location, continent: continent, subscription: .free,
      interaction: interaction, song: song(artist, title), startTime: start, endTime: start + ms,
      personality: "FLTC")
  }
  return [
    event(1, "Paris", "Zed", "Alpha", day: 0, hour: 8, 30_000),  // e1: a stream, exactly 30 s
    event(1, "Paris", "Zed", "Alpha", day: 0, hour: 9, 29_999, .skipped),  // e2: no stream
    event(1, "Paris", "Amy", "Alpha", day: 0, hour: 10, 59_999),  // e3
    event(2, "New York", "Zed", "Beta", day: 0, hour: 11, 90_000),  // e4: the traveller
    event(3, "Paris", "Amy", "Delta", day: 0, hour: 12, 29_999),  // e5: user 3's only event
    event(4, "Tokyo", "Zed", "Alpha", day: 0, hour: 13, 30_000),  // e6
    event(2, "Lyon", "Amy", "Alpha", day: 1, hour: 8, 30_000),  // e7
    event(4, "Tokyo", "Amy", "Delta", day: 1, hour: 9, 120_000),  // e8
    event(1, "Paris", "Zed", "Beta", day: 1, hour: 10, 45_000),  // e9
    event(2, "Lyon", "Zed", "Alpha", day: 2, hour: 8, 30_000),  // e10
    event(4, "Tokyo", "Zed", "Beta", day: 2, hour: 9, 30_000),  // e11
  ]
}
