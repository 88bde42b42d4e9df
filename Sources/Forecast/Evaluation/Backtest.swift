/// Rolling-origin backtest: the LSTM retrained per fold beside the baselines.
///
/// The last `testLength` points of each series are cut into `folds` consecutive blocks. Fold f
/// trains on everything before its block (its own training and validation split, scalers
/// refitted on that fold's training part only) and forecasts from every origin in its block
/// whose K targets exist. So each test origin is forecast once, by a model that never saw it.
public enum Backtest {
  /// Runs the backtest.
  /// - Parameters:
  ///   - collection: the series.
  ///   - definition: how they were built.
  ///   - options: the training options of every fold (`testLength` is the backtest period).
  ///   - folds: how many origins blocks (≥ 1).
  ///   - source: the history's name for messages.
  ///   - callbacks: progress.
  /// - Returns: the report over all folds, and notes.
  /// - Throws: `ForecastError` for bad options or a history too short.
  public static func run(
    _ collection: SeriesCollection, definition: SeriesDefinition, options: TrainingOptions,
    folds: Int, source: String, callbacks: TrainingCallbacks = .init()
  ) throws -> (report: EvaluationReport, notes: [String]) {
    try Trainer.validate(options)
    // The first origin of the test period needs its K targets inside it; a shorter test
    // period has no origin at all, and would report every score as n/a.
    guard options.testLength >= options.horizon else {
      throw ForecastError.invalidOption(
        name: "test", value: "\(options.testLength)",
        expected:
          "at least the horizon \(options.horizon) (a backtest origin needs its "
          + "\(options.horizon) targets inside the test period); pass --test "
          + "\(options.horizon) or more, or a shorter --horizon")
    }
    guard folds >= 1, options.testLength >= folds else {
      throw ForecastError.invalidOption(
        name: "folds", value: "\(folds)", expected: "between 1 and the test length")
    }
    let eligible = collection.series.filter { $0.count >= options.minimumLength }
    guard !eligible.isEmpty else {
      throw ForecastError.noSeriesLongEnough(
        source: source, collection: collection, options: options)
    }
    var notes: [String] = []
    if eligible.count < collection.series.count {
      notes.append(
        "\(collection.series.count - eligible.count) of \(collection.series.count) series have "
          + "fewer than \(options.minimumLength) points and were left out")
    }
    var scorer = Scorer(options: options, seasonalPeriod: collection.seasonalPeriod)
    let block = options.testLength / folds
    for fold in 0..<folds {
      callbacks.fold?(fold + 1, folds)
      // Points before this fold's block, per series.
      let cut = eligible.map { $0.count - options.testLength + fold * block }
      var foldOptions = options
      foldOptions.testLength = 0
      let truncated = SeriesCollection(
        kind: collection.kind, targetName: collection.targetName,
        covariateNames: collection.covariateNames,
        series: zip(eligible, cut).map { $0.prefix($1) })
      let result = try Trainer.train(
        truncated, definition: definition, options: foldOptions, source: source,
        callbacks: callbacks)
      let model = result.model
      // The full series, prepared with this fold's scalers.
      let prepared = eligible.map { s -> PreparedSeries in
        let known = model.scalers[s.id].map { ($0.target, $0.covariates) }
        return PreparedSeries(s, layout: model.layout, scalerEnd: 0, scalers: known)
      }
      var windows = WindowList()
      for (i, s) in eligible.enumerated() {
        let first = cut[i] - 1
        let end = fold == folds - 1 ? s.count - options.horizon : first + block
        windows.append(series: i, origins: first..<max(first, min(end, s.count - options.horizon)))
      }
      let trainEnds = cut.map { $0 - options.validationLength }
      scorer.add(
        model: model, batcher: WindowBatcher(layout: model.layout, series: prepared),
        series: eligible, windows: windows, trainEnds: trainEnds)
    }
    return (scorer.report(folds: folds), notes)
  }
}
