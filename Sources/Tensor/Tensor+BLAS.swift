// Matrix products and BLAS level 1 on tensors and views. Every function checks the shapes
// (a precondition saying expected vs got), then calls the pointer-level edge in BLAS.swift once.

/// `C = α·op(A)·op(B) + β·C` into a caller-owned `C`, through `cblas_?gemm`.
///
///     C[m, n] = α · op(A)[m, k] · op(B)[k, n] + β · C[m, n],   op(X) = transpose ? Xᵀ : X
///
/// `A`, `B` and `C` are 2-D; `A` is stored `[m, k]` (or `[k, m]` with `transposeA`), `B` is
/// stored `[k, n]` (or `[n, k]` with `transposeB`). With `beta == 0` the old contents of `C` are
/// ignored (even NaN); with `beta == 1` the product is accumulated into `C`. `k == 0` gives
/// `C = β·C`.
///
/// - Parameters:
///   - a: `[m, k]`, or `[k, m]` when `transposeA`.
///   - b: `[k, n]`, or `[n, k]` when `transposeB`.
///   - c: `[m, n]`, caller-owned; made unique before it is written.
///   - transposeA: use `Aᵀ` in place of `A`.
///   - transposeB: use `Bᵀ` in place of `B`.
///   - alpha: the product's factor α.
///   - beta: the factor β of the old `C` (0: overwrite, 1: accumulate).
/// - Precondition: the shapes fit (the message says expected vs got).
/// - Complexity: 2·m·n·k floating-point operations on `BLASRuntime.threads` threads.
@inlinable
public func gemm<S: BLASScalar>(
  _ a: Tensor<S>, _ b: Tensor<S>, into c: inout Tensor<S>,
  transposeA: Bool = false, transposeB: Bool = false, alpha: S = 1, beta: S = 0
) {
  gemm(
    a, b, into: &c, transposeA: transposeA, transposeB: transposeB,
    alpha: alpha, beta: beta, operands: ())
}

/// `C = α·op(A)·op(B) + β·C` for any operands: tensors, row views (`x.rows(a..<b)`,
/// `x.slice(t)`), and a writable row view as `C` (`y.withMutableRows`).
///
/// Same formula, shapes and edge cases as `gemm(_:_:into:transposeA:transposeB:alpha:beta:)`.
/// - Precondition: the shapes fit (the message says expected vs got).
@inlinable
public func gemm<A: TensorOperand, B: TensorOperand<A.Scalar>, C: MutableTensorOperand<A.Scalar>>(
  _ a: A, _ b: B, into c: inout C,
  transposeA: Bool = false, transposeB: Bool = false, alpha: A.Scalar = 1, beta: A.Scalar = 0
) {
  gemm(
    a, b, into: &c, transposeA: transposeA, transposeB: transposeB, alpha: alpha, beta: beta,
    operands: ())
}

// The one implementation behind both public spellings (the extra label keeps the concrete
// overload from calling itself).
@inlinable
func gemm<A: TensorOperand, B: TensorOperand<A.Scalar>, C: MutableTensorOperand<A.Scalar>>(
  _ a: A, _ b: B, into c: inout C, transposeA: Bool, transposeB: Bool,
  alpha: A.Scalar, beta: A.Scalar, operands: Void
) {
  if let message = gemmShapeViolation(
    a: a.shape, b: b.shape, c: c.shape, transposeA: transposeA, transposeB: transposeB)
  {
    preconditionFailure(message)
  }
  let (m, n) = (c.shape[0], c.shape[1])
  let k = transposeA ? a.shape[0] : a.shape[1]
  let (lda, ldb) = (a.shape[1], b.shape[1])
  if k == 0 {  // C = β·C (BLAS would do the same; say it without pointers into empty buffers)
    c.withUnsafeMutableBufferPointer { cc in
      if beta == 0 {
        cc.update(repeating: 0)
      } else if beta != 1 {
        for i in cc.indices { cc[i] *= beta }
      }
    }
    return
  }
  a.withUnsafeBufferPointer { aa in
    b.withUnsafeBufferPointer { bb in
      c.withUnsafeMutableBufferPointer { cc in
        guard let pa = aa.baseAddress, let pb = bb.baseAddress, let pc = cc.baseAddress else {
          return
        }
        blasGemm(
          transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
          alpha: alpha, a: pa, lda: max(1, lda), b: pb, ldb: max(1, ldb),
          beta: beta, c: pc, ldc: max(1, n))
      }
    }
  }
}

/// `y = α·op(A)·x + β·y` into a caller-owned `y`, through `cblas_?gemv`.
///
///     y[m] = α · op(A)[m, n] · x[n] + β · y[m],   op(A) = transpose ? Aᵀ : A
///
/// With `beta == 0` the old contents of `y` are ignored.
/// - Parameters:
///   - a: `[m, n]`, or `[n, m]` when `transpose`.
///   - x: `[n]`.
///   - y: `[m]`, caller-owned.
///   - transpose: use `Aᵀ` in place of `A`.
///   - alpha: the product's factor α.
///   - beta: the factor β of the old `y` (0: overwrite, 1: accumulate).
/// - Precondition: the shapes fit (the message says expected vs got).
@inlinable
public func gemv<A: TensorOperand, X: TensorOperand<A.Scalar>, Y: MutableTensorOperand<A.Scalar>>(
  _ a: A, _ x: X, into y: inout Y, transpose: Bool = false,
  alpha: A.Scalar = 1, beta: A.Scalar = 0
) {
  if let message = gemvShapeViolation(a: a.shape, x: x.shape, y: y.shape, transpose: transpose) {
    preconditionFailure(message)
  }
  let (rows, columns) = (a.shape[0], a.shape[1])
  if rows == 0 || columns == 0 {
    y.withUnsafeMutableBufferPointer { yy in
      for i in yy.indices { yy[i] = beta == 0 ? 0 : beta * yy[i] }
    }
    return
  }
  a.withUnsafeBufferPointer { aa in
    x.withUnsafeBufferPointer { xx in
      y.withUnsafeMutableBufferPointer { yy in
        guard let pa = aa.baseAddress, let px = xx.baseAddress, let py = yy.baseAddress else {
          return
        }
        blasGemv(
          transpose: transpose, m: rows, n: columns, alpha: alpha, a: pa, lda: columns,
          x: px, beta: beta, y: py)
      }
    }
  }
}

/// `y = α·x + y` (BLAS axpy) into a caller-owned `y` of the same shape.
///
/// - Precondition: `x.shape == y.shape`.
@inlinable
public func axpy<X: TensorOperand, Y: MutableTensorOperand<X.Scalar>>(
  alpha: X.Scalar, _ x: X, into y: inout Y
) {
  if let message = shapeMismatch("axpy", "y", expected: x.shape, got: y.shape) {
    preconditionFailure(message)
  }
  x.withUnsafeBufferPointer { xx in
    y.withUnsafeMutableBufferPointer { yy in
      guard let px = xx.baseAddress, let py = yy.baseAddress else { return }
      blasAxpy(count: xx.count, alpha: alpha, x: px, y: py)
    }
  }
}

extension MutableTensorOperand {
  /// `self = s·self` (BLAS scal). `s == 0` gives zeros only where the elements are finite
  /// (BLAS multiplies: NaN·0 stays NaN).
  @inlinable
  public mutating func scale(by s: Scalar) {
    withUnsafeMutableBufferPointer { buffer in
      guard let base = buffer.baseAddress else { return }
      blasScal(count: buffer.count, alpha: s, x: base)
    }
  }

  /// `self = self + α·x` (BLAS axpy).
  /// - Precondition: `x.shape == shape`.
  @inlinable
  public mutating func add(_ x: some TensorOperand<Scalar>, scaledBy alpha: Scalar) {
    axpy(alpha: alpha, x, into: &self)
  }
}

extension TensorOperand {
  /// The matrix product `op(self)·op(other)` as a new tensor `[m, n]`; a thin wrapper over
  /// `gemm(_:_:into:transposeA:transposeB:alpha:beta:)`.
  ///
  /// - Precondition: both 2-D with matching inner extents (the message says expected vs got).
  public func matmul(
    _ other: some TensorOperand<Scalar>, transposeSelf: Bool = false,
    transposeOther: Bool = false
  ) -> Tensor<Scalar> {
    let m = shape.rank == 2 ? (transposeSelf ? shape[1] : shape[0]) : 0
    let n = other.shape.rank == 2 ? (transposeOther ? other.shape[0] : other.shape[1]) : 0
    var c = Tensor<Scalar>(zeros: [m, n])
    gemm(self, other, into: &c, transposeA: transposeSelf, transposeB: transposeOther)
    return c
  }
}
