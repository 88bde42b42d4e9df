import ArgumentParser
import Forecast

extension ForecastCommand {
  /// `forecast evaluate`: a rolling-origin backtest of the LSTM beside the baselines.
  struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Backtest the LSTM (retrained per fold) against naive, seasonal-naive and drift.",
      discussion: """
        With --model, score a saved model instead: every point after its training range whose \
        whole horizon lies in the history is an origin, forecast with data up to it only.
        """)

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions

    @Option(help: "Take the series definition and hyper-parameters from this model file.")
    var modelFile: String?

    @Option(
      parsing: .unconditional,
      help: "Backtest folds: the test period is split into this many blocks.")
    var folds: Int = 3

    @Flag(help: "Print the metrics as JSON.")
    var json = false

    @Flag(help: "No progress output.")
    var quiet = false

    @Option(
      name: .customLong("model"),
      help: "Score this saved model on the points after its training range (no retraining).")
    var savedModel: String?

    @Option(
      help: """
        With --model: write every origin's forecast beside the actual \
        (series_id,origin,timestamp,horizon_step,p10,p50,p90,actual).
        """)
    var out: String?

    func validate() throws {
      if savedModel != nil && modelFile != nil {
        throw ValidationError(
          "Please pass --model (score a saved model) or --model-file, not both.")
      }
      if out != nil && savedModel == nil {
        throw ValidationError("--out writes the forecasts of a saved model: pass --model too.")
      }
      if savedModel != nil {
        // A saved model is scored as it was trained: its horizon, lookback and weights.
        let m = model
        let given: [(String, Bool)] = [
          ("--lookback", m.lookback != nil), ("--horizon", m.horizon != nil),
          ("--quantiles", m.quantiles != nil), ("--hidden-size", m.hiddenSize != nil),
          ("--layers", m.layers != nil), ("--dropout", m.dropout != nil),
          ("--batch-size", m.batchSize != nil), ("--epochs", m.epochs != nil),
          ("--patience", m.patience != nil), ("--learning-rate", m.learningRate != nil),
          ("--windows-per-epoch", m.windowsPerEpoch != nil),
          ("--validation", m.validation != nil), ("--test", m.test != nil),
          ("--restarts", m.restarts != nil), ("--ensemble", m.ensemble != nil),
          ("--calibration-folds", m.calibrationFolds != nil),
        ]
        let ignored = given.filter(\.1).map(\.0)
        if !ignored.isEmpty {
          throw ValidationError(
            "\(ignored.joined(separator: ", ")) \(ignored.count == 1 ? "does" : "do") not apply "
              + "to evaluate --model, which scores the saved model as it was trained (its "
              + "horizon, lookback and weights). Drop \(ignored.count == 1 ? "it" : "them"), or "
              + "run evaluate without --model to backtest a model trained with them.")
        }
      }
    }

    func run() throws {
      try data.requireInput()
      if let savedModel { return try score(savedModel) }
      var source = data.source
      var base: TrainingOptions?
      if let modelFile {
        let loaded = try ModelFile.load(path: modelFile, expectedKind: data.series)
        source = try SeriesSource.matching(
          loaded.model.definition, history: data.history, csv: data.csv, model: modelFile,
          splitKey: data.by, calendar: data.calendar, sessionGapMinutes: data.sessionGap,
          salvage: data.salvage, mapping: data.mapping
        ).bounded(by: data)
        base = loaded.model.options
      }
      let (collection, definition) = try source.load()
      for note in collection.notes { printError("note: \(note)") }
      let options = model.options(step: collection.step, base: base)
      let display = ProgressDisplay(quiet: quiet || json)
      let (report, notes) = try Backtest.run(
        collection, definition: definition, options: options, folds: folds, source: source.name,
        callbacks: display.callbacks)
      for note in notes { printError("note: \(note)") }
      print(json ? TrainingSummary.json(report) : TrainingSummary.text(report, options: options))
    }
  }
}
