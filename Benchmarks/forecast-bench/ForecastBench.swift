import Forecast
import Foundation

/// `forecast-bench forecast`: series from the bundled sample history (events/s), then training
/// the default daily-sessions model (seconds per epoch, windows/s) and forecasting. Checks first
/// that the series have the sample's 730 days and that two trainings give the same weights, on
/// one thread and on every core.
enum ForecastBench {
  static func run() throws {
    let path = "notebooks-data/history.avro"
    guard FileManager.default.fileExists(atPath: path) else {
      throw ForecastError.invalidOption(
        name: "history", value: path, expected: "the bundled sample; run from the repository root")
    }
    // Series (checked: two years of complete days, one series).
    var began = Date()
    let collection = try EventSeriesBuilder.read(
      path: path, options: EventSeriesOptions(kind: .dailySessions))
    let seriesSeconds = Date().timeIntervalSince(began)
    precondition(
      collection.series.count == 1 && collection.series[0].count == 730,
      "ForecastBench: expected 1 series of 730 days, got \(collection.series.map(\.count))")
    let sessions = collection.series[0].values.reduce(0, +)
    let definition = SeriesDefinition(
      kind: .dailySessions, calendar: .utc, splitKey: nil, sessionGapMinutes: 30,
      targetName: collection.targetName, covariateNames: [], step: collection.step)
    var options = TrainingOptions.defaults(step: collection.step)
    options.maxEpochs = 8
    options.earlyStoppingPatience = 100
    // Check: the same seed twice, the same weights.
    let check = try Trainer.train(
      collection, definition: definition, options: options, source: path)
    began = Date()
    let result = try Trainer.train(
      collection, definition: definition, options: options, source: path)
    let trainSeconds = Date().timeIntervalSince(began)
    precondition(
      check.model.network.parameters.values == result.model.network.parameters.values,
      "ForecastBench: two trainings with one seed differ")
    // The same training with every core: members and calibration networks side by side, the
    // same weights (checked).
    var parallelOptions = options
    parallelOptions.threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    began = Date()
    let parallel = try Trainer.train(
      collection, definition: definition, options: parallelOptions, source: path)
    let parallelSeconds = Date().timeIntervalSince(began)
    precondition(
      parallel.model.networks.map(\.parameters.values)
        == result.model.networks.map(\.parameters.values),
      "ForecastBench: training on \(parallelOptions.threads) threads changed the weights")
    let epochSeconds = result.epochs.map(\.seconds).sorted()
    let median = epochSeconds[epochSeconds.count / 2]
    began = Date()
    let (forecasts, _) = try result.model.forecast(collection, source: "bench")
    let predictSeconds = Date().timeIntervalSince(began)
    precondition(forecasts.count == 1 && forecasts[0].timestamps.count == options.horizon)
    let perEpoch = result.epochs.first?.windows ?? 0
    let windows = Double(perEpoch)
    print(
      "{\"suite\":\"forecast\",\"case\":\"daily-sessions series\",\"sessions\":\(Int(sessions)),"
        + "\"seconds\":\(seriesSeconds)}")
    print(
      "{\"suite\":\"forecast\",\"case\":\"train daily-sessions (defaults, 8 epochs)\","
        + "\"seconds_per_epoch_median\":\(median),\"windows_per_second\":\(windows / median),"
        + "\"train_seconds\":\(trainSeconds),\"threads\":\(parallelOptions.threads),"
        + "\"train_seconds_all_threads\":\(parallelSeconds),"
        + "\"calibration_folds\":\(options.calibrationFolds),"
        + "\"lookback\":\(options.lookback),"
        + "\"horizon\":\(options.horizon),\"hidden\":\(options.hiddenSize),"
        + "\"batch\":\(options.batchSize),\"windows_per_epoch\":\(perEpoch),"
        + "\"predict_seconds\":\(predictSeconds)}")
  }
}
