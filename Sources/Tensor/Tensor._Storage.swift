/// The heap buffer behind a `Tensor`: `count` scalars, 64-byte aligned (one cache line, one
/// AVX-512 register), freed when the last tensor sharing it goes away.
@usableFromInline
final class TensorStorage<Scalar: BLASScalar>: @unchecked Sendable {
  @usableFromInline let base: UnsafeMutablePointer<Scalar>
  @usableFromInline let count: Int

  @usableFromInline
  init(uninitializedCount count: Int) {
    precondition(count >= 0, "Tensor: negative element count \(count)")
    self.count = count
    let raw = UnsafeMutableRawPointer.allocate(
      byteCount: max(1, count) * MemoryLayout<Scalar>.stride, alignment: 64)
    self.base = raw.bindMemory(to: Scalar.self, capacity: max(1, count))
  }

  @usableFromInline
  convenience init(repeating value: Scalar, count: Int) {
    self.init(uninitializedCount: count)
    base.initialize(repeating: value, count: count)
  }

  @usableFromInline
  func copy() -> TensorStorage {
    let other = TensorStorage(uninitializedCount: count)
    other.base.initialize(from: base, count: count)
    return other
  }

  deinit { UnsafeMutableRawPointer(base).deallocate() }
}
