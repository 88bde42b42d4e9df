import Tensor

/// Mean absolute error over all B·O elements (PyTorch `L1Loss()`):
///
///     L = (1/n) Σ |ŷ − y|,      dL/dŷ = sign(ŷ − y)/n      (0 where ŷ = y, as PyTorch)
public struct MAELoss<Scalar: BLASScalar>: LossFunction, Sendable {
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
      total += abs(e)
      gradient?[k] = e > 0 ? scale : (e < 0 ? -scale : 0)
    }
    return total * scale
  }
}
