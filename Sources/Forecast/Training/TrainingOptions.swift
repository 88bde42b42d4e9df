/// Everything that decides how a model is trained. `defaults(for:step:)` gives values that work
/// without tuning on simulated and on real daily and weekly series.
public struct TrainingOptions: Sendable, Equatable, Codable {
  /// T, lookback steps.
  public var lookback: Int
  /// K, horizon steps.
  public var horizon: Int
  /// Quantile levels, ascending, in (0, 1); the first and last bound the reported interval.
  public var quantiles: [Double]
  /// H, LSTM hidden units.
  public var hiddenSize: Int
  /// N, stacked LSTM layers.
  public var layerCount: Int
  /// Dropout between LSTM layers (only with N > 1).
  public var dropout: Double
  /// B, windows per training step.
  public var batchSize: Int
  /// Upper bound on epochs; early stopping usually ends sooner.
  public var maxEpochs: Int
  /// Epochs without a better validation loss before training stops (best weights restored).
  public var earlyStoppingPatience: Int
  /// Adam's initial learning rate.
  public var learningRate: Double
  /// Largest global gradient norm.
  public var clipNorm: Double
  /// Reduce-on-plateau: epochs without improvement before the rate is multiplied by
  /// `plateauFactor`.
  public var plateauPatience: Int
  /// Reduce-on-plateau factor.
  public var plateauFactor: Double
  /// Windows drawn per epoch: passes over the shuffled training windows, the last one cut.
  public var windowsPerEpoch: Int
  /// Points per series in the validation part.
  public var validationLength: Int
  /// Points per series in the test part.
  public var testLength: Int
  /// Decay of the exponential moving average of the weights per step (0: no averaging); the
  /// averaged weights are validated and kept.
  public var weightAveraging: Double
  /// Independent trainings from seeds `seed`, `seed + 1`, …; the one with the best validation
  /// loss is kept (small histories make single runs seed-sensitive).
  public var restarts: Int
  /// Networks in the deep ensemble, from seeds derived from `seed` (`Trainer.memberSeed`),
  /// trained on the same split; forecasts average their quantiles per step and level.
  public var ensemble: Int
  /// Blocks of the training part for the cross-fitted interval calibration (one extra
  /// network each, `Trainer.calibrate`); 0 calibrates on the validation windows only.
  public var calibrationFolds: Int
  /// Seed of the initialisation, the shuffles and dropout.
  public var seed: UInt64
  /// Threads: ensemble members and calibration networks train side by side, one per thread,
  /// so with two or more members the model file does not depend on it; a lone network uses
  /// them all (then the same seed and thread count give the same model bit for bit).
  public var threads: Int

  /// Options with every field given.
  public init(
    lookback: Int, horizon: Int, quantiles: [Double] = [0.1, 0.5, 0.9], hiddenSize: Int = 64,
    layerCount: Int = 1, dropout: Double = 0, batchSize: Int = 64, maxEpochs: Int = 60,
    earlyStoppingPatience: Int = 8, learningRate: Double = 3e-3, clipNorm: Double = 1,
    plateauPatience: Int = 3, plateauFactor: Double = 0.5, windowsPerEpoch: Int = 4096,
    validationLength: Int, testLength: Int, weightAveraging: Double = 0.99, restarts: Int = 1,
    ensemble: Int = 3, calibrationFolds: Int = 4, seed: UInt64 = 42, threads: Int = 1
  ) {
    self.ensemble = ensemble
    self.calibrationFolds = calibrationFolds
    self.restarts = restarts
    self.weightAveraging = weightAveraging
    self.lookback = lookback
    self.horizon = horizon
    self.quantiles = quantiles
    self.hiddenSize = hiddenSize
    self.layerCount = layerCount
    self.dropout = dropout
    self.batchSize = batchSize
    self.maxEpochs = maxEpochs
    self.earlyStoppingPatience = earlyStoppingPatience
    self.learningRate = learningRate
    self.clipNorm = clipNorm
    self.plateauPatience = plateauPatience
    self.plateauFactor = plateauFactor
    self.windowsPerEpoch = windowsPerEpoch
    self.validationLength = validationLength
    self.testLength = testLength
    self.seed = seed
    self.threads = threads
  }

  /// Defaults by spacing, lookback T = 2K: daily T 28, K 14, H 32, validation and test 8
  /// weeks; weekly T 8, K 4, H 32, validation and test 13 weeks; hourly T 48, K 24,
  /// 7 days; otherwise T 12, K 6, 12 points. An explicit `horizon` K sets T = 2K unless given
  /// and stretches validation and test to at least K.
  public static func defaults(step: Int64, horizon: Int? = nil) -> TrainingOptions {
    var o: TrainingOptions
    switch SeriesSpacing(seconds: step) {
    case .daily:
      o = TrainingOptions(
        lookback: 28, horizon: 14, hiddenSize: 32, validationLength: 56, testLength: 56)
    case .weekly:
      o = TrainingOptions(
        lookback: 8, horizon: 4, hiddenSize: 32, batchSize: 16, validationLength: 13,
        testLength: 13)
    case .hourly:
      o = TrainingOptions(lookback: 48, horizon: 24, validationLength: 168, testLength: 168)
    case .other:
      o = TrainingOptions(lookback: 12, horizon: 6, validationLength: 12, testLength: 12)
    }
    if let horizon {
      o.horizon = horizon
      o.lookback = 2 * horizon
      o.validationLength = max(o.validationLength, horizon)
      o.testLength = max(o.testLength, horizon)
    }
    return o
  }

  /// The threads each network of the ensemble trains with, which its weights depend on: 1 when
  /// two or more members train side by side (`ParallelTrainings`), else `threads`.
  public var networkThreads: Int { ensemble > 1 ? 1 : threads }

  /// A series needs this many points to give one training window: T + K + validation + test.
  public var minimumLength: Int { lookback + horizon + validationLength + testLength }

  /// The time split.
  public var split: TimeSplit {
    TimeSplit(validationLength: validationLength, testLength: testLength)
  }
}
