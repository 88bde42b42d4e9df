#if canImport(Glibc)
import Glibc
#endif

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
    if value == 0 && value.sign == .plus {
      base.initializeToZero(count: count)
    } else {
      base.initialize(repeating: value, count: count)
    }
  }

  @usableFromInline
  func copy() -> TensorStorage {
    let other = TensorStorage(uninitializedCount: count)
    other.base.initialize(from: base, count: count)
    return other
  }

  deinit { UnsafeMutableRawPointer(base).deallocate() }
}

extension UnsafeMutablePointer where Pointee: BLASScalar {
  /// Initialises `count` scalars to +0 (the all-zero bit pattern of `Float` and `Double`) with
  /// one `memset`. In generic code, `initialize(repeating: 0, count:)` runs the standard
  /// library's unspecialised loop, one value-witness call per element (a `forecast-bench lstm`
  /// (d) training process, with 112 M floats of training workspace and a Double reference
  /// model's buffers: 0.5 s of CPU in that loop, 0.11 s in `memset`).
  package func initializeToZero(count: Int) {
    precondition(count >= 0, "initializeToZero: negative count \(count)")
    memset(self, 0, count * MemoryLayout<Pointee>.stride)
  }
}
