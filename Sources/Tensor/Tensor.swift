/// A dense, row-major, copy-on-write tensor of `Float` or `Double`.
///
/// Copying a tensor is cheap and makes a snapshot: the first mutation of a shared copy copies the
/// buffer (`ensureUnique()`). The last dimension is contiguous; a `[T, B, H]` tensor stores
/// `x[t][b][h]` at `(t·B + b)·H + h`.
public struct Tensor<Scalar: BLASScalar> {
  @usableFromInline var storage: TensorStorage<Scalar>
  /// The extents, outermost first.
  public private(set) var shape: TensorShape

  /// A tensor of the given shape with every element `value`.
  public init(repeating value: Scalar, shape: TensorShape) {
    self.storage = TensorStorage(repeating: value, count: shape.count)
    self.shape = shape
  }

  /// A tensor of zeros.
  public init(zeros shape: TensorShape) { self.init(repeating: 0, shape: shape) }

  /// A tensor holding `scalars` in row-major order.
  /// - Precondition: `scalars.count == shape.count`.
  public init(shape: TensorShape, scalars: [Scalar]) {
    precondition(
      scalars.count == shape.count,
      "Tensor(shape:scalars:): shape \(shape) needs \(shape.count) scalars, got \(scalars.count)")
    let storage = TensorStorage<Scalar>(uninitializedCount: scalars.count)
    scalars.withUnsafeBufferPointer { src in
      if let from = src.baseAddress { storage.base.initialize(from: from, count: src.count) }
    }
    self.storage = storage
    self.shape = shape
  }

  /// A tensor whose elements are written by `body`, which must initialise all `shape.count`.
  public init(
    shape: TensorShape,
    unsafeUninitializedCapacity body: (UnsafeMutableBufferPointer<Scalar>) throws -> Void
  ) rethrows {
    let storage = TensorStorage<Scalar>(uninitializedCount: shape.count)
    storage.base.initializeToZero(count: shape.count)
    try body(UnsafeMutableBufferPointer(start: storage.base, count: shape.count))
    self.storage = storage
    self.shape = shape
  }

  /// The number of elements.
  @inlinable public var count: Int { storage.count }

  /// The elements in row-major order.
  public var scalars: [Scalar] { Array(UnsafeBufferPointer(start: storage.base, count: count)) }

  /// Makes the buffer this tensor's own, copying it if another tensor shares it.
  @inlinable
  public mutating func ensureUnique() {
    if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
  }

  /// Calls `body` with the elements; the pointer must not escape it.
  @inlinable
  public func withUnsafeBufferPointer<R>(
    _ body: (UnsafeBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
  }

  /// Calls `body` with the elements to mutate, after `ensureUnique()`; the pointer must not
  /// escape it.
  @inlinable
  public mutating func withUnsafeMutableBufferPointer<R>(
    _ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R
  ) rethrows -> R {
    ensureUnique()
    return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
  }

  /// The same elements under another shape with the same element count (no copy).
  /// - Precondition: `newShape.count == count`.
  public func reshaped(to newShape: TensorShape) -> Tensor {
    precondition(
      newShape.count == count,
      "Tensor.reshaped: cannot view \(shape) (\(count) elements) as \(newShape) (\(newShape.count))"
    )
    var result = self
    result.shape = newShape
    return result
  }

  /// The element at a full multi-index.
  /// - Precondition: one index per dimension, each within its extent.
  public subscript(indices: Int...) -> Scalar {
    get { storage.base[offset(of: indices)] }
    set {
      let i = offset(of: indices)
      ensureUnique()
      storage.base[i] = newValue
    }
  }

  @usableFromInline
  func offset(of indices: [Int]) -> Int {
    precondition(
      indices.count == shape.rank,
      "Tensor subscript: expected \(shape.rank) indices for shape \(shape), got \(indices.count)")
    var offset = 0
    for (axis, index) in indices.enumerated() {
      precondition(
        index >= 0 && index < shape[axis],
        "Tensor subscript: index \(index) out of 0..<\(shape[axis]) on axis \(axis) of \(shape)")
      offset = offset * shape[axis] + index
    }
    return offset
  }
}

extension Tensor: Sendable where Scalar: Sendable {}

extension Tensor: Equatable {
  /// Same shape and the same elements (`==` per element, so NaN ≠ NaN).
  public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
    guard lhs.shape == rhs.shape else { return false }
    if lhs.storage === rhs.storage { return true }
    for i in 0..<lhs.count where lhs.storage.base[i] != rhs.storage.base[i] { return false }
    return true
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
    return "Tensor<\(Scalar.self)>\(shape) [\(shown)\(count > 8 ? ", …" : "")]"
  }
}
