import Events
import TestSupport
import XCTest

/// Round trips on random data from fixed seeds: random events through every codec and block
/// size, random schemas (nested records, unions, maps, arrays, enums, fixed) with random values.
final class PropertyTests: XCTestCase {
  func testProperty_randomEventsRoundTripEveryCodec() throws {
    let dir = temporaryDirectory(self)
    for seed in UInt64(1)...6 {
      var g = TestGenerator(seed: seed)
      let count = Int(g.next() % 300)
      let events = sampleEvents(count: count, seed: seed &* 977)
      let codec = AvroCodec.allCases[Int(seed % 3)]
      let block = 1 + Int(g.next() % 50)
      let path = dir + "/e\(seed).avro"
      let writer = try EventFileWriter(
        path: path, codec: codec, blockRecordCount: block, metadata: ["seed": "\(seed)"])
      for e in events { try writer.write(e) }
      try writer.finish()
      let reader = try EventFileReader(
        path: path,
        options: {
          var o = EventReadOptions()
          o.blocksInFlight = 1 + Int(seed % 4)
          return o
        }())
      XCTAssertEqual(reader.metadata["seed"], "\(seed)")
      XCTAssertEqual(try reader.readAll(), events, "seed \(seed)")
      var n = 0
      try EventFileReader(path: path).forEachBatch { n += $0.count }
      XCTAssertEqual(n, count)
    }
  }

  func testProperty_sameSyncMarkerSameBytes() throws {
    let dir = temporaryDirectory(self)
    let events = sampleEvents(count: 100, seed: 1)
    var files: [[UInt8]] = []
    for i in 0..<2 {
      let writer = try EventFileWriter(
        path: dir + "/\(i).avro", codec: .deflate, blockRecordCount: 30,
        syncMarker: Array(0..<16))
      for e in events { try writer.write(e) }
      try writer.finish()
      files.append(readBytes(dir + "/\(i).avro"))
    }
    XCTAssertEqual(files[0], files[1])
    XCTAssertThrowsError(try EventFileWriter(path: dir + "/x.avro", syncMarker: [1, 2])) {
      XCTAssertEqual(
        $0 as? AvroWriteError,
        .invalidArgument(path: dir + "/x.avro", reason: "the sync marker must be 16 bytes, not 2"))
    }
    XCTAssertEqual(directoryEntries(dir), ["0.avro", "1.avro"])
  }

  func testProperty_abandonLeavesNothing() throws {
    let dir = temporaryDirectory(self)
    do {
      let writer = try EventFileWriter(path: dir + "/a.avro", blockRecordCount: 2)
      for e in sampleEvents(count: 5, seed: 2) { try writer.write(e) }
      writer.abandon()
      XCTAssertThrowsError(try writer.finish())
    }
    do {
      let writer = try EventFileWriter(path: dir + "/b.avro")
      try writer.write(sampleEvents(count: 1, seed: 2)[0])
      // Dropped without finish(): deinit removes the temporary file.
    }
    XCTAssertEqual(directoryEntries(dir), [])
  }

  func testProperty_randomSchemasAndValuesRoundTrip() throws {
    let dir = temporaryDirectory(self)
    for seed in UInt64(1)...25 {
      var g = TestGenerator(seed: seed)
      var names = 0
      let schema = randomSchema(&g, depth: 0, names: &names)
      // The schema's JSON parses back to the same schema.
      let reparsed = try AvroSchema(json: schema.description)
      XCTAssertEqual(reparsed.description, schema.description)
      let values = (0..<Int(g.next() % 40)).map { _ in randomValue(schema, &g, depth: 0) }
      for value in values {
        let bytes = try value.encoded(with: schema)
        XCTAssertEqual(try AvroValue.decode(bytes, writerSchema: schema), value, "seed \(seed)")
      }
      let codec = AvroCodec.allCases[Int(seed % 3)]
      let path = dir + "/r\(seed).avro"
      let writer = try AvroFileWriter(
        path: path, schema: schema, codec: codec, blockRecordCount: 1 + Int(g.next() % 9))
      for v in values { try writer.append(v) }
      try writer.finish()
      let back = try AvroFileReader(path: path).readAll()
      XCTAssertEqual(back, values, "seed \(seed): \(schema)")
    }
  }

  /// A random schema: records (nested), unions, maps, arrays, enums, fixed, primitives.
  func randomSchema(_ g: inout TestGenerator, depth: Int, names: inout Int, inUnion: Bool = false)
    -> AvroSchema
  {
    let primitives: [AvroSchema] = [.null, .boolean, .int, .long, .float, .double, .bytes, .string]
    let choice = depth >= 3 ? Int(g.next() % 8) : Int(g.next() % 14)
    switch choice {
    case 0..<8: return primitives[choice]
    case 8:
      names += 1
      let fields = (0..<Int(1 + g.next() % 4)).map { i in
        AvroField(name: "f\(i)", type: randomSchema(&g, depth: depth + 1, names: &names))
      }
      return .record(
        AvroRecordSchema(name: AvroName("R\(names)", enclosingNamespace: "t"), fields: fields))
    case 9:
      names += 1
      let symbols = (0..<Int(1 + g.next() % 5)).map { "S\($0)" }
      return .enumeration(
        AvroEnumSchema(name: AvroName("E\(names)", enclosingNamespace: "t"), symbols: symbols))
    case 10:
      names += 1
      return .fixed(
        AvroFixedSchema(
          name: AvroName("F\(names)", enclosingNamespace: "t"), size: Int(g.next() % 6)))
    case 11: return .array(randomSchema(&g, depth: depth + 1, names: &names))
    case 12: return .map(randomSchema(&g, depth: depth + 1, names: &names))
    default:
      if inUnion { return .string }
      // Distinct unnamed kinds plus one named type.
      var branches: [AvroSchema] = []
      var kinds = Set<String>()
      for _ in 0..<Int(1 + g.next() % 4) {
        let b = randomSchema(&g, depth: depth + 1, names: &names, inUnion: true)
        if case .union = b { continue }
        let kind: String
        switch b {
        case .record, .enumeration, .fixed: kind = b.typeName
        default: kind = b.typeName
        }
        if kinds.insert(kind).inserted { branches.append(b) }
      }
      return .union(branches.isEmpty ? [.null] : branches)
    }
  }

  func randomValue(_ schema: AvroSchema, _ g: inout TestGenerator, depth: Int) -> AvroValue {
    switch schema {
    case .null: return .null
    case .boolean: return .boolean(g.next() % 2 == 0)
    case .int: return .int(Int32(truncatingIfNeeded: g.next() >> (g.next() % 32)))
    case .long: return .long(Int64(bitPattern: g.next() >> (g.next() % 64)))
    case .float: return .float(Float(Int32(truncatingIfNeeded: g.next())) / 7)
    case .double: return .double(Double(Int64(bitPattern: g.next())) / 3)
    case .bytes:
      return .bytes((0..<Int(g.next() % 6)).map { _ in UInt8(truncatingIfNeeded: g.next()) })
    case .string:
      return .string(["", "a", "ünï", "🎵 x", "long string \(g.next())"][Int(g.next() % 5)])
    case .fixed(let f): return .fixed((0..<f.size).map { _ in UInt8(truncatingIfNeeded: g.next()) })
    case .enumeration(let e):
      let i = Int(g.next() % UInt64(e.symbols.count))
      return .enumeration(index: i, symbol: e.symbols[i])
    case .array(let items):
      return .array((0..<Int(g.next() % 4)).map { _ in randomValue(items, &g, depth: depth + 1) })
    case .map(let values):
      var out: [String: AvroValue] = [:]
      for i in 0..<Int(g.next() % 4) { out["k\(i)"] = randomValue(values, &g, depth: depth + 1) }
      return .map(out)
    case .record(let r):
      return .record(r.fields.map { randomValue($0.type, &g, depth: depth + 1) })
    case .union(let branches):
      let i = Int(g.next() % UInt64(branches.count))
      return .union(index: i, randomValue(branches[i], &g, depth: depth + 1))
    case .logical(_, let base): return randomValue(base, &g, depth: depth)
    }
  }
}
