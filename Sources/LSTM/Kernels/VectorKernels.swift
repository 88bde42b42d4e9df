import Tensor

// Flat loops over raw buffers, dispatched once per call to a concrete precision.
//
// The layer, optimiser and loss code is generic over `BLASScalar`, and a generic function that
// another module calls runs unspecialised (every `+` through a witness table, no vectors). Each
// kernel here tests `S.self` once and calls the same generic body with `Float` or `Double`
// pointers, a call the compiler specialises inside this module: one branch per call, vector code
// per element.

enum VectorKernels {
  /// `p[0..<count] = 0` (a byte fill; zero bits are 0 in both precisions).
  @inline(__always)
  static func zero<S: BLASScalar>(_ p: UnsafeMutablePointer<S>, count: Int) {
    UnsafeMutableRawPointer(p).initializeMemory(
      as: UInt8.self, repeating: 0, count: count * MemoryLayout<S>.stride)
  }

  /// `dst[0..<count] = src[0..<count]` (a byte copy).
  @inline(__always)
  static func copy<S: BLASScalar>(
    _ src: UnsafePointer<S>, to dst: UnsafeMutablePointer<S>, count: Int
  ) {
    UnsafeMutableRawPointer(dst).copyMemory(
      from: UnsafeRawPointer(src), byteCount: count * MemoryLayout<S>.stride)
  }

  /// `y[k] += x[k]`.
  static func add<S: BLASScalar>(_ x: UnsafePointer<S>, into y: UnsafeMutablePointer<S>, count: Int)
  {
    if S.self == Float.self {
      addBody(rebound(x) as UnsafePointer<Float>, rebound(y), count)
    } else {
      addBody(rebound(x) as UnsafePointer<Double>, rebound(y), count)
    }
  }

  /// `y[k] *= x[k]`.
  static func multiply<S: BLASScalar>(
    _ x: UnsafePointer<S>, into y: UnsafeMutablePointer<S>, count: Int
  ) {
    if S.self == Float.self {
      multiplyBody(rebound(x) as UnsafePointer<Float>, rebound(y), count)
    } else {
      multiplyBody(rebound(x) as UnsafePointer<Double>, rebound(y), count)
    }
  }

  /// Every row of `out` `[rows, n]` = `a + b` (`[n]` each).
  static func broadcastSum<S: BLASScalar>(
    _ a: UnsafePointer<S>, _ b: UnsafePointer<S>, into out: UnsafeMutablePointer<S>, rows: Int,
    columns n: Int
  ) {
    if S.self == Float.self {
      broadcastSumBody(rebound(a) as UnsafePointer<Float>, rebound(b), rebound(out), rows, n)
    } else {
      broadcastSumBody(rebound(a) as UnsafePointer<Double>, rebound(b), rebound(out), rows, n)
    }
  }

  /// `sums[j] += Σ_r m[r, j]` over `m` `[rows, n]`.
  static func addColumnSums<S: BLASScalar>(
    _ m: UnsafePointer<S>, rows: Int, columns n: Int, into sums: UnsafeMutablePointer<S>
  ) {
    if S.self == Float.self {
      columnSumsBody(rebound(m) as UnsafePointer<Float>, rows, n, rebound(sums))
    } else {
      columnSumsBody(rebound(m) as UnsafePointer<Double>, rows, n, rebound(sums))
    }
  }

  /// Σ x[k]², accumulated in Double (both precisions), so the global norm of a Float gradient
  /// does not depend on the buffer's length to rounding.
  static func sumOfSquares<S: BLASScalar>(_ x: UnsafePointer<S>, count: Int) -> Double {
    if S.self == Float.self {
      return sumOfSquaresBody(rebound(x) as UnsafePointer<Float>, count)
    } else {
      return sumOfSquaresBody(rebound(x) as UnsafePointer<Double>, count)
    }
  }

  /// `x[k] *= s`.
  static func scale<S: BLASScalar>(_ x: UnsafeMutablePointer<S>, by s: S, count: Int) {
    if S.self == Float.self {
      scaleBody(rebound(x) as UnsafeMutablePointer<Float>, Float(s), count)
    } else {
      scaleBody(rebound(x) as UnsafeMutablePointer<Double>, Double(s), count)
    }
  }

  // MARK: - Bodies (specialised at the calls above)

  @inline(__always)
  static func addBody<T: BinaryFloatingPoint>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int
  ) {
    for k in 0..<n { y[k] += x[k] }
  }

  @inline(__always)
  static func multiplyBody<T: BinaryFloatingPoint>(
    _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int
  ) {
    for k in 0..<n { y[k] *= x[k] }
  }

  @inline(__always)
  static func broadcastSumBody<T: BinaryFloatingPoint>(
    _ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, _ rows: Int,
    _ n: Int
  ) {
    for r in 0..<rows {
      let row = out + r * n
      for j in 0..<n { row[j] = a[j] + b[j] }
    }
  }

  @inline(__always)
  static func columnSumsBody<T: BinaryFloatingPoint>(
    _ m: UnsafePointer<T>, _ rows: Int, _ n: Int, _ sums: UnsafeMutablePointer<T>
  ) {
    for r in 0..<rows {
      let row = m + r * n
      for j in 0..<n { sums[j] += row[j] }
    }
  }

  @inline(__always)
  static func sumOfSquaresBody<T: BinaryFloatingPoint>(_ x: UnsafePointer<T>, _ n: Int) -> Double {
    var total = 0.0
    for k in 0..<n {
      let v = Double(x[k])
      total += v * v
    }
    return total
  }

  @inline(__always)
  static func scaleBody<T: BinaryFloatingPoint>(_ x: UnsafeMutablePointer<T>, _ s: T, _ n: Int) {
    for k in 0..<n { x[k] *= s }
  }
}
