import ArgumentParser
import Events
import Foundation
import Wrapped

extension ForecastCommand {
  /// `forecast wrapped HISTORY --out DIR`: the Wrapped analyses (declaration only; the
  /// `Wrapped` module computes them).
  struct WrappedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "wrapped",
      abstract: "Top songs/artists/genres by place, each listener's year, artist geography.",
      discussion: """
        Writes DIR/top_songs.csv, top_artists.csv, top_genres.csv, users.csv, artists.csv, \
        artist_cities.csv and summary.json (and personality_eval.json when the history \
        records personalities), in one pass over the history. A stream is an event of at \
        least 30 s; places are where each event happened. DIR is replaced whole at the end.
        """)

    @Argument(help: "The Avro history: a file, or a directory of .avro files.")
    var history: String

    @Option(help: "The output directory (created, or replaced if it holds an earlier output).")
    var out: String

    @Option(help: "First day counted (YYYY-MM-DD, UTC, inclusive); default: the whole history.")
    var from: String?

    @Option(help: "First day not counted (YYYY-MM-DD, UTC, exclusive).")
    var to: String?

    @Option(parsing: .unconditional, help: "Items in each top list (1…100000).")
    var top: Int = 10

    @Flag(help: "Write the outputs whose fields the history has, skipping the others.")
    var skipMissing = false

    @Flag(help: "Keep the intact blocks around damage in a damaged file; report what was dropped.")
    var salvage = false

    @Flag(help: "Also print summary.json to standard output.")
    var json = false

    @OptionGroup var eventTimes: EventTimeOptions

    @OptionGroup var fieldMap: FieldMapOptions

    func validate() throws {
      guard (1...100_000).contains(top) else {
        throw ValidationError("Please pass --top between 1 and 100000 (got \(top)).")
      }
      let (f, t) = try period()
      if let f, let t, f >= t {
        throw ValidationError(
          "Please pass --from before --to: the period [\(from ?? ""), \(to ?? "")) is empty.")
      }
    }

    func period() throws -> (Int64?, Int64?) {
      func day(_ text: String?, _ flag: String) throws -> Int64? {
        guard let text else { return nil }
        guard let date = CivilDate(parsing: text), date.isValid,
          (1970...2200).contains(date.year)
        else {
          throw ValidationError(
            "Please pass \(flag) as a date YYYY-MM-DD in 1970…2200 (got "
              + "\"\(text.prefix(40))\").")
        }
        return Int64(date.daysSinceEpoch) * 86_400_000
      }
      return (try day(from, "--from"), try day(to, "--to"))
    }

    func run() throws {
      let (f, t) = try period()
      try WrappedOutput.checkDirectory(out, replaceable: WrappedTables.knownNames)
      try checkOutputDirectory(out)
      try checkDistinct([("--out", out)], reading: [("the history", history)])
      var job = WrappedJob(history: history)
      job.period = WrappedPeriod(from: f, to: t)
      job.top = top
      job.skipMissing = skipMissing
      job.salvage = salvage
      job.mapping = fieldMap.mapping
      job.timeWindow = eventTimes.window
      job.outOfRange = eventTimes.policy
      var bar = ReadProgress()
      let result = try job.run(progress: bar.isEnabled ? { bar.update($0, $1, $2, $3) } : nil)
      bar.finish()
      try WrappedOutput.writeDirectory(
        result.tables.files, to: out, replaceable: WrappedTables.knownNames)
      for note in result.notes { printError("note: \(note)") }
      let totals = result.report.totals
      printError(
        "\(out): \(totals.eventsCounted) events, \(totals.streams) streams, \(totals.users) "
          + "users; \(result.tables.files.map(\.name).joined(separator: ", "))")
      if let e = result.evaluation {
        printError(
          "personality (inferred vs recorded, \(e.listeners) listeners): exact "
            + "\(format(100 * e.exactAccuracy, 1)) %; "
            + e.traits.map { "\($0.name) \(format(100 * $0.accuracy, 1)) %" }.joined(
              separator: ", "))
      }
      if json, let summary = result.tables.files.first(where: { $0.name == "summary.json" }) {
        print(summary.text, terminator: "")
      }
    }
  }
}

/// A one-line progress bar over the bytes of the history's files, on standard error when it
/// is a terminal; silent otherwise.
struct ReadProgress {
  let isEnabled = isatty(2) != 0
  private let started = Date()
  private var lastDraw = Date.distantPast

  mutating func update(_ file: Int, _ files: Int, _ bytes: Int, _ total: Int) {
    let now = Date()
    guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
    lastDraw = now
    let fraction = (Double(file) + Double(bytes) / Double(max(1, total))) / Double(max(1, files))
    let width = 30
    let filled = max(0, min(width, Int(fraction * Double(width))))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let elapsed = now.timeIntervalSince(started)
    let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
    FileHandle.standardError.write(
      Data(
        String(
          format: "\r[%@] %3.0f%%  file %d/%d  ETA %.0fs ", bar, fraction * 100, file + 1,
          files, eta
        ).utf8))
  }

  func finish() {
    if isEnabled { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
  }
}
