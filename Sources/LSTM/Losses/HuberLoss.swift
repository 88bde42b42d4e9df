import Tensor

/// Huber loss with threshold δ, mean over all B·O elements (PyTorch `HuberLoss(delta:)`):
///
///     ℓ(e) = ½e²            if |e| ≤ δ        dℓ/de = e
///          = δ(|e| − ½δ)    otherwise         dℓ/de = δ·sign(e)       e = ŷ − y
public struct HuberLoss<Scalar: BLASScalar>: LossFunction, Sendable {
  /// δ > 0: where the loss turns from quadratic to linear.
  public let delta: Scalar

  /// - Precondition: `delta > 0`.
  public init(delta: Scalar = 1) {
    precondition(delta > 0, "HuberLoss: delta must be > 0, got \(delta)")
    self.delta = delta
  }

  public func targetColumns(forOutputs outputs: Int) -> Int { outputs }

  public func evaluate(
    prediction: UnsafePointer<Scalar>, target: UnsafePointer<Scalar>, batch: Int, outputs: Int,
    gradient: UnsafeMutablePointer<Scalar>?
  ) -> Scalar {
    let n = batch * outputs
    let scale = 1 / Scalar(n)
    var total: Scalar = 0
    for k in 0..<n {
      let e = prediction[k] - target[k]
      if abs(e) <= delta {
        total += e * e / 2
        gradient?[k] = e * scale
      } else {
        total += delta * (abs(e) - delta / 2)
        gradient?[k] = (e > 0 ? delta : -delta) * scale
      }
    }
    return total * scale
  }
}
