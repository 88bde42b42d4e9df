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
  /// `[B, H]`. One fused pass per row, `laneCount` lanes at a time (explicit SIMD vectors, so the
  /// loop is vector code whatever the compiler decides about the five pointers aliasing).
  static func forward(
    gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
    h: UnsafeMutablePointer<Float>, batch: Int, hidden: Int
  ) {
    let g4 = 4 * hidden
    let vectorEnd = hidden - hidden % laneCount
    for b in 0..<batch {
      let z = gates + b * g4
      let row = b * hidden
      var j = 0
      while j < vectorEnd {
        let i = sigmoidLanes(loadLanes(z + j))
        let f = sigmoidLanes(loadLanes(z + hidden + j))
        let g = tanhLanes(loadLanes(z + 2 * hidden + j))
        let o = sigmoidLanes(loadLanes(z + 3 * hidden + j))
        let cn = (i * g).addingProduct(f, loadLanes(cPrev + row + j))
        let tc = tanhLanes(cn)
        storeLanes(i, z + j)
        storeLanes(f, z + hidden + j)
        storeLanes(g, z + 2 * hidden + j)
        storeLanes(o, z + 3 * hidden + j)
        storeLanes(cn, c + row + j)
        storeLanes(tc, tanhC + row + j)
        storeLanes(o * tc, h + row + j)
        j += laneCount
      }
      while j < hidden {
        let i = fastSigmoid(z[j])
        let f = fastSigmoid(z[hidden + j])
        let g = fastTanh(z[2 * hidden + j])
        let o = fastSigmoid(z[3 * hidden + j])
        let cn = f * cPrev[row + j] + i * g
        let tc = fastTanh(cn)
        z[j] = i
        z[hidden + j] = f
        z[2 * hidden + j] = g
        z[3 * hidden + j] = o
        c[row + j] = cn
        tanhC[row + j] = tc
        h[row + j] = o * tc
        j += 1
      }
    }
  }

  /// `backward` for Float, `laneCount` lanes at a time (same formulas).
  static func backward(
    gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>, tanhC: UnsafePointer<Float>,
    dh: UnsafePointer<Float>, dcCarry: UnsafeMutablePointer<Float>, batch: Int, hidden: Int
  ) {
    let g4 = 4 * hidden
    let vectorEnd = hidden - hidden % laneCount
    for b in 0..<batch {
      let z = gates + b * g4
      let row = b * hidden
      var j = 0
      while j < vectorEnd {
        let i = loadLanes(z + j)
        let f = loadLanes(z + hidden + j)
        let g = loadLanes(z + 2 * hidden + j)
        let o = loadLanes(z + 3 * hidden + j)
        let tc = loadLanes(tanhC + row + j)
        let dhv = loadLanes(dh + row + j)
        let one = FloatLanes(repeating: 1)
        let dc = loadLanes(dcCarry + row + j) + dhv * o * (one - tc * tc)
        storeLanes(dhv * tc * o * (one - o), z + 3 * hidden + j)
        storeLanes(dc * g * i * (one - i), z + j)
        storeLanes(dc * loadLanes(cPrev + row + j) * f * (one - f), z + hidden + j)
        storeLanes(dc * i * (one - g * g), z + 2 * hidden + j)
        storeLanes(dc * f, dcCarry + row + j)
        j += laneCount
      }
      if j < hidden {
        backwardScalar(
          gates: z, cPrev: cPrev + row, tanhC: tanhC + row, dh: dh + row, dcCarry: dcCarry + row,
          hidden: hidden, from: j)
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
  static func backward(
    gates: UnsafeMutablePointer<Double>, cPrev: UnsafePointer<Double>,
    tanhC: UnsafePointer<Double>, dh: UnsafePointer<Double>, dcCarry: UnsafeMutablePointer<Double>,
    batch: Int, hidden: Int
  ) {
    for b in 0..<batch {
      let row = b * hidden
      backwardScalar(
        gates: gates + b * 4 * hidden, cPrev: cPrev + row, tanhC: tanhC + row, dh: dh + row,
        dcCarry: dcCarry + row, hidden: hidden, from: 0)
    }
  }

  /// One row of the backward step, elements `from..<H`, in any precision.
  @inline(__always)
  static func backwardScalar<S: BinaryFloatingPoint>(
    gates z: UnsafeMutablePointer<S>, cPrev: UnsafePointer<S>, tanhC: UnsafePointer<S>,
    dh: UnsafePointer<S>, dcCarry: UnsafeMutablePointer<S>, hidden: Int, from start: Int
  ) {
    for j in start..<hidden {
      let i = z[j]
      let f = z[hidden + j]
      let g = z[2 * hidden + j]
      let o = z[3 * hidden + j]
      let tc = tanhC[j]
      let dhv = dh[j]
      let dc = dcCarry[j] + dhv * o * (1 - tc * tc)
      z[3 * hidden + j] = dhv * tc * o * (1 - o)
      z[j] = dc * g * i * (1 - i)
      z[hidden + j] = dc * cPrev[j] * f * (1 - f)
      z[2 * hidden + j] = dc * i * (1 - g * g)
      dcCarry[j] = dc * f
    }
  }
}

// MARK: - Vector lanes

/// The vector the gate kernels compute in: 8 lanes (one AVX2 register). 16-lane vectors are not
/// used here: the compiler splits their compare-and-select (the clamp in `fastExpLanes`) into
/// 4-lane pieces and stops inlining, which measured slower than 8 lanes.
typealias FloatLanes = SIMD8<Float>
typealias UInt32Lanes = SIMD8<UInt32>

/// `FloatLanes.scalarCount`.
let laneCount = FloatLanes.scalarCount

/// The vector `SmallGemm` accumulates in: 16 lanes (one AVX-512 register) when the package
/// manifest found AVX-512 on the build machine and defined `LSTM_AVX512`, else 8 (one AVX2
/// register). Only multiply-adds, loads and stores: these compile to full-width instructions.
#if LSTM_AVX512
typealias GemmLanes = SIMD16<Float>
#else
typealias GemmLanes = SIMD8<Float>
#endif

@inline(__always)
func loadGemmLanes(_ p: UnsafePointer<Float>) -> GemmLanes {
  UnsafeRawPointer(p).loadUnaligned(as: GemmLanes.self)
}

@inline(__always)
func loadGemmLanes(_ p: UnsafeMutablePointer<Float>) -> GemmLanes {
  UnsafeRawPointer(p).loadUnaligned(as: GemmLanes.self)
}

@inline(__always)
func storeGemmLanes(_ v: GemmLanes, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: GemmLanes.self)
}

@inline(__always)
func loadLanes(_ p: UnsafePointer<Float>) -> FloatLanes {
  UnsafeRawPointer(p).loadUnaligned(as: FloatLanes.self)
}

@inline(__always)
func loadLanes(_ p: UnsafeMutablePointer<Float>) -> FloatLanes {
  UnsafeRawPointer(p).loadUnaligned(as: FloatLanes.self)
}

@inline(__always)
func storeLanes(_ v: FloatLanes, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: FloatLanes.self)
}

/// `fastExp` on every lane.
@inline(__always)
func fastExpLanes(_ x: FloatLanes) -> FloatLanes {
  // Mask-and-blend clamping (the standard library's pointwiseMin/Max compare lane by lane with
  // NaN rules and are not inlined).
  let low = FloatLanes(repeating: -87)
  let high = FloatLanes(repeating: 88)
  let clamped = x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
  let t = clamped * 1.442_695_04
  let shifted = t + 12_582_912
  let n = shifted - 12_582_912
  let f = t - n
  // Horner steps as fused multiply-adds (`c + p·f` in one rounding; the compiler does not fuse
  // a separate multiply and add by itself).
  var p = FloatLanes(repeating: 1.525_273_4e-5)
  p = FloatLanes(repeating: 1.540_353_0e-4).addingProduct(p, f)
  p = FloatLanes(repeating: 1.333_355_8e-3).addingProduct(p, f)
  p = FloatLanes(repeating: 9.618_129_1e-3).addingProduct(p, f)
  p = FloatLanes(repeating: 5.550_410_9e-2).addingProduct(p, f)
  p = FloatLanes(repeating: 2.402_265_1e-1).addingProduct(p, f)
  p = FloatLanes(repeating: 6.931_471_8e-1).addingProduct(p, f)
  p = FloatLanes(repeating: 1).addingProduct(p, f)
  let bits = (unsafeBitCast(shifted, to: UInt32Lanes.self) &- 0x4B40_0000 &+ 127) &<< 23
  return p * unsafeBitCast(bits, to: FloatLanes.self)
}

@inline(__always)
func sigmoidLanes(_ x: FloatLanes) -> FloatLanes { 1 / (1 + fastExpLanes(-x)) }

@inline(__always)
func tanhLanes(_ x: FloatLanes) -> FloatLanes { 2 / (1 + fastExpLanes(-2 * x)) - 1 }
