import Events
import Foundation
import LSTM
import Tensor

/// Trains the LSTM on windows drawn on the fly, with Adam, clipping, reduce-on-plateau and
/// early stopping on the validation pinball loss.
public enum Trainer {
  /// Checks options a user controls.
  static func validate(_ o: TrainingOptions) throws {
    if let p = o.problem {
      throw ForecastError.invalidOption(name: p.flag, value: p.value, expected: p.expected)
    }
  }

  /// Trains on `collection` and evaluates on its test part.
  ///
  /// - Parameters:
  ///   - collection: the series (one global model over all of them).
  ///   - definition: how they were built (kept in the model file).
  ///   - options: hyper-parameters, split, seed and threads.
  ///   - source: the history's name for messages.
  ///   - callbacks: progress.
  /// - Returns: the model with the best validation weights, and its test evaluation.
  /// - Throws: `ForecastError` for bad options or a history too short.
  public static func train(
    _ collection: SeriesCollection, definition: SeriesDefinition, options: TrainingOptions,
    source: String, callbacks: TrainingCallbacks = .init()
  ) throws -> TrainingResult {
    try validate(options)
    let split = options.split
    let eligible = collection.series.filter { $0.count >= options.minimumLength }
    // The one-hot keys are those of the series trained on (each has its scalers).
    var trained = collection
    trained.series = eligible
    let layout = FeatureLayout(
      lookback: options.lookback, horizon: options.horizon, collection: trained,
      keysAreCountries: definition.splitKey == .country)
    guard !eligible.isEmpty else {
      throw ForecastError.noSeriesLongEnough(
        source: source, collection: collection, options: options)
    }
    var notes: [String] = []
    let skipped = collection.series.count - eligible.count
    if skipped > 0 {
      notes.append(
        "\(skipped) of \(collection.series.count) series have fewer than "
          + "\(options.minimumLength) points and were left out of training")
    }
    let prepared = eligible.map {
      PreparedSeries($0, layout: layout, scalerEnd: split.bounds(count: $0.count).trainEnd)
    }
    let nonNegative = eligible.allSatisfy { s in
      s.values[0..<split.bounds(count: s.count).trainEnd].allSatisfy { $0 >= 0 }
    }
    // The ensemble: `options.ensemble` networks from seeds derived from `options.seed`
    // (member 0's is the seed itself), each with its own restarts, all on the same split.
    // Members train side by side (`ParallelTrainings`): the model does not depend on threads.
    let members = ParallelTrainings.map(count: options.ensemble, threads: options.threads) { job in
      let member = job.index
      let progress = job.reportsProgress ? callbacks : TrainingCallbacks()
      if options.ensemble > 1 { progress.member?(member + 1, options.ensemble) }
      var memberOptions = options
      memberOptions.seed = Trainer.memberSeed(options.seed, member: member)
      memberOptions.threads = job.threads
      var fit = fitNetwork(
        prepared: prepared, layout: layout, options: memberOptions, callbacks: progress)
      for restart in 1..<max(1, options.restarts) {
        var o = memberOptions
        o.seed = memberOptions.seed &+ UInt64(restart)
        let other = fitNetwork(prepared: prepared, layout: layout, options: o, callbacks: progress)
        func best(_ f: (epochs: [EpochReport], bestEpoch: Int)) -> Double {
          f.epochs.first { $0.epoch == f.bestEpoch }?.validationLoss ?? .infinity
        }
        if best((other.epochs, other.bestEpoch)) < best((fit.epochs, fit.bestEpoch)) { fit = other }
      }
      return fit
    }
    // A member whose best validation loss is not finite learned nothing worth saving.
    let diverged = members.contains { m in
      !(m.epochs.first { $0.epoch == m.bestEpoch }?.validationLoss.isFinite ?? false)
    }
    if diverged {
      throw ForecastError.trainingDiverged(source: source, learningRate: options.learningRate)
    }
    let fit = members[0]
    var scalers: [String: SeriesScalers] = [:]
    for p in prepared {
      scalers[p.id] = SeriesScalers(target: p.scaler, covariates: p.covariateScalers)
    }
    let shifts = calibrate(
      members.map(\.network), bestEpochs: members.map(\.bestEpoch), prepared: prepared,
      layout: layout, options: options, callbacks: callbacks)
    let model = ForecastModel(
      networks: members.map(\.network), definition: definition, layout: layout,
      options: options, scalers: scalers, nonNegative: nonNegative, intervalShifts: shifts)
    var test: EvaluationReport?
    if options.testLength >= options.horizon {
      var scorer = Scorer(options: options, seasonalPeriod: collection.seasonalPeriod)
      let batcher = WindowBatcher(layout: layout, series: prepared)
      scorer.add(
        model: model, batcher: batcher, series: eligible,
        windows: split.windows(.test, counts: eligible.map(\.count), layout: layout),
        trainEnds: eligible.map { split.bounds(count: $0.count).trainEnd })
      test = scorer.report(folds: 1)
    }
    var ranges: [String: [String: String]] = [:]
    for s in eligible {
      let (trainEnd, validationEnd) = split.bounds(count: s.count)
      ranges[s.id] = [
        "start": Timestamp.format(s.start),
        "train_end": Timestamp.format(s.timestamp(at: trainEnd - 1)),
        "validation_end": Timestamp.format(s.timestamp(at: validationEnd - 1)),
        "end": Timestamp.format(s.timestamp(at: s.count - 1)),
      ]
    }
    return TrainingResult(
      model: model, epochs: fit.epochs, bestEpoch: fit.bestEpoch,
      memberEpochs: members.map(\.epochs), memberBestEpochs: members.map(\.bestEpoch),
      test: test, notes: notes,
      seriesUsed: eligible.map(\.id), ranges: ranges)
  }

  /// The seed of ensemble member `member`: the seed itself for member 0, then steps of the
  /// golden-ratio constant (far from the `seed + restart` and `seed + 1000 + fold` seeds).
  public static func memberSeed(_ seed: UInt64, member: Int) -> UInt64 {
    seed &+ UInt64(member) &* 0x9E37_79B9_7F4A_7C15
  }

  /// Validation windows scored after every epoch, at most (evenly spaced over the series and
  /// the validation part): a thousand daily series have 40,000 validation windows, and scoring
  /// them all would cost 20 times the epoch's training.
  static let maxValidationWindows = 4096

  /// Held-out windows per calibration set, at most (evenly spaced, like validation).
  static let maxCalibrationWindows = 16384

  /// Passes over the training windows an epoch may hold.
  static let maxPassesPerEpoch = 4

  /// The training loop proper.
  static func fitNetwork(
    prepared: [PreparedSeries], layout: FeatureLayout, options: TrainingOptions,
    callbacks: TrainingCallbacks, trainingWindows: WindowList? = nil
  ) -> (network: LSTMForecaster<Float>, epochs: [EpochReport], bestEpoch: Int) {
    // Set only when it changes: jobs running side by side (all at 1) must not reconfigure
    // OpenBLAS's thread pool concurrently.
    if BLASRuntime.threads != options.threads { BLASRuntime.threads = options.threads }
    let split = options.split
    let counts = prepared.map(\.count)
    let training = trainingWindows ?? split.windows(.training, counts: counts, layout: layout)
    let validation = split.windows(.validation, counts: counts, layout: layout)
      .evenlySpaced(atMost: maxValidationWindows)
    let batcher = WindowBatcher(layout: layout, series: prepared)
    var rng = SeededGenerator(seed: options.seed)
    let q = options.quantiles.count
    var network = LSTMForecaster<Float>(
      configuration: LSTMForecasterConfiguration(
        inputSize: layout.inputSize, hiddenSize: options.hiddenSize,
        layerCount: options.layerCount, outputSize: layout.horizon * q, dropout: options.dropout),
      using: &rng)
    let loss = QuantileLoss<Float>(quantiles: options.quantiles.map(Float.init))
    var optimizer = AdamOptimizer<Float>(learningRate: options.learningRate)
    var schedule = ReduceOnPlateauSchedule(
      initial: options.learningRate, factor: options.plateauFactor,
      patience: options.plateauPatience, minimum: options.learningRate / 100)
    // Validation batches, built once (they never change), with each window's calibration
    // scale (see `calibrationScale`).
    var levels: [Float] = []
    let validationBatches = calibrationBatches(validation, batcher: batcher).batches
    func validationLoss(_ net: LSTMForecaster<Float>) -> Double {
      var total = 0.0
      var count = 0
      for b in validationBatches {
        total += Double(net.loss(input: b.input, target: b.target, loss: loss)) * Double(b.count)
        count += b.count
      }
      return count == 0 ? .nan : total / Double(count)
    }
    let b = min(options.batchSize, max(1, training.count))
    // At most `maxPassesPerEpoch` passes over the training windows per epoch (but at least 8
    // batches): on a short history (one weekly series has ~70 windows) 4096 windows would be
    // 60 passes, and the network would overfit inside the first epoch, before early stopping
    // and the learning-rate schedule can see it.
    let perEpoch = min(
      options.windowsPerEpoch, max(8 * b, maxPassesPerEpoch * training.count))
    var input = Tensor<Float>(zeros: [layout.sequenceLength, b, layout.inputSize])
    var target: Tensor<Float>? = Tensor<Float>(zeros: [b, layout.horizon])
    // Exponential moving average of the weights (Polyak averaging): validation, early stopping
    // and the saved model use the average, which is much less sensitive to the seed than the
    // last iterate on small histories.
    let decay = Float(options.weightAveraging)
    var average = network.parameters.values
    var averaged = network
    var best = network
    var bestLoss = Double.infinity
    var bestEpoch = 0
    var bad = 0
    var reports: [EpochReport] = []
    for epoch in 1...options.maxEpochs {
      let began = Date()
      let order = training.epochOrder(total: perEpoch, using: &rng)
      // The last partial batch is dropped: one shape, no reallocation.
      let batches = order.count / b
      var sum = 0.0
      for i in 0..<batches {
        let windows = order[(i * b)..<((i + 1) * b)].map { training[$0] }
        batcher.fill(windows, input: &input, targets: &target, levels: &levels)
        guard let t = target else { break }
        let value = network.trainStep(
          input: input, target: t, loss: loss, optimizer: &optimizer,
          clipNorm: Float(options.clipNorm))
        sum += Double(value)
        if decay > 0 {
          network.parameters.values.withUnsafeBufferPointer { p in
            average.withUnsafeMutableBufferPointer { a in
              for j in a.indices { a[j] = decay * a[j] + (1 - decay) * p[j] }
            }
          }
        }
        callbacks.batch?(epoch, i + 1, batches, sum / Double(i + 1))
      }
      if decay > 0 {
        averaged.parameters.values = average
      } else {
        averaged = network
      }
      let trainLoss = batches == 0 ? .nan : sum / Double(batches)
      let validLoss = validationBatches.isEmpty ? trainLoss : validationLoss(averaged)
      let rate = optimizer.learningRate
      let improved = validLoss < bestLoss * (1 - 1e-4) || bestEpoch == 0
      if improved {
        best = averaged
        bestLoss = validLoss
        bestEpoch = epoch
        bad = 0
      } else {
        bad += 1
      }
      let report = EpochReport(
        epoch: epoch, maxEpochs: options.maxEpochs, trainingLoss: trainLoss,
        validationLoss: validLoss, learningRate: rate, seconds: Date().timeIntervalSince(began),
        windows: batches * b, improved: improved)
      reports.append(report)
      callbacks.epoch?(report)
      if bad >= options.earlyStoppingPatience || !validLoss.isFinite { break }
      optimizer.learningRate = schedule.learningRate(epoch: epoch, validationLoss: validLoss)
    }
    return (best, reports, bestEpoch)
  }
}
