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
      // Held at Int.max for a horizon no check has bounded yet (validation then refuses it).
      let (twice, overflow) = horizon.multipliedReportingOverflow(by: 2)
      o.lookback = overflow ? .max : twice
      o.validationLength = max(o.validationLength, horizon)
      o.testLength = max(o.testLength, horizon)
    }
    return o
  }

  /// The threads each network of the ensemble trains with, which its weights depend on: 1 when
  /// two or more members train side by side (`ParallelTrainings`), else `threads`.
  public var networkThreads: Int { ensemble > 1 ? 1 : threads }

  /// A series needs this many points to give one training window: T + K + validation + test.
  public var minimumLength: Int {
    // Checked: options not yet validated may hold any Int (held at Int.max on overflow).
    var total = 0
    for part in [lookback, horizon, validationLength, testLength] {
      let (sum, overflow) = total.addingReportingOverflow(max(0, part))
      total = overflow ? .max : sum
    }
    return total
  }

  /// The time split.
  public var split: TimeSplit {
    TimeSplit(validationLength: validationLength, testLength: testLength)
  }
}

/// An option outside its documented range: the command-line flag (without dashes), the
/// `TrainingOptions` field it sets (the key in a model file's `forecast.options`), the value
/// and what it must be.
public struct OptionProblem: Sendable, Equatable {
  /// The flag, e.g. `windows-per-epoch`.
  public var flag: String
  /// The field, e.g. `windowsPerEpoch`.
  public var field: String
  /// The value given, as text.
  public var value: String
  /// What it must be, e.g. "between 1 and 100000000".
  public var expected: String
}

extension TrainingOptions {
  /// The documented range of every integer option (README, "Limits"): wide enough for any real
  /// history, narrow enough that sums such as `minimumLength` and products such as `4 × H` or
  /// windows × lookback never overflow and no allocation follows from a typo.
  public static let integerLimits: [(flag: String, field: String, range: ClosedRange<Int>)] = [
    ("horizon", "horizon", 1...1_000),
    ("lookback", "lookback", 1...10_000),
    ("hidden-size", "hiddenSize", 1...4_096),
    ("layers", "layerCount", 1...16),
    ("batch-size", "batchSize", 1...65_536),
    ("epochs", "maxEpochs", 1...100_000),
    ("patience", "earlyStoppingPatience", 1...100_000),
    ("windows-per-epoch", "windowsPerEpoch", 1...100_000_000),
    ("validation", "validationLength", 1...1_000_000),
    ("test", "testLength", 0...1_000_000),
    ("restarts", "restarts", 1...64),
    ("ensemble", "ensemble", 1...64),
    ("calibration-folds", "calibrationFolds", 0...64),
    ("threads", "threads", 1...1_024),
  ]

  /// The problem with `value` for `flag` alone (its range), nil when it is in range or the flag
  /// has no integer range.
  public static func problem(flag: String, value: Int) -> OptionProblem? {
    guard let limit = integerLimits.first(where: { $0.flag == flag }),
      !limit.range.contains(value)
    else { return nil }
    return OptionProblem(
      flag: flag, field: limit.field, value: String(value),
      expected: "between \(limit.range.lowerBound) and \(limit.range.upperBound)")
  }

  /// The first field outside its range or breaking a rule between fields (validation at least
  /// the horizon, ascending distinct quantiles in (0, 1), ...); nil when all are valid.
  public var problem: OptionProblem? {
    let values: [String: Int] = [
      "horizon": horizon, "lookback": lookback, "hidden-size": hiddenSize, "layers": layerCount,
      "batch-size": batchSize, "epochs": maxEpochs, "patience": earlyStoppingPatience,
      "windows-per-epoch": windowsPerEpoch, "validation": validationLength, "test": testLength,
      "restarts": restarts, "ensemble": ensemble, "calibration-folds": calibrationFolds,
      "threads": threads,
    ]
    for limit in Self.integerLimits {
      if let value = values[limit.flag], let p = Self.problem(flag: limit.flag, value: value) {
        return p
      }
    }
    func bad(_ flag: String, _ field: String, _ value: String, _ expected: String)
      -> OptionProblem
    { OptionProblem(flag: flag, field: field, value: value, expected: expected) }
    if quantiles.isEmpty || quantiles.count > 99
      || quantiles.contains(where: { !($0 > 0 && $0 < 1) })
      || quantiles != quantiles.sorted() || Set(quantiles).count != quantiles.count
    {
      return bad(
        "quantiles", "quantiles", quantiles.map { "\($0)" }.joined(separator: ","),
        "distinct ascending levels in (0, 1), e.g. 0.1,0.5,0.9")
    }
    if !(dropout >= 0 && dropout < 1) {
      return bad("dropout", "dropout", "\(dropout)", "a value in [0, 1)")
    }
    if !(learningRate > 0 && learningRate <= 1) {
      return bad(
        "learning-rate", "learningRate", "\(learningRate)", "a number in (0, 1], e.g. 0.003")
    }
    if validationLength < horizon {
      return bad(
        "validation", "validationLength", "\(validationLength)",
        "at least the horizon (\(horizon))")
    }
    if !(clipNorm > 0 && clipNorm.isFinite) {
      return bad("clip-norm", "clipNorm", "\(clipNorm)", "a positive number")
    }
    if !(weightAveraging >= 0 && weightAveraging < 1) {
      return bad("weight-averaging", "weightAveraging", "\(weightAveraging)", "a value in [0, 1)")
    }
    if !(plateauFactor > 0 && plateauFactor <= 1) || plateauPatience < 1 {
      return bad("plateau", "plateauFactor", "\(plateauFactor)", "a factor in (0, 1]")
    }
    return nil
  }
}
