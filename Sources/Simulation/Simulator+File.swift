import Events
import Plumbing

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
      text += "\(a.userID),\(a.kind.rawValue),\(CSVField.quoted(a.detail, always: true))\n"
    }
    return text
  }

  /// Simulates into an Avro object container file at `path` and writes the ground truth of the
  /// injected anomalies beside it (`groundTruthPath(forOutput:)`) and, given `catalogPath`, the
  /// catalogue as CSV. All of them are committed together once the history is complete
  /// (temporary files, fsync, renames, fsync of the directories): both appear, or neither.
  /// Generation of the next simulated hour overlaps the encoding of the current one.
  ///
  /// Same configuration, catalogue and metadata: byte-identical files (the sync marker comes from
  /// the seed; the header carries `forecast.simulation`, the configuration).
  ///
  /// - Throws: `AvroWriteError` if the history cannot be written, `SimulationError` if the
  ///   ground truth or the catalogue cannot; nothing is left at any of the paths then.
  public func write(
    to path: String, schema: EventSchema = .toolkit, codec: AvroCodec = .deflate,
    metadata: [String: String] = [:], catalogPath: String? = nil,
    progress: ((SimulationProgress) -> Void)? = nil
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
    var sidecars = [(Self.groundTruthPath(forOutput: path), groundTruthCSV())]
    if let catalogPath { sidecars.append((catalogPath, catalog.csvText())) }
    var files: [AtomicFile] = []
    do {
      for (sidecarPath, text) in sidecars {
        let file = try AtomicFile(path: sidecarPath)
        files.append(file)
        try file.write(text)
      }
    } catch {
      writer.abandon()
      throw SimulationError.unwritableOutput(path: error.path, reason: error.reason)
    }
    let history = try writer.finishUncommitted()
    do {
      try AtomicOutput.commit([history] + files)
    } catch {
      throw SimulationError.unwritableOutput(path: error.path, reason: error.reason)
    }
    return summary
  }
}
