import ArgumentParser
import Events
import Foundation
import Plumbing
import Simulation

// Declared here, for the first subcommand that needs them; other subcommands share them.
extension EventSchema: ExpressibleByArgument {}
extension AvroCodec: ExpressibleByArgument {}

extension ForecastCommand {
  /// `forecast simulate`: a synthetic listening history as an Avro file, plus the ground truth
  /// of the injected anomalies beside it.
  struct Simulate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Simulate a listening history (Avro) with personalities, calendars and anomalies.",
      discussion: """
        Writes FILE and, beside it, FILE's name with .anomalies.csv: the ids of the injected \
        anomalous free-tier accounts and honest extremes (user_id,kind,detail). The same arguments give the same \
        bytes on any machine and thread count.

        With only --out, this is the default simulation: two years (730 days from 2024-01-01) \
        of 2000 listeners at the start (the base grows to a few thousand), seed 42, about 16 \
        million events in a file of roughly half a gigabyte (deflate). On a 2-core machine it \
        takes well under a minute in a release build; --users scales time and size linearly.
        """)

    @Option(
      parsing: .unconditional,
      help: "Listeners active on the start date (more arrive as the base grows).")
    var users: Int = 2000

    @Option(
      parsing: .unconditional,
      help: "Days to simulate, from the start date 00:00 UTC (730: two years).")
    var days: Int = 730

    @Option(help: "First day, YYYY-MM-DD (UTC).")
    var start: String = "2024-01-01"

    @Option(parsing: .unconditional, help: "Seed of every random choice.")
    var seed: UInt64 = 42

    @Option(help: "The Avro file to write (replaced atomically).")
    var out: String

    @Option(help: "Block codec of the Avro file.")
    var codec: AvroCodec = .deflate

    @Option(
      help: ArgumentHelp(
        "A song catalogue CSV in the Kaggle 'Spotify top songs' layout.",
        discussion: "Default: a synthetic catalogue drawn from the seed.", valueName: "csv"))
    var catalog: String?

    @Option(
      help: ArgumentHelp(
        "Also write the catalogue used, as CSV in the Kaggle layout --catalog reads.",
        valueName: "csv"))
    var writeCatalog: String?

    @Option(help: "toolkit (every field) or milestone1 (the seed project's exact schema).")
    var schema: EventSchema = .toolkit

    @Flag(help: "Let listeners travel: events carry the location and timezone of the trip.")
    var travel = false

    @Flag(help: "Inject no anomalous accounts (nor honest extremes).")
    var noAnomalies = false

    @Option(
      help: """
        Fraction of the initial free-tier listeners made anomalous (bots, evasive bots, loop \
        bots, accounts shared across or within continents; 0…0.5), with as many honest \
        extremes (sleep listeners, super-fans) of each kind.
        """)
    var anomalyRate: Double = 0.12

    @Option(
      parsing: .unconditional,
      help: "Sessions per listener per ordinary day, for a listener of mean activity.")
    var sessionsPerDay: Double = 1.1

    @Option(parsing: .unconditional, help: "Songs per session, on average (geometric).")
    var songsPerSession: Double = 8

    @Option(
      parsing: .unconditional,
      help: "Worker threads (0: one per core). The output does not depend on it.")
    var threads: Int = 0

    func validate() throws {
      guard CivilDate(parsing: start) != nil else {
        throw ValidationError(
          "--start \(Quoted(start)) is not a date. Please write it as YYYY-MM-DD.")
      }
      guard users >= 1 else { throw ValidationError("Please pass --users 1 or more.") }
      guard days >= 1 else { throw ValidationError("Please pass --days 1 or more.") }
    }

    func run() throws {
      try checkOutputs(
        [
          ("--out", out),
          ("the ground truth beside --out", Simulator.groundTruthPath(forOutput: out)),
          ("--write-catalog", writeCatalog),
        ], reading: [("the --catalog file", catalog)])
      let startDate = CivilDate(parsing: start) ?? CivilDate(year: 1970, month: 1, day: 1)
      let configuration = SimulationConfiguration(
        users: users, days: days, start: startDate, seed: seed, travel: travel,
        anomalies: !noAnomalies, anomalyRate: anomalyRate, meanSessionsPerDay: sessionsPerDay,
        meanSongsPerSession: songsPerSession, threads: threads)
      try configuration.validate()
      if let available = MemoryPolicy.availableBytes(),
        configuration.estimatedPeakBytes > Double(available)
      {
        throw SimulationError.notEnoughMemory(
          accounts: configuration.expectedAccounts, neededBytes: configuration.estimatedPeakBytes,
          availableBytes: Double(available))
      }
      let songs: Catalog
      var metadata: [String: String] = [:]
      if let catalog {
        songs = try Catalog(contentsOfCSV: catalog)
        metadata["forecast.catalog"] = URL(fileURLWithPath: catalog).lastPathComponent
      } else {
        songs = .synthetic(seed: seed, latestYear: startDate.year)
        metadata["forecast.catalog"] = "synthetic"
      }
      let simulator = try Simulator(configuration: configuration, catalog: songs)
      var bar = ProgressBar()
      let summary = try simulator.write(
        to: out, schema: schema, codec: codec, metadata: metadata, catalogPath: writeCatalog,
        progress: bar.isEnabled ? { bar.update($0) } : nil)
      bar.finish()
      let truth = Simulator.groundTruthPath(forOutput: out)
      print(
        "\(out): \(summary.events) events, \(summary.users) users (\(summary.churned) churned); "
          + "\(simulator.anomalies.count) injected anomalies in \(truth)")
    }
  }
}

/// A one-line progress bar with events/s and an ETA, on standard error when it is a terminal;
/// silent otherwise.
private struct ProgressBar {
  let isEnabled = isatty(2) != 0
  private let started = Date()
  private var lastDraw = Date.distantPast

  mutating func update(_ p: SimulationProgress) {
    let now = Date()
    guard now.timeIntervalSince(lastDraw) >= 0.2 || p.hoursDone == p.hoursTotal else { return }
    lastDraw = now
    let elapsed = max(1e-3, now.timeIntervalSince(started))
    let fraction = Double(p.hoursDone) / Double(max(1, p.hoursTotal))
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let rate = Double(p.events) / elapsed
    let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
    let line = String(
      format: "\r[%@] %3.0f%%  %@ events  %@ events/s  ETA %@ ", bar, fraction * 100,
      Self.compact(Double(p.events)), Self.compact(rate), Self.clock(eta))
    FileHandle.standardError.write(Data(line.utf8))
  }

  func finish() {
    if isEnabled { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  static func compact(_ x: Double) -> String {
    x >= 1e6
      ? String(format: "%.1fM", x / 1e6)
      : x >= 1e3 ? String(format: "%.0fk", x / 1e3) : String(Int(x))
  }

  static func clock(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    return s >= 3600
      ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
      : String(format: "%d:%02d", s / 60, s % 60)
  }
}
