import Foundation
import LSTM
import Tensor

/// Conformal interval calibration (Sources/Forecast/README.md, "Intervals"): the held-out
/// windows, their scores relative to the series' level, and the shifts per step and quantile.
extension Trainer {
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
}
