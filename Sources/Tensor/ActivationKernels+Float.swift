// Vectorisable Float kernels for the LSTM's activations.
//
// The C library's expf and tanhf are called once per element and cannot be vectorised (glibc's
// tanhf costs about 12 ns per element on this machine). These loops use only +, ×, ÷, compares,
// selects and integer bit operations, which the release build turns into packed SSE
// instructions. Accuracy: a few ulps over the whole Float range, subnormal results included
// (tested against Double references in ActivationTests). Double keeps the C library (its
// results feed the finite-difference gradient checks).

/// `e^t` for `t ≤ 0` (and NaN), branch-free: Cody–Waite reduction `t = n·ln2 + r`,
/// `|r| ≤ ln2/2`, Cephes' degree-7 polynomial for `e^r`, then `2^n` applied in two halves so
/// results down to the smallest subnormal (`t ≈ −103.3`) keep their value.
@inline(__always)
func expNonPositive(_ t: Float) -> Float {
  let magic: Float = 12_582_912  // 1.5·2^23: adding it rounds to an integer
  let clamped = max(t, -104)  // e^−104 < the smallest subnormal: the result is 0 anyway
  let k = clamped * 1.442_695_04 + magic  // t / ln2 rounded, in the low bits of k
  let n = k - magic
  let r = (clamped - n * 0.693_359_375) + n * 2.121_944_4e-4  // ln2 = 0.693359375 − 2.12e-4
  var p: Float = 1.987_569_150_0e-4
  p = p * r + 1.398_199_950_7e-3
  p = p * r + 8.333_451_907_3e-3
  p = p * r + 4.166_579_589_4e-2
  p = p * r + 1.666_666_545_9e-1
  p = p * r + 5.000_000_120_1e-1
  p = p * r * r + r + 1
  let ni = Int32(bitPattern: k.bitPattern) &- Int32(bitPattern: magic.bitPattern)  // n ≥ −150
  let half = ni >> 1
  let scale1 = Float(bitPattern: UInt32(bitPattern: (half &+ 127) &<< 23))
  let scale2 = Float(bitPattern: UInt32(bitPattern: (ni &- half &+ 127) &<< 23))
  return p * scale1 * scale2
}

/// `y[i] = σ(x[i])` for `Float`, as `sigmoid(_:)` defines it, vectorised.
@usableFromInline
func sigmoidKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
  for i in 0..<count {
    let v = x[i]
    let e = expNonPositive(-abs(v))
    let s = (v >= 0 ? 1 : e) / (1 + e)
    y[i] = v.isNaN ? v : s
  }
}

/// `y[i] = tanh(x[i])` for `Float`, vectorised: Cephes' odd polynomial for `|x| < 0.625`,
/// `(1 − e)/(1 + e)` with `e = e^(−2|x|)` above (no cancellation there), sign restored
/// (`tanh(−0) = −0`).
@usableFromInline
func tanhKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
  for i in 0..<count {
    let v = x[i]
    let a = abs(v)
    let z = a * a
    var p: Float = -5.704_988_727_45e-3
    p = p * z + 2.063_908_879_54e-2
    p = p * z - 5.373_971_555_31e-2
    p = p * z + 1.333_144_220_36e-1
    p = p * z - 3.333_328_194_22e-1
    let small = p * z * a + a
    let e = expNonPositive(-2 * a)
    let large = (1 - e) / (1 + e)
    let magnitude = a < 0.625 ? small : large
    y[i] = v.isNaN ? v : Float(signOf: v, magnitudeOf: magnitude)
  }
}
