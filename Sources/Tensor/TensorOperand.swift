/// Anything the tensor operations read: a `Tensor` or a `TensorView` of some of its rows.
///
/// Every operation (`gemm`, `add`, `sigmoid`, …) takes its inputs as `some TensorOperand<S>`, so
/// a whole tensor, a row range of it or one time step of a `[T, B, H]` tensor can be passed
/// without copying.
public protocol TensorOperand<Scalar> {
  /// The element type.
  associatedtype Scalar: BLASScalar
  /// The extents, outermost first.
  var shape: TensorShape { get }
  /// Calls `body` with the elements in row-major order; the pointer must not escape it.
  func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Scalar>) throws -> R
  ) rethrows -> R
}

/// Anything the tensor operations write into: a `Tensor` (made unique first, so a copy that
/// shares its buffer is never changed) or a `MutableTensorView` of some of its rows.
public protocol MutableTensorOperand<Scalar>: TensorOperand {
  /// Calls `body` with the elements to overwrite; the pointer must not escape it.
  mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R
}

extension Tensor: MutableTensorOperand {}

extension TensorOperand {
  /// The shape read as a matrix `[rows, columns]`: a rank-2 shape as it is, a rank-1 shape `[n]`
  /// as one row `[1, n]`.
  ///
  /// - Precondition: rank 1 or 2.
  @inlinable
  func matrixExtents(_ operation: StaticString) -> (rows: Int, columns: Int) {
    switch shape.rank {
    case 2: return (shape[0], shape[1])
    case 1: return (1, shape[0])
    default:
      preconditionFailure("\(operation): expected a 1-D or 2-D operand, got shape \(shape)")
    }
  }
}
