#if canImport(Glibc)
import Glibc
#endif

/// A C library function looked up at run time: for the ones Glibc's module map leaves out (GNU
/// extensions, `malloc.h`). Nil where the C library has none.
///
/// - Parameters:
///   - name: the symbol.
///   - type: its `@convention(c)` function type, exactly as the C declaration has it.
/// - Returns: the function, or nil when the C library does not have it.
package func cFunction<F>(_ name: String, as type: F.Type) -> F? {
  guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
  return unsafeBitCast(symbol, to: type)
}
