import Tensor

extension ParameterStore {
  /// The global L2 norm of all gradients, `√(Σ g²)` over the whole flat buffer (accumulated in
  /// Double).
  public var gradientNorm: Double {
    gradients.withUnsafeBufferPointer { g in
      guard let base = g.baseAddress else { return 0 }
      return VectorKernels.sumOfSquares(base, count: g.count).squareRoot()
    }
  }

  /// Global-norm clipping as PyTorch's `clip_grad_norm_`: with `total` the global norm,
  ///
  ///     coef = min(1, maxNorm / (total + 1e-6));   every g ← g·coef
  ///
  /// - Parameter maxNorm: the largest norm allowed, > 0.
  /// - Returns: the norm before clipping.
  @discardableResult
  public mutating func clipGradients(maxNorm: Double) -> Double {
    precondition(maxNorm > 0, "clipGradients: maxNorm must be > 0, got \(maxNorm)")
    let total = gradientNorm
    let coefficient = maxNorm / (total + 1e-6)
    if coefficient < 1 {
      gradients.withUnsafeMutableBufferPointer { g in
        guard let base = g.baseAddress else { return }
        VectorKernels.scale(base, by: Scalar(coefficient), count: g.count)
      }
    }
    return total
  }
}
