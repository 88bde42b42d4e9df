import Tensor

/// Mean absolute error over all B·O elements (PyTorch `L1Loss()`):
///
///     L = (1/n) Σ |ŷ − y|,      dL/dŷ = sign(ŷ − y)/n      (0 where ŷ = y, as PyTorch)
public struct MAELoss<Scalar: BLASScalar>: ElementwiseLoss, Sendable {
  /// The loss.
  public init() {}

  public func loss(error e: Scalar) -> (value: Scalar, derivative: Scalar) {
    (abs(e), e > 0 ? 1 : (e < 0 ? -1 : 0))
  }
}
