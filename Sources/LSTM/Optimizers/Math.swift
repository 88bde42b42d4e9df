#if canImport(Glibc)
import Glibc
#endif

/// The C library's `pow` (what Python's `**` calls for floats).
@inline(__always) func powLibm(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }

/// The C library's `cos`.
@inline(__always) func cosLibm(_ x: Double) -> Double { Glibc.cos(x) }
