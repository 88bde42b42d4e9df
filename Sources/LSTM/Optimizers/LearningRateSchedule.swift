import Tensor

/// A learning rate per epoch, possibly reacting to the validation loss.
public protocol LearningRateSchedule {
  /// The learning rate for `epoch` (0-based), told the last validation loss if there is one.
  mutating func learningRate(epoch: Int, validationLoss: Double?) -> Double
}

/// The same rate every epoch.
public struct ConstantSchedule: LearningRateSchedule, Sendable {
  /// The rate.
  public var rate: Double
  /// A schedule that always returns `rate`.
  public init(rate: Double) { self.rate = rate }
  public func learningRate(epoch: Int, validationLoss: Double?) -> Double { rate }
}

/// Cosine annealing from `initial` to `minimum` over `epochs` (PyTorch `CosineAnnealingLR` in
/// closed form), then `minimum`:
///
///     lr(e) = minimum + (initial − minimum)·(1 + cos(π·e / epochs)) / 2,   0 ≤ e ≤ epochs
public struct CosineSchedule: LearningRateSchedule, Sendable {
  public var initial: Double
  public var minimum: Double
  public var epochs: Int

  /// - Precondition: epochs > 0.
  public init(initial: Double, minimum: Double = 0, epochs: Int) {
    precondition(epochs > 0, "CosineSchedule: epochs must be > 0, got \(epochs)")
    self.initial = initial
    self.minimum = minimum
    self.epochs = epochs
  }

  public func learningRate(epoch: Int, validationLoss: Double?) -> Double {
    let e = Double(Swift.min(Swift.max(epoch, 0), epochs))
    return minimum + (initial - minimum) * (1 + PortableMath.cos(Double.pi * e / Double(epochs)))
      / 2
  }
}

/// Reduce-on-plateau as PyTorch's `ReduceLROnPlateau` (mode min, relative threshold, no
/// cooldown): an epoch is an improvement when `loss < best·(1 − threshold)`; after more than
/// `patience` epochs without one the rate is multiplied by `factor` (not below `minimum`) and the
/// count restarts.
public struct ReduceOnPlateauSchedule: LearningRateSchedule, Sendable {
  public private(set) var rate: Double
  public var factor: Double
  public var patience: Int
  public var threshold: Double
  public var minimum: Double
  /// The best validation loss seen.
  public private(set) var best = Double.infinity
  /// Epochs since the last improvement.
  public private(set) var badEpochs = 0

  /// PyTorch's defaults: factor 0.1, patience 10, threshold 1e-4.
  /// - Precondition: 0 < factor < 1, patience ≥ 0.
  public init(
    initial: Double, factor: Double = 0.1, patience: Int = 10, threshold: Double = 1e-4,
    minimum: Double = 0
  ) {
    precondition(factor > 0 && factor < 1, "ReduceOnPlateauSchedule: factor must be in (0, 1)")
    precondition(patience >= 0, "ReduceOnPlateauSchedule: patience must be ≥ 0")
    self.rate = initial
    self.factor = factor
    self.patience = patience
    self.threshold = threshold
    self.minimum = minimum
  }

  public mutating func learningRate(epoch: Int, validationLoss: Double?) -> Double {
    guard let loss = validationLoss else { return rate }
    if loss < best * (1 - threshold) {
      best = loss
      badEpochs = 0
    } else {
      badEpochs += 1
    }
    if badEpochs > patience {
      rate = Swift.max(rate * factor, minimum)
      badEpochs = 0
    }
    return rate
  }
}
