import CKafka
import Events
import Foundation
import Streaming
import XCTest

/// The registry path: `produce --registry` registers the toolkit's schema, `consume --registry`
/// looks writer schemas up by id, including a foreign one (the seed's Milestone-1 schema), and
/// reports an id the registry does not know as a bad record.
final class SchemaRegistryTests: XCTestCase {
  var directory = ""
  var cluster: MockCluster?
  var registry: Process?
  var registryURL = ""

  override func setUpWithError() throws {
    directory = NSTemporaryDirectory() + "registry-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    cluster = try MockCluster(brokers: 1)
    // The repository root: four levels above this file.
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent().path
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [
      "python3", root + "/scripts/mock_registry.py", "--schema",
      "7=" + root + "/Sources/Events/Schemas/ListeningHistory.avsc",
    ]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    registry = p
    var line = Data()
    while !line.contains(UInt8(ascii: "\n")) {
      let chunk = out.fileHandleForReading.availableData
      if chunk.isEmpty { break }
      line += chunk
    }
    registryURL = String(decoding: line, as: UTF8.self).trimmingCharacters(
      in: .whitespacesAndNewlines)
    XCTAssertTrue(registryURL.hasPrefix("http://127.0.0.1:"), registryURL)
  }

  override func tearDownWithError() throws {
    registry?.terminate()
    registry?.waitUntilExit()
    cluster = nil
    try? FileManager.default.removeItem(atPath: directory)
  }

  /// Sends raw values to partition 2 of the default topic.
  func sendRaw(_ values: [[UInt8]]) throws {
    guard let conf = rd_kafka_conf_new() else { throw XCTSkip("no librdkafka configuration") }
    var errstr = [CChar](repeating: 0, count: 256)
    XCTAssertEqual(
      rd_kafka_conf_set(conf, "bootstrap.servers", cluster?.bootstrap ?? "", &errstr, 256),
      RD_KAFKA_CONF_OK)
    guard let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &errstr, 256) else {
      let message = errstr.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
      return XCTFail(String(decoding: message, as: UTF8.self))
    }
    defer { rd_kafka_destroy(rk) }
    let rkt = rd_kafka_topic_new(rk, TopicLayout.defaultTopic, nil)
    defer { rd_kafka_topic_destroy(rkt) }
    for v in values {
      var bytes = v
      let status = bytes.withUnsafeMutableBytes {
        rd_kafka_produce(rkt, 2, RD_KAFKA_MSG_F_COPY, $0.baseAddress, $0.count, nil, 0, nil)
      }
      XCTAssertEqual(status, 0)
    }
    XCTAssertEqual(rd_kafka_flush(rk, 10_000), RD_KAFKA_RESP_ERR_NO_ERROR)
  }

  func testRegistry_toolkitAndForeignSchemas() throws {
    let sim = try ForecastProcess.run(
      ["simulate", "--users", "40", "--days", "2", "--out", "h.avro"], in: directory)
    XCTAssertEqual(sim.status, 0, sim.stderr)
    let brokers = cluster?.bootstrap ?? ""
    let produce = try ForecastProcess.run(
      ["produce", "h.avro", "-b", brokers, "--registry", registryURL], in: directory)
    XCTAssertEqual(produce.status, 0, produce.stderr)
    // The toolkit's schema got the next free id after the preloaded 7.
    XCTAssertTrue(produce.stderr.contains("(schema id 8)"), produce.stderr)
    let events = try EventFileReader(path: directory + "/h.avro").readAll()
    // Three events framed with id 7, encoded with the Milestone-1 schema (the toolkit's fields
    // without continent and subscription, user id as an int: the same bytes up to there).
    var foreign: [[UInt8]] = []
    for e in events.prefix(3) {
      var body: [UInt8] = []
      EventFileWriter.appendEncoded(e, to: &body)
      let suffix = 1 + e.continent.rawValue.utf8.count + 1  // continent string + enum index
      foreign.append([0, 0, 0, 0, 7] + body.dropLast(suffix))
    }
    try sendRaw(foreign + [[0, 0, 0, 0, 42, 1, 2, 3]])
    let run = try ForecastProcess.run(
      [
        "consume", "-b", brokers, "-G", "g", "--state", "s", "--out", "o", "-e", "--registry",
        registryURL, "--schema-id", "99", "--max-bad", "1", "-X", "session.timeout.ms=6000",
      ], in: directory)
    XCTAssertEqual(run.status, 0, run.stderr)
    XCTAssertTrue(
      run.stderr.contains("\(events.count + 4) records read: \(events.count + 3) events, 1 bad"),
      run.stderr)
    XCTAssertEqual(
      try String(contentsOfFile: directory + "/o/bad_records.csv", encoding: .utf8),
      "partition,offset,reason\n2,\(events.filter { $0.continent == .europe }.count + 3),"
        + "schema id 42 is unknown to the registry \(registryURL)\n")
  }
}
