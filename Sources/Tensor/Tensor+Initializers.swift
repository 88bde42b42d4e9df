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
  var scales = [Double](repeating: 0, count: q)
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
    if vv > 0 && j + 1 < q {
      reflect(&a, columns: q, from: j, range: (j + 1)..<q, v: v, vv: vv, scales: &scales)
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
    reflect(&result, columns: q, from: j, range: 0..<q, v: v, vv: vv, scales: &scales)
  }
  for i in 0..<p {
    for j in 0..<q { result[i * q + j] *= signs[j] }
  }
  return result
}

/// One reflection of `householderQ`: the columns `range` of rows `j..<j + v.count` of `m`
/// (`[_, columns]` row-major) become `m[j+k, c] −= (2·dot_c / vv)·v[k]` with
/// `dot_c = Σ_k v[k]·m[j+k, c]` summed in ascending k. Row by row, so memory is read in order
/// (a column at a time strides a row's length per element: ten times slower at 2048 × 512);
/// each column keeps its own sum in the same order, so the bits are those of the column loop.
private func reflect(
  _ m: inout [Double], columns q: Int, from j: Int, range: Range<Int>, v: [Double], vv: Double,
  scales: inout [Double]
) {
  m.withUnsafeMutableBufferPointer { m in
    scales.withUnsafeMutableBufferPointer { dot in
      for c in range { dot[c] = 0 }
      for (k, x) in v.enumerated() {
        let row = (j + k) * q
        for c in range { dot[c] += x * m[row + c] }
      }
      for c in range { dot[c] = 2 * dot[c] / vv }
      for (k, x) in v.enumerated() {
        let row = (j + k) * q
        for c in range { m[row + c] -= dot[c] * x }
      }
    }
  }
}
