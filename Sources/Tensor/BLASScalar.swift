/// The element types the tensor library computes in: `Float` (training) and `Double`
/// (exact gradient checks). Each conforming type routes the BLAS level 1–3 and LAPACK calls to
/// its precision (`cblas_s…` or `cblas_d…`); see `BLAS.swift` and `LAPACK.swift`.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible
where Self.RawSignificand: FixedWidthInteger {
  /// `exp(x)`.
  static func exp(_ x: Self) -> Self
  /// `log(x)` (natural).
  static func log(_ x: Self) -> Self
  /// `tanh(x)`.
  static func tanh(_ x: Self) -> Self
  /// The safetensors dtype name of this precision (`"F32"` or `"F64"`).
  static var safetensorsDType: String { get }
}
