import Events
import XCTest

/// Every kind of damaged or wrong input: the exact error kind (file, block or record, fix), no
/// crash, no loop, no allocation from a lying length, and nothing written.
final class BadInputTests: XCTestCase {
  let sync: [UInt8] = (0..<16).map { UInt8(0xB0 + $0) }

  /// A file of `blocks` × `perBlock` seed events; returns its path, bytes and the events.
  func makeFile(
    codec: AvroCodec, blocks: Int = 3, perBlock: Int = 10, schema: EventSchema = .milestone1
  ) throws -> (dir: String, path: String, bytes: [UInt8], events: [ListeningEvent]) {
    let dir = temporaryDirectory(self)
    let path = dir + "/in.avro"
    let events = sampleEvents(count: blocks * perBlock, seed: 5, milestone1: true)
    let writer = try EventFileWriter(
      path: path, schema: schema, codec: codec, blockRecordCount: perBlock, syncMarker: sync)
    for e in events { try writer.write(e) }
    try writer.finish()
    return (dir, path, readBytes(path), events)
  }

  /// Offsets of each block's start and of its sync marker (the header's sync ends the header).
  func blocks(_ bytes: [UInt8]) -> [(start: Int, syncAt: Int)] {
    var marks: [Int] = []
    var i = 0
    while i + 16 <= bytes.count {
      if Array(bytes[i..<i + 16]) == sync {
        marks.append(i)
        i += 16
      } else {
        i += 1
      }
    }
    return zip(marks, marks.dropFirst()).map { ($0 + 16, $1) }
  }

  /// Reads `path` into a new file with the writer, abandoning on error (what every command does),
  /// asserts the error is `expected`, and that the directory holds only the input.
  func assertRefused(
    _ path: String, in dir: String, _ matches: (AvroReadError) -> Bool,
    file: StaticString = #filePath, line: UInt = #line
  ) {
    let before = directoryEntries(dir)
    do {
      let reader = try EventFileReader(path: path)
      let writer = try EventFileWriter(path: dir + "/out.avro", codec: .null)
      do {
        while let e = try reader.next() { try writer.write(e) }
        try writer.finish()
      } catch {
        writer.abandon()
        throw error
      }
      XCTFail("read without an error", file: file, line: line)
    } catch let error as AvroReadError {
      XCTAssertTrue(matches(error), "unexpected error: \(error)", file: file, line: line)
      XCTAssertEqual(error.path, path, file: file, line: line)
      XCTAssertTrue(error.description.hasPrefix(path + ": "), file: file, line: line)
    } catch {
      XCTFail("not an AvroReadError: \(error)", file: file, line: line)
    }
    XCTAssertEqual(directoryEntries(dir), before, "something was written", file: file, line: line)
    // The columnar path and the summary refuse it too.
    XCTAssertThrowsError(
      try EventFileReader(path: path).forEachBatch { _ in }, file: file, line: line
    ) {
      XCTAssertTrue(
        matches($0 as? AvroReadError ?? .emptyFile(path: "")), "\($0)", file: file, line: line)
    }
    XCTAssertThrowsError(try EventFileSummary(path: path), file: file, line: line)
  }

  func testBadInput_emptyFile() throws {
    let dir = temporaryDirectory(self)
    writeBytes([], to: dir + "/in.avro")
    assertRefused(dir + "/in.avro", in: dir) {
      if case .emptyFile = $0 { return true } else { return false }
    }
  }

  func testBadInput_notAvro() throws {
    let dir = temporaryDirectory(self)
    writeBytes(Array("user_id,start\n1,2\n".utf8), to: dir + "/in.avro")
    assertRefused(dir + "/in.avro", in: dir) {
      if case .notAvro = $0 { return true } else { return false }
    }
    XCTAssertTrue(
      AvroReadError.notAvro(path: "x").description.contains("Pass an Avro object container file"))
  }

  func testBadInput_missingFile() throws {
    let dir = temporaryDirectory(self)
    XCTAssertThrowsError(try EventFileReader(path: dir + "/nope.avro")) {
      guard case .cannotRead(let path, let reason) = $0 as? AvroReadError else {
        return XCTFail("\($0)")
      }
      XCTAssertEqual(path, dir + "/nope.avro")
      XCTAssertEqual(reason, "No such file or directory")
    }
  }

  func testBadInput_badMagicAndVersion() throws {
    var f = try makeFile(codec: .null)
    f.bytes[2] = UInt8(ascii: "x")
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .notAvro = $0 { return true } else { return false }
    }
    f.bytes[2] = UInt8(ascii: "j")
    f.bytes[3] = 2
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .unsupportedVersion(_, 2) = $0 { return true } else { return false }
    }
  }

  func testBadInput_truncatedInsideBlock() throws {
    for codec in AvroCodec.allCases {
      let f = try makeFile(codec: codec)
      let layout = blocks(f.bytes)
      XCTAssertEqual(layout.count, 3)
      // Cut in the middle of block 1's data.
      let cut = (layout[1].start + layout[1].syncAt) / 2
      writeBytes(Array(f.bytes[0..<cut]), to: f.path)
      assertRefused(f.path, in: f.dir) {
        if case .truncatedBlock(_, 1, layout[1].start, _, _) = $0 {
          return true
        } else {
          return false
        }
      }
      // Salvage keeps block 0's records and reports the dropped block.
      let reader = try EventFileReader(path: f.path, options: EventReadOptions(salvage: true))
      XCTAssertEqual(try reader.readAll(), Array(f.events[0..<10]))
      XCTAssertEqual(reader.salvageReport?.recordsKept, 10)
      XCTAssertEqual(reader.salvageReport?.blocksKept, 1)
      XCTAssertEqual(reader.salvageReport?.blocksDropped, 1)
    }
  }

  func testBadInput_corruptSyncMarker() throws {
    var f = try makeFile(codec: .deflate)
    let layout = blocks(f.bytes)
    f.bytes[layout[0].syncAt + 7] ^= 0xFF
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .syncMarkerMismatch(_, 0, layout[0].syncAt) = $0 { return true } else { return false }
    }
    // Salvage resumes after the damaged marker (the block there reads intact): block 0 is
    // dropped, blocks 1 and 2 kept, by the event reader and by the file summary alike.
    let reader = try EventFileReader(path: f.path, options: EventReadOptions(salvage: true))
    XCTAssertEqual(try reader.readAll(), Array(f.events[10..<30]))
    XCTAssertEqual(reader.salvageReport?.recordsKept, 20)
    XCTAssertEqual(reader.salvageReport?.blocksKept, 2)
    XCTAssertEqual(reader.salvageReport?.blocksDropped, 1)
    var users: [Int64] = []
    let columns = try EventFileReader(path: f.path, options: EventReadOptions(salvage: true))
    try columns.forEachBatch { users += $0.userID }
    XCTAssertEqual(users, f.events[10..<30].map(\.userID))
    let summary = try AvroFileSummary(path: f.path, salvage: true)
    XCTAssertEqual(summary.records, 20)
    XCTAssertEqual(summary.blocks, 2)
    XCTAssertEqual(summary.blocksDropped, 1)
    XCTAssertEqual(
      summary.damage, .syncMarkerMismatch(path: f.path, block: 0, offset: layout[0].syncAt))
  }

  /// A marker damaged beyond recognition, a block whose bytes do not decode and a block header
  /// that does not parse: each costs its block (a block whose marker is gone is counted with
  /// the next: blocks are counted by their markers), and reading resumes at the next sync
  /// marker found.
  func testBadInput_salvageResumesAfterEachDamage() throws {
    var f = try makeFile(codec: .null, blocks: 7)
    let layout = blocks(f.bytes)
    // Block 1's marker wholly overwritten: the search passes block 2's end, so 1 and 2 go.
    for k in 0..<16 { f.bytes[layout[1].syncAt + k] ^= 0x5A }
    // Block 3's first record (after the 1-byte count and 2-byte size): an endless varint.
    XCTAssertEqual(f.bytes[layout[3].start], 20)
    XCTAssertGreaterThan(layout[3].syncAt - layout[3].start, 3 + 64)
    for k in 3..<14 { f.bytes[layout[3].start + k] = 0xFF }
    // Block 5's header: its size an endless varint.
    for k in 1..<12 { f.bytes[layout[5].start + k] = 0xFF }
    writeBytes(f.bytes, to: f.path)
    let kept = Array(f.events[0..<10] + f.events[40..<50] + f.events[60..<70])
    let reader = try EventFileReader(path: f.path, options: EventReadOptions(salvage: true))
    XCTAssertEqual(try reader.readAll(), kept)
    XCTAssertEqual(reader.salvageReport?.recordsKept, 30)
    XCTAssertEqual(reader.salvageReport?.blocksKept, 3)
    XCTAssertEqual(reader.salvageReport?.blocksDropped, 3)
    var users: [Int64] = []
    let columns = try EventFileReader(path: f.path, options: EventReadOptions(salvage: true))
    try columns.forEachBatch { users += $0.userID }
    XCTAssertEqual(users, kept.map(\.userID))
    let summary = try AvroFileSummary(path: f.path, salvage: true)
    XCTAssertEqual(summary.blocksDropped, 3)
    XCTAssertEqual(summary.blocks, 3)
    XCTAssertEqual(summary.fields.first?.values, 30)
  }

  /// Rewrites block `index`'s one-byte record count (10 records → zigzag 20).
  func withCount(_ count: Int8, block index: Int, codec: AvroCodec = .null) throws -> (
    dir: String, path: String, events: [ListeningEvent]
  ) {
    var f = try makeFile(codec: codec)
    let start = blocks(f.bytes)[index].start
    XCTAssertEqual(f.bytes[start], 20)
    f.bytes[start] = UInt8(bitPattern: (count << 1) ^ (count >> 7))
    writeBytes(f.bytes, to: f.path)
    return (f.dir, f.path, f.events)
  }

  func testBadInput_blockCountTooMany() throws {
    for codec in AvroCodec.allCases {
      let f = try withCount(11, block: 2, codec: codec)
      assertRefused(f.path, in: f.dir) {
        if case .recordCountMismatch(_, 2, 11, let reason) = $0 {
          return reason == "its data ends after 10 records"
        }
        return false
      }
      let reader = try EventFileReader(path: f.path, options: EventReadOptions(salvage: true))
      XCTAssertEqual(try reader.readAll(), Array(f.events[0..<20]))
      XCTAssertEqual(reader.salvageReport?.recordsKept, 20)
      XCTAssertEqual(reader.salvageReport?.blocksDropped, 1)
    }
  }

  func testBadInput_blockCountTooFew() throws {
    let f = try withCount(9, block: 0)
    assertRefused(f.path, in: f.dir) {
      if case .recordCountMismatch(_, 0, 9, let reason) = $0 {
        return reason.hasSuffix("bytes remain after the last declared record")
      }
      return false
    }
  }

  func testBadInput_blockCountNegative() throws {
    let f = try withCount(-10, block: 1)
    assertRefused(f.path, in: f.dir) {
      if case .invalidBlockCount(_, 1, _, -10) = $0 { return true } else { return false }
    }
  }

  func testBadInput_blockCountHuge() throws {
    // 10 records declared as 63 (the widest one-byte count): more than the bytes can hold.
    let f = try withCount(63, block: 0, codec: .snappy)
    assertRefused(f.path, in: f.dir) {
      if case .recordCountMismatch(_, 0, 63, _) = $0 { return true } else { return false }
    }
  }

  func testBadInput_blockSizeLies() throws {
    var f = try makeFile(codec: .null)
    let layout = blocks(f.bytes)
    let start = layout[1].start
    // count (1 byte), then the size varint: 2 bytes for ~1,300 bytes. Add 3 to it.
    let trueSize = layout[1].syncAt - start - 3
    XCTAssertEqual(Int(f.bytes[start + 1] & 0x7F) | Int(f.bytes[start + 2]) << 7, trueSize * 2)
    let lie = (trueSize + 3) * 2
    f.bytes[start + 1] = UInt8(lie & 0x7F) | 0x80
    f.bytes[start + 2] = UInt8(lie >> 7)
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .invalidBlockSize(_, 1, start, Int64(trueSize + 3), trueSize) = $0 { return true }
      return false
    }
    // Too few bytes.
    let short = (trueSize - 3) * 2
    f.bytes[start + 1] = UInt8(short & 0x7F) | 0x80
    f.bytes[start + 2] = UInt8(short >> 7)
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .invalidBlockSize(_, 1, start, Int64(trueSize - 3), trueSize) = $0 { return true }
      return false
    }
    // Negative (zigzag 2·3 − 1 = 5 is −3, padded to two varint bytes).
    f.bytes[start + 1] = 0x85
    f.bytes[start + 2] = 0x00
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .invalidBlockSize(_, 1, start, -3, trueSize) = $0 { return true }
      return false
    }
    // A size beyond the end of the file (no allocation follows it).
    f.bytes[start + 1] = 0xFE
    f.bytes[start + 2] = 0x7F
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .invalidBlockSize(_, 1, start, 8191, trueSize) = $0 { return true }
      return false
    }
  }

  func testBadInput_corruptDeflateBlock() throws {
    var f = try makeFile(codec: .deflate)
    let layout = blocks(f.bytes)
    // Block 1's data starts after a 1-byte count and a 2-byte size; 0xFF makes the first
    // deflate block header BFINAL=1, BTYPE=11 (reserved).
    f.bytes[layout[1].start + 3] = 0xFF
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .corruptBlock(_, 1, .deflate, "invalid block type") = $0 { return true }
      return false
    }
  }

  func testBadInput_corruptSnappyBlock() throws {
    var f = try makeFile(codec: .snappy)
    let layout = blocks(f.bytes)
    let dataStart = layout[0].start + 3
    // Keep the uncompressed-length varint (2 bytes), garble the elements after it.
    for i in dataStart + 2..<dataStart + 40 { f.bytes[i] = 0xFF }
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .corruptBlock(_, 0, .snappy, "the snappy data is invalid") = $0 { return true }
      return false
    }
  }

  func testBadInput_corruptZstandardBlock() throws {
    var f = try makeFile(codec: .zstandard)
    let layout = blocks(f.bytes)
    let dataStart = layout[1].start + 3
    XCTAssertEqual(Array(f.bytes[dataStart..<dataStart + 4]), [0x28, 0xB5, 0x2F, 0xFD])
    f.bytes[dataStart + 3] = 0  // not a zstd frame magic any more
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .corruptBlock(_, 1, .zstandard, "Unknown frame descriptor") = $0 { return true }
      return false
    }
  }

  func testBadInput_snappyChecksumMismatch() throws {
    var f = try makeFile(codec: .snappy)
    let layout = blocks(f.bytes)
    f.bytes[layout[2].syncAt - 1] ^= 0x01  // last byte of block 2's CRC
    writeBytes(f.bytes, to: f.path)
    assertRefused(f.path, in: f.dir) {
      if case .checksumMismatch(_, 2, let expected, let actual) = $0 {
        return expected ^ actual == 1
      }
      return false
    }
    let reader = try EventFileReader(path: f.path, options: EventReadOptions(salvage: true))
    XCTAssertEqual(try reader.readAll().count, 20)
    XCTAssertEqual(reader.salvageReport?.blocksKept, 2)
    XCTAssertEqual(reader.salvageReport?.blocksDropped, 1)
  }

  /// A container file with the given header metadata and one null-codec block of `body`.
  func handMade(metadata: [String: String], body: [UInt8] = [], count: Int64 = 0) throws -> (
    dir: String, path: String
  ) {
    let dir = temporaryDirectory(self)
    let path = dir + "/in.avro"
    let mapSchema = try AvroSchema(json: #"{"type":"map","values":"bytes"}"#)
    var bytes: [UInt8] = [0x4F, 0x62, 0x6A, 0x01]
    bytes += try AvroValue.map(metadata.mapValues { .bytes(Array($0.utf8)) }).encoded(
      with: mapSchema)
    bytes += sync
    if count > 0 {
      bytes += try AvroValue.long(count).encoded(with: .long)
      bytes += try AvroValue.long(Int64(body.count)).encoded(with: .long)
      bytes += body + sync
    }
    writeBytes(bytes, to: path)
    return (dir, path)
  }

  func testBadInput_headerCutShort() throws {
    let f = try makeFile(codec: .deflate)
    for cut in [3, 4, 40, 300] {
      writeBytes(Array(f.bytes[0..<cut]), to: f.path)
      assertRefused(f.path, in: f.dir) {
        if case .invalidHeader = $0 { return true } else { return false }
      }
    }
  }

  func testBadInput_emptyBlocksAreNotDamage() throws {
    // Two empty deflate blocks (count 0, size 0) are valid, if odd.
    let dir = temporaryDirectory(self)
    let path = dir + "/in.avro"
    let writer = try EventFileWriter(path: path, codec: .deflate, syncMarker: sync)
    try writer.finish()
    writeBytes(readBytes(path) + [0, 0] + sync + [0, 0] + sync, to: path)
    XCTAssertEqual(try EventFileReader(path: path).readAll(), [])
    XCTAssertEqual(try AvroFileReader(path: path).readAll(), [])
  }

  func testBadInput_unknownCodec() throws {
    let f = try handMade(metadata: [
      "avro.schema": EventSchema.milestone1.json, "avro.codec": "bzip2",
    ])
    assertRefused(f.path, in: f.dir) {
      if case .unknownCodec(_, "bzip2") = $0 { return true } else { return false }
    }
  }

  func testBadInput_missingSchema() throws {
    let f = try handMade(metadata: ["avro.codec": "null"])
    assertRefused(f.path, in: f.dir) {
      if case .missingSchema = $0 { return true } else { return false }
    }
  }

  func testBadInput_invalidSchema() throws {
    let f = try handMade(metadata: ["avro.schema": #"{"type": "record", "fields": []}"#])
    assertRefused(f.path, in: f.dir) {
      if case .invalidSchema(_, .missingAttribute("name", "schema")) = $0 { return true }
      return false
    }
  }

  func testBadInput_schemaLacksRequiredFields() throws {
    let schema = #"""
      {"type": "record", "name": "Plays", "fields": [
        {"name": "userId", "type": "long"}, {"name": "song", "type": "string"}]}
      """#
    let f = try handMade(metadata: ["avro.schema": schema])
    assertRefused(f.path, in: f.dir) {
      if case .missingFields(_, let fields, let found) = $0 {
        XCTAssertEqual(found, ["userId: long", "song: string"])
        return fields == [
          "interaction", "genre", "listening_time.start_time", "listening_time.end_time",
        ]
      }
      return false
    }
    XCTAssertTrue(
      AvroReadError.missingFields(path: "p", fields: ["genre"], found: ["g: string"]).description
        .contains("lack the field(s) genre, which the toolkit needs; the file has g: string."))
  }

  func testBadInput_trailingBytes() throws {
    for codec in AvroCodec.allCases {
      let f = try makeFile(codec: codec)
      writeBytes(f.bytes + Array("garbage\n".utf8), to: f.path)
      assertRefused(f.path, in: f.dir) {
        if case .trailingBytes(_, f.bytes.count, 8) = $0 { return true } else { return false }
      }
      let reader = try EventFileReader(path: f.path, options: EventReadOptions(salvage: true))
      XCTAssertEqual(try reader.readAll(), f.events)
      XCTAssertEqual(reader.salvageReport?.recordsKept, 30)
      XCTAssertEqual(reader.salvageReport?.blocksDropped, 0)
    }
  }

  func testBadInput_stringLengthBeyondBlockAllocatesNothing() throws {
    // One record whose first string (country, after an int and two floats) claims 2^60 bytes.
    var body: [UInt8] = try AvroValue.int(7).encoded(with: .int) + [0, 0, 0, 0, 0, 0, 0, 0]
    body += try AvroValue.long(1 << 60).encoded(with: .long) + Array("FR".utf8)
    body += [UInt8](repeating: 0, count: 40)
    let f = try handMade(
      metadata: ["avro.schema": EventSchema.milestone1.json], body: body, count: 1)
    assertRefused(f.path, in: f.dir) {
      if case .corruptRecord(_, 0, 0, let reason) = $0 {
        return reason == "a value needs 1152921504606846976 bytes but only 42 remain"
      }
      return false
    }
  }

  func testBadInput_arrayCountBeyondDataAllocatesNothing() throws {
    // An array of longs claiming 2^40 items in a 12-byte block.
    let schema =
      #"{"type":"record","name":"A","fields":[{"name":"a","type":{"type":"array","items":"long"}}]}"#
    let body = try AvroValue.long(1 << 40).encoded(with: .long) + [UInt8](repeating: 2, count: 6)
    let f = try handMade(metadata: ["avro.schema": schema], body: body, count: 1)
    XCTAssertThrowsError(try AvroFileReader(path: f.path).readAll()) {
      guard
        case .corruptRecord(
          _, 0, 0, "an array or map block declares 1099511627776 items, more than its bytes") = $0
          as? AvroReadError
      else { return XCTFail("\($0)") }
    }
  }

  func testBadInput_zeroSizeRecordsWithHugeCountDoNotLoop() throws {
    let schema =
      #"{"type": "record", "name": "Nothing", "fields": [{"name": "n", "type": "null"}]}"#
    let f = try handMade(metadata: ["avro.schema": schema], body: [], count: Int64(1) << 40)
    XCTAssertThrowsError(try AvroFileReader(path: f.path).readAll()) {
      guard case .invalidBlockCount(_, 0, _, 1 << 40) = $0 as? AvroReadError else {
        return XCTFail("\($0)")
      }
    }
  }

  func testBadInput_deepRecursionIsRefusedNotACrash() throws {
    // A linked list 5,000 deep: a union index 1 per level, then null.
    let schema =
      #"{"type":"record","name":"Node","fields":[{"name":"next","type":["null","Node"]}]}"#
    let body = [UInt8](repeating: 2, count: 5000) + [0]
    let f = try handMade(metadata: ["avro.schema": schema], body: body, count: 1)
    XCTAssertThrowsError(try AvroFileReader(path: f.path).readAll()) {
      guard
        case .corruptRecord(_, 0, 0, "values nest more than 1000 levels deep") = $0
          as? AvroReadError
      else { return XCTFail("\($0)") }
    }
    // 300 deep is fine (each list level is three decoding levels: union, branch, record).
    let ok = try handMade(
      metadata: ["avro.schema": schema], body: [UInt8](repeating: 2, count: 300) + [0], count: 1)
    XCTAssertEqual(try AvroFileReader(path: ok.path).readAll().count, 1)
  }

  func testBadInput_corruptRecordNamesBlockAndRecord() throws {
    // A generic file whose union index is out of range in record 2 of block 0.
    let dir = temporaryDirectory(self)
    let path = dir + "/u.avro"
    let schema = try AvroSchema(
      json: #"{"type":"record","name":"R","fields":[{"name":"u","type":["null","long"]}]}"#)
    let writer = try AvroFileWriter(path: path, schema: schema, codec: .null, syncMarker: sync)
    for i in 0..<4 { try writer.append(.record([.union(index: 1, .long(Int64(i)))])) }
    try writer.finish()
    var bytes = readBytes(path)
    let start = blocks(bytes)[0].start + 2
    XCTAssertEqual(Array(bytes[start..<start + 8]), [2, 0, 2, 2, 2, 4, 2, 6])
    bytes[start + 4] = 10  // union index 5
    writeBytes(bytes, to: path)
    XCTAssertThrowsError(try AvroFileReader(path: path).readAll()) {
      guard case .corruptRecord(path, 0, 2, "union branch 5 of a union of 2") = $0 as? AvroReadError
      else { return XCTFail("\($0)") }
    }
  }

  func testBadInput_messagesNameTheFix() {
    let e = AvroReadError.truncatedBlock(
      path: "h.avro", block: 3, offset: 100, needed: 50, available: 7)
    XCTAssertEqual(
      e.description,
      "h.avro: the file ends inside block 3 at byte 100: it needs 50 more bytes, 7 remain; the "
        + "file was cut. Restore the file from its source, or pass --salvage to keep the intact "
        + "blocks around the damage.")
  }
}
