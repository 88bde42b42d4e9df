import Events
import Plumbing
import XCTest

/// Files written by Python `fastavro` and the Apache `avro` package (scripts/avro-fixtures.py,
/// committed under Fixtures/) read with identical values; files this toolkit writes read
/// identically in both Python libraries.
final class InteropTests: XCTestCase {
  let fixtures = packageRoot() + "/Tests/EventsTests/Fixtures"

  func expected(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws
    -> [JSONValue]
  {
    let text = String(decoding: readBytes(fixtures + "/" + name), as: UTF8.self)
    guard case .array(let items) = try JSONValue.parse(text) else {
      XCTFail("\(name) is not a JSON array", file: file, line: line)
      return []
    }
    return items
  }

  func testFixtures_genericValuesMatchEveryWriterAndCodec() throws {
    let records = try expected("generic.json")
    XCTAssertEqual(records.count, 25)
    for name in [
      "generic-fastavro-null.avro", "generic-fastavro-deflate.avro",
      "generic-fastavro-snappy.avro", "generic-fastavro-zstandard.avro",
      "generic-apache-deflate.avro",
    ] {
      let reader = try AvroFileReader(path: fixtures + "/" + name)
      let values = try reader.readAll()
      XCTAssertEqual(values.count, records.count, name)
      for (i, (value, json)) in zip(values, records).enumerated() {
        assertMatches(value, json, schema: reader.readerSchema, at: "\(name)[\(i)]")
      }
    }
  }

  func testFixtures_milestone1ReadsAsEventsFromEveryWriterAndCodec() throws {
    let records = try expected("milestone1.json")
    XCTAssertEqual(records.count, 40)
    let codecs: [String: AvroCodec] = [
      "null": .null, "deflate": .deflate, "snappy": .snappy, "zstandard": .zstandard,
    ]
    for writer in ["fastavro", "apache"] {
      for (codecName, codec) in codecs {
        let path = fixtures + "/milestone1-\(writer)-\(codecName).avro"
        let reader = try EventFileReader(path: path)
        XCTAssertEqual(reader.codec, codec)
        let events = try reader.readAll()
        XCTAssertEqual(events.count, records.count, path)
        for (e, r) in zip(events, records) {
          XCTAssertEqual(e.userID, r["user_id"]?.int64, path)
          XCTAssertEqual(e.location.latitude, r["user_location"]?["latitude"]?.float, path)
          XCTAssertEqual(e.location.longitude, r["user_location"]?["longitude"]?.float, path)
          XCTAssertEqual(e.location.country, r["user_location"]?["country"]?.stringValue, path)
          XCTAssertEqual(e.location.city, r["user_location"]?["city"]?.stringValue, path)
          XCTAssertEqual(e.location.timezone, r["user_location"]?["timezone"]?.stringValue, path)
          XCTAssertEqual(e.interaction.rawValue, r["interaction"]?.stringValue, path)
          XCTAssertEqual(e.song.name, r["song_name"]?.stringValue, path)
          XCTAssertEqual(e.song.artist, r["artist"]?.stringValue, path)
          XCTAssertEqual(e.song.genre, r["genre"]?.stringValue, path)
          XCTAssertEqual(Int64(e.song.year), r["year"]?.int64, path)
          XCTAssertEqual(Int64(e.song.popularity), r["popularity"]?.int64, path)
          XCTAssertEqual(e.song.danceability, r["danceability"]?.float, path)
          XCTAssertEqual(e.song.energy, r["energy"]?.float, path)
          XCTAssertEqual(Int64(e.song.lengthSeconds), r["length_seconds"]?.int64, path)
          XCTAssertEqual(e.startTime, r["listening_time"]?["start_time"]?.int64, path)
          XCTAssertEqual(e.endTime, r["listening_time"]?["end_time"]?.int64, path)
          XCTAssertEqual(e.personality, r["personality"]?.stringValue, path)
          // Milestone-1 has neither: the toolkit schema's defaults.
          XCTAssertEqual(e.continent, .unknown)
          XCTAssertEqual(e.subscription, .unknown)
        }
      }
    }
  }

  func testFixtures_milestone2FlattenedReadsThroughAliases() throws {
    let records = try expected("milestone2.json")
    let events = try EventFileReader(path: fixtures + "/milestone2-fastavro-deflate.avro").readAll()
    XCTAssertEqual(events.count, 30)
    for (e, r) in zip(events, records) {
      XCTAssertEqual(e.userID, r["userId"]?.int64)
      XCTAssertEqual(e.song.genre, r["genre"]?.stringValue)
      XCTAssertEqual(e.interaction, Interaction(parsing: r["interactionType"]?.stringValue ?? ""))
      XCTAssertNotEqual(e.interaction, .other)
      let tier = r["subscriptionType"]?.stringValue ?? ""
      // FREE…STUDENT fold to the toolkit's symbols; TRIAL is unknown: the enum's default.
      XCTAssertEqual(e.subscription, tier == "TRIAL" ? .unknown : Subscription(parsing: tier))
      XCTAssertEqual(e.continent, Continent(parsing: r["continent"]?.stringValue ?? ""))
      XCTAssertNotEqual(e.continent, .unknown)
      // A null country keeps the toolkit's default ("").
      XCTAssertEqual(e.location.country, r["country"]?.stringValue ?? "")
      XCTAssertEqual(e.location.timezone, "UTC")
      XCTAssertEqual(e.startTime, r["startTime"]?.int64)
      XCTAssertEqual(e.endTime, r["endTime"]?.int64)
      XCTAssertEqual(e.song.name, "")
    }
  }

  /// Our files, read by fastavro and by the Apache package, give the written values.
  func testPython_readsToolkitFilesIdentically() throws {
    let modules = "import fastavro, avro, cramjam, snappy, zstandard, backports.zstd"
    guard runProcess("python3", ["-c", modules]).status == 0 else {
      throw XCTSkip("python3 with \(modules) is needed (scripts/install-deps)")
    }
    let dir = temporaryDirectory(self)
    let events = sampleEvents(count: 60, seed: 9)
    // One Python process reads every file with both libraries: "=== lib path", then records.
    let script = """
      import sys, json, fastavro, avro.datafile, avro.io
      for path in sys.argv[1:]:
          for lib in ("fastavro", "apache"):
              with open(path, "rb") as f:
                  if lib == "fastavro":
                      records = list(fastavro.reader(f))
                  else:
                      records = list(avro.datafile.DataFileReader(f, avro.io.DatumReader()))
              print("===", lib, path)
              for r in records:
                  print(json.dumps(r, ensure_ascii=True))
      """
    var written: [String: (schema: EventSchema, events: [ListeningEvent])] = [:]
    for schema in EventSchema.allCases {
      for codec in AvroCodec.allCases {
        let path = dir + "/\(schema.rawValue)-\(codec.rawValue).avro"
        let writer = try EventFileWriter(
          path: path, schema: schema, codec: codec, blockRecordCount: 16)
        let events =
          schema == .milestone1 ? sampleEvents(count: 60, seed: 9, milestone1: true) : events
        for e in events { try writer.write(e) }
        try writer.finish()
        written[path] = (schema, events)
      }
    }
    let result = runProcess("python3", ["-c", script] + written.keys.sorted())
    XCTAssertEqual(result.status, 0, result.output)
    var sections: [String: [Substring]] = [:]
    var key = ""
    for line in result.output.split(separator: "\n") {
      if line.hasPrefix("=== ") {
        key = String(line.dropFirst(4))
        sections[key] = []
      } else {
        sections[key, default: []].append(line)
      }
    }
    XCTAssertEqual(sections.count, 2 * written.count)
    for (path, file) in written {
      for lib in ["fastavro", "apache"] {
        let lines = sections["\(lib) \(path)"] ?? []
        XCTAssertEqual(lines.count, file.events.count, "\(lib) \(path)")
        for (line, e) in zip(lines, file.events) {
          let r = try JSONValue.parse(String(line))
          let at = "\(lib) \(path)"
          XCTAssertEqual(r["user_id"]?.int64, e.userID, at)
          XCTAssertEqual(r["user_location"]?["latitude"]?.float, e.location.latitude, at)
          XCTAssertEqual(r["user_location"]?["city"]?.stringValue, e.location.city, at)
          XCTAssertEqual(r["user_location"]?["timezone"]?.stringValue, e.location.timezone, at)
          XCTAssertEqual(r["interaction"]?.stringValue, e.interaction.rawValue, at)
          XCTAssertEqual(r["song_name"]?.stringValue, e.song.name, at)
          XCTAssertEqual(r["genre"]?.stringValue, e.song.genre, at)
          XCTAssertEqual(r["energy"]?.float, e.song.energy, at)
          XCTAssertEqual(r["listening_time"]?["start_time"]?.int64, e.startTime, at)
          XCTAssertEqual(r["listening_time"]?["end_time"]?.int64, e.endTime, at)
          XCTAssertEqual(r["personality"]?.stringValue, e.personality, at)
          if file.schema == .toolkit {
            XCTAssertEqual(r["continent"]?.stringValue, e.continent.rawValue, at)
            XCTAssertEqual(r["subscription"]?.stringValue, e.subscription.rawValue, at)
          } else {
            XCTAssertNil(r["continent"], at)
          }
        }
      }
    }
  }

  /// Every Avro type written by this toolkit (the generic fixture's values, re-written with
  /// `AvroFileWriter` in each codec) reads in fastavro and the Apache package as the original.
  func testPython_readsToolkitGenericFilesIdentically() throws {
    let modules = "import fastavro, avro, cramjam, snappy, zstandard, backports.zstd"
    guard runProcess("python3", ["-c", modules]).status == 0 else {
      throw XCTSkip("python3 with \(modules) is needed (scripts/install-deps)")
    }
    let source = try AvroFileReader(path: fixtures + "/generic-fastavro-null.avro")
    let values = try source.readAll()
    let script = """
      import sys, json, datetime, uuid, fastavro, avro.datafile, avro.io
      expected, paths = sys.argv[1], sys.argv[2:]
      def plain(v):
          if isinstance(v, bytes): return list(v)
          if isinstance(v, dict): return {k: plain(x) for k, x in v.items()}
          if isinstance(v, list): return [plain(x) for x in v]
          if isinstance(v, datetime.datetime):
              epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
              return (v - epoch) // datetime.timedelta(microseconds=1)
          if isinstance(v, datetime.date): return (v - datetime.date(1970, 1, 1)).days
          if isinstance(v, uuid.UUID): return str(v)
          return v
      want = json.load(open(expected))
      for path in paths:
          for lib in ("fastavro", "apache"):
              with open(path, "rb") as f:
                  if lib == "fastavro":
                      records = list(fastavro.reader(f))
                  else:
                      records = list(avro.datafile.DataFileReader(f, avro.io.DatumReader()))
              got = [plain(r) for r in records]
              for i, (g, w) in enumerate(zip(got, want)):
                  if g != w: print(lib, path, "record", i, "differs:", g, "vs", w)
              print(lib, path, "records", len(got), "same" if got == want else "DIFFERENT")
      """
    let dir = temporaryDirectory(self)
    var paths: [String] = []
    for codec in AvroCodec.allCases {
      let path = dir + "/generic-\(codec.rawValue).avro"
      let writer = try AvroFileWriter(
        path: path, schema: source.writerSchema, codec: codec, blockRecordCount: 6)
      for v in values { try writer.append(v) }
      try writer.finish()
      paths.append(path)
    }
    let result = runProcess("python3", ["-c", script, fixtures + "/generic.json"] + paths)
    XCTAssertEqual(result.status, 0, result.output)
    let expected = paths.flatMap { path in
      ["fastavro", "apache"].map { "\($0) \(path) records 25 same" }
    }
    XCTAssertEqual(result.output.split(separator: "\n").map(String.init), expected)
  }

  func assertMatches(
    _ value: AvroValue, _ json: JSONValue, schema: AvroSchema, at: String,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    switch (schema.underlying, value) {
    case (.null, .null):
      XCTAssertEqual(json, .null, at, file: file, line: line)
    case (.boolean, .boolean(let b)):
      XCTAssertEqual(json, .bool(b), at, file: file, line: line)
    case (.int, .int(let v)):
      XCTAssertEqual(json.int64, Int64(v), at, file: file, line: line)
    case (.long, .long(let v)):
      XCTAssertEqual(json.int64, v, at, file: file, line: line)
    case (.float, .float(let v)):
      XCTAssertEqual(json.float, v, at, file: file, line: line)
    case (.double, .double(let v)):
      XCTAssertEqual(json.double, v, at, file: file, line: line)
    case (.string, .string(let s)):
      XCTAssertEqual(json.stringValue, s, at, file: file, line: line)
    case (.bytes, .bytes(let b)), (.fixed, .fixed(let b)):
      XCTAssertEqual(json.byteArray, b, at, file: file, line: line)
    case (.enumeration, .enumeration(_, let symbol)):
      XCTAssertEqual(json.stringValue, symbol, at, file: file, line: line)
    case (.array(let items), .array(let values)):
      guard case .array(let expected) = json, expected.count == values.count else {
        return XCTFail("\(at): array \(json) vs \(values)", file: file, line: line)
      }
      for (i, (v, j)) in zip(values, expected).enumerated() {
        assertMatches(v, j, schema: items, at: "\(at)[\(i)]", file: file, line: line)
      }
    case (.map(let valueSchema), .map(let entries)):
      guard case .object(let members) = json, members.count == entries.count else {
        return XCTFail("\(at): map \(json) vs \(entries)", file: file, line: line)
      }
      for m in members {
        guard let v = entries[m.key] else {
          return XCTFail("\(at): key \(m.key) missing", file: file, line: line)
        }
        assertMatches(v, m.value, schema: valueSchema, at: "\(at).\(m.key)", file: file, line: line)
      }
    case (.record(let r), .record(let values)):
      for (field, v) in zip(r.fields, values) {
        assertMatches(
          v, json[field.name] ?? .null, schema: field.type, at: "\(at).\(field.name)", file: file,
          line: line)
      }
    case (.union(let branches), .union(let index, let v)):
      assertMatches(v, json, schema: branches[index], at: "\(at)<\(index)>", file: file, line: line)
    default:
      XCTFail("\(at): \(value) does not fit \(schema.typeName)", file: file, line: line)
    }
  }
}

extension JSONValue {
  var int64: Int64? {
    if case .number(_, let i?) = self { return i }
    return nil
  }
  var double: Double? {
    if case .number(let d, _) = self { return d }
    return nil
  }
  var float: Float? { double.map { Float($0) } }
  var byteArray: [UInt8]? {
    guard case .array(let items) = self else { return nil }
    return items.compactMap { $0.int64.flatMap { UInt8(exactly: $0) } }
  }
}
