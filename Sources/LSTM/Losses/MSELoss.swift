import Tensor

/// Mean squared error over all B·O elements (PyTorch `MSELoss()`):
///
///     L = (1/n) Σ (ŷ − y)²,      dL/dŷ = (2/n)(ŷ − y),      n = B·O
public struct MSELoss<Scalar: BLASScalar>: LossFunction, Sendable {
  /// The loss.
  public init() {}

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
      total += e * e
      gradient?[k] = 2 * scale * e
    }
    return total * scale
  }
}
