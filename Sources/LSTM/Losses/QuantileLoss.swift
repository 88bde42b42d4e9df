import Tensor

/// Pinball (quantile) loss over Q quantiles at once, mean over all B·K·Q elements:
///
///     e = y_{b,k} − ŷ_{b,k,q}
///     ℓ = max(q·e, (q − 1)·e)          dℓ/dŷ = −q if e > 0, 1 − q if e < 0, 0 if e = 0
///
/// The prediction is `[B, K·Q]` with k major and q minor (column k·Q + q is horizon step k,
/// quantile q); the target is `[B, K]`.
public struct QuantileLoss<Scalar: BLASScalar>: LossFunction, Sendable {
  /// The quantile levels, each in (0, 1), e.g. `[0.1, 0.5, 0.9]`.
  public let quantiles: [Scalar]

  /// - Precondition: at least one quantile, each strictly between 0 and 1.
  public init(quantiles: [Scalar]) {
    precondition(
      !quantiles.isEmpty && quantiles.allSatisfy { $0 > 0 && $0 < 1 },
      "QuantileLoss: quantiles must be non-empty and in (0, 1), got \(quantiles)")
    self.quantiles = quantiles
  }

  public func targetColumns(forOutputs outputs: Int) -> Int {
    precondition(
      outputs % quantiles.count == 0,
      "QuantileLoss: \(outputs) outputs is not K·Q for Q = \(quantiles.count)")
    return outputs / quantiles.count
  }

  public func evaluate(
    prediction: UnsafePointer<Scalar>, target: UnsafePointer<Scalar>, batch: Int, outputs: Int,
    gradient: UnsafeMutablePointer<Scalar>?
  ) -> Scalar {
    let q = quantiles.count
    let k = targetColumns(forOutputs: outputs)
    let scale = 1 / Scalar(batch * outputs)
    var total: Scalar = 0
    for b in 0..<batch {
      for step in 0..<k {
        let y = target[b * k + step]
        for (j, level) in quantiles.enumerated() {
          let index = b * outputs + step * q + j
          let e = y - prediction[index]
          total += Swift.max(level * e, (level - 1) * e)
          gradient?[index] = (e > 0 ? -level : (e < 0 ? 1 - level : 0)) * scale
        }
      }
    }
    return total * scale
  }
}
