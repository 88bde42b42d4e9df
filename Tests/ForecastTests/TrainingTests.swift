import Foundation
import LSTM
import Tensor
import XCTest

@testable import Forecast

/// Small daily series with a weekly pattern and a little seeded noise.
func weeklyPatternSeries(
  count: Int, ids: [String] = ["a", "b"], seed: UInt64 = 3
) -> SeriesCollection {
  var rng = SeededGenerator(seed: seed)
  let series = ids.enumerated().map { i, id in
    let level = 100.0 * Double(i + 1)
    let values = (0..<count).map { t -> Double in
      let weekly = [1.0, 1.1, 1.2, 1.1, 1.3, 0.7, 0.6][t % 7]
      return (level * weekly + 5 * rng.nextStandardNormal()).rounded()
    }
    return TimeSeries(id: id, start: 19_723 * 86_400, step: 86_400, values: values)
  }
  return SeriesCollection(kind: .csv, targetName: "value", covariateNames: [], series: series)
}

let csvDefinition = SeriesDefinition(
  kind: .csv, calendar: nil, splitKey: nil, sessionGapMinutes: nil, targetName: "value",
  covariateNames: [], step: 86_400)

/// Tiny options: debug-mode tests train in well under a second (one network unless
/// `ensemble` says otherwise).
func tinyOptions(seed: UInt64 = 5, ensemble: Int = 1) -> TrainingOptions {
  TrainingOptions(
    lookback: 14, horizon: 7, hiddenSize: 8, batchSize: 16, maxEpochs: 4,
    earlyStoppingPatience: 2, learningRate: 1e-2, windowsPerEpoch: 128, validationLength: 14,
    testLength: 14, ensemble: ensemble, seed: seed)
}

final class TrainingTests: ScratchDirectoryTestCase {
  func testTraining_ignoresTestPeriodValues() throws {
    let original = weeklyPatternSeries(count: 100)
    var altered = original
    for i in altered.series.indices {
      for t in 86..<100 { altered.series[i].values[t] *= 10 }  // the test part: last 14
    }
    let a = try Trainer.train(
      original, definition: csvDefinition, options: tinyOptions(), source: "a")
    let b = try Trainer.train(
      altered, definition: csvDefinition, options: tinyOptions(), source: "b")
    XCTAssertEqual(a.model.network.parameters.values, b.model.network.parameters.values)
    XCTAssertEqual(a.model.scalers, b.model.scalers)
    XCTAssertEqual(a.model.intervalShifts, b.model.intervalShifts)  // cross-fitted, too
    XCTAssertEqual(a.epochs.map(\.validationLoss), b.epochs.map(\.validationLoss))
    // The test metrics do see the change: the test part is read only there.
    XCTAssertNotEqual(a.test?.score("lstm")?.overall.mae, b.test?.score("lstm")?.overall.mae)
  }

  /// A series of known noise: level 100, a weekly pattern, Gaussian noise of σ 8 (seeded).
  /// Whatever the small network learns, the conformal shifts (cross-fitted over the training
  /// part, level-relative, per step) bring the 80% interval near 80% on the unseen test part.
  func testCalibration_gaussianNoiseCoverageNearNominal() throws {
    var rng = SeededGenerator(seed: 11)
    let values = (0..<420).map { t -> Double in
      100 * [1.0, 1.1, 1.2, 1.1, 1.3, 0.7, 0.6][t % 7] + 8 * rng.nextStandardNormal()
    }
    let data = SeriesCollection(
      kind: .csv, targetName: "value", covariateNames: [],
      series: [TimeSeries(id: "g", start: 19_723 * 86_400, step: 86_400, values: values)])
    var options = tinyOptions()
    options.validationLength = 28
    options.testLength = 140
    options.maxEpochs = 6
    let r = try Trainer.train(data, definition: csvDefinition, options: options, source: "g")
    XCTAssertEqual(r.model.intervalShifts.count, 7 * 3)
    XCTAssertEqual(r.model.intervalShifts[1], 0)  // the median is never shifted
    let lstm = try XCTUnwrap(r.test?.score("lstm")?.overall)
    XCTAssertEqual(lstm.coverage, 0.8, accuracy: 0.06, "test coverage \(lstm.coverage)")
    // The tiny network's errors are wider than the noise (σ 8); the width follows what it
    // really errs on the test part: about 2 · 1.2816 · RMSE for Gaussian errors, and never
    // narrower than the noise's own 10%–90% band, 2 · 1.2816 · 8 ≈ 20.5.
    XCTAssertEqual(lstm.width / (2 * 1.2816 * lstm.rmse), 1, accuracy: 0.25)
    XCTAssertGreaterThan(lstm.width, 20.5)
    XCTAssertTrue(r.model.intervalShifts.contains { $0 != 0 })
  }

  func testModelFile_sameSeedAndThreadsIsBitIdentical() throws {
    let data = weeklyPatternSeries(count: 100)
    var files: [Data] = []
    for (i, seed) in [5, 5, 6].enumerated() {
      let r = try Trainer.train(
        data, definition: csvDefinition, options: tinyOptions(seed: UInt64(seed), ensemble: 2),
        source: "x")
      let path = directory + "/m\(i).safetensors"
      try ModelFile.save(r, to: path, toolkitVersion: "test")
      files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
    XCTAssertEqual(files[0], files[1])
    XCTAssertNotEqual(files[0], files[2])
  }

  /// Ensemble members and calibration networks train side by side, each on one thread: the
  /// weights and the interval shifts are the same for any thread count.
  func testTraining_weightsDoNotDependOnThreads() throws {
    let data = weeklyPatternSeries(count: 100)
    var results: [ForecastModel] = []
    var files: [Data] = []
    for threads in [1, 3] {
      var options = tinyOptions(ensemble: 2)
      options.calibrationFolds = 2
      options.threads = threads
      let r = try Trainer.train(data, definition: csvDefinition, options: options, source: "x")
      results.append(r.model)
      let path = directory + "/t\(threads).safetensors"
      try ModelFile.save(r, to: path, toolkitVersion: "test")
      files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
    XCTAssertEqual(
      results[0].networks.map(\.parameters.values), results[1].networks.map(\.parameters.values))
    XCTAssertEqual(results[0].intervalShifts, results[1].intervalShifts)
    // The file records the threads the weights depend on (1 here), so the bytes match too.
    XCTAssertEqual(files[0], files[1])
  }

  func testParallelTrainings_resultsInJobOrderWithOneReportingWorker() {
    for threads in [1, 2, 5] {
      let jobs = ParallelTrainings.map(count: 7, threads: threads) { job in
        (job.index * job.index, job.reportsProgress, job.threads)
      }
      XCTAssertEqual(jobs.map(\.0), [0, 1, 4, 9, 16, 25, 36])
      // Side by side (or with one thread in all) each job gets one thread.
      XCTAssertEqual(Set(jobs.map(\.2)), [1])
      XCTAssertTrue(jobs.contains { $0.1 })
      if threads == 1 { XCTAssertTrue(jobs.allSatisfy { $0.1 }) }
    }
    // A lone job gets every thread.
    XCTAssertEqual(ParallelTrainings.map(count: 1, threads: 4) { $0.threads }, [4])
    XCTAssertEqual(ParallelTrainings.map(count: 0, threads: 4) { $0.index }, [])
  }

  /// The ensemble's output is the per-step, per-quantile mean of its members' sorted outputs,
  /// exactly; its forecasts are those of that mean.
  func testEnsemble_outputIsTheExactAverageOfItsMembers() throws {
    let data = weeklyPatternSeries(count: 100)
    let r = try Trainer.train(
      data, definition: csvDefinition, options: tinyOptions(ensemble: 2), source: "x")
    XCTAssertEqual(r.model.networks.count, 2)
    XCTAssertEqual(r.memberBestEpochs.count, 2)
    XCTAssertNotEqual(r.model.networks[0].parameters.values, r.model.networks[1].parameters.values)
    var rng = SeededGenerator(seed: 9)
    let t = r.model.layout.sequenceLength
    let i = r.model.layout.inputSize
    let input = Tensor<Float>(
      shape: [t, 5, i], scalars: (0..<(t * 5 * i)).map { _ in Float(rng.nextStandardNormal()) })
    let q = 3
    let k = 7
    let members = r.model.networks.map { $0.predict(input).scalars }
    var expected: [Double] = []
    for start in stride(from: 0, to: 5 * k * q, by: q) {
      let a = members[0][start..<(start + q)].map(Double.init).sorted()
      let b = members[1][start..<(start + q)].map(Double.init).sorted()
      expected += (0..<q).map { (a[$0] + b[$0]) / 2 }.sorted()
    }
    let combined = ForecastModel.combinedOutput(r.model.networks, input: input, horizon: k, q: q)
    XCTAssertEqual(combined, expected)
    // One member: its own sorted output.
    let single = ForecastModel.combinedOutput([r.model.networks[1]], input: input, horizon: k, q: q)
    var own: [Double] = []
    for start in stride(from: 0, to: 5 * k * q, by: q) {
      own += members[1][start..<(start + q)].map(Double.init).sorted()
    }
    XCTAssertEqual(single, own)
    // A model of member 0 alone forecasts otherwise than the ensemble.
    var alone = r.model
    alone.networks = [r.model.networks[0]]
    XCTAssertNotEqual(
      try alone.forecast(data, source: "m").forecasts,
      try r.model.forecast(data, source: "m").forecasts)
  }

  func testEarlyStopping_restoresTheBestEpochsWeights() throws {
    var options = tinyOptions()
    options.maxEpochs = 6
    let r = try Trainer.train(
      weeklyPatternSeries(count: 100), definition: csvDefinition, options: options, source: "x")
    let best = try XCTUnwrap(r.epochs.first { $0.epoch == r.bestEpoch })
    XCTAssertEqual(best.validationLoss, r.epochs.map(\.validationLoss).min())
    // Recompute the validation loss of the returned weights.
    let layout = r.model.layout
    let data = weeklyPatternSeries(count: 100)
    let prepared = data.series.map {
      PreparedSeries($0, layout: layout, scalerEnd: options.split.bounds(count: 100).trainEnd)
    }
    let windows = options.split.windows(.validation, counts: [100, 100], layout: layout)
    var input = Tensor<Float>(zeros: [layout.sequenceLength, windows.count, layout.inputSize])
    var target: Tensor<Float>? = Tensor<Float>(zeros: [windows.count, layout.horizon])
    var levels: [Float] = []
    WindowBatcher(layout: layout, series: prepared).fill(
      (0..<windows.count).map { windows[$0] }, input: &input, targets: &target, levels: &levels)
    let loss = r.model.network.loss(
      input: input, target: try XCTUnwrap(target),
      loss: QuantileLoss<Float>(quantiles: [0.1, 0.5, 0.9]))
    XCTAssertEqual(Double(loss), best.validationLoss, accuracy: 1e-6)
  }

  func testForecast_continuesTheHistoryWithOrderedNonNegativeQuantiles() throws {
    let data = weeklyPatternSeries(count: 100)
    let r = try Trainer.train(data, definition: csvDefinition, options: tinyOptions(), source: "x")
    let (forecasts, notes) = try r.model.forecast(data, horizon: 5, source: "m")
    XCTAssertEqual(notes, [])
    XCTAssertEqual(forecasts.map(\.id), ["a", "b"])
    for f in forecasts {
      XCTAssertEqual(f.timestamps.count, 5)
      XCTAssertEqual(f.timestamps[0], 19_723 * 86_400 + 100 * 86_400)
      XCTAssertEqual(f.timestamps[4] - f.timestamps[3], 86_400)
      for q in f.forecast.quantiles {
        XCTAssertEqual(q, q.sorted())
        XCTAssertGreaterThanOrEqual(q[0], 0)
      }
      XCTAssertEqual(f.forecast.point, f.forecast.quantiles.map { $0[1] })
    }
    XCTAssertThrowsError(try r.model.forecast(data, horizon: 8, source: "m.safetensors")) {
      XCTAssertEqual(
        "\($0)",
        "m.safetensors: the model was trained for horizon 7, not 8. "
          + "Pass --horizon 7 or less, or retrain with --horizon 8.")
    }
    let text = Predictions.csv(forecasts, quantiles: r.model.quantiles)
    let lines = text.split(separator: "\n")
    XCTAssertEqual(lines.first, "series_id,timestamp,horizon_step,p10,p50,p90")
    XCTAssertEqual(lines.count, 11)
    XCTAssertTrue(lines[1].hasPrefix("a,2024-04-10,1,"))
  }

  func testTraining_historyTooShortSaysHowLong() {
    XCTAssertThrowsError(
      try Trainer.train(
        weeklyPatternSeries(count: 40), definition: csvDefinition, options: tinyOptions(),
        source: "s.csv")
    ) {
      XCTAssertEqual(
        "\($0)",
        "s.csv: the history is too short: the longest series has 40 days, training needs at "
          + "least 49 (lookback 14 + horizon 7 + validation 14 + test 14). Pass a longer "
          + "history, or a smaller --lookback or --horizon.")
    }
  }

  func testModelFile_roundTripAndRefusals() throws {
    let data = weeklyPatternSeries(count: 100)
    let r = try Trainer.train(
      data, definition: csvDefinition, options: tinyOptions(ensemble: 3), source: "x")
    let path = directory + "/m.safetensors"
    try ModelFile.save(r, to: path, toolkitVersion: "test")
    let loaded = try ModelFile.load(path: path)
    XCTAssertEqual(r.model.networks.count, 3)
    XCTAssertEqual(
      loaded.model.networks.map(\.parameters.values), r.model.networks.map(\.parameters.values))
    XCTAssertEqual(loaded.metadata["forecast.ensemble"], #"["","member1.","member2."]"#)
    // Member 0 keeps the PyTorch names; the others are prefixed.
    let names = try loadSafeTensors(path: path, as: Float.self).tensors.keys
    XCTAssertTrue(names.contains("lstm.weight_ih_l0"))
    XCTAssertTrue(names.contains("head.bias"))
    XCTAssertTrue(names.contains("member2.lstm.weight_hh_l0"))
    XCTAssertEqual(names.count, 3 * 6)
    XCTAssertEqual(loaded.model.layout, r.model.layout)
    XCTAssertEqual(
      try loaded.model.forecast(data, source: path).forecasts,
      try r.model.forecast(data, source: path).forecasts)
    XCTAssertEqual(
      loaded.metadata["forecast.features"],
      #"["target","observed","dow_sin","dow_cos","woy_sin","woy_cos","holiday","season_lag","season_lag_observed","key:a","key:b"]"#
    )
    XCTAssertThrowsError(try ModelFile.load(path: path, expectedKind: .weeklyEngagement)) {
      XCTAssertEqual(
        "\($0)",
        "\(path): the model forecasts csv series, not weekly-engagement. Pass the series as "
          + "--csv FILE (the model was trained on series from a CSV), or train a model for "
          + "weekly-engagement.")
    }
    // Another format version.
    var meta = try ModelFile.metadata(r, toolkitVersion: "test")
    // A format-2 file: one network under the PyTorch names, no ensemble.
    meta["forecast.format_version"] = "2"
    meta["forecast.ensemble"] = nil
    let v2 = directory + "/v2.safetensors"
    try r.model.network.save(to: v2, metadata: meta)
    XCTAssertThrowsError(try ModelFile.load(path: v2)) {
      XCTAssertEqual(
        "\($0)",
        "\(v2): model format version 2, but this toolkit reads version 3. Retrain the model "
          + "with this toolkit (forecast train).")
    }
    // Features that do not match the tensors.
    meta = try ModelFile.metadata(r, toolkitVersion: "test")
    var layout = r.model.layout
    layout.keys = ["a"]
    meta["forecast.layout"] = String(decoding: try JSONEncoder().encode(layout), as: UTF8.self)
    meta["forecast.features"] = String(
      decoding: try JSONEncoder().encode(layout.names), as: UTF8.self)
    let bad = directory + "/bad.safetensors"
    try ModelFile.write(r.model.networks, metadata: meta, to: bad)
    XCTAssertThrowsError(try ModelFile.load(path: bad)) {
      XCTAssertEqual(
        "\($0)",
        "\(bad): lstm.weight_ih_l0 takes I = 11 inputs, but the model lists 10 features. The "
          + "tensors do not fit the metadata; the file is damaged or was edited: retrain the "
          + "model.")
    }
    // A model of another kind of series.
    let weekly = SeriesCollection(
      kind: .weeklyEngagement, targetName: "listening_hours", covariateNames: [],
      series: data.series)
    XCTAssertThrowsError(try loaded.model.forecast(weekly, source: path)) {
      XCTAssertEqual(
        "\($0)",
        "\(path): the model forecasts csv series, but the history gives weekly-engagement. "
          + "Pass the series as --csv FILE (the model was trained on series from a CSV), or use "
          + "a model trained on weekly-engagement.")
    }
    XCTAssertEqual(try leftovers(), ["bad.safetensors", "m.safetensors", "v2.safetensors"])
  }
}

final class ShortSeriesTests: ScratchDirectoryTestCase {
  func testTraining_leavesShortSeriesOutAndForecastsThemByTheirOwnScale() throws {
    var data = weeklyPatternSeries(count: 100, ids: ["a", "b", "c"])
    data.series[2] = data.series[2].prefix(30)  // shorter than T + K + validation + test = 49
    let r = try Trainer.train(data, definition: csvDefinition, options: tinyOptions(), source: "x")
    XCTAssertEqual(r.seriesUsed, ["a", "b"])
    XCTAssertEqual(
      r.notes, ["1 of 3 series have fewer than 49 points and were left out of training"])
    XCTAssertEqual(r.model.layout.keys, ["a", "b"])
    let path = directory + "/m.safetensors"
    try ModelFile.save(r, to: path, toolkitVersion: "test")
    let loaded = try ModelFile.load(path: path).model
    // With one-hot keys, a series the model has not seen is left out and named beside the
    // others, and refused alone, with the known ones.
    let (forecasts, notes) = try loaded.forecast(data, source: path)
    XCTAssertEqual(forecasts.map(\.id), ["a", "b"])
    XCTAssertEqual(
      notes,
      [
        "1 series was not in the training data and was not forecast ('c'): the model has a key "
          + "per series and knows a, b; retrain including them"
      ])
    var unseen = data
    unseen.series = [data.series[2]]
    XCTAssertThrowsError(try loaded.forecast(unseen, source: path)) {
      XCTAssertEqual(
        "\($0)",
        "\(path): the model has never seen series 'c'; it knows a, b. Forecast those series, or "
          + "retrain including it.")
    }
  }

  func testForecast_leavesOutSeriesShorterThanTheLookbackAndNamesThem() throws {
    let data = weeklyPatternSeries(count: 100, ids: ["a", "b", "c"])
    let r = try Trainer.train(data, definition: csvDefinition, options: tinyOptions(), source: "x")
    var history = data
    history.series[1] = history.series[1].prefix(9)  // lookback 14
    let (forecasts, notes) = try r.model.forecast(history, source: "m")
    XCTAssertEqual(forecasts.map(\.id), ["a", "c"])
    XCTAssertEqual(
      notes,
      [
        "1 of 3 series have fewer points than the lookback of 14 and were not forecast: "
          + "'b' (9 points)"
      ])
    // One series, or all of them, too short: an error that says how long they must be.
    var lone = history
    lone.series = [history.series[1]]
    XCTAssertThrowsError(try r.model.forecast(lone, source: "m")) {
      XCTAssertEqual(
        "\($0)",
        "series 'b' has 9 points, fewer than the model's lookback of 14. Pass a history with at "
          + "least 14 points per series.")
    }
  }

  func testGlobalModel_scalesAnUnseenSeriesByItsOwnHistory() throws {
    // 34 series, 33 trained on: more than FeatureLayout.maxOneHotKeys, so no keys.
    let ids = (0..<34).map { "s\($0 < 10 ? "0" : "")\($0)" }
    var data = weeklyPatternSeries(count: 60, ids: ids)
    data.series[33] = data.series[33].prefix(30)
    let r = try Trainer.train(data, definition: csvDefinition, options: tinyOptions(), source: "x")
    XCTAssertEqual(r.model.layout.keys, [])
    XCTAssertEqual(r.seriesUsed.count, 33)
    let (forecasts, notes) = try r.model.forecast(data, source: "m")
    XCTAssertEqual(forecasts.count, 34)
    XCTAssertEqual(
      notes, ["1 series was not in the training data and is scaled by its own history ('s33')"])
  }
}
