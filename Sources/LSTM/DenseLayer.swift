// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (shape letters T, B, I, H, G, N, K, O name sizes in code, as docs/style.md rule 7 asks)

import Tensor

/// A fully connected layer, PyTorch's `nn.Linear` layout:
///
///     y = x · Wᵀ + b          x [B, H], W [K, H] (`head.weight`), b [K] (`head.bias`), y [B, K]
///
/// Like `LSTMLayer` it owns no memory: W and b are views at `offset` in the flat parameter buffer.
public struct DenseLayer: Sendable, Equatable {
  /// The input width (H for the forecasting head).
  public let inputSize: Int
  /// The output width (K·Q for the forecasting head).
  public let outputSize: Int
  /// Where the weight starts in the flat buffer; the bias follows it.
  public let offset: Int
  /// The name prefix, `head` by default (names `head.weight`, `head.bias`).
  public let name: String

  /// A dense layer whose parameters start at `offset`.
  public init(inputSize: Int, outputSize: Int, offset: Int, name: String = "head") {
    precondition(
      inputSize > 0 && outputSize > 0,
      "DenseLayer: sizes must be > 0, got in \(inputSize) out \(outputSize)")
    self.inputSize = inputSize
    self.outputSize = outputSize
    self.offset = offset
    self.name = name
  }

  /// The parameter names and shapes in buffer order.
  public var parameterLayout: [(name: String, shape: TensorShape)] {
    [("\(name).weight", [outputSize, inputSize]), ("\(name).bias", [outputSize])]
  }

  /// K·H + K.
  public var parameterCount: Int { outputSize * inputSize + outputSize }

  var weightOffset: Int { offset }
  var biasOffset: Int { offset + outputSize * inputSize }

  /// Keras' Dense default: Glorot-uniform weight, zero bias.
  public func initialize<S: BLASScalar>(
    _ parameters: inout ParameterStore<S>, using rng: inout some RandomNumberGenerator
  ) {
    parameters["\(name).weight"] = .glorotUniform(shape: [outputSize, inputSize], using: &rng)
    parameters["\(name).bias"] = Tensor(zeros: [outputSize])
  }

  /// `y = x · Wᵀ + b`. x `[B, H]` with row stride `ldx`, y `[B, K]` (overwritten). Caches nothing:
  /// backward reads x again.
  func forward<S: BLASScalar>(
    _ x: UnsafePointer<S>, ldx: Int, batch B: Int, parameters: UnsafePointer<S>,
    into y: UnsafeMutablePointer<S>
  ) {
    for r in 0..<B {
      VectorKernels.copy(parameters + biasOffset, to: y + r * outputSize, count: outputSize)
    }
    if S.self == Float.self {
      // The same bits on every CPU (`SmallGemm`): y += x · Wᵀ with Wᵀ `[H, K]` transposed first.
      let (K, H) = (outputSize, inputSize)
      withUnsafeTemporaryAllocation(of: Float.self, capacity: K * H) { weightT in
        guard let weightT = weightT.baseAddress else { return }
        SmallGemm.transpose(
          rebound(parameters + weightOffset), rows: K, columns: H, into: weightT)
        SmallGemm.multiplyAdd(
          m: B, n: K, k: H, a: rebound(x), lda: ldx, b: UnsafePointer(weightT), ldb: K,
          c: rebound(y), ldc: K)
      }
      return
    }
    blasGemm(
      transposeA: false, transposeB: true, m: B, n: outputSize, k: inputSize, alpha: 1, a: x,
      lda: ldx, b: parameters + weightOffset, ldb: inputSize, beta: 1, c: y, ldc: outputSize)
  }

  /// Backward of `forward`:
  ///
  ///     dW += dYᵀ · x     db += Σ_b dY     dX = dY · W
  ///
  /// dY `[B, K]`; x `[B, H]` (row stride `ldx`); dX `[B, H]` (row stride `lddx`), overwritten.
  func backward<S: BLASScalar>(
    _ dY: UnsafePointer<S>, input x: UnsafePointer<S>, ldx: Int, batch B: Int,
    parameters: UnsafePointer<S>, gradients: UnsafeMutablePointer<S>,
    dInput: UnsafeMutablePointer<S>?, lddx: Int
  ) {
    if S.self == Float.self {
      let (K, H) = (outputSize, inputSize)
      // dW[K, H] += dYᵀ · x, then dX = dY · W, through `SmallGemm` (the same bits on every CPU).
      SmallGemm.multiplyAdd(
        m: K, n: H, k: B, a: rebound(dY), rowStride: 1, kStride: K, b: rebound(x), ldb: ldx,
        c: rebound(gradients + weightOffset), ldc: H)
      VectorKernels.addColumnSums(dY, rows: B, columns: K, into: gradients + biasOffset)
      if let dInput {
        for r in 0..<B { VectorKernels.zero(dInput + r * lddx, count: H) }
        SmallGemm.multiplyAdd(
          m: B, n: H, k: K, a: rebound(dY), lda: K, b: rebound(parameters + weightOffset),
          ldb: H, c: rebound(dInput), ldc: lddx)
      }
      return
    }
    blasGemm(
      transposeA: true, transposeB: false, m: outputSize, n: inputSize, k: B, alpha: 1, a: dY,
      lda: outputSize, b: x, ldb: ldx, beta: 1, c: gradients + weightOffset, ldc: inputSize)
    VectorKernels.addColumnSums(dY, rows: B, columns: outputSize, into: gradients + biasOffset)
    if let dInput {
      blasGemm(
        transposeA: false, transposeB: false, m: B, n: inputSize, k: outputSize, alpha: 1, a: dY,
        lda: outputSize, b: parameters + weightOffset, ldb: inputSize, beta: 0, c: dInput,
        ldc: lddx)
    }
  }
}
