// Element-wise arithmetic: plain loops over unsafe buffers, which the release build vectorises
// (checked in the disassembly of forecast-bench; see Sources/Tensor/README.md).

/// Applies `f` element by element: `c[i] = f(a[i], b[i])`, after checking the shapes.
@inlinable
func elementwise<A: TensorOperand, B: TensorOperand<A.Scalar>, C: MutableTensorOperand<A.Scalar>>(
  _ operation: String, _ a: A, _ b: B, into c: inout C,
  _ f: (A.Scalar, A.Scalar) -> A.Scalar
) {
  if let message = shapeMismatch(operation, "b", expected: a.shape, got: b.shape) {
    preconditionFailure(message)
  }
  if let message = shapeMismatch(operation, "the output", expected: a.shape, got: c.shape) {
    preconditionFailure(message)
  }
  a.withUnsafeBufferPointer { aa in
    b.withUnsafeBufferPointer { bb in
      c.withUnsafeMutableBufferPointer { cc in
        for i in 0..<cc.count { cc[i] = f(aa[i], bb[i]) }
      }
    }
  }
}

/// `c = a + b` element-wise into a caller-owned `c`.
///
/// - Precondition: `a`, `b` and `c` have the same shape.
@inlinable
public func add<A: TensorOperand, B: TensorOperand<A.Scalar>, C: MutableTensorOperand<A.Scalar>>(
  _ a: A, _ b: B, into c: inout C
) {
  elementwise("add", a, b, into: &c, +)
}

/// `c = a − b` element-wise into a caller-owned `c`.
///
/// - Precondition: `a`, `b` and `c` have the same shape.
@inlinable
public func subtract<
  A: TensorOperand, B: TensorOperand<A.Scalar>, C: MutableTensorOperand<A.Scalar>
>(_ a: A, _ b: B, into c: inout C) {
  elementwise("subtract", a, b, into: &c, -)
}

/// `c = a ⊙ b` (element-wise product) into a caller-owned `c`.
///
/// - Precondition: `a`, `b` and `c` have the same shape.
@inlinable
public func multiply<
  A: TensorOperand, B: TensorOperand<A.Scalar>, C: MutableTensorOperand<A.Scalar>
>(_ a: A, _ b: B, into c: inout C) {
  elementwise("multiply", a, b, into: &c, *)
}

extension MutableTensorOperand {
  /// Applies `f` in place: `self[i] = f(self[i], b[i])`.
  @inlinable
  mutating func elementwiseInPlace<B: TensorOperand<Scalar>>(
    _ operation: String, _ b: B, _ f: (Scalar, Scalar) -> Scalar
  ) {
    if let message = shapeMismatch(operation, "the operand", expected: shape, got: b.shape) {
      preconditionFailure(message)
    }
    b.withUnsafeBufferPointer { bb in
      withUnsafeMutableBufferPointer { aa in
        for i in 0..<aa.count { aa[i] = f(aa[i], bb[i]) }
      }
    }
  }

  /// `self = self + b` element-wise.
  /// - Precondition: `b.shape == shape`.
  @inlinable
  public mutating func add(_ b: some TensorOperand<Scalar>) { elementwiseInPlace("add", b, +) }

  /// `self = self − b` element-wise.
  /// - Precondition: `b.shape == shape`.
  @inlinable
  public mutating func subtract(_ b: some TensorOperand<Scalar>) {
    elementwiseInPlace("subtract", b, -)
  }

  /// `self = self ⊙ b` element-wise.
  /// - Precondition: `b.shape == shape`.
  @inlinable
  public mutating func multiply(_ b: some TensorOperand<Scalar>) {
    elementwiseInPlace("multiply", b, *)
  }

  /// Adds a row vector to every row: `self[r, j] += v[j]` (a bias over a batch).
  ///
  /// - Parameter v: `[C]` for a `self` of shape `[R, C]`.
  /// - Precondition: `self` is 2-D and `v.shape == [C]`.
  @inlinable
  public mutating func addToEachRow(_ v: some TensorOperand<Scalar>) {
    precondition(shape.rank == 2, "addToEachRow: expected a 2-D tensor, got \(shape)")
    let columns = shape[1]
    if let message = shapeMismatch("addToEachRow", "the row", expected: [columns], got: v.shape) {
      preconditionFailure(message)
    }
    v.withUnsafeBufferPointer { vv in
      withUnsafeMutableBufferPointer { aa in
        var start = 0
        while start < aa.count {
          for j in 0..<columns { aa[start + j] += vv[j] }
          start += columns
        }
      }
    }
  }

  /// Sets every element to `value`.
  @inlinable
  public mutating func fill(with value: Scalar) {
    withUnsafeMutableBufferPointer { $0.update(repeating: value) }
  }
}

extension Tensor {
  /// `a + b` element-wise as a new tensor.
  /// - Precondition: same shapes.
  @inlinable
  public static func + (a: Tensor, b: Tensor) -> Tensor {
    var c = Tensor(zeros: a.shape)
    elementwise("add", a, b, into: &c, +)
    return c
  }

  /// `a − b` element-wise as a new tensor.
  /// - Precondition: same shapes.
  @inlinable
  public static func - (a: Tensor, b: Tensor) -> Tensor {
    var c = Tensor(zeros: a.shape)
    elementwise("subtract", a, b, into: &c, -)
    return c
  }

  /// `a ⊙ b`, the element-wise (Hadamard) product, as a new tensor; the matrix product is
  /// `matmul(_:transposeSelf:transposeOther:)`.
  /// - Precondition: same shapes.
  @inlinable
  public static func * (a: Tensor, b: Tensor) -> Tensor {
    var c = Tensor(zeros: a.shape)
    elementwise("multiply", a, b, into: &c, *)
    return c
  }

  /// `a = a + b` element-wise.
  @inlinable
  public static func += (a: inout Tensor, b: Tensor) { a.add(b) }

  /// `a = a − b` element-wise.
  @inlinable
  public static func -= (a: inout Tensor, b: Tensor) { a.subtract(b) }

  /// `a = a ⊙ b` element-wise.
  @inlinable
  public static func *= (a: inout Tensor, b: Tensor) { a.multiply(b) }
}
