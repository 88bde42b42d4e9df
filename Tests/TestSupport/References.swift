import Tensor

/// Naive references the tests compare the BLAS-backed operations with, computed in `Double`.
public enum NaiveReference {
  /// `C = α·op(A)·op(B) + β·C` by the triple loop, in `Double`, rounded once to `S`.
  public static func gemm<S: BLASScalar>(
    _ a: Tensor<S>, _ b: Tensor<S>, c: Tensor<S>, transposeA: Bool, transposeB: Bool,
    alpha: S, beta: S
  ) -> Tensor<S> {
    let (m, k) = transposeA ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let n = transposeB ? b.shape[0] : b.shape[1]
    let (av, bv, cv) = (a.scalars, b.scalars, c.scalars)
    var out = [S](repeating: 0, count: m * n)
    for i in 0..<m {
      for j in 0..<n {
        var total = 0.0
        for p in 0..<k {
          let x = transposeA ? av[p * m + i] : av[i * k + p]
          let y = transposeB ? bv[j * k + p] : bv[p * n + j]
          total += Double(x) * Double(y)
        }
        let old = beta == 0 ? 0 : Double(beta) * Double(cv[i * n + j])
        out[i * n + j] = S(Double(alpha) * total + old)
      }
    }
    return Tensor(shape: [m, n], scalars: out)
  }

  /// `x` element by element through `f` in `Double`, rounded once to `S`.
  public static func map<S: BLASScalar>(_ x: Tensor<S>, _ f: (Double) -> Double) -> Tensor<S> {
    Tensor(shape: x.shape, scalars: x.scalars.map { S(f(Double($0))) })
  }

  /// `a` and `b` element by element through `f` in `Double`, rounded once to `S`.
  public static func zip<S: BLASScalar>(
    _ a: Tensor<S>, _ b: Tensor<S>, _ f: (Double, Double) -> Double
  ) -> Tensor<S> {
    let values = Swift.zip(a.scalars, b.scalars).map { S(f(Double($0), Double($1))) }
    return Tensor(shape: a.shape, scalars: values)
  }
}

/// The tolerance a result computed in `S` is held to against a `Double` reference: a few hundred
/// ulps of `S` (sums of up to a few hundred terms).
public func referenceTolerance<S: BLASScalar>(_: S.Type) -> Double {
  S.self == Float.self ? 2e-5 : 1e-12
}
