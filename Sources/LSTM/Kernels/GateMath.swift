#if canImport(Glibc)
import Glibc
#endif

// The element-wise part of one LSTM time step, in concrete precisions so the loops compile to
// straight vector code whichever module calls the generic layer code:
//
// - Float runs the active kernel path's C code (`KernelPath`): e^x by Cody–Waite range
//   reduction and a degree-7 polynomial for 2^f (relative error below 2e-7, no library call),
//   sigmoid and tanh built on it, the same bits on every path. Float training is checked
//   against PyTorch to 1e-4, far above this error.
// - Double uses the C library's `exp` and `tanh`, so Double forward and backward match PyTorch
//   (float64) to 1e-12 and the finite-difference checks see the exact function.

@inline(__always) func exactSigmoid(_ x: Double) -> Double { 1 / (1 + Glibc.exp(-x)) }

/// The element-wise kernels of one LSTM step for one precision (`Float` fast, `Double` exact).
enum GateKernels {
  /// Activates one step's gates in place and advances the cell:
  ///
  ///     i, f, o = sigmoid(z_i, z_f, z_o);  g = tanh(z_g)
  ///     c = f ⊙ cPrev + i ⊙ g;  tanhC = tanh(c);  h = o ⊙ tanhC
  ///
  /// `gates` is `[B, 4H]` (pre-activations in, activations out), `cPrev`, `c`, `tanhC`, `h` are
  /// `[B, H]`. Float: one fused pass per row in the active path's vectors, `c` as
  /// `fma(f, cPrev, i·g)`.
  static func forward(
    gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, tanhC: UnsafeMutablePointer<Float>,
    h: UnsafeMutablePointer<Float>, batch: Int, hidden: Int
  ) {
    KernelTable.current.gateForward(gates, cPrev, c, tanhC, h, batch, hidden)
  }

  /// `forward` for a prediction: the same `c` and `h`, bit for bit, with `gates` left as they
  /// were and no tanh(c) (nothing after the step reads them).
  static func inference(
    gates: UnsafePointer<Float>, cPrev: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
    h: UnsafeMutablePointer<Float>, batch: Int, hidden: Int
  ) {
    KernelTable.current.gateInference(gates, cPrev, c, h, batch, hidden)
  }

  /// `backward` for Float (the formulas of the Double version, products left to right).
  static func backward(
    gates: UnsafeMutablePointer<Float>, cPrev: UnsafePointer<Float>, tanhC: UnsafePointer<Float>,
    dh: UnsafePointer<Float>, dcCarry: UnsafeMutablePointer<Float>, batch: Int, hidden: Int
  ) {
    KernelTable.current.gateBackward(gates, cPrev, tanhC, dh, dcCarry, batch, hidden)
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
