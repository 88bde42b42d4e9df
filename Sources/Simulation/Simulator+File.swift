import Events
import Foundation

extension EventFileWriter: ListeningEventSink {}

extension Simulator {
  /// The ground-truth file beside an event file: `history.avro` → `history.anomalies.csv`.
  public static func groundTruthPath(forOutput path: String) -> String {
    let base = path.hasSuffix(".avro") ? String(path.dropLast(5)) : path
    return base + ".anomalies.csv"
  }

  /// The Avro sync marker of this run: 16 bytes drawn from the seed, so the same seed writes the
  /// same file.
  public var syncMarker: [UInt8] {
    var r = SimulationRandom(seed: configuration.seed, key: 6)
    return (0..<2).flatMap { _ in
      let v = r.next()
      return (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
    }
  }

  /// The ground truth as CSV: `user_id,kind,detail`, one line per injected account.
  public func groundTruthCSV() -> String {
    var text = "user_id,kind,detail\n"
    for a in anomalies {
      text +=
        "\(a.userID),\(a.kind.rawValue),\"\(a.detail.replacingOccurrences(of: "\"", with: "\"\""))\"\n"
    }
    return text
  }

  /// Simulates into an Avro object container file at `path` (atomically: a temporary file
  /// renamed at the end) and writes the ground truth of the injected anomalies beside it
  /// (`groundTruthPath(forOutput:)`, also atomically). Generation of the next simulated hour
  /// overlaps the encoding of the current one.
  ///
  /// Same configuration, catalogue and metadata: byte-identical files (the sync marker comes from
  /// the seed; the header carries `forecast.simulation`, the configuration).
  ///
  /// - Throws: `AvroWriteError` if the file cannot be written, `SimulationError` if the ground
  ///   truth cannot; nothing is left at either path then.
  public func write(
    to path: String, schema: EventSchema = .toolkit, codec: AvroCodec = .deflate,
    metadata: [String: String] = [:], progress: ((SimulationProgress) -> Void)? = nil
  ) throws -> SimulationSummary {
    var header = metadata
    let c = configuration
    header["forecast.simulation"] =
      "users=\(c.users) days=\(c.days) start=\(c.start) seed=\(c.seed) travel=\(c.travel) "
      + "anomalies=\(c.anomalies) anomaly-rate=\(c.anomalyRate) sessions-per-day=\(c.meanSessionsPerDay) "
      + "songs-per-session=\(c.meanSongsPerSession) songs=\(catalog.songs.count) "
      + "cities=\(gazetteer.cities.count)"
    let writer = try EventFileWriter(
      path: path, schema: schema, codec: codec, syncMarker: syncMarker, metadata: header)
    var sink = writer
    let summary: SimulationSummary
    do {
      summary = try run(into: &sink, progress: progress, pipelined: true)
    } catch {
      writer.abandon()
      throw error
    }
    let truthPath = Self.groundTruthPath(forOutput: path)
    do {
      try Data(groundTruthCSV().utf8).write(to: URL(fileURLWithPath: truthPath), options: .atomic)
    } catch {
      writer.abandon()
      throw SimulationError.unwritableOutput(path: truthPath, reason: error.localizedDescription)
    }
    try writer.finish()
    return summary
  }
}
