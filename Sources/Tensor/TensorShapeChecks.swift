// The shape checks behind the operations' preconditions. Each returns the message the
// precondition stops with ("<operation>: expected …, got …") or `nil` when the shapes fit, so
// the tests can assert the exact text without trapping.

/// The message for operands whose shapes must be equal, or `nil` when they are.
@usableFromInline
package func shapeMismatch(
  _ operation: String, _ name: String, expected: TensorShape, got: TensorShape
) -> String? {
  expected == got ? nil : "\(operation): expected \(name) of shape \(expected), got \(got)"
}

/// The message for a `gemm` whose shapes do not fit `C[m, n] = op(A)[m, k] · op(B)[k, n]`, or
/// `nil`.
@usableFromInline
package func gemmShapeViolation(
  a: TensorShape, b: TensorShape, c: TensorShape, transposeA: Bool, transposeB: Bool
) -> String? {
  guard a.rank == 2, b.rank == 2, c.rank == 2 else {
    return "gemm: expected 2-D A, B and C, got A \(a), B \(b), C \(c)"
  }
  let (m, k) = transposeA ? (a[1], a[0]) : (a[0], a[1])
  let (kb, n) = transposeB ? (b[1], b[0]) : (b[0], b[1])
  let opA = transposeA ? "Aᵀ" : "A"
  let opB = transposeB ? "Bᵀ" : "B"
  guard k == kb else {
    return "gemm: expected \(opB) with \(k) rows (the columns of \(opA) [\(m), \(k)]), "
      + "got \(opB) [\(kb), \(n)]"
  }
  guard c[0] == m, c[1] == n else {
    return "gemm: expected C of shape [\(m), \(n)] (\(opA) [\(m), \(k)] · \(opB) [\(k), \(n)]), "
      + "got \(c)"
  }
  return nil
}

/// The message for a `gemv` whose shapes do not fit `y[m] = op(A)[m, n] · x[n]`, or `nil`.
@usableFromInline
package func gemvShapeViolation(
  a: TensorShape, x: TensorShape, y: TensorShape, transpose: Bool
) -> String? {
  guard a.rank == 2 else { return "gemv: expected a 2-D A, got \(a)" }
  let (m, n) = transpose ? (a[1], a[0]) : (a[0], a[1])
  let opA = transpose ? "Aᵀ" : "A"
  guard x.rank == 1, x[0] == n else {
    return "gemv: expected x of shape [\(n)] (the columns of \(opA) [\(m), \(n)]), got \(x)"
  }
  guard y.rank == 1, y[0] == m else {
    return "gemv: expected y of shape [\(m)] (the rows of \(opA) [\(m), \(n)]), got \(y)"
  }
  return nil
}
