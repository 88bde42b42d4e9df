import ArgumentParser
import Events
import Forecast
import Plumbing
import Report

extension ForecastCommand {
  /// `forecast predict`: forecasts from the end of a history with a trained model.
  struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Forecast from the end of a history with intervals; write CSV or JSON.")

    /// Output formats.
    enum Format: String, ExpressibleByArgument, CaseIterable {
      case csv, json
    }

    @Option(help: "The model file written by forecast train.")
    var model: String

    @OptionGroup var data: DataOptions

    @Option(help: "The file to write (series_id,timestamp,horizon_step,p10,p50,p90).")
    var out: String

    @Option(
      parsing: .unconditional,
      help: "Steps to forecast; at most the model's horizon (default: the model's).")
    var horizon: Int?

    @Option(help: "csv or json.")
    var format: Format = .csv

    @Option(
      help: ArgumentHelp(
        "Forecast from a past origin: the history's points up to the one whose period holds "
          + "this date (YYYY-MM-DD; a weekly point is its whole ISO week, Monday to Sunday).",
        valueName: "date"))
    var asOf: String?

    @Option(help: ArgumentHelp("Also write the forecast chart as an SVG file.", valueName: "svg"))
    var plot: String?

    func validate() throws {
      // Bounded like train's --horizon, so no message advises retraining with a horizon
      // training would refuse.
      if let horizon, TrainingOptions.problem(flag: "horizon", value: horizon) != nil {
        throw ValidationError(
          "--horizon \(horizon): expected between 1 and the model's horizon (at most 1000). "
            + "Please pass a positive number of steps, or leave --horizon out for the model's.")
      }
      if let asOf, Timestamp.parse(asOf) == nil {
        throw ValidationError(
          "--as-of \(Quoted(asOf)) is not a date. Please write it as YYYY-MM-DD.")
      }
    }

    func run() throws {
      try data.requireInput()
      try checkOutputs(
        [("--out", out), ("--plot", plot)], reading: [("the --model file", model)] + data.inputs)
      let loaded = try ModelFile.load(path: model, expectedKind: data.series)
      let source = try SeriesSource.matching(
        loaded.model.definition, history: data.history, csv: data.csv, model: model,
        splitKey: data.by, calendar: data.calendar, sessionGapMinutes: data.sessionGap,
        salvage: data.salvage, mapping: data.mapping
      ).bounded(by: data)
      var (collection, _) = try source.load()
      for note in collection.notes { printError("note: \(note)") }
      if let asOf, let date = Timestamp.parse(asOf) {
        collection = try collection.asOf(date, text: asOf, lookback: loaded.model.options.lookback)
      }
      let (forecasts, notes) = try loaded.model.forecast(
        collection, horizon: horizon, source: model)
      for note in notes { printError("note: \(note)") }
      let q = loaded.model.quantiles
      let text =
        format == .csv
        ? Predictions.csv(forecasts, quantiles: q) : Predictions.json(forecasts, quantiles: q)
      let svg = plot.map { _ in
        ForecastCharts.plot(
          collection: collection, forecasts: forecasts, quantiles: q,
          horizon: horizon ?? loaded.model.options.horizon)
      }
      // The forecast and its chart appear together, or neither changes.
      var files = [(text: text, path: out)]
      if let plot, let svg { files.append((svg, plot)) }
      try OutputFile.write(files)
      if let plot { print("chart written to \(plot)") }
      let steps = forecasts.first?.timestamps.count ?? 0
      print("wrote \(forecasts.count) series × \(steps) steps to \(out)")
    }
  }
}
