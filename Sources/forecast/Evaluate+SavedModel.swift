import Events
import Forecast

extension ForecastCommand.Evaluate {
  /// `forecast evaluate --model M HISTORY`: the saved model scored on the points after its
  /// training range, beside the baselines (declaration only; Forecast computes it).
  func score(_ path: String) throws {
    try checkOutputs([("--out", out)], reading: [("the --model file", path)] + data.inputs)
    let loaded = try ModelFile.load(path: path, expectedKind: data.series)
    let source = try SeriesSource.matching(
      loaded.model.definition, history: data.history, csv: data.csv, model: path,
      splitKey: data.by, calendar: data.calendar, sessionGapMinutes: data.sessionGap,
      salvage: data.salvage
    ).bounded(by: data)
    let (collection, _) = try source.load()
    for note in collection.notes { printError("note: \(note)") }
    let ranges = try TrainingRange.ranges(metadata: loaded.metadata, path: path)
    let evaluation = try loaded.model.evaluateSinceTraining(
      collection, ranges: ranges, history: source.name, model: path)
    for note in evaluation.notes { printError("note: \(note)") }
    if let out { try OutputFile.write(evaluation.csv, to: out) }
    let report = evaluation.report
    if json {
      print(TrainingSummary.json(report))
    } else {
      let end = ranges.values.map(\.end).max().map { Timestamp.format($0) } ?? "?"
      print(
        [
          "\(path) scored on \(source.name) after its training range (ends \(end)): "
            + "\(report.origins) origins, \(report.seriesCount) series, horizon "
            + "\(loaded.model.options.horizon), seasonal period \(report.seasonalPeriod)",
          report.table, "", "MASE per horizon step:", report.perStepTable, "", report.verdict,
        ].joined(separator: "\n"))
    }
    if let out {
      json ? printError("forecasts written to \(out)") : print("forecasts written to \(out)")
    }
  }
}
