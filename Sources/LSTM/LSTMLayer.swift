// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (shape letters T, B, I, H, G, N, K, O name sizes in code, as docs/style.md rule 7 asks)

import Tensor

/// One LSTM layer over a whole sequence, PyTorch's gate order i, f, g, o and two biases:
///
///     z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh          // [B, 4H]
///     i, f, o = sigmoid(z_i, z_f, z_o),  g = tanh(z_g)
///     c_t = f ⊙ c_{t-1} + i ⊙ g,   h_t = o ⊙ tanh(c_t)
///
/// A layer owns no memory: its parameters are four views into a `ParameterStore`'s flat buffer
/// (`lstm.weight_ih_l<k>` `[4H, I]`, `lstm.weight_hh_l<k>` `[4H, H]`, `lstm.bias_ih_l<k>` `[4H]`,
/// `lstm.bias_hh_l<k>` `[4H]`, in that order from `offset`), and its activations live in an
/// `LSTMWorkspace`. `LSTMStack` runs the layers; these entry points work on raw buffers.
public struct LSTMLayer: Sendable, Equatable {
  /// I, the size of x_t.
  public let inputSize: Int
  /// H, the size of h_t and c_t.
  public let hiddenSize: Int
  /// k, the layer's position in the stack (its names end in `_l<k>`).
  public let index: Int
  /// Where `lstm.weight_ih_l<k>` starts in the flat parameter buffer.
  public let offset: Int

  /// A layer whose parameters start at `offset` in the flat buffer.
  public init(inputSize: Int, hiddenSize: Int, index: Int, offset: Int) {
    precondition(
      inputSize > 0 && hiddenSize > 0,
      "LSTMLayer: sizes must be > 0, got I \(inputSize) H \(hiddenSize)")
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.index = index
    self.offset = offset
  }

  /// The layer's parameter names and shapes in buffer order.
  public static func layout(index k: Int, inputSize: Int, hiddenSize: Int) -> [(
    name: String, shape: TensorShape
  )] {
    let g = 4 * hiddenSize
    return [
      ("lstm.weight_ih_l\(k)", [g, inputSize]), ("lstm.weight_hh_l\(k)", [g, hiddenSize]),
      ("lstm.bias_ih_l\(k)", [g]), ("lstm.bias_hh_l\(k)", [g]),
    ]
  }

  /// The number of scalars the layer's parameters take: 4H·(I + H + 2).
  public var parameterCount: Int { 4 * hiddenSize * (inputSize + hiddenSize + 2) }

  var weightIHOffset: Int { offset }
  var weightHHOffset: Int { offset + 4 * hiddenSize * inputSize }
  var biasIHOffset: Int { weightHHOffset + 4 * hiddenSize * hiddenSize }
  var biasHHOffset: Int { biasIHOffset + 4 * hiddenSize }

  // MARK: - Forward

  /// The training forward pass over T steps. Writes exactly the cache `backward` reads:
  /// `gates` (post-activation i, f, g, o), `hidden` (h_{-1} … h_{T-1}), `cells`
  /// (c_{-1} … c_{T-1}) and `tanhC`. h_{-1}/c_{-1} come from `h0`/`c0`, or zero when nil.
  ///
  /// - Parameters:
  ///   - input: `[T, B, I]`, time-major, contiguous.
  ///   - parameters: the flat parameter buffer.
  ///   - cache: this layer's buffers for (T, B).
  ///   - h0: `[B, H]` or nil.
  ///   - c0: `[B, H]` or nil.
  ///
  /// `forward`, `backward` and `inference` are pre-specialised for Float: their callers reach
  /// them through generic code (`LSTMForecaster<Scalar>` from other modules), and unspecialised
  /// the time loop looked up generic metadata at every step (3 % of (a)'s inference samples;
  /// its fastest of eight runs 0.166 → 0.160 ms on one thread, 0.099 → 0.094 ms on two).
  @_specialize(where S == Float)
  func forward<S: BLASScalar>(
    _ input: UnsafePointer<S>, parameters: UnsafePointer<S>, cache: LSTMLayerCache<S>,
    h0: UnsafePointer<S>?, c0: UnsafePointer<S>?
  ) {
    let (T, B, H, I) = (cache.length, cache.batch, hiddenSize, inputSize)
    let G = 4 * H
    let gates = cache.gates  // [T, B, 4H]
    let hidden = cache.hidden  // [T+1, B, H]
    let cells = cache.cells  // [T+1, B, H]
    let tanhC = cache.tanhC  // [T, B, H]
    let step = stepPreactivations(parameters, batch: B, scratch: cache.stepWeights)
    let recurrent = RecurrentProduct(
      weightHH: parameters + weightHHOffset,
      transposed: step == nil ? cache.weightHHTransposed : nil, batch: B, hidden: H)
    if step == nil {
      projectInput(
        input, parameters: parameters, into: gates, rows: T * B,
        transposedScratch: recurrent.small ? cache.weightIHTransposed : nil)
    }
    setInitial(hidden, from: h0, count: B * H)
    setInitial(cells, from: c0, count: B * H)
    // Each part runs the whole time loop for its rows of the batch (sequences are independent).
    let parts = step == nil ? recurrent.parts : StepPreactivations.parts(batch: B)
    RowParallel.shared.run(chunks: parts) { part in
      let rows = RowParallel.rows(chunk: part, of: parts, count: B)
      let (r, n) = (rows.lowerBound, rows.count)
      for t in 0..<T {
        let z = gates + (t * B + r) * G  // [n, 4H]
        let hPrev: UnsafePointer<S>? =
          t > 0 || h0 != nil ? UnsafePointer(hidden + (t * B + r) * H) : nil
        if let step {
          // z = b_ih + b_hh + x_t · W_ihᵀ + h_{t-1} · W_hhᵀ in one pass
          step(
            x: rebound(input + (t * B + r) * I), h: hPrev.map(rebound), into: rebound(z), rows: n)
        } else if let hPrev {
          // z += h_{t-1} · W_hhᵀ (nothing to add at t = 0 from a zero state)
          recurrent.forward(hPrev, into: z, rows: n)
        }
        cellForward(
          gates: z, cPrev: cells + (t * B + r) * H, c: cells + ((t + 1) * B + r) * H,
          tanhC: tanhC + (t * B + r) * H, h: hidden + ((t + 1) * B + r) * H, batch: n)
      }
    }
  }

  // MARK: - Backward

  /// Backpropagation through time over the cache `forward` wrote. Implements, for t = T−1 … 0,
  ///
  ///     dh_t  = dHidden[t] (from above) + dz_{t+1} · W_hh            (carried in dHidden)
  ///     dc_t  = dc_{t+1} ⊙ f_{t+1} + dh_t ⊙ o_t ⊙ (1 − tanh²c_t)
  ///     dz_t  = [dc ⊙ g ⊙ i(1−i), dc ⊙ c_{t-1} ⊙ f(1−f), dc ⊙ i ⊙ (1−g²), dh ⊙ tanh c ⊙ o(1−o)]
  ///
  /// and after the loop, with one GEMM each over all T steps (dZ is `[T·B, 4H]`):
  ///
  ///     dW_ih += dZᵀ · X,   dW_hh += dZᵀ · H_{-1…T-2},   db_ih += Σ dZ,   db_hh += Σ dZ
  ///     dX     = dZ · W_ih
  ///
  /// Accumulates (`+=`) into the parameter gradients; overwrites `dInput`, and adds into
  /// `dh0`/`dc0`. Consumes the cache: `gates` is overwritten by dZ and `cache.dHidden` by dh.
  ///
  /// - Parameters:
  ///   - input: the `[T, B, I]` input `forward` saw.
  ///   - parameters: the flat parameter buffer.
  ///   - gradients: the flat gradient buffer (same layout).
  ///   - cache: filled by `forward`; `cache.dHidden` `[T, B, H]` holds dLoss/dh_t from above.
  ///   - dInput: `[T, B, I]` or nil (not computed).
  ///   - dh0: `[B, H]` or nil.
  ///   - dc0: `[B, H]` or nil.
  @_specialize(where S == Float)
  func backward<S: BLASScalar>(
    _ input: UnsafePointer<S>, parameters: UnsafePointer<S>, gradients: UnsafeMutablePointer<S>,
    cache: LSTMLayerCache<S>, dInput: UnsafeMutablePointer<S>?,
    dh0: UnsafeMutablePointer<S>?, dc0: UnsafeMutablePointer<S>?
  ) {
    let (T, B, H, I) = (cache.length, cache.batch, hiddenSize, inputSize)
    let G = 4 * H
    let gates = cache.gates  // [T, B, 4H] activations in, dZ out
    let dHidden = cache.dHidden  // [T, B, H]
    let dcCarry = cache.dcCarry  // [B, H]
    VectorKernels.zero(dcCarry, count: B * H)
    let recurrent = RecurrentProduct(
      weightHH: parameters + weightHHOffset, transposed: nil, batch: B, hidden: H)
    let parts = recurrent.parts
    RowParallel.shared.run(chunks: parts) { part in
      let rows = RowParallel.rows(chunk: part, of: parts, count: B)
      let (r, n) = (rows.lowerBound, rows.count)
      for t in (0..<T).reversed() {
        let z = gates + (t * B + r) * G  // [n, 4H]
        cellBackward(
          gates: z, cPrev: cache.cells + (t * B + r) * H, tanhC: cache.tanhC + (t * B + r) * H,
          dh: dHidden + (t * B + r) * H, dcCarry: dcCarry + r * H, batch: n)
        // dh_{t-1} += dz_t · W_hh   ([n, 4H] · [4H, H])
        let target: UnsafeMutablePointer<S>? =
          t > 0 ? dHidden + ((t - 1) * B + r) * H : dh0.map { $0 + r * H }
        if let target { recurrent.backward(z, into: target, rows: n) }
      }
    }
    if let dc0 { VectorKernels.add(dcCarry, into: dc0, count: B * H) }
    let rows = T * B
    if recurrent.small {
      // Float, small H: the same products through SmallGemm on both threads (OpenBLAS's workers
      // stay asleep). dW_ihᵀ = Xᵀ · dZ and dW_hhᵀ = H_prevᵀ · dZ are accumulated in the
      // transposed-weight scratch buffers (unused in backward), then added transposed.
      let dZ: UnsafePointer<Float> = rebound(UnsafePointer(gates))
      let scratchIH: UnsafeMutablePointer<Float> = rebound(cache.weightIHTransposed)  // [I, 4H]
      let scratchHH: UnsafeMutablePointer<Float> = rebound(cache.weightHHTransposed)  // [H, 4H]
      VectorKernels.zero(scratchIH, count: I * G)
      VectorKernels.zero(scratchHH, count: H * G)
      SmallGemm.columnParallelMultiplyAdd(
        m: I, n: G, k: rows, a: rebound(input), rowStride: 1, kStride: I, b: dZ, ldb: G,
        c: scratchIH, ldc: G)
      SmallGemm.columnParallelMultiplyAdd(
        m: H, n: G, k: rows, a: rebound(UnsafePointer(cache.hidden)), rowStride: 1, kStride: H,
        b: dZ, ldb: G, c: scratchHH, ldc: G)
      SmallGemm.addTransposed(
        scratchIH, rows: I, columns: G, into: rebound(gradients + weightIHOffset))
      SmallGemm.addTransposed(
        scratchHH, rows: H, columns: G, into: rebound(gradients + weightHHOffset))
    } else {
      // dW_ih += dZᵀ · X   ([4H, T·B] · [T·B, I])
      blasGemm(
        transposeA: true, transposeB: false, m: G, n: I, k: rows, alpha: 1, a: gates, lda: G,
        b: input, ldb: I, beta: 1, c: gradients + weightIHOffset, ldc: I)
      // dW_hh += dZᵀ · H_prev   ([4H, T·B] · [T·B, H])
      blasGemm(
        transposeA: true, transposeB: false, m: G, n: H, k: rows, alpha: 1, a: gates, lda: G,
        b: cache.hidden, ldb: H, beta: 1, c: gradients + weightHHOffset, ldc: H)
    }
    // db_ih += Σ_rows dZ, db_hh likewise (the two are identical).
    let dBiasIH = gradients + biasIHOffset
    let dBiasHH = gradients + biasHHOffset
    let columnSums = cache.columnSums  // [4H]
    VectorKernels.zero(columnSums, count: G)
    VectorKernels.addColumnSums(gates, rows: rows, columns: G, into: columnSums)
    VectorKernels.add(columnSums, into: dBiasIH, count: G)
    VectorKernels.add(columnSums, into: dBiasHH, count: G)
    // dX = dZ · W_ih   ([T·B, 4H] · [4H, I])
    if let dInput, recurrent.small {
      VectorKernels.zero(dInput, count: rows * I)
      SmallGemm.parallelMultiplyAdd(
        m: rows, n: I, k: G, a: rebound(UnsafePointer(gates)), rowStride: G, kStride: 1,
        b: rebound(parameters + weightIHOffset), ldb: I, c: rebound(dInput), ldc: I)
    } else if let dInput {
      blasGemm(
        transposeA: false, transposeB: false, m: rows, n: I, k: G, alpha: 1, a: gates, lda: G,
        b: parameters + weightIHOffset, ldb: I, beta: 0, c: dInput, ldc: I)
    }
  }

  // MARK: - Inference

  /// The inference forward pass: the same function as `forward`, keeping only what the next
  /// step needs. Writes every h_t into `output` `[T, B, H]` and the last c into `cell` `[B, H]`.
  ///
  /// `gates` is scratch `[T, B, 4H]`, `tanhC` and `cellNext` scratch `[B, H]`; `hPrev` `[B, H]`
  /// is the initial h and `cell` `[B, H]` the initial c in, the final c out.
  @_specialize(where S == Float)
  func inference<S: BLASScalar>(
    _ input: UnsafePointer<S>, parameters: UnsafePointer<S>, length T: Int, batch B: Int,
    gates: UnsafeMutablePointer<S>, tanhC: UnsafeMutablePointer<S>, cell: UnsafeMutablePointer<S>,
    cellNext: UnsafeMutablePointer<S>, hPrev: UnsafePointer<S>?, output: UnsafeMutablePointer<S>,
    weightHHTransposed: UnsafeMutablePointer<S>, weightIHTransposed: UnsafeMutablePointer<S>,
    stepScratch: UnsafeMutablePointer<S>
  ) {
    let (H, I) = (hiddenSize, inputSize)
    let G = 4 * H
    let step = stepPreactivations(parameters, batch: B, scratch: stepScratch)
    let recurrent = RecurrentProduct(
      weightHH: parameters + weightHHOffset, transposed: step == nil ? weightHHTransposed : nil,
      batch: B, hidden: H)
    if step == nil {
      projectInput(
        input, parameters: parameters, into: gates, rows: T * B,
        transposedScratch: recurrent.small ? weightIHTransposed : nil)
    }
    let parts = step == nil ? recurrent.parts : StepPreactivations.parts(batch: B)
    RowParallel.shared.run(chunks: parts) { part in
      let rows = RowParallel.rows(chunk: part, of: parts, count: B)
      let (r, n) = (rows.lowerBound, rows.count)
      var cPrev = cell + r * H  // [n, H]
      var cNext = cellNext + r * H
      for t in 0..<T {
        // The fused step writes this step's z and the gates consume it at once: one [n, 4H]
        // block per chunk, reused every step, stays in cache (T·B·4H floats, 25 MB at (c), would
        // not). The batched projection filled every step's block beforehand.
        let z = gates + ((step == nil ? t * B : 0) + r) * G
        let h: UnsafePointer<S>? =
          t == 0 ? hPrev.map { $0 + r * H } : UnsafePointer(output + ((t - 1) * B + r) * H)
        if let step {
          step(x: rebound(input + (t * B + r) * I), h: h.map(rebound), into: rebound(z), rows: n)
        } else if let h {
          recurrent.forward(h, into: z, rows: n)
        }
        if S.self == Float.self {
          let gates: UnsafePointer<Float> = rebound(UnsafePointer(z))
          let previous: UnsafePointer<Float> = rebound(UnsafePointer(cPrev))
          let next: UnsafeMutablePointer<Float> = rebound(cNext)
          let h: UnsafeMutablePointer<Float> = rebound(output + (t * B + r) * H)
          GateKernels.inference(gates: gates, cPrev: previous, c: next, h: h, batch: n, hidden: H)
        } else {
          cellForward(
            gates: z, cPrev: cPrev, c: cNext, tanhC: tanhC + r * H, h: output + (t * B + r) * H,
            batch: n)
        }
        swap(&cPrev, &cNext)
      }
      if cPrev != cell + r * H { VectorKernels.copy(cPrev, to: cell + r * H, count: n * H) }
    }
  }

  // MARK: - Pieces shared by the passes

  /// The fused step kernel's packed weights in `scratch` (`StepPreactivations`), for Float
  /// products small enough for the small kernel on a path that packs 4H into whole panels;
  /// nil otherwise (the batched projection and the recurrent product then run instead).
  func stepPreactivations<S: BLASScalar>(
    _ parameters: UnsafePointer<S>, batch B: Int, scratch: UnsafeMutablePointer<S>
  ) -> StepPreactivations? {
    guard StepPreactivations.applies(scalar: S.self, batch: B, hiddenSize: hiddenSize)
    else { return nil }
    return StepPreactivations(
      weightIH: rebound(parameters + weightIHOffset),
      weightHH: rebound(parameters + weightHHOffset),
      biasIH: rebound(parameters + biasIHOffset), biasHH: rebound(parameters + biasHHOffset),
      inputSize: inputSize, hiddenSize: hiddenSize, scratch: rebound(scratch))
  }

  /// gates = X · W_ihᵀ + b_ih + b_hh over all rows at once (`[T·B, I] · [I, 4H]`): through
  /// SmallGemm on both threads when `transposedScratch` (`[I, 4H]`, receives W_ihᵀ) is given,
  /// through BLAS otherwise.
  func projectInput<S: BLASScalar>(
    _ input: UnsafePointer<S>, parameters: UnsafePointer<S>, into gates: UnsafeMutablePointer<S>,
    rows: Int, transposedScratch: UnsafeMutablePointer<S>?
  ) {
    let G = 4 * hiddenSize
    let biasIH = parameters + biasIHOffset
    let biasHH = parameters + biasHHOffset
    VectorKernels.broadcastSum(biasIH, biasHH, into: gates, rows: rows, columns: G)
    if let transposedScratch {
      let weightT: UnsafeMutablePointer<Float> = rebound(transposedScratch)
      SmallGemm.transpose(
        rebound(parameters + weightIHOffset), rows: G, columns: inputSize, into: weightT)
      SmallGemm.parallelMultiplyAdd(
        m: rows, n: G, k: inputSize, a: rebound(input), rowStride: inputSize, kStride: 1,
        b: UnsafePointer(weightT), ldb: G, c: rebound(gates), ldc: G)
    } else {
      blasGemm(
        transposeA: false, transposeB: true, m: rows, n: G, k: inputSize, alpha: 1, a: input,
        lda: inputSize, b: parameters + weightIHOffset, ldb: inputSize, beta: 1, c: gates, ldc: G)
    }
  }

  func setInitial<S: BLASScalar>(
    _ buffer: UnsafeMutablePointer<S>, from source: UnsafePointer<S>?, count: Int
  ) {
    if let source {
      VectorKernels.copy(source, to: buffer, count: count)
    } else {
      VectorKernels.zero(buffer, count: count)
    }
  }

  func cellForward<S: BLASScalar>(
    gates: UnsafeMutablePointer<S>, cPrev: UnsafePointer<S>, c: UnsafeMutablePointer<S>,
    tanhC: UnsafeMutablePointer<S>, h: UnsafeMutablePointer<S>, batch: Int
  ) {
    if S.self == Float.self {
      GateKernels.forward(
        gates: rebound(gates) as UnsafeMutablePointer<Float>, cPrev: rebound(cPrev),
        c: rebound(c), tanhC: rebound(tanhC), h: rebound(h), batch: batch, hidden: hiddenSize)
    } else if S.self == Double.self {
      GateKernels.forward(
        gates: rebound(gates) as UnsafeMutablePointer<Double>, cPrev: rebound(cPrev),
        c: rebound(c), tanhC: rebound(tanhC), h: rebound(h), batch: batch, hidden: hiddenSize)
    } else {
      preconditionFailure("LSTMLayer: no gate kernels for \(S.self)")
    }
  }

  func cellBackward<S: BLASScalar>(
    gates: UnsafeMutablePointer<S>, cPrev: UnsafePointer<S>, tanhC: UnsafePointer<S>,
    dh: UnsafePointer<S>, dcCarry: UnsafeMutablePointer<S>, batch: Int
  ) {
    if S.self == Float.self {
      GateKernels.backward(
        gates: rebound(gates) as UnsafeMutablePointer<Float>, cPrev: rebound(cPrev),
        tanhC: rebound(tanhC), dh: rebound(dh), dcCarry: rebound(dcCarry), batch: batch,
        hidden: hiddenSize)
    } else if S.self == Double.self {
      GateKernels.backward(
        gates: rebound(gates) as UnsafeMutablePointer<Double>, cPrev: rebound(cPrev),
        tanhC: rebound(tanhC), dh: rebound(dh), dcCarry: rebound(dcCarry), batch: batch,
        hidden: hiddenSize)
    } else {
      preconditionFailure("LSTMLayer: no gate kernels for \(S.self)")
    }
  }
}

/// The same memory seen as another scalar type (only after checking `S.self == T.self`).
@inline(__always)
func rebound<S, T>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<T> {
  UnsafeMutableRawPointer(p).assumingMemoryBound(to: T.self)
}

@inline(__always)
func rebound<S, T>(_ p: UnsafePointer<S>) -> UnsafePointer<T> {
  UnsafeRawPointer(p).assumingMemoryBound(to: T.self)
}

/// The per-step products with W_hh `[4H, H]`, through `SmallGemm` for Float when the product is
/// small (no packing, no threading decisions) and through BLAS otherwise.
///
///     forward:   z  += h · W_hhᵀ      [B, H] · [H, 4H]
///     backward:  dh += dz · W_hh      [B, 4H] · [4H, H]
struct RecurrentProduct<S: BLASScalar> {
  let weightHH: UnsafePointer<S>  // [4H, H]
  let transposed: UnsafeMutablePointer<S>?  // [H, 4H], filled at init for the small path
  let batch: Int
  let hidden: Int
  let small: Bool

  /// Products up to this many multiply-adds (B·4H·H, e.g. H = 128 at B = 128) take the small
  /// kernel, which gives the same bits on every CPU; larger ones go to OpenBLAS (its sums depend
  /// on the CPU's kernel family), except the forward step, which the step kernel takes on the
  /// AVX2 and AVX-512 paths (`StepPreactivations.applies`). A rule of the sizes only for the
  /// sizes the guarantee covers, so a model's arithmetic there is the same everywhere.
  static var smallLimit: Int { 128 * 512 * 128 }

  init(weightHH: UnsafePointer<S>, transposed: UnsafeMutablePointer<S>?, batch: Int, hidden: Int) {
    self.weightHH = weightHH
    self.transposed = transposed
    self.batch = batch
    self.hidden = hidden
    self.small = Self.isSmall(batch: batch, hidden: hidden)
    if small, let transposed {
      SmallGemm.transpose(
        rebound(weightHH), rows: 4 * hidden, columns: hidden, into: rebound(transposed))
    }
  }

  /// Whether the products take the small kernel: Float, at most `smallLimit` multiply-adds.
  static func isSmall(batch: Int, hidden: Int) -> Bool {
    S.self == Float.self && batch * 4 * hidden * hidden <= smallLimit
  }

  /// How many independent chunks of the batch the time loop runs in (on two threads when BLAS
  /// has two): several for the small kernel, one for BLAS products (they keep their own
  /// threading).
  var parts: Int { small ? RowParallel.chunkCount(rows: batch, threads: BLASRuntime.threads) : 1 }

  /// `z[rows, 4H] += h[rows, H] · W_hhᵀ`.
  func forward(_ h: UnsafePointer<S>, into z: UnsafeMutablePointer<S>, rows B: Int) {
    let H = hidden
    if small, let transposed {
      SmallGemm.multiplyAdd(
        m: B, n: 4 * H, k: H, a: rebound(h), lda: H, b: rebound(UnsafePointer(transposed)),
        ldb: 4 * H, c: rebound(z), ldc: 4 * H)
    } else {
      blasGemm(
        transposeA: false, transposeB: true, m: B, n: 4 * H, k: H, alpha: 1, a: h, lda: H,
        b: weightHH, ldb: H, beta: 1, c: z, ldc: 4 * H)
    }
  }

  /// `dh[rows, H] += dz[rows, 4H] · W_hh`.
  func backward(_ dz: UnsafePointer<S>, into dh: UnsafeMutablePointer<S>, rows B: Int) {
    let H = hidden
    if small {
      SmallGemm.multiplyAdd(
        m: B, n: H, k: 4 * H, a: rebound(dz), lda: 4 * H, b: rebound(weightHH), ldb: H,
        c: rebound(dh), ldc: H)
    } else {
      blasGemm(
        transposeA: false, transposeB: false, m: B, n: H, k: 4 * H, alpha: 1, a: dz, lda: 4 * H,
        b: weightHH, ldb: H, beta: 1, c: dh, ldc: H)
    }
  }
}
