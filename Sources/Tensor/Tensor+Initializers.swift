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

  /// Keras Orthogonal (gain 1) for a 2-D shape: Householder QR of a standard-normal matrix,
  /// columns multiplied by sign(diag(R)). rows >= cols: orthonormal columns (QᵀQ = I); rows <
  /// cols: orthonormal rows.
  ///
  /// For `shape = [r, c]`, with `(p, q) = r >= c ? (r, c) : (c, r)`:
  ///
  ///     A = randomNormal([p, q])           // row-major draws, as randomNormal (Double)
  ///     A = Q R                            // reduced QR: Q [p, q], R [q, q]
  ///     Q[:, j] *= sign(R[j, j])           // sign(0) taken as +1; makes Q unique
  ///     W = r >= c ? Q : Qᵀ                // [r, c], rounded once to Scalar
  ///
  /// so `WᵀW = I_c` when `r >= c` and `WWᵀ = I_r` when `r < c`. The QR is plain scalar Double
  /// code in a fixed order (`householderQ`), not LAPACK: OpenBLAS's LAPACK sums in an order that
  /// depends on the CPU's kernel family, and the initial weights must be the same bits on every
  /// machine. A shape with a zero extent gives an empty tensor.
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
    let a = (0..<(p * q)).map { _ in rng.nextStandardNormal() }
    if p == 0 || q == 0 { return Tensor(zeros: shape) }
    let qMatrix = householderQ(a, rows: p, columns: q)
    return Tensor(shape: shape) { w in
      for i in 0..<p {
        for j in 0..<q {
          // W = Q [p, q] when rows >= columns, else Qᵀ [q, p].
          w[rows >= columns ? i * q + j : j * p + i] = Scalar(qMatrix[i * q + j])
        }
      }
    }
  }
}

/// The Q factor of `a` (`[p, q]` row-major, p ≥ q) with columns multiplied by sign(diag(R)), by
/// Householder reflections in Double in a fixed order (every sum runs over ascending indices):
///
///     for j in 0..<q:  x = A[j..<p, j],  α = −sign(x₀)·‖x‖,  v = x − α·e₀,  R[j, j] = α
///                      A[j..<p, j+1..<q] −= v·(2·vᵀA / vᵀv)
///     Q = H₀ H₁ … H_{q−1} · I[p, q],  then Q[:, j] *= sign(R[j, j])
func householderQ(_ input: [Double], rows p: Int, columns q: Int) -> [Double] {
  var a = input
  var reflectors: [[Double]] = []
  var signs = [Double](repeating: 1, count: q)
  for j in 0..<q {
    var v = (j..<p).map { a[$0 * q + j] }
    var norm2 = 0.0
    for x in v { norm2 += x * x }
    let norm = norm2.squareRoot()
    let alpha = v[0] >= 0 ? -norm : norm
    if alpha < 0 { signs[j] = -1 }
    v[0] -= alpha
    var vv = 0.0
    for x in v { vv += x * x }
    if vv > 0 {
      for c in (j + 1)..<q {
        var dot = 0.0
        for (k, x) in v.enumerated() { dot += x * a[(j + k) * q + c] }
        let scale = 2 * dot / vv
        for (k, x) in v.enumerated() { a[(j + k) * q + c] -= scale * x }
      }
    }
    reflectors.append(vv > 0 ? v : [])
  }
  // Q = H₀ … H_{q−1} applied to the first q columns of the identity, last reflector first.
  var result = [Double](repeating: 0, count: p * q)
  for j in 0..<q { result[j * q + j] = 1 }
  for j in stride(from: q - 1, through: 0, by: -1) where !reflectors[j].isEmpty {
    let v = reflectors[j]
    var vv = 0.0
    for x in v { vv += x * x }
    for c in 0..<q {
      var dot = 0.0
      for (k, x) in v.enumerated() { dot += x * result[(j + k) * q + c] }
      let scale = 2 * dot / vv
      for (k, x) in v.enumerated() { result[(j + k) * q + c] -= scale * x }
    }
  }
  for i in 0..<p {
    for j in 0..<q { result[i * q + j] *= signs[j] }
  }
  return result
}
