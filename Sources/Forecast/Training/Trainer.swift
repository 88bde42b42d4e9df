import Foundation
import LSTM
import Tensor

/// One finished epoch.
public struct EpochReport: Sendable, Equatable {
  /// 1-based.
  public var epoch: Int
  /// The most epochs this run may take.
  public var maxEpochs: Int
  /// Mean pinball loss over the epoch's training batches (scaled units).
  public var trainingLoss: Double
  /// Mean pinball loss over the validation windows (scaled units).
  public var validationLoss: Double
  /// The learning rate used in this epoch.
  public var learningRate: Double
  /// Wall-clock seconds of this epoch.
  public var seconds: Double
  /// Training windows of this epoch (whole batches).
  public var windows: Int
  /// True when the validation loss is the best so far (these weights are kept).
  public var improved: Bool
}

/// Callbacks for a progress display; both run on the training thread.
public struct TrainingCallbacks {
  /// After every batch: epoch, batch (1-based), batches in the epoch, running mean loss.
  public var batch: ((Int, Int, Int, Double) -> Void)?
  /// After every epoch.
  public var epoch: ((EpochReport) -> Void)?
  /// Before a backtest fold trains: fold (1-based) and folds.
  public var fold: ((Int, Int) -> Void)?
  /// Before an ensemble member trains: member (1-based) and members.
  public var member: ((Int, Int) -> Void)?
  /// Before the cross-fitted calibration networks train: how many.
  public var calibration: ((Int) -> Void)?

  /// Callbacks; nil ones are skipped.
  public init(
    batch: ((Int, Int, Int, Double) -> Void)? = nil, epoch: ((EpochReport) -> Void)? = nil,
    fold: ((Int, Int) -> Void)? = nil, member: ((Int, Int) -> Void)? = nil,
    calibration: ((Int) -> Void)? = nil
  ) {
    self.calibration = calibration
    self.batch = batch
    self.epoch = epoch
    self.fold = fold
    self.member = member
  }
}

/// A trained model with its history and its test-period evaluation.
public struct TrainingResult {
  /// The model (best validation weights).
  public var model: ForecastModel
  /// Every epoch.
  public var epochs: [EpochReport]
  /// The epoch whose weights were kept.
  public var bestEpoch: Int
  /// Every ensemble member's epochs (member 0's are `epochs`).
  public var memberEpochs: [[EpochReport]]
  /// Every ensemble member's kept epoch (member 0's is `bestEpoch`).
  public var memberBestEpochs: [Int]
  /// The LSTM and the baselines over the test part (origins whose targets are all in it).
  public var test: EvaluationReport?
  /// What the user should know (skipped series, …).
  public var notes: [String]
  /// Series used for training.
  public var seriesUsed: [String]
  /// First and last timestamps of the training part per series, and of the test part.
  public var ranges: [String: [String: String]]
}

/// Trains the LSTM on windows drawn on the fly, with Adam, clipping, reduce-on-plateau and
/// early stopping on the validation pinball loss.
public enum Trainer {
  /// Checks options a user controls.
  static func validate(_ o: TrainingOptions) throws {
    func bad(_ name: String, _ value: Any, _ expected: String) -> ForecastError {
      .invalidOption(name: name, value: "\(value)", expected: expected)
    }
    if o.lookback < 1 { throw bad("lookback", o.lookback, "at least 1") }
    if o.horizon < 1 { throw bad("horizon", o.horizon, "at least 1") }
    if o.quantiles.isEmpty || o.quantiles.contains(where: { !($0 > 0 && $0 < 1) })
      || o.quantiles != o.quantiles.sorted() || Set(o.quantiles).count != o.quantiles.count
    {
      throw bad(
        "quantiles", o.quantiles.map { "\($0)" }.joined(separator: ","),
        "distinct ascending levels in (0, 1), e.g. 0.1,0.5,0.9")
    }
    if !(1...4096).contains(o.hiddenSize) {
      throw bad("hidden-size", o.hiddenSize, "between 1 and 4096")
    }
    if !(1...16).contains(o.layerCount) { throw bad("layers", o.layerCount, "between 1 and 16") }
    if !(o.dropout >= 0 && o.dropout < 1) { throw bad("dropout", o.dropout, "a value in [0, 1)") }
    if o.batchSize < 1 { throw bad("batch-size", o.batchSize, "at least 1") }
    if o.maxEpochs < 1 { throw bad("epochs", o.maxEpochs, "at least 1") }
    if !(o.learningRate > 0 && o.learningRate <= 1) {
      throw bad("learning-rate", o.learningRate, "a number in (0, 1], e.g. 0.003")
    }
    if o.earlyStoppingPatience < 1 {
      throw bad("patience", o.earlyStoppingPatience, "at least 1")
    }
    if o.validationLength < o.horizon {
      throw bad("validation", o.validationLength, "at least the horizon (\(o.horizon))")
    }
    if o.testLength < 0 { throw bad("test", o.testLength, "0 or more") }
    if o.threads < 1 { throw bad("threads", o.threads, "at least 1") }
    if !(1...64).contains(o.restarts) { throw bad("restarts", o.restarts, "between 1 and 64") }
    if !(1...64).contains(o.ensemble) { throw bad("ensemble", o.ensemble, "between 1 and 64") }
    if !(0...64).contains(o.calibrationFolds) {
      throw bad("calibration-folds", o.calibrationFolds, "between 0 and 64")
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
      throw ForecastError.historyTooShort(
        source: source, longest: collection.series.map(\.count).max() ?? 0,
        required: options.minimumLength, lookback: options.lookback, horizon: options.horizon,
        validation: options.validationLength, test: options.testLength,
        unit: unitName(collection.step))
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

  /// Windows in batches of up to 256 with their targets, and each window's
  /// `calibrationScale`.
  static func calibrationBatches(_ list: WindowList, batcher: WindowBatcher) -> (
    batches: [(input: Tensor<Float>, target: Tensor<Float>, count: Int)], scales: [Double]
  ) {
    let layout = batcher.layout
    var levels: [Float] = []
    var result: [(input: Tensor<Float>, target: Tensor<Float>, count: Int)] = []
    var scales: [Double] = []
    var start = 0
    while start < list.count {
      let n = min(256, list.count - start)
      var input = Tensor<Float>(zeros: [layout.sequenceLength, n, layout.inputSize])
      var target: Tensor<Float>? = Tensor<Float>(zeros: [n, layout.horizon])
      let refs = (start..<(start + n)).map { list[$0] }
      batcher.fill(refs, input: &input, targets: &target, levels: &levels)
      for (ref, level) in zip(refs, levels) {
        scales.append(
          calibrationScale(scaler: batcher.series[ref.series].scaler, level: Double(level)))
      }
      if let target { result.append((input, target, n)) }
      start += n
    }
    return (result, scales)
  }

  /// The conformal interval shifts of `network` (`calibrateIntervals`), from out-of-sample
  /// scores spread over the whole training and validation history:
  ///
  /// - the network's own scores on the validation windows;
  /// - cross-fitted scores on the training part: its targets with a full season behind them
  ///   (all of it when that leaves too little) are cut by time into
  ///   `options.calibrationFolds` blocks per series; for each block a network is trained
  ///   (same options, the epochs the main run kept) on the training windows whose targets lie
  ///   outside the block, and scored on the windows whose targets lie inside it.
  ///
  /// So the calibration set holds every season of the history (a December, the holidays), each
  /// forecast by a model that never trained on it, while the test part is never read. The
  /// cross-fitted networks see less data than the final one, which errs on the side of wider
  /// intervals.
  ///
  /// With an ensemble, every set is scored by an ensemble: each cross-fitted block trains one
  /// network per member (the member's seed, its kept epochs), combined as `ForecastModel` does.
  static func calibrate(
    _ networks: [LSTMForecaster<Float>], bestEpochs: [Int], prepared: [PreparedSeries],
    layout: FeatureLayout, options: TrainingOptions, callbacks: TrainingCallbacks = .init()
  ) -> [Double] {
    let split = options.split
    let counts = prepared.map(\.count)
    let batcher = WindowBatcher(layout: layout, series: prepared)
    let validation = calibrationBatches(
      split.windows(.validation, counts: counts, layout: layout)
        .evenlySpaced(atMost: maxCalibrationWindows), batcher: batcher)
    var sets = [(networks, validation.batches.map { ($0.input, $0.target) }, validation.scales)]
    let folds = options.calibrationFolds
    let k = layout.horizon
    let t = layout.lookback
    var blocks: [(fold: Int, train: WindowList, held: WindowList)] = []
    for fold in 0..<folds {
      var train = WindowList()
      var held = WindowList()
      for (i, n) in counts.enumerated() {
        let trainEnd = split.bounds(count: n).trainEnd
        // Target indices first…trainEnd−1 cut into `folds` blocks [a, b). Forecast windows
        // have a full season behind them (season_lag observed); the blocks keep to the part of
        // the history where that holds too, when it has room for two horizons per block.
        let seasonal = max(t, layout.seasonalLag)
        let first = trainEnd - seasonal >= 2 * k * folds ? seasonal : t
        let span = trainEnd - first
        let a = first + span * fold / folds
        let b = first + span * (fold + 1) / folds
        // Held-out origins: every target inside [a, b); training: no target inside it.
        held.append(series: i, origins: max(t - 1, a - 1)..<max(max(t - 1, a - 1), b - k))
        train.append(series: i, origins: (t - 1)..<max(t - 1, a - k))
        train.append(series: i, origins: max(t - 1, b - 1)..<max(max(t - 1, b - 1), trainEnd - k))
      }
      if held.count > 0, train.count > 0 { blocks.append((fold, train, held)) }
    }
    // One network per block and member, all independent: side by side.
    let members = bestEpochs.count
    if !blocks.isEmpty { callbacks.calibration?(blocks.count * members) }
    let foldNetworks = ParallelTrainings.map(
      count: blocks.count * members, threads: options.threads
    ) { job in
      let (block, member) = job.index.quotientAndRemainder(dividingBy: members)
      var o = options
      o.maxEpochs = max(1, bestEpochs[member])
      o.seed = memberSeed(options.seed, member: member) &+ 1000 &+ UInt64(blocks[block].fold)
      o.threads = job.threads
      return fitNetwork(
        prepared: prepared, layout: layout, options: o, callbacks: .init(),
        trainingWindows: blocks[block].train
      ).network
    }
    for (b, block) in blocks.enumerated() {
      let scored = calibrationBatches(
        block.held.evenlySpaced(atMost: maxCalibrationWindows), batcher: batcher)
      sets.append(
        (
          Array(foldNetworks[(b * members)..<((b + 1) * members)]),
          scored.batches.map { ($0.input, $0.target) }, scored.scales
        ))
    }
    return calibrateIntervals(sets, quantiles: options.quantiles, horizon: k)
  }

  /// The unit of a window's conformity scores, in the network's (scaled) units: the series'
  /// level at the origin in its own units, but never below one scale unit,
  ///
  ///     d = max(|center / scale + ℓ|, 1)       // = max(|level|, scale) / scale
  ///
  /// Errors of counts grow with their level (a December peak, a big country), so scores
  /// divided by the level transfer across seasons and across series; a series near 0 or with
  /// a level small beside its spread falls back to its robust scale (additive errors).
  static func calibrationScale(scaler: SeriesScaler, level: Double) -> Double {
    max(abs(scaler.mean / scaler.scale + level), 1)
  }

  /// Interval calibration (split-conformal quantile regression, as in conformalized quantile
  /// regression, Romano et al. 2019, per quantile and per horizon step) on held-out windows,
  /// each set scored by its own network: for quantile level τ (but the median) and step k, the
  /// score of a held-out window is
  /// `(y_k − q_τ,k) / d` with `d` its `calibrationScale`; the shift c_τ,k is the conformal
  /// τ-quantile of those scores (`conformalShifts`), so `q_τ,k + c_τ,k · d` has a fraction τ of
  /// held-out targets below it. Step k pools the scores of steps k ± w with the smallest w that
  /// gives at least `minimumScores` of them (all steps when there are fewer), so a short
  /// validation part still gives stable tails. Returns `[K·Q]`, step major; 0 without held-out
  /// windows.
  static func calibrateIntervals(
    _ sets: [([LSTMForecaster<Float>], [(Tensor<Float>, Tensor<Float>)], [Double])],
    quantiles: [Double], horizon: Int, minimumScores: Int = 200
  ) -> [Double] {
    let q = quantiles.count
    // scores[k][j]
    var scores = [[[Double]]](repeating: [[Double]](repeating: [], count: q), count: horizon)
    for (networks, batches, scales) in sets {
      var window = 0
      for (input, target) in batches {
        let output = ForecastModel.combinedOutput(networks, input: input, horizon: horizon, q: q)
        let y = target.scalars
        for row in 0..<(y.count / horizon) {
          let d = scales[window]
          window += 1
          for step in 0..<horizon {
            let values = output[((row * horizon + step) * q)..<((row * horizon + step + 1) * q)]
            for j in 0..<q {
              scores[step][j].append(
                (Double(y[row * horizon + step]) - values[values.startIndex + j]) / d)
            }
          }
        }
      }
    }
    var shifts: [Double] = []
    shifts.reserveCapacity(horizon * q)
    for step in 0..<horizon {
      var w = 0
      func pooled(_ w: Int) -> [[Double]] {
        (0..<q).map { j in
          (max(0, step - w)...min(horizon - 1, step + w)).flatMap { scores[$0][j] }
        }
      }
      var pool = pooled(0)
      while (pool.first?.count ?? 0) < minimumScores, w < horizon - 1 {
        w += 1
        pool = pooled(w)
      }
      shifts += conformalShifts(residuals: pool, quantiles: quantiles)
    }
    return shifts
  }

  /// Per quantile level τ (but the median's, 0), the conformal τ-quantile of its n scores
  /// `y − q_τ`, with the finite-sample correction that makes the shifted quantile valid on
  /// exchangeable data: the ⌈(n+1)τ⌉-th smallest for τ > 0.5 (at most the largest), the
  /// ⌊(n+1)τ⌋-th smallest for τ < 0.5 (at least the smallest); 0 without scores.
  static func conformalShifts(residuals: [[Double]], quantiles: [Double]) -> [Double] {
    let median = quantiles.indices.min { abs(quantiles[$0] - 0.5) < abs(quantiles[$1] - 0.5) } ?? 0
    return quantiles.indices.map { j -> Double in
      guard j != median, !residuals[j].isEmpty else { return 0 }
      let sorted = residuals[j].sorted()
      let position = Double(sorted.count + 1) * quantiles[j]
      let rank = Int(quantiles[j] > 0.5 ? position.rounded(.up) : position.rounded(.down))
      return sorted[min(sorted.count, max(1, rank)) - 1]
    }
  }

  static func unitName(_ step: Int64) -> String {
    switch step {
    case 86_400: return "day"
    case 604_800: return "week"
    case 3_600: return "hour"
    default: return "point"
    }
  }
}

/// Accumulates the LSTM's and the baselines' forecasts against what happened.
struct Scorer {
  let options: TrainingOptions
  let seasonalPeriod: Int
  private var accumulators: [String: MetricsAccumulator] = [:]
  private var origins = 0
  private var seriesSeen: Set<String> = []
  static let models = ["lstm", "naive", "seasonal_naive", "drift"]

  init(options: TrainingOptions, seasonalPeriod: Int) {
    self.options = options
    self.seasonalPeriod = seasonalPeriod
    for m in Scorer.models {
      accumulators[m] = MetricsAccumulator(horizon: options.horizon, quantiles: options.quantiles)
    }
  }

  /// Scores the windows (origins with K targets inside each series) of `series`, whose prepared
  /// form is in `batcher` at the same indices; `trainEnds` fix each series' MASE scale.
  mutating func add(
    model: ForecastModel, batcher: WindowBatcher, series: [TimeSeries], windows: WindowList,
    trainEnds: [Int]
  ) {
    let refs = (0..<windows.count).map { windows[$0] }
    let forecasts = model.forecast(windows: refs, batcher: batcher)
    var contexts: [Int: BaselineContext] = [:]
    var scales: [Int: Double] = [:]
    let k = options.horizon
    for (ref, f) in zip(refs, forecasts) {
      let s = series[ref.series]
      let actual = Array(s.values[(ref.origin + 1)...(ref.origin + k)])
      let scale =
        scales[ref.series]
        ?? maseScale(
          training: Array(s.values[0..<trainEnds[ref.series]]), seasonalPeriod: seasonalPeriod)
      scales[ref.series] = scale
      accumulators["lstm"]?.add(actual: actual, forecast: f, scale: scale)
      if contexts[ref.series] == nil {
        contexts[ref.series] = BaselineContext(values: s.values, seasonalPeriod: seasonalPeriod)
      }
      guard let context = contexts[ref.series] else { continue }
      for baseline in BaselineModel.allCases {
        let b = context.forecast(
          baseline, origin: ref.origin, horizon: k, quantiles: options.quantiles,
          nonNegative: model.nonNegative)
        accumulators[baseline.rawValue]?.add(actual: actual, forecast: b, scale: scale)
      }
      origins += 1
      seriesSeen.insert(s.id)
    }
  }

  func report(folds: Int) -> EvaluationReport {
    let scores = Scorer.models.compactMap { name in
      accumulators[name].map { ModelScore(model: name, overall: $0.overall, perStep: $0.perStep) }
    }
    let level = (options.quantiles.last ?? 1) - (options.quantiles.first ?? 0)
    return EvaluationReport(
      scores: scores, intervalLevel: level, origins: origins, folds: folds,
      seriesCount: seriesSeen.count, seasonalPeriod: seasonalPeriod)
  }
}
