// Weight initialisers (Keras' defaults, docs/lstm.md "Initialisation"), for weights stored in
// PyTorch's layout `[fanOut, fanIn]`.

extension Tensor {
  /// Keras GlorotUniform for a weight stored `[fanOut, fanIn]` (PyTorch layout):
  /// U(-l, l), l = sqrt(6 / (fanIn + fanOut)).
  ///
  ///     W[o, i] ~ U(−l, l),   l = √(6 / (fanIn + fanOut)),   shape = [fanOut, fanIn]
  ///
  /// Draws as `randomUniform(shape:in:using:)` does (one per element, row-major). A shape with
  /// a zero extent gives an empty tensor.
  /// - Precondition: `shape` is 2-D.
  /// - Reference: Glorot & Bengio (2010), "Understanding the difficulty of training deep
  ///   feedforward neural networks".
  public static func glorotUniform(
    shape: TensorShape, using rng: inout some RandomNumberGenerator
  ) -> Tensor {
    precondition(
      shape.rank == 2, "Tensor.glorotUniform: expected a 2-D [fanOut, fanIn] shape, got \(shape)")
    let fans = shape[0] + shape[1]
    let limit = fans == 0 ? 0 : (6 / Double(fans)).squareRoot()
    return randomUniform(shape: shape, in: Scalar(-limit)...Scalar(limit), using: &rng)
  }

  /// Keras Orthogonal (gain 1) for a 2-D shape: QR of a standard-normal matrix through LAPACKE
  /// ?geqrf/?orgqr, columns multiplied by sign(diag(R)). rows >= cols: orthonormal columns
  /// (QᵀQ = I); rows < cols: orthonormal rows.
  ///
  /// For `shape = [r, c]`, with `(p, q) = r >= c ? (r, c) : (c, r)`:
  ///
  ///     A = randomNormal([p, q])           // row-major draws, as randomNormal
  ///     A = Q R                            // reduced QR: Q [p, q], R [q, q]
  ///     Q[:, j] *= sign(R[j, j])           // sign(0) taken as +1; makes Q unique
  ///     W = r >= c ? Q : Qᵀ                // [r, c]
  ///
  /// so `WᵀW = I_c` when `r >= c` and `WWᵀ = I_r` when `r < c`. The QR runs in the tensor's own
  /// precision (`sgeqrf` for `Float`): columns are orthonormal to about 1e-6 in `Float`.
  /// A shape with a zero extent gives an empty tensor.
  /// - Precondition: `shape` is 2-D.
  /// - Reference: Saxe et al. (2014), "Exact solutions to the nonlinear dynamics of learning in
  ///   deep linear neural networks"; Keras `initializers.Orthogonal`.
  public static func orthogonal(
    shape: TensorShape, using rng: inout some RandomNumberGenerator
  ) -> Tensor {
    precondition(
      shape.rank == 2, "Tensor.orthogonal: expected a 2-D [rows, cols] shape, got \(shape)")
    let (rows, columns) = (shape[0], shape[1])
    let (p, q) = rows >= columns ? (rows, columns) : (columns, rows)
    var a = randomNormal(shape: [p, q], using: &rng)
    if p == 0 || q == 0 { return Tensor(zeros: shape) }
    var tau = [Scalar](repeating: 0, count: q)
    var signs = [Scalar](repeating: 1, count: q)
    a.withUnsafeMutableBufferPointer { aa in
      guard let base = aa.baseAddress else { return }
      tau.withUnsafeMutableBufferPointer { tt in
        guard let tauBase = tt.baseAddress else { return }
        lapackGeqrf(m: p, n: q, a: base, lda: q, tau: tauBase)
        for j in 0..<q where aa[j * q + j] < 0 { signs[j] = -1 }
        lapackOrgqr(m: p, n: q, k: q, a: base, lda: q, tau: tauBase)
      }
      for i in 0..<p {
        for j in 0..<q { aa[i * q + j] *= signs[j] }
      }
    }
    if rows >= columns { return a }
    return Tensor(shape: shape) { w in  // W = Qᵀ: [q, p] = [rows, columns]
      a.withUnsafeBufferPointer { qq in
        for i in 0..<q {
          for j in 0..<p { w[i * p + j] = qq[j * q + i] }
        }
      }
    }
  }
}
