#if canImport(Glibc)
import Glibc
#endif

// The element-wise part of one LSTM time step, in concrete precisions so the loops compile to
// straight vector code whichever module calls the generic layer code:
//
// - Float uses `fastExp` (Cody–Waite range reduction and a degree-7 polynomial for 2^f, relative
//   error below 2e-7, no library call), so the gate loops vectorise; sigmoid and tanh are built
//   on it. Float training is checked against PyTorch to 1e-4, far above this error.
// - Double uses the C library's `exp` and `tanh`, so Double forward and backward match PyTorch
//   (float64) to 1e-12 and the finite-difference checks see the exact function.

/// `e^x` for Float without a library call: `2^(x·log2 e)` split as `2^n · 2^f`, `|f| ≤ 0.5`.
/// Inputs are clamped to [-87, 88] (the result stays a normal float).
@inline(__always)
func fastExp(_ x: Float) -> Float {
  let clamped = Swift.min(Swift.max(x, -87), 88)
  let t = clamped * 1.442_695_04
  // Adding 1.5·2^23 rounds t to the nearest integer in the low mantissa bits.
  let shifted = t + 12_582_912
  let n = shifted - 12_582_912
  let f = t - n
  var p: Float = 1.525_273_4e-5
  p = p * f + 1.540_353_0e-4
  p = p * f + 1.333_355_8e-3
  p = p * f + 9.618_129_1e-3
  p = p * f + 5.550_410_9e-2
  p = p * f + 2.402_265_1e-1
  p = p * f + 6.931_471_8e-1
  p = p * f + 1
  let exponentBits = (shifted.bitPattern &- 0x4B40_0000 &+ 127) << 23
  return p * Float(bitPattern: exponentBits)
}

@inline(__always) func fastSigmoid(_ x: Float) -> Float { 1 / (1 + fastExp(-x)) }

/// `tanh(x) = 2·sigmoid(2x) − 1` (absolute error below 3e-7).
@inline(__always) func fastTanh(_ x: Float) -> Float { 2 / (1 + fastExp(-2 * x)) - 1 }

@inline(__always) func exactSigmoid(_ x: Double) -> Double { 1 / (1 + Glibc.exp(-x)) }

/// The element-wise kernels of one LSTM step for one precision (`Float` fast, `Double` exact).
enum GateKernels {
  /// Activates one step's gates in place and advances the cell:
  ///
  ///     i, f, o = sigmoid(z_i, z_f, z_o);  g = tanh(z_g)
  ///     c = f ⊙ cPrev + i ⊙ g;  tanhC = tanh(c);  h = o ⊙ tanhC
  ///
  /// `gates` is `[B, 4H]` (pre-activations in, activations out), `cPrev`, `c`, `tanhC`, `h` are
  /// `[B, H]`; `h` may have a row stride (`ldh`) to write into a wider buffer.
  static func forward(
    gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
    h: UnsafeMutablePointer<Float>, batch: Int, hidden: Int
  ) {
    let g4 = 4 * hidden
    for b in 0..<batch {
      let z = gates + b * g4
      for j in 0..<(2 * hidden) { z[j] = fastSigmoid(z[j]) }
      for j in (2 * hidden)..<(3 * hidden) { z[j] = fastTanh(z[j]) }
      for j in (3 * hidden)..<g4 { z[j] = fastSigmoid(z[j]) }
      let row = b * hidden
      let zi = z
      let zf = z + hidden
      let zg = z + 2 * hidden
      let zo = z + 3 * hidden
      for j in 0..<hidden {
        let cn = zf[j] * cPrev[row + j] + zi[j] * zg[j]
        let tc = fastTanh(cn)
        c[row + j] = cn
        tanhC[row + j] = tc
        h[row + j] = zo[j] * tc
      }
    }
  }

  static func forward(
    gates: UnsafeMutablePointer<Double>, cPrev: UnsafePointer<Double>,
    c: UnsafeMutablePointer<Double>, tanhC: UnsafeMutablePointer<Double>,
    h: UnsafeMutablePointer<Double>, batch: Int, hidden: Int
  ) {
    let g4 = 4 * hidden
    for b in 0..<batch {
      let z = gates + b * g4
      for j in 0..<(2 * hidden) { z[j] = exactSigmoid(z[j]) }
      for j in (2 * hidden)..<(3 * hidden) { z[j] = Glibc.tanh(z[j]) }
      for j in (3 * hidden)..<g4 { z[j] = exactSigmoid(z[j]) }
      let row = b * hidden
      for j in 0..<hidden {
        let cn = z[hidden + j] * cPrev[row + j] + z[j] * z[2 * hidden + j]
        let tc = Glibc.tanh(cn)
        c[row + j] = cn
        tanhC[row + j] = tc
        h[row + j] = z[3 * hidden + j] * tc
      }
    }
  }

  /// One step of backpropagation through the cell, turning the activations in `gates` into the
  /// pre-activation gradient `dz` in place:
  ///
  ///     dc  = dcCarry + dh ⊙ o ⊙ (1 − tanhC²)
  ///     do  = dh ⊙ tanhC ⊙ o(1 − o)
  ///     di  = dc ⊙ g ⊙ i(1 − i);  df = dc ⊙ cPrev ⊙ f(1 − f);  dg = dc ⊙ i ⊙ (1 − g²)
  ///     dcCarry ← dc ⊙ f                                         (dc_{t-1})
  static func backward<S: BinaryFloatingPoint>(
    gates: UnsafeMutablePointer<S>, cPrev: UnsafePointer<S>, tanhC: UnsafePointer<S>,
    dh: UnsafePointer<S>, dcCarry: UnsafeMutablePointer<S>, batch: Int, hidden: Int
  ) {
    let g4 = 4 * hidden
    for b in 0..<batch {
      let z = gates + b * g4
      let row = b * hidden
      for j in 0..<hidden {
        let i = z[j]
        let f = z[hidden + j]
        let g = z[2 * hidden + j]
        let o = z[3 * hidden + j]
        let tc = tanhC[row + j]
        let dhv = dh[row + j]
        let dc = dcCarry[row + j] + dhv * o * (1 - tc * tc)
        z[3 * hidden + j] = dhv * tc * o * (1 - o)
        z[j] = dc * g * i * (1 - i)
        z[hidden + j] = dc * cPrev[row + j] * f * (1 - f)
        z[2 * hidden + j] = dc * i * (1 - g * g)
        dcCarry[row + j] = dc * f
      }
    }
  }
}
