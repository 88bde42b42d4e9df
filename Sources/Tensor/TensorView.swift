/// A read-only window on a range of a tensor's leading axis, without copying.
///
/// `x.rows(a..<b)` of a `[R, C]` tensor is `[b - a, C]`; `x.slice(t)` of a `[T, B, H]` tensor is
/// the `[B, H]` time step `t`. A view can be passed wherever an operation reads a
/// `TensorOperand` (`gemm`, `add`, `sigmoid`, …).
///
/// A view keeps the tensor's buffer alive and sees it as it was: if the tensor is mutated while a
/// view of it exists, copy-on-write gives the tensor a fresh buffer and the view keeps the old
/// contents (a snapshot, like a copy of the tensor). So take views right where they are used
/// rather than storing them, or every mutation of the tensor pays for a copy.
public struct TensorView<Scalar: BLASScalar>: TensorOperand {
  @usableFromInline let storage: TensorStorage<Scalar>
  @usableFromInline let offset: Int
  /// The extents of the viewed part, outermost first.
  public let shape: TensorShape

  @inlinable
  init(storage: TensorStorage<Scalar>, offset: Int, shape: TensorShape) {
    self.storage = storage
    self.offset = offset
    self.shape = shape
  }

  /// Calls `body` with the viewed elements in row-major order; the pointer must not escape it.
  @inlinable
  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try body(UnsafeBufferPointer(start: storage.base + offset, count: shape.count))
  }

  /// A copy of the viewed elements as a tensor of their own.
  public func copied() -> Tensor<Scalar> {
    withUnsafeBufferPointer { source in
      Tensor(shape: shape) { target in
        if let from = source.baseAddress, let to = target.baseAddress {
          to.update(from: from, count: source.count)
        }
      }
    }
  }

  /// The elements in row-major order.
  public var scalars: [Scalar] { withUnsafeBufferPointer { Array($0) } }
}

extension TensorView: Sendable where Scalar: Sendable {}

/// A writable window on a range of a tensor's leading axis, valid only inside
/// `Tensor.withMutableRows(_:_:)`.
///
/// Pass it as the output of an operation (`gemm(a, b, into: &rowsOfC)`) to write into part of a
/// tensor, e.g. the time step `t` of a `[T, B, 4H]` gate buffer.
public struct MutableTensorView<Scalar: BLASScalar>: MutableTensorOperand {
  @usableFromInline let base: UnsafeMutablePointer<Scalar>
  /// The extents of the viewed part, outermost first.
  public let shape: TensorShape

  @inlinable
  init(base: UnsafeMutablePointer<Scalar>, shape: TensorShape) {
    self.base = base
    self.shape = shape
  }

  /// Calls `body` with the viewed elements in row-major order; the pointer must not escape it.
  @inlinable
  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try body(UnsafeBufferPointer(start: base, count: shape.count))
  }

  /// Calls `body` with the viewed elements to overwrite; the pointer must not escape it.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try body(UnsafeMutableBufferPointer(start: base, count: shape.count))
  }
}

extension Tensor {
  /// The whole tensor as a view (no copy).
  @inlinable
  public var view: TensorView<Scalar> {
    TensorView(storage: storage, offset: 0, shape: shape)
  }

  /// The message `rows(_:)` stops with for `range`, or `nil` when it is valid.
  package func rowRangeViolation(_ range: Range<Int>, _ operation: String) -> String? {
    guard shape.rank >= 1 else {
      return "\(operation): expected a tensor of rank ≥ 1, got shape \(shape)"
    }
    guard range.lowerBound >= 0, range.upperBound <= shape[0] else {
      return "\(operation): expected rows within 0..<\(shape[0]) of \(shape), got \(range)"
    }
    return nil
  }

  /// Rows `range` of the leading axis, without copying: `[R, …]` → `[range.count, …]`.
  ///
  /// - Precondition: rank ≥ 1 and `range` within `0..<shape[0]`.
  /// - Complexity: O(rank), no element is copied.
  public func rows(_ range: Range<Int>) -> TensorView<Scalar> {
    if let message = rowRangeViolation(range, "Tensor.rows") { preconditionFailure(message) }
    var dims = shape.dimensions
    dims[0] = range.count
    let rowSize = shape.count / max(1, shape[0])
    return TensorView(
      storage: storage, offset: range.lowerBound * rowSize, shape: TensorShape(dims))
  }

  /// Index `index` of the leading axis with that axis dropped, without copying: time step `t`
  /// of a `[T, B, H]` tensor is `[B, H]`; row `i` of a `[R, C]` matrix is `[C]`.
  ///
  /// - Precondition: rank ≥ 1 and `index` within `0..<shape[0]`.
  public func slice(_ index: Int) -> TensorView<Scalar> {
    if let message = rowRangeViolation(index..<(index + 1), "Tensor.slice") {
      preconditionFailure(message)
    }
    let inner = TensorShape(Array(shape.dimensions.dropFirst()))
    return TensorView(storage: storage, offset: index * inner.count, shape: inner)
  }

  /// Calls `body` with a writable view of rows `range` of the leading axis (the tensor is made
  /// unique first); `dropLeadingAxis` views the single row `range` as the inner shape, e.g. time
  /// step `t` of a `[T, B, H]` tensor as `[B, H]`.
  ///
  ///     y.withMutableRows(t..<t+1, dropLeadingAxis: true) { step in
  ///       gemm(h, weightHH, into: &step, transposeB: true, beta: 1)
  ///     }
  ///
  /// - Precondition: rank ≥ 1, `range` within `0..<shape[0]`, and one row if
  ///   `dropLeadingAxis`.
  public mutating func withMutableRows<R>(
    _ range: Range<Int>, dropLeadingAxis: Bool = false,
    _ body: (inout MutableTensorView<Scalar>) throws -> R
  ) rethrows -> R {
    if let message = rowRangeViolation(range, "Tensor.withMutableRows") {
      preconditionFailure(message)
    }
    precondition(
      !dropLeadingAxis || range.count == 1,
      "Tensor.withMutableRows: dropLeadingAxis expects one row, got \(range.count) rows")
    var dims = shape.dimensions
    dims[0] = range.count
    if dropLeadingAxis { dims.removeFirst() }
    let rowSize = shape.count / max(1, shape[0])
    let viewShape = TensorShape(dims)
    ensureUnique()
    var view = MutableTensorView(base: storage.base + range.lowerBound * rowSize, shape: viewShape)
    return try body(&view)
  }
}
