import Events
import Plumbing
import TestSupport
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `count` varied events from a seed (every enum case and odd strings appear).
func sampleEvents(count: Int, seed: UInt64, milestone1: Bool = false) -> [ListeningEvent] {
  var g = TestGenerator(seed: seed)
  let cities: [(String, String, String, Continent)] = [
    ("FR", "Paris", "Europe/Paris", .europe), ("US", "New York", "America/New_York", .northAmerica),
    ("JP", "東京", "Asia/Tokyo", .asia), ("BR", "São Paulo", "America/Sao_Paulo", .southAmerica),
    ("NG", "Lagos", "Africa/Lagos", .africa), ("AU", "Sydney", "Australia/Sydney", .oceania),
  ]
  let genres = ["pop", "rock", "jazz", "hip hop", "", "classical \"quoted\""]
  return (0..<count).map { i in
    let c = cities[Int(g.next() % UInt64(cities.count))]
    let start = 1_700_000_000_000 + Int64(g.next() % 10_000_000_000)
    let pairs = [["F", "E"], ["L", "V"], ["T", "N"], ["C", "U"]]
    let personality = pairs.map { $0[Int(g.next() % 2)] }.joined()
    let shift = g.next() % 64
    let userID =
      milestone1 ? Int64(Int32(truncatingIfNeeded: g.next())) : Int64(bitPattern: g.next() >> shift)
    return ListeningEvent(
      userID: userID,
      location: Location(
        latitude: Float(Double(g.next() % 18_000) / 100 - 90),
        longitude: Float(Double(g.next() % 36_000) / 100 - 180), country: c.0, city: c.1,
        timezone: c.2),
      continent: milestone1 ? .unknown : c.3,
      subscription: milestone1 ? .unknown : Subscription.allCases[Int(g.next() % 5)],
      interaction: Interaction.allCases[Int(g.next() % 5)],
      song: Song(
        name: "Song \(g.next() % 1000)\(i % 7 == 0 ? " 🎵" : "")",
        artist: "Artist \(g.next() % 50)",
        genre: genres[Int(g.next() % UInt64(genres.count))], year: Int32(1950 + g.next() % 75),
        popularity: Int32(g.next() % 101), danceability: Float(g.next() % 10_000) / 100,
        energy: Float(g.next() % 10_000) / 100, lengthSeconds: Int32(60 + g.next() % 600)),
      startTime: start, endTime: start + Int64(g.next() % 600_000),
      personality: personality)
  }
}

/// A fresh empty directory for one test, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase, file: StaticString = #filePath, line: UInt = #line)
  -> String
{
  var template = Array("/tmp/events-test-XXXXXX".utf8CString)
  let path = template.withUnsafeMutableBufferPointer { buffer -> String in
    guard let base = buffer.baseAddress, let p = mkdtemp(base) else { return "" }
    return String(cString: p)
  }
  XCTAssertFalse(path.isEmpty, "mkdtemp failed", file: file, line: line)
  test.addTeardownBlock { _ = runProcess("/bin/rm", ["-rf", path]) }
  return path
}

/// Names of the entries of `directory`.
func directoryEntries(_ directory: String) -> [String] {
  directoryNames(directory) ?? []
}

func readBytes(_ path: String) -> [UInt8] {
  guard let f = fopen(path, "rb") else { return [] }
  defer { fclose(f) }
  var out: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let n = fread(&buffer, 1, buffer.count, f)
    if n <= 0 { break }
    out += buffer[0..<n]
  }
  return out
}

func writeBytes(_ bytes: [UInt8], to path: String) {
  guard let f = fopen(path, "wb") else { return }
  _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, f) }
  fclose(f)
}

struct ProcessResult {
  var status: Int32
  var output: String
}

/// Runs a program with arguments through the shell, capturing standard output and error.
@discardableResult
func runProcess(_ program: String, _ arguments: [String]) -> ProcessResult {
  func quote(_ s: String) -> String {
    "'" + s.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
  }
  let command = ([program] + arguments).map(quote).joined(separator: " ") + " 2>&1"
  guard let pipe = popen(command, "r") else { return ProcessResult(status: -1, output: "") }
  var output: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 4096)
  while true {
    let n = fread(&buffer, 1, buffer.count, pipe)
    if n <= 0 { break }
    output += buffer[0..<n]
  }
  let status = pclose(pipe)
  return ProcessResult(status: status, output: String(decoding: output, as: UTF8.self))
}

/// The package root (…/Tests/EventsTests/ThisFile.swift → …).
func packageRoot(file: String = #filePath) -> String {
  var parts = file.split(separator: "/", omittingEmptySubsequences: false)
  parts.removeLast(3)
  return parts.joined(separator: "/")
}

/// The Avro zig-zag varint of `v` (hand-made encodings).
func avroLong(_ v: Int64) -> [UInt8] {
  var z = UInt64(bitPattern: (v << 1) ^ (v >> 63))
  var out: [UInt8] = []
  while z >= 0x80 {
    out.append(UInt8(z & 0x7F) | 0x80)
    z >>= 7
  }
  return out + [UInt8(z)]
}
