import Tensor

/// Huber loss with threshold δ, mean over all B·O elements (PyTorch `HuberLoss(delta:)`):
///
///     ℓ(e) = ½e²            if |e| ≤ δ        dℓ/de = e
///          = δ(|e| − ½δ)    otherwise         dℓ/de = δ·sign(e)       e = ŷ − y
public struct HuberLoss<Scalar: BLASScalar>: ElementwiseLoss, Sendable {
  /// δ > 0: where the loss turns from quadratic to linear.
  public let delta: Scalar

  /// - Precondition: `delta > 0`.
  public init(delta: Scalar = 1) {
    precondition(delta > 0, "HuberLoss: delta must be > 0, got \(delta)")
    self.delta = delta
  }

  public func loss(error e: Scalar) -> (value: Scalar, derivative: Scalar) {
    abs(e) <= delta ? (e * e / 2, e) : (delta * (abs(e) - delta / 2), e > 0 ? delta : -delta)
  }
}
