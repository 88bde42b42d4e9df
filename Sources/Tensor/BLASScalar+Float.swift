#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Float: BLASScalar {
  @inlinable public static func exp(_ x: Float) -> Float { expf(x) }
  @inlinable public static func log(_ x: Float) -> Float { logf(x) }
  @inlinable public static func tanh(_ x: Float) -> Float { tanhf(x) }
  public static var safetensorsDType: String { "F32" }
}

extension Double: BLASScalar {
  @inlinable public static func exp(_ x: Double) -> Double { Glibc.exp(x) }
  @inlinable public static func log(_ x: Double) -> Double { Glibc.log(x) }
  @inlinable public static func tanh(_ x: Double) -> Double { Glibc.tanh(x) }
  public static var safetensorsDType: String { "F64" }
}
