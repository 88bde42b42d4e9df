import CBLAS

// The only file besides BLAS.swift that touches CBLAS: LAPACKE's Householder QR, for the
// orthogonal initialiser. Sizes are Swift `Int`s, converted to `lapack_int` (Int32 in Debian's
// LAPACKE) once, behind a precondition. A negative `info` means an argument was invalid, which
// is a programmer error: a precondition failure naming the argument.

func lapackInt(_ value: Int, _ what: StaticString) -> Int32 {
  precondition(
    value >= 0 && value <= Int(Int32.max),
    "LAPACK: \(what) = \(value) does not fit the LAPACK integer (0...\(Int32.max))")
  return Int32(value)
}

func checkInfo(_ info: Int32, _ routine: StaticString) {
  precondition(
    info == 0, "\(routine): expected info 0, got \(info) (argument \(-info) was invalid)")
}

/// Householder QR of a row-major `[m, n]` matrix in place (`?geqrf`): afterwards the upper
/// triangle holds `R` (`min(m, n)` rows), the part below the diagonal and `tau`
/// (`min(m, n)` scalars) the reflectors that `lapackOrgqr` turns into `Q`.
///
/// - Precondition: `lda >= max(1, n)`, `tau` has room for `min(m, n)` scalars.
package func lapackGeqrf<S: BLASScalar>(
  m: Int, n: Int, a: UnsafeMutablePointer<S>, lda: Int, tau: UnsafeMutablePointer<S>
) {
  precondition(lda >= max(1, n), "geqrf: expected lda ≥ \(max(1, n)), got \(lda)")
  if m == 0 || n == 0 { return }
  let (M, N, LDA) = (lapackInt(m, "m"), lapackInt(n, "n"), lapackInt(lda, "lda"))
  let info: Int32
  if S.self == Float.self {
    info = LAPACKE_sgeqrf(
      LAPACK_ROW_MAJOR, M, N, UnsafeMutableRawPointer(a).assumingMemoryBound(to: Float.self), LDA,
      UnsafeMutableRawPointer(tau).assumingMemoryBound(to: Float.self))
  } else if S.self == Double.self {
    info = LAPACKE_dgeqrf(
      LAPACK_ROW_MAJOR, M, N, UnsafeMutableRawPointer(a).assumingMemoryBound(to: Double.self),
      LDA, UnsafeMutableRawPointer(tau).assumingMemoryBound(to: Double.self))
  } else {
    preconditionFailure("geqrf: no LAPACK routine for \(S.self)")
  }
  checkInfo(info, "LAPACKE_?geqrf")
}

/// Forms the `[m, n]` matrix `Q` with orthonormal columns from the first `k` reflectors that
/// `lapackGeqrf` left in `a` and `tau` (`?orgqr`), in place.
///
/// - Precondition: `m >= n >= k >= 0`, `lda >= max(1, n)`.
package func lapackOrgqr<S: BLASScalar>(
  m: Int, n: Int, k: Int, a: UnsafeMutablePointer<S>, lda: Int, tau: UnsafePointer<S>
) {
  precondition(
    m >= n && n >= k && k >= 0, "orgqr: expected m ≥ n ≥ k ≥ 0, got m \(m), n \(n), k \(k)")
  precondition(lda >= max(1, n), "orgqr: expected lda ≥ \(max(1, n)), got \(lda)")
  if m == 0 || n == 0 { return }
  let (M, N, K, LDA) = (
    lapackInt(m, "m"), lapackInt(n, "n"), lapackInt(k, "k"), lapackInt(lda, "lda")
  )
  let info: Int32
  if S.self == Float.self {
    info = LAPACKE_sorgqr(
      LAPACK_ROW_MAJOR, M, N, K, UnsafeMutableRawPointer(a).assumingMemoryBound(to: Float.self),
      LDA, UnsafeRawPointer(tau).assumingMemoryBound(to: Float.self))
  } else if S.self == Double.self {
    info = LAPACKE_dorgqr(
      LAPACK_ROW_MAJOR, M, N, K, UnsafeMutableRawPointer(a).assumingMemoryBound(to: Double.self),
      LDA, UnsafeRawPointer(tau).assumingMemoryBound(to: Double.self))
  } else {
    preconditionFailure("orgqr: no LAPACK routine for \(S.self)")
  }
  checkInfo(info, "LAPACKE_?orgqr")
}
