import Tensor

// Keras' default initialisers, written here in LSTM on the Tensor core's public API (the Tensor
// branch's `Tensor.glorotUniform`/`Tensor.orthogonal` were not on main when this was written;
// these follow the same definitions so a later switch changes draws, not distributions).

enum Initializers {
  /// Keras GlorotUniform for a weight stored `[fanOut, fanIn]`: U(−l, l), l = √(6 / (fanIn +
  /// fanOut)), drawn in row-major order from `nextUnitDouble()`.
  static func glorotUniform<S: BLASScalar>(
    rows fanOut: Int, columns fanIn: Int, into out: UnsafeMutablePointer<S>,
    using rng: inout some RandomNumberGenerator
  ) {
    let limit = (6 / Double(fanIn + fanOut)).squareRoot()
    for k in 0..<(fanOut * fanIn) { out[k] = S((2 * rng.nextUnitDouble() - 1) * limit) }
  }

  /// Keras Orthogonal (gain 1) for `[rows, columns]`: the Q factor of a standard-normal matrix
  /// with sign(diag R) folded in, i.e. the unique Q whose R has a positive diagonal. Computed by
  /// modified Gram–Schmidt, applied twice for orthogonality to rounding, in Double.
  /// rows ≥ columns: orthonormal columns; rows < columns: orthonormal rows.
  static func orthogonal<S: BLASScalar>(
    rows: Int, columns: Int, into out: UnsafeMutablePointer<S>,
    using rng: inout some RandomNumberGenerator
  ) {
    let tall = rows >= columns
    let n = tall ? rows : columns  // vector length
    let m = tall ? columns : rows  // number of vectors
    var a = [Double](repeating: 0, count: rows * columns)
    for k in 0..<a.count { a[k] = rng.nextStandardNormal() }
    // vectors[v][e]: for tall, column v of the matrix; otherwise row v.
    var vectors = [[Double]](repeating: [Double](repeating: 0, count: n), count: m)
    for r in 0..<rows {
      for c in 0..<columns {
        if tall { vectors[c][r] = a[r * columns + c] } else { vectors[r][c] = a[r * columns + c] }
      }
    }
    for v in 0..<m {
      for _ in 0..<2 {
        for u in 0..<v {
          var dot = 0.0
          for e in 0..<n { dot += vectors[u][e] * vectors[v][e] }
          for e in 0..<n { vectors[v][e] -= dot * vectors[u][e] }
        }
      }
      var norm = 0.0
      for e in 0..<n { norm += vectors[v][e] * vectors[v][e] }
      norm = norm.squareRoot()
      let scale = norm > 0 ? 1 / norm : 0
      for e in 0..<n { vectors[v][e] *= scale }
    }
    for r in 0..<rows {
      for c in 0..<columns {
        out[r * columns + c] = S(tall ? vectors[c][r] : vectors[r][c])
      }
    }
  }
}
