import CBLAS

// The only file (with LAPACK.swift) that touches CBLAS. Everything here takes Swift `Int` sizes
// and converts them to `blasint` (Int32 in Debian's OpenBLAS) once, behind a precondition.
// These functions are called unspecialised from the @inlinable wrappers in other modules, so
// they convert α and β by bit casts inside the branch that knows the precision (a generic
// `Float(alpha)` conversion would cost more than a small GEMM's wrapper is allowed to).

@usableFromInline
func blasInt(_ value: Int, _ what: StaticString) -> blasint {
  precondition(
    value >= 0 && value <= Int(blasint.max),
    "BLAS: \(what) = \(value) does not fit the BLAS integer (0...\(blasint.max))")
  return blasint(value)
}

/// `C = α·op(A)·op(B) + β·C` on row-major matrices through `cblas_?gemm`.
///
/// `op(A)` is `[m, k]`, `op(B)` is `[k, n]`, `C` is `[m, n]`; `lda`, `ldb`, `ldc` are the row
/// strides of the matrices as stored (before the transpose).
/// - Precondition: the strides are at least the stored row widths.
@usableFromInline
package func blasGemm<S: BLASScalar>(
  transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
  alpha: S, a: UnsafePointer<S>, lda: Int, b: UnsafePointer<S>, ldb: Int,
  beta: S, c: UnsafeMutablePointer<S>, ldc: Int
) {
  precondition(
    lda >= max(1, transposeA ? m : k),
    "gemm: expected lda ≥ \(max(1, transposeA ? m : k)) (the row width of A), got \(lda)")
  precondition(
    ldb >= max(1, transposeB ? k : n),
    "gemm: expected ldb ≥ \(max(1, transposeB ? k : n)) (the row width of B), got \(ldb)")
  precondition(ldc >= max(1, n), "gemm: expected ldc ≥ \(max(1, n)) (n), got \(ldc)")
  if m == 0 || n == 0 { return }
  let ta = transposeA ? CblasTrans : CblasNoTrans
  let tb = transposeB ? CblasTrans : CblasNoTrans
  let (M, N, K) = (blasInt(m, "m"), blasInt(n, "n"), blasInt(k, "k"))
  let (LDA, LDB, LDC) = (blasInt(lda, "lda"), blasInt(ldb, "ldb"), blasInt(ldc, "ldc"))
  if S.self == Float.self {
    cblas_sgemm(
      CblasRowMajor, ta, tb, M, N, K, unsafeBitCast(alpha, to: Float.self),
      UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), LDA,
      UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), LDB,
      unsafeBitCast(beta, to: Float.self),
      UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), LDC)
  } else if S.self == Double.self {
    cblas_dgemm(
      CblasRowMajor, ta, tb, M, N, K, unsafeBitCast(alpha, to: Double.self),
      UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), LDA,
      UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), LDB,
      unsafeBitCast(beta, to: Double.self),
      UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), LDC)
  } else {
    preconditionFailure("gemm: no BLAS routine for \(S.self)")
  }
}

/// `y = α·op(A)·x + β·y` through `cblas_?gemv`; `A` is `[m, n]` row-major with row stride `lda`.
@usableFromInline
package func blasGemv<S: BLASScalar>(
  transpose: Bool, m: Int, n: Int, alpha: S, a: UnsafePointer<S>, lda: Int,
  x: UnsafePointer<S>, incX: Int = 1, beta: S, y: UnsafeMutablePointer<S>, incY: Int = 1
) {
  precondition(lda >= max(1, n), "gemv: expected lda ≥ \(max(1, n)) (n), got \(lda)")
  if m == 0 || n == 0 { return }
  let t = transpose ? CblasTrans : CblasNoTrans
  let (M, N, LDA) = (blasInt(m, "m"), blasInt(n, "n"), blasInt(lda, "lda"))
  let (IX, IY) = (blasInt(incX, "incX"), blasInt(incY, "incY"))
  if S.self == Float.self {
    cblas_sgemv(
      CblasRowMajor, t, M, N, unsafeBitCast(alpha, to: Float.self),
      UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), LDA,
      UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), IX,
      unsafeBitCast(beta, to: Float.self),
      UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), IY)
  } else if S.self == Double.self {
    cblas_dgemv(
      CblasRowMajor, t, M, N, unsafeBitCast(alpha, to: Double.self),
      UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), LDA,
      UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), IX,
      unsafeBitCast(beta, to: Double.self),
      UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), IY)
  } else {
    preconditionFailure("gemv: no BLAS routine for \(S.self)")
  }
}

/// `y = α·x + y` through `cblas_?axpy` over `count` elements.
@usableFromInline
package func blasAxpy<S: BLASScalar>(
  count: Int, alpha: S, x: UnsafePointer<S>, y: UnsafeMutablePointer<S>
) {
  if count == 0 { return }
  let n = blasInt(count, "count")
  if S.self == Float.self {
    cblas_saxpy(
      n, unsafeBitCast(alpha, to: Float.self),
      UnsafeRawPointer(x).assumingMemoryBound(to: Float.self), 1,
      UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), 1)
  } else if S.self == Double.self {
    cblas_daxpy(
      n, unsafeBitCast(alpha, to: Double.self),
      UnsafeRawPointer(x).assumingMemoryBound(to: Double.self), 1,
      UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), 1)
  } else {
    preconditionFailure("axpy: no BLAS routine for \(S.self)")
  }
}

/// `x = α·x` through `cblas_?scal` over `count` elements.
@usableFromInline
package func blasScal<S: BLASScalar>(count: Int, alpha: S, x: UnsafeMutablePointer<S>) {
  if count == 0 { return }
  let n = blasInt(count, "count")
  if S.self == Float.self {
    cblas_sscal(
      n, unsafeBitCast(alpha, to: Float.self),
      UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self), 1)
  } else if S.self == Double.self {
    cblas_dscal(
      n, unsafeBitCast(alpha, to: Double.self),
      UnsafeMutableRawPointer(x).assumingMemoryBound(to: Double.self), 1)
  } else {
    preconditionFailure("scal: no BLAS routine for \(S.self)")
  }
}

/// The OpenBLAS library this process runs on: its thread count and the kernel family it chose.
public enum BLASRuntime {
  /// The number of threads OpenBLAS uses for one call. Setting it takes effect for later calls.
  public static var threads: Int {
    get { Int(openblas_get_num_threads()) }
    set { openblas_set_num_threads(Int32(max(1, newValue))) }
  }

  /// The kernel family OpenBLAS selected for this CPU, e.g. `"Haswell"` or `"SkylakeX"`.
  public static var coreName: String { String(cString: openblas_get_corename()) }

  /// OpenBLAS's build configuration string (version, DYNAMIC_ARCH, threading).
  public static var configuration: String { String(cString: openblas_get_config()) }
}
