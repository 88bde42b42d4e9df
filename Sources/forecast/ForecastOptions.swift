import ArgumentParser
import Events
import Forecast
import Foundation
import Plumbing

extension SeriesKind: ExpressibleByArgument {}
extension SeriesCalendar: ExpressibleByArgument {}
extension SeriesSplitKey: ExpressibleByArgument {}

/// Where the series come from: an Avro history or `--csv`.
struct DataOptions: ParsableArguments {
  @Argument(help: "The Avro event history (or pass --csv instead).")
  var history: String?

  @Option(help: "A long-format series CSV: series_id,timestamp,value[,covariates...].")
  var csv: String?

  @Option(help: "The series of an Avro history: daily-sessions or weekly-engagement.")
  var series: SeriesKind?

  @Option(help: "One series per continent, country, subscription or genre.")
  var by: SeriesSplitKey?

  @Option(help: "Assign events to days and weeks in utc or in each event's local timezone.")
  var calendar: SeriesCalendar?

  @Option(parsing: .unconditional, help: "Largest gap inside a session, in minutes.")
  var sessionGap: Int?

  @Flag(help: "Keep the intact blocks around damage in the history, and report what was dropped.")
  var salvage = false

  @OptionGroup var eventTimes: EventTimeOptions

  @OptionGroup var fieldMap: FieldMapOptions

  /// The `--map` items, parsed.
  var mapping: EventFieldMapping { fieldMap.mapping }

  /// The files read, for `checkOutputs`.
  var inputs: [(String, String?)] { [("the history", history), ("the --csv file", csv)] }

  /// Checks that exactly one input is given. Called by `run()`, not `validate()`: the argument
  /// parser validates before it reports an unknown option, and `train --frobnicate` must say
  /// that the option is unknown, not that the history is missing.
  func requireInput() throws {
    if (history == nil) == (csv == nil) {
      throw ValidationError("Please pass either an Avro HISTORY or --csv FILE (exactly one).")
    }
  }

  func validate() throws {
    if series == .csv { throw ValidationError("Please use --csv FILE for CSV series.") }
    if csv != nil
      && (series != nil || by != nil || calendar != nil || sessionGap != nil || salvage
        || !fieldMap.map.isEmpty || eventTimes.timeRange != nil || eventTimes.outOfRange != nil)
    {
      throw ValidationError(
        "Please leave out --series, --by, --calendar, --session-gap, --salvage, --map, "
          + "--time-range and --out-of-range with --csv: they concern series from events.")
    }
    if let sessionGap, !(0...EventSeriesOptions.sessionGapLimit).contains(sessionGap) {
      throw ValidationError(
        "Please pass a --session-gap between 0 and 10080 minutes (one week); the default is 30.")
    }
  }

  /// The source with the defaults of docs/series.md for what is not given.
  var source: SeriesSource {
    SeriesSource(
      history: history, csv: csv, kind: series ?? .dailySessions, calendar: calendar ?? .utc,
      splitKey: by, sessionGapMinutes: sessionGap ?? 30, salvage: salvage, mapping: mapping
    ).bounded(by: self)
  }
}

extension OutOfRangeEvents: ExpressibleByArgument {}

/// `--time-range` and `--out-of-range`: which event times are plausible, and what becomes of an
/// event outside them (every command that reads events).
struct EventTimeOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "Plausible event times: FROM..TO, dates, TO excluded (default 1970-01-01..2200-01-01).",
      valueName: "from..to"))
  var timeRange: String?

  @Option(
    help: ArgumentHelp(
      "An event outside --time-range, or with a null (or a type the toolkit cannot read) in a "
        + "field every event needs: refuse the file (default) or skip the event (noted)."))
  var outOfRange: OutOfRangeEvents?

  func validate() throws {
    if let timeRange, EventTimeWindow(parsing: timeRange) == nil {
      throw ValidationError(
        "--time-range \(Quoted(timeRange)): expected FROM..TO, two dates YYYY-MM-DD with FROM "
          + "before TO, between 1900-01-01 and 3000-01-01. Please pass e.g. "
          + "--time-range 2015-01-01..2030-01-01.")
    }
  }

  /// The window given, or the standard one.
  var window: EventTimeWindow {
    timeRange.flatMap { EventTimeWindow(parsing: $0) } ?? .standard
  }

  /// The policy given, or refuse.
  var policy: OutOfRangeEvents { outOfRange ?? .refuse }
}

extension SeriesSource {
  /// The source with the event-time window and policy of `data` (`--time-range`,
  /// `--out-of-range`).
  func bounded(by data: DataOptions) -> SeriesSource {
    var s = self
    s.events.timeWindow = data.eventTimes.window
    s.events.outOfRange = data.eventTimes.policy
    return s
  }
}

/// `--map`: how a foreign schema's fields stand for the toolkit's event fields.
struct FieldMapOptions: ParsableArguments {
  @Option(
    name: .customLong("map"),
    help: ArgumentHelp(
      "Read a field of the Avro file as a toolkit event field (repeatable): "
        + "TOOLKIT_FIELD=FILE_FIELD, or listening_time.end_time=START+DURATION.",
      valueName: "field=field"))
  var map: [String] = []

  func validate() throws {
    do {
      _ = try EventFieldMapping(parsing: map)
    } catch {
      throw ValidationError(error.description)
    }
  }

  /// The items, parsed (checked by `validate()`).
  var mapping: EventFieldMapping { (try? EventFieldMapping(parsing: map)) ?? EventFieldMapping() }
}

/// Hyper-parameters; every one defaults by the series' spacing (TrainingOptions.defaults).
struct ModelOptions: ParsableArguments {
  @Option(parsing: .unconditional, help: "Lookback T, in steps (default: twice the horizon).")
  var lookback: Int?

  @Option(parsing: .unconditional, help: "Horizon K, in steps (default: 14 daily, 4 weekly).")
  var horizon: Int?

  @Option(help: "Quantile levels, comma-separated (default 0.1,0.5,0.9).")
  var quantiles: String?

  @Option(parsing: .unconditional, help: "LSTM hidden units H (default 32).")
  var hiddenSize: Int?

  @Option(parsing: .unconditional, help: "Stacked LSTM layers N (default 1).")
  var layers: Int?

  @Option(parsing: .unconditional, help: "Dropout between LSTM layers (default 0).")
  var dropout: Double?

  @Option(parsing: .unconditional, help: "Windows per training step (default 64 daily, 16 weekly).")
  var batchSize: Int?

  @Option(
    parsing: .unconditional, help: "Most epochs; early stopping usually ends sooner (default 60).")
  var epochs: Int?

  @Option(
    parsing: .unconditional,
    help: "Epochs without validation improvement before stopping (default 8).")
  var patience: Int?

  @Option(parsing: .unconditional, help: "Adam's initial learning rate (default 0.003).")
  var learningRate: Double?

  @Option(parsing: .unconditional, help: "Windows drawn per epoch (default 4096).")
  var windowsPerEpoch: Int?

  @Option(
    parsing: .unconditional, help: "Validation points per series (default 56 daily, 13 weekly).")
  var validation: Int?

  @Option(parsing: .unconditional, help: "Test points per series (default 56 daily, 13 weekly).")
  var test: Int?

  @Option(
    parsing: .unconditional,
    help: "Trainings from successive seeds; the best on validation is kept (default 1).")
  var restarts: Int?

  @Option(
    parsing: .unconditional,
    help: """
      Networks in the deep ensemble (seeds derived from --seed); forecasts average their \
      quantiles (default 3).
      """)
  var ensemble: Int?

  @Option(
    parsing: .unconditional,
    help: """
      Blocks of the training part for the cross-fitted interval calibration, one extra \
      network each (default 4; 0: calibrate on the validation part only).
      """)
  var calibrationFolds: Int?

  @Option(parsing: .unconditional, help: "Seed of initialisation, shuffles and dropout.")
  var seed: UInt64 = 42

  @Option(
    parsing: .unconditional,
    help: """
      Threads (0: one per core). Ensemble members and calibration networks train side by \
      side, one per thread, so the model does not depend on it; a lone network \
      (--ensemble 1) uses them itself.
      """)
  var threads: Int = 0

  func validate() throws {
    if !(0...1_024).contains(threads) {
      throw ValidationError(
        ForecastError.invalidOption(
          name: "threads", value: "\(threads)", expected: "between 0 (one per core) and 1024"
        ).description)
    }
    let given: [(String, Int?)] = [
      ("horizon", horizon), ("lookback", lookback), ("hidden-size", hiddenSize),
      ("layers", layers), ("batch-size", batchSize), ("epochs", epochs), ("patience", patience),
      ("windows-per-epoch", windowsPerEpoch), ("validation", validation), ("test", test),
      ("restarts", restarts), ("ensemble", ensemble), ("calibration-folds", calibrationFolds),
    ]
    for (flag, value) in given {
      if let value, let p = TrainingOptions.problem(flag: flag, value: value) {
        throw ValidationError(
          ForecastError.invalidOption(name: flag, value: "\(value)", expected: p.expected)
            .description)
      }
    }
    if let dropout, !(dropout >= 0 && dropout < 1) {
      throw ValidationError(
        ForecastError.invalidOption(
          name: "dropout", value: "\(dropout)", expected: "a value in [0, 1)"
        )
        .description)
    }
    if let learningRate, !(learningRate > 0 && learningRate <= 1) {
      throw ValidationError(
        ForecastError.invalidOption(
          name: "learning-rate", value: "\(learningRate)",
          expected: "a number in (0, 1], e.g. 0.003"
        ).description)
    }
    if let quantiles,
      parsedQuantiles(quantiles)?.allSatisfy({ $0 > 0 && $0 < 1 }) != true
    {
      throw ValidationError(
        "--quantiles \(Quoted(quantiles)): expected numbers in (0, 1), e.g. 0.1,0.5,0.9. "
          + "Please pass such a list.")
    }
  }

  private func parsedQuantiles(_ text: String) -> [Double]? {
    let values = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil }) else { return nil }
    return values.compactMap { $0 }
  }

  /// The defaults for `step`, overridden by the flags given.
  func options(step: Int64, base: TrainingOptions? = nil) -> TrainingOptions {
    var o = base ?? TrainingOptions.defaults(step: step, horizon: horizon)
    if let horizon { o.horizon = horizon }
    if let lookback { o.lookback = lookback }
    if let quantiles, let q = parsedQuantiles(quantiles) { o.quantiles = q }
    if let hiddenSize { o.hiddenSize = hiddenSize }
    if let layers { o.layerCount = layers }
    if let dropout { o.dropout = dropout }
    if let batchSize { o.batchSize = batchSize }
    if let epochs { o.maxEpochs = epochs }
    if let patience { o.earlyStoppingPatience = patience }
    if let learningRate { o.learningRate = learningRate }
    if let windowsPerEpoch { o.windowsPerEpoch = windowsPerEpoch }
    if let validation { o.validationLength = validation }
    if let test { o.testLength = test }
    if let restarts { o.restarts = restarts }
    if let ensemble { o.ensemble = ensemble }
    if let calibrationFolds { o.calibrationFolds = calibrationFolds }
    o.seed = seed
    o.threads = threads > 0 ? threads : max(1, ProcessInfo.processInfo.activeProcessorCount)
    return o
  }
}

/// Checks, before any reading, training or simulating, that every output given can be written
/// (not empty, not a directory, nor a device, in an existing writable directory, with a name
/// the file system takes), so a bad `--out` fails at once rather than after minutes of work;
/// then that no output is another output or a file the command reads (`checkDistinct`).
///
/// - Parameters:
///   - outputs: each output's flag and path (nil: not given).
///   - inputs: each file or directory the command reads, as a phrase ("the history", "the
///     --csv file") and its path.
/// - Throws: `OutputFileError` with the real reason; `ValidationError` (exit 64) when two of
///   the paths are one file.
func checkOutputs(_ outputs: [(String, String?)], reading inputs: [(String, String?)] = [])
  throws
{
  for case (_, let path?) in outputs {
    do {
      try AtomicOutput.checkWritable(path)
    } catch {
      if let fix = error.fix {
        throw OutputFileError.refused(path: error.path, reason: error.reason, fix: fix)
      }
      throw OutputFileError.cannotWrite(path: error.path, reason: error.reason)
    }
  }
  try checkDistinct(outputs, reading: inputs)
}

/// Checks, before any work, that an output directory's name fits the file system with the
/// temporary suffixes of its atomic write, and that a dangling link to it leads somewhere
/// (`AtomicOutput.checkDirectoryPath`).
///
/// - Throws: `OutputFileError.refused` with the reason and the fix.
func checkOutputDirectory(_ path: String) throws {
  do {
    try AtomicOutput.checkDirectoryPath(path)
  } catch {
    throw OutputFileError.refused(
      path: error.path, reason: error.reason, fix: error.fix ?? "Pass another path.")
  }
}

/// Refuses, before any work, an output that is another output or a file the command reads
/// (the same file: same device and inode, or the same resolved path), naming both and the path.
///
/// - Throws: `ValidationError` (exit 64, a command line that cannot be run as given).
func checkDistinct(_ outputs: [(String, String?)], reading inputs: [(String, String?)]) throws {
  let named = { (pairs: [(String, String?)]) in
    pairs.compactMap { name, path in path.map { NamedPath(name, $0) } }
  }
  guard let same = SameFile.first(outputs: named(outputs), inputs: named(inputs)) else { return }
  let output = "\(same.output.name) \(Quoted.clipped(same.output.path))"
  let other = same.other.name
  if !same.otherIsInput {
    throw ValidationError(
      "\(output) and \(other) \(Quoted.clipped(same.other.path)) are the same file; please "
        + "write each output to a file of its own.")
  }
  if let inside = same.inside {
    throw ValidationError(
      "\(output) is also \(Quoted.clipped(inside)) of \(other) "
        + "\(Quoted.clipped(same.other.path)), which this command reads; please write the "
        + "output elsewhere.")
  }
  throw ValidationError(
    "\(output) is also \(other) this command reads; please write the output elsewhere.")
}

/// Writes a message line to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// The training progress on standard error: a bar per epoch with the running loss and ETA on a
/// terminal, one line per epoch otherwise.
final class ProgressDisplay {
  let terminal = isatty(STDERR_FILENO) != 0
  let quiet: Bool
  private var started = Date()
  private var epochStarted = Date()
  private var epochSeconds: [Double] = []
  private var lastDraw = Date.distantPast

  init(quiet: Bool) { self.quiet = quiet }

  var callbacks: TrainingCallbacks {
    TrainingCallbacks(
      batch: { [self] epoch, batch, batches, loss in drawBatch(epoch, batch, batches, loss) },
      epoch: { [self] report in drawEpoch(report) },
      fold: { [self] fold, folds in
        if !quiet { printError("fold \(fold)/\(folds)") }
        epochSeconds = []
      },
      member: { [self] member, members in
        if !quiet { printError("ensemble member \(member)/\(members)") }
        epochSeconds = []
      },
      calibration: { [self] networks in
        if !quiet {
          printError("calibrating the intervals: \(networks) cross-fitted networks")
        }
      })
  }

  private func drawBatch(_ epoch: Int, _ batch: Int, _ batches: Int, _ loss: Double) {
    if batch == 1 { epochStarted = Date() }
    guard terminal, !quiet, Date().timeIntervalSince(lastDraw) > 0.1 || batch == batches else {
      return
    }
    lastDraw = Date()
    let width = 24
    let done = batches == 0 ? width : width * batch / batches
    let bar = String(repeating: "=", count: done) + String(repeating: " ", count: width - done)
    let elapsed = Date().timeIntervalSince(epochStarted)
    let eta = batch == 0 ? 0 : elapsed / Double(batch) * Double(batches - batch)
    FileHandle.standardError.write(
      Data(
        "\r\u{1B}[2Kepoch \(epoch) [\(bar)] \(batch)/\(batches) loss \(format(loss, 4)) ETA \(format(eta, 0))s"
          .utf8))
  }

  private func drawEpoch(_ r: EpochReport) {
    epochSeconds.append(r.seconds)
    guard !quiet else { return }
    let mean = epochSeconds.reduce(0, +) / Double(epochSeconds.count)
    let eta = mean * Double(r.maxEpochs - r.epoch)
    let line =
      "epoch \(r.epoch)/\(r.maxEpochs)  train \(format(r.trainingLoss, 4))  "
      + "val \(format(r.validationLoss, 4))  lr \(format(r.learningRate, 5))  "
      + "\(format(r.seconds, 2))s  ETA ≤\(format(eta, 0))s\(r.improved ? "  *" : "")"
    if terminal {
      FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line + "\n").utf8))
    } else {
      printError(line)
    }
  }
}

/// A number with `digits` decimals.
func format(_ v: Double, _ digits: Int) -> String {
  guard v.isFinite else { return "n/a" }
  return String(format: "%.\(digits)f", v)
}
