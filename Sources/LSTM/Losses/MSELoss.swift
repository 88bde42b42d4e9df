import Tensor

/// Mean squared error over all B·O elements (PyTorch `MSELoss()`):
///
///     L = (1/n) Σ (ŷ − y)²,      dL/dŷ = (2/n)(ŷ − y),      n = B·O
public struct MSELoss<Scalar: BLASScalar>: ElementwiseLoss, Sendable {
  /// The loss.
  public init() {}

  public func loss(error e: Scalar) -> (value: Scalar, derivative: Scalar) { (e * e, 2 * e) }
}
