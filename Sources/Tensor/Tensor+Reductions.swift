// Sums and means of 2-D tensors over rows (one result per column, e.g. a bias gradient summed
// over the batch) and over columns (one result per row), and over all elements.

/// `y[j] = Σ_r x[r, j]` (sum over the rows; one value per column) into a caller-owned `y`; with
/// `accumulate`, `y[j] += Σ_r x[r, j]` (a bias gradient accumulated over steps).
///
/// A 1-D `x` of shape `[C]` counts as one row. Zero rows give zeros (or leave `y` unchanged
/// when accumulating).
/// - Parameters:
///   - x: `[R, C]`.
///   - y: `[C]`.
///   - accumulate: add to `y` instead of overwriting it.
/// - Precondition: the shapes fit.
@inlinable
public func sumOverRows<X: TensorOperand, Y: MutableTensorOperand<X.Scalar>>(
  _ x: X, into y: inout Y, accumulate: Bool = false
) {
  let (rows, columns) = x.matrixExtents("sumOverRows")
  if let message = shapeMismatch("sumOverRows", "the output", expected: [columns], got: y.shape) {
    preconditionFailure(message)
  }
  x.withUnsafeBufferPointer { xx in
    y.withUnsafeMutableBufferPointer { yy in
      if !accumulate { yy.update(repeating: 0) }
      for r in 0..<rows {
        let start = r * columns
        for j in 0..<columns { yy[j] += xx[start + j] }
      }
    }
  }
}

/// `y[r] = Σ_j x[r, j]` (sum over the columns; one value per row) into a caller-owned `y`; with
/// `accumulate`, `y[r] += Σ_j x[r, j]`.
///
/// Each row is summed in `Double` (exact enough for `Float` rows of any length).
/// - Parameters:
///   - x: `[R, C]` (a 1-D `[C]` counts as one row).
///   - y: `[R]`.
///   - accumulate: add to `y` instead of overwriting it.
/// - Precondition: the shapes fit.
@inlinable
public func sumOverColumns<X: TensorOperand, Y: MutableTensorOperand<X.Scalar>>(
  _ x: X, into y: inout Y, accumulate: Bool = false
) {
  let (rows, columns) = x.matrixExtents("sumOverColumns")
  if let message = shapeMismatch("sumOverColumns", "the output", expected: [rows], got: y.shape) {
    preconditionFailure(message)
  }
  x.withUnsafeBufferPointer { xx in
    y.withUnsafeMutableBufferPointer { yy in
      for r in 0..<rows {
        let total = X.Scalar(
          sumInDouble(UnsafeBufferPointer(rebasing: xx[(r * columns)..<((r + 1) * columns)])))
        yy[r] = accumulate ? yy[r] + total : total
      }
    }
  }
}

/// The sum of `buffer` in `Double`, over four interleaved partial sums.
@inlinable
func sumInDouble<S: BLASScalar>(_ buffer: UnsafeBufferPointer<S>) -> Double {
  var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
  var i = 0
  while i + 4 <= buffer.count {
    s0 += Double(buffer[i])
    s1 += Double(buffer[i + 1])
    s2 += Double(buffer[i + 2])
    s3 += Double(buffer[i + 3])
    i += 4
  }
  while i < buffer.count {
    s0 += Double(buffer[i])
    i += 1
  }
  return (s0 + s1) + (s2 + s3)
}

extension TensorOperand {
  /// The sum of every element, accumulated in `Double` and rounded once (0 for no elements).
  @inlinable
  public func sum() -> Scalar { withUnsafeBufferPointer { Scalar(sumInDouble($0)) } }

  /// The mean of every element: `sum() / count` (NaN for no elements).
  @inlinable
  public func mean() -> Scalar {
    withUnsafeBufferPointer { Scalar(sumInDouble($0) / Double($0.count)) }
  }

  /// Sums of a 2-D tensor along `axis` as a new 1-D tensor: axis 0 sums over the rows (`[R, C]`
  /// → `[C]`), axis 1 over the columns (`[R, C]` → `[R]`).
  ///
  /// - Precondition: 2-D (or 1-D, read as one row) and `axis` is 0 or 1.
  public func sum(alongAxis axis: Int) -> Tensor<Scalar> {
    let (rows, columns) = matrixExtents("sum(alongAxis:)")
    switch axis {
    case 0:
      var y = Tensor<Scalar>(zeros: [columns])
      sumOverRows(self, into: &y)
      return y
    case 1:
      var y = Tensor<Scalar>(zeros: [rows])
      sumOverColumns(self, into: &y)
      return y
    default:
      preconditionFailure("sum(alongAxis:): expected axis 0 or 1, got \(axis)")
    }
  }

  /// Means of a 2-D tensor along `axis` as a new 1-D tensor: axis 0 averages over the rows
  /// (`[R, C]` → `[C]`), axis 1 over the columns (`[R, C]` → `[R]`). Averaging over zero
  /// elements gives NaN.
  ///
  /// - Precondition: 2-D (or 1-D, read as one row) and `axis` is 0 or 1.
  public func mean(alongAxis axis: Int) -> Tensor<Scalar> {
    let (rows, columns) = matrixExtents("mean(alongAxis:)")
    var y = sum(alongAxis: axis)
    let n = Scalar(axis == 0 ? rows : columns)
    y.withUnsafeMutableBufferPointer { yy in
      for i in yy.indices { yy[i] /= n }
    }
    return y
  }
}
