import LSTM

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
