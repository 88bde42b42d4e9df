// Seeded random tensors. Every element is one or two draws from the generator in row-major
// order, through `nextUnitDouble()` / `nextStandardNormal()`, so a `SeededGenerator` gives the
// same tensor on every machine.

extension Tensor {
  /// A tensor of independent normal draws: `x = mean + standardDeviation · z`,
  /// `z = rng.nextStandardNormal()` (computed in `Double`, rounded once to `Scalar`), one draw per
  /// element in row-major order.
  ///
  /// - Precondition: `standardDeviation >= 0`.
  public static func randomNormal(
    shape: TensorShape, mean: Scalar = 0, standardDeviation: Scalar = 1,
    using rng: inout some RandomNumberGenerator
  ) -> Tensor {
    precondition(
      standardDeviation >= 0,
      "Tensor.randomNormal: expected standardDeviation ≥ 0, got \(standardDeviation)")
    let (mu, sigma) = (Double(mean), Double(standardDeviation))
    return Tensor(shape: shape) { buffer in
      for i in buffer.indices { buffer[i] = Scalar(mu + sigma * rng.nextStandardNormal()) }
    }
  }

  /// A tensor of independent uniform draws in `range`:
  /// `x = lower + (upper − lower) · u`, `u = rng.nextUnitDouble()` in [0, 1), computed in
  /// `Double` and rounded once to `Scalar` (so `upper` itself can appear after rounding), one
  /// draw per element in row-major order. A one-point range gives that value everywhere.
  public static func randomUniform(
    shape: TensorShape, in range: ClosedRange<Scalar>, using rng: inout some RandomNumberGenerator
  ) -> Tensor {
    let lower = Double(range.lowerBound)
    let width = Double(range.upperBound) - lower
    return Tensor(shape: shape) { buffer in
      for i in buffer.indices { buffer[i] = Scalar(lower + width * rng.nextUnitDouble()) }
    }
  }
}
