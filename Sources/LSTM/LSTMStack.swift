// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (shape letters T, B, I, H, G, N, K, O name sizes in code, as docs/style.md rule 7 asks)

import Tensor

/// N stacked LSTM layers (layer k+1 reads layer k's h), optional inverted dropout between layers
/// in training, PyTorch's `nn.LSTM` semantics and parameter names.
///
///     x [T, B, I] → layer 0 → (dropout) → layer 1 → … → layer N−1 → output [T, B, H]
///
/// The stack holds sizes and parameter offsets only; the parameters are a `ParameterStore`
/// (names `lstm.weight_ih_l<k>`, `lstm.weight_hh_l<k>`, `lstm.bias_ih_l<k>`, `lstm.bias_hh_l<k>`)
/// and the activations an `LSTMWorkspace`.
public struct LSTMStack<Scalar: BLASScalar>: Sendable, Equatable {
  /// I.
  public let inputSize: Int
  /// H.
  public let hiddenSize: Int
  /// N.
  public var layerCount: Int { layers.count }
  /// The probability p of zeroing an inter-layer activation in training (0 ≤ p < 1).
  public let dropout: Double
  /// The layers, bottom first.
  public let layers: [LSTMLayer]

  /// A stack whose parameters start at `offset` in the flat buffer.
  /// - Precondition: sizes > 0, 0 ≤ dropout < 1.
  public init(
    inputSize: Int, hiddenSize: Int, layerCount: Int, dropout: Double = 0, offset: Int = 0
  ) {
    precondition(layerCount > 0, "LSTMStack: layerCount must be > 0, got \(layerCount)")
    precondition(
      dropout >= 0 && dropout < 1, "LSTMStack: dropout must be in [0, 1), got \(dropout)")
    var layers: [LSTMLayer] = []
    var cursor = offset
    for k in 0..<layerCount {
      let layer = LSTMLayer(
        inputSize: k == 0 ? inputSize : hiddenSize, hiddenSize: hiddenSize, index: k, offset: cursor
      )
      cursor += layer.parameterCount
      layers.append(layer)
    }
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.dropout = dropout
    self.layers = layers
  }

  /// The parameter names and shapes in buffer order (PyTorch's `state_dict` order).
  public var parameterLayout: [(name: String, shape: TensorShape)] {
    layers.flatMap {
      LSTMLayer.layout(index: $0.index, inputSize: $0.inputSize, hiddenSize: hiddenSize)
    }
  }

  /// The number of scalars all layers' parameters take.
  public var parameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

  /// The (Keras) initialisation of docs/lstm.md: W_ih Glorot uniform, W_hh orthogonal, biases
  /// zero except the forget-gate block of b_ih, which is 1.
  public func initialize(
    _ parameters: inout ParameterStore<Scalar>, using rng: inout some RandomNumberGenerator
  ) {
    let H = hiddenSize
    for layer in layers {
      let k = layer.index
      parameters["lstm.weight_ih_l\(k)"] = .glorotUniform(
        shape: [4 * H, layer.inputSize], using: &rng)
      parameters["lstm.weight_hh_l\(k)"] = .orthogonal(shape: [4 * H, H], using: &rng)
      var biasIH = Tensor<Scalar>(zeros: [4 * H])
      for j in H..<(2 * H) { biasIH[j] = 1 }  // the forget gate's block
      parameters["lstm.bias_ih_l\(k)"] = biasIH
      parameters["lstm.bias_hh_l\(k)"] = Tensor(zeros: [4 * H])
    }
  }

  // MARK: - Training forward and backward (tensor level)

  /// The training forward pass; keeps in `workspace` what `backward` needs.
  ///
  /// - Parameters:
  ///   - input: `[T, B, I]`, time-major.
  ///   - initialState: `[N, B, H]` h0 and c0, or nil for zeros.
  ///   - parameters: the store holding this stack's parameters.
  ///   - workspace: reused across calls; sized on first use of a (T, B).
  ///   - rng: draws the dropout masks (unused when dropout is 0).
  /// - Returns: the top layer's h_t for every t, `[T, B, H]`, and the final state `[N, B, H]`.
  public func forward(
    _ input: Tensor<Scalar>, initialState: LSTMState<Scalar>? = nil,
    parameters: ParameterStore<Scalar>, workspace: LSTMWorkspace<Scalar>,
    using rng: inout some RandomNumberGenerator
  ) -> (output: Tensor<Scalar>, finalState: LSTMState<Scalar>) {
    let (T, B) = checkInput(input)
    if let initialState { checkState(initialState, batch: B) }
    input.withUnsafeBufferPointer { x in
      parameters.values.withUnsafeBufferPointer { p in
        let h0 = initialState?.hidden.withUnsafeBufferPointer { $0.baseAddress }
        let c0 = initialState?.cell.withUnsafeBufferPointer { $0.baseAddress }
        // The state tensors are alive (held by `initialState`) for the whole call.
        forward(
          unsafeInput: x.baseAddress.unsafelyUnwrapped, parameters: p.baseAddress.unsafelyUnwrapped,
          length: T, batch: B, h0: h0, c0: c0, workspace: workspace, using: &rng)
      }
    }
    return (trainingOutput(workspace: workspace), trainingFinalState(workspace: workspace))
  }

  /// Backpropagation through time after `forward`. Accumulates every weight and bias gradient
  /// into `parameters.gradients` and returns dLoss/dInput and dLoss/d(h0, c0).
  ///
  /// - Parameters:
  ///   - dOutput: dLoss/d(top h_t), `[T, B, H]`.
  ///   - input: the input `forward` saw, `[T, B, I]`.
  ///   - parameters: the store; its gradients are accumulated (`+=`).
  ///   - workspace: the one `forward` filled (consumed: backward overwrites it).
  /// - Returns: dInput `[T, B, I]` and the initial-state gradient `[N, B, H]` each.
  public func backward(
    _ dOutput: Tensor<Scalar>, input: Tensor<Scalar>, parameters: inout ParameterStore<Scalar>,
    workspace: LSTMWorkspace<Scalar>
  ) -> (dInput: Tensor<Scalar>, dInitialState: LSTMState<Scalar>) {
    let (T, B) = checkInput(input)
    let H = hiddenSize
    precondition(
      dOutput.shape == [T, B, H],
      "LSTMStack.backward: expected dOutput [\(T), \(B), \(H)], got \(dOutput.shape)")
    precondition(
      workspace.trainingShape.map { $0 == (T, B) } ?? false,
      "LSTMStack.backward: call forward with this (T, B) = (\(T), \(B)) first")
    let top = workspace.layers[layerCount - 1]
    dOutput.withUnsafeBufferPointer {
      top.dHidden.update(from: $0.baseAddress.unsafelyUnwrapped, count: T * B * H)
    }
    var dInput = Tensor<Scalar>(zeros: [T, B, inputSize])
    var dState = LSTMState<Scalar>(zerosForLayers: layerCount, batch: B, hidden: H)
    let values = parameters.values
    input.withUnsafeBufferPointer { x in
      values.withUnsafeBufferPointer { p in
        parameters.gradients.withUnsafeMutableBufferPointer { g in
          dInput.withUnsafeMutableBufferPointer { dx in
            dState.hidden.withUnsafeMutableBufferPointer { dh in
              dState.cell.withUnsafeMutableBufferPointer { dc in
                backward(
                  unsafeInput: x.baseAddress.unsafelyUnwrapped,
                  parameters: p.baseAddress.unsafelyUnwrapped,
                  gradients: g.baseAddress.unsafelyUnwrapped, workspace: workspace,
                  dInput: dx.baseAddress, dh0: dh.baseAddress, dc0: dc.baseAddress)
              }
            }
          }
        }
      }
    }
    return (dInput, dState)
  }

  /// The inference pass: the same function as `forward` without dropout, keeping nothing
  /// between calls but the reusable workspace.
  ///
  /// - Parameters:
  ///   - input: `[T, B, I]`.
  ///   - initialState: `[N, B, H]` each, or nil for zeros.
  ///   - parameters: the store holding this stack's parameters.
  ///   - workspace: reused across calls.
  /// - Returns: the top layer's h_t `[T, B, H]` and the final state `[N, B, H]`.
  public func inference(
    _ input: Tensor<Scalar>, initialState: LSTMState<Scalar>? = nil,
    parameters: ParameterStore<Scalar>, workspace: LSTMWorkspace<Scalar>
  ) -> (output: Tensor<Scalar>, finalState: LSTMState<Scalar>) {
    let (T, B) = checkInput(input)
    let H = hiddenSize
    if let initialState { checkState(initialState, batch: B) }
    var output = Tensor<Scalar>(zeros: [T, B, H])
    var state = initialState ?? LSTMState(zerosForLayers: layerCount, batch: B, hidden: H)
    input.withUnsafeBufferPointer { x in
      parameters.values.withUnsafeBufferPointer { p in
        output.withUnsafeMutableBufferPointer { out in
          state.hidden.withUnsafeMutableBufferPointer { hs in
            state.cell.withUnsafeMutableBufferPointer { cs in
              inference(
                unsafeInput: x.baseAddress.unsafelyUnwrapped,
                parameters: p.baseAddress.unsafelyUnwrapped, length: T, batch: B,
                workspace: workspace, hState: hs.baseAddress, cState: cs.baseAddress,
                output: out.baseAddress.unsafelyUnwrapped)
            }
          }
        }
      }
    }
    return (output, state)
  }

  // MARK: - Pointer level (the hot path; no allocation after the first call per shape)

  /// Training forward on raw buffers. `input` `[T, B, I]`, `h0`/`c0` `[N, B, H]` or nil.
  func forward(
    unsafeInput input: UnsafePointer<Scalar>, parameters: UnsafePointer<Scalar>, length T: Int,
    batch B: Int, h0: UnsafePointer<Scalar>?, c0: UnsafePointer<Scalar>?,
    workspace: LSTMWorkspace<Scalar>, using rng: inout some RandomNumberGenerator
  ) {
    workspace.prepareTraining(for: self, length: T, batch: B)
    let H = hiddenSize
    var layerInput = input
    for (k, layer) in layers.enumerated() {
      let cache = workspace.layers[k]
      layer.forward(
        layerInput, parameters: parameters, cache: cache, h0: h0.map { $0 + k * B * H },
        c0: c0.map { $0 + k * B * H })
      let output = UnsafePointer(cache.hidden + B * H)  // h_0 … h_{T-1}
      if k < layerCount - 1, dropout > 0, let mask = cache.dropoutMask,
        let dropped = cache.droppedOutput
      {
        let keep = Scalar(1 / (1 - dropout))
        for e in 0..<(T * B * H) {
          let m: Scalar = rng.nextUnitDouble() < dropout ? 0 : keep
          mask[e] = m
          dropped[e] = output[e] * m
        }
        layerInput = UnsafePointer(dropped)
      } else {
        layerInput = output
      }
    }
  }

  /// Backward on raw buffers after `forward`; the top layer's `dHidden` `[T, B, H]` must hold
  /// dLoss/d(top h_t). `dInput` `[T, B, I]` is overwritten; `dh0`/`dc0` `[N, B, H]` accumulate.
  func backward(
    unsafeInput input: UnsafePointer<Scalar>, parameters: UnsafePointer<Scalar>,
    gradients: UnsafeMutablePointer<Scalar>, workspace: LSTMWorkspace<Scalar>,
    dInput: UnsafeMutablePointer<Scalar>?, dh0: UnsafeMutablePointer<Scalar>?,
    dc0: UnsafeMutablePointer<Scalar>?
  ) {
    guard let shape = workspace.trainingShape else {
      preconditionFailure("LSTMStack.backward: call forward first")
    }
    let (T, B, H) = (shape.length, shape.batch, hiddenSize)
    for k in (0..<layerCount).reversed() {
      let cache = workspace.layers[k]
      let layerInput: UnsafePointer<Scalar>
      let dLayerInput: UnsafeMutablePointer<Scalar>?
      if k == 0 {
        layerInput = input
        dLayerInput = dInput
      } else {
        let below = workspace.layers[k - 1]
        layerInput = UnsafePointer(below.droppedOutput ?? below.hidden + B * H)
        dLayerInput = below.dHidden
      }
      layers[k].backward(
        layerInput, parameters: parameters, gradients: gradients, cache: cache,
        dInput: dLayerInput, dh0: dh0.map { $0 + k * B * H }, dc0: dc0.map { $0 + k * B * H })
      if k > 0, let mask = workspace.layers[k - 1].dropoutMask {
        let dBelow = workspace.layers[k - 1].dHidden
        VectorKernels.multiply(mask, into: dBelow, count: T * B * H)
      }
    }
  }

  /// Inference on raw buffers. `hState`/`cState` `[N, B, H]`: initial state in (nil = zeros),
  /// final state out when non-nil. `output` `[T, B, H]` receives the top layer's h_t.
  func inference(
    unsafeInput input: UnsafePointer<Scalar>, parameters: UnsafePointer<Scalar>, length T: Int,
    batch B: Int, workspace: LSTMWorkspace<Scalar>, hState: UnsafeMutablePointer<Scalar>?,
    cState: UnsafeMutablePointer<Scalar>?, output: UnsafeMutablePointer<Scalar>
  ) {
    workspace.prepareInference(for: self, length: T, batch: B)
    guard let gates = workspace.inferenceGates, let tanhC = workspace.inferenceTanhC,
      let transposed = workspace.inferenceWeightHHTransposed,
      let transposedIH = workspace.inferenceWeightIHTransposed,
      let stepScratch = workspace.inferenceStepWeights
    else { preconditionFailure("LSTMWorkspace: inference buffers missing") }
    let H = hiddenSize
    let cell = workspace.inferenceCells[0]
    let cellNext = workspace.inferenceCells[1]
    var layerInput = input
    for (k, layer) in layers.enumerated() {
      let out = k == layerCount - 1 ? output : workspace.inferenceOutputs[k % 2]
      if let cState {
        VectorKernels.copy(cState + k * B * H, to: cell, count: B * H)
      } else {
        VectorKernels.zero(cell, count: B * H)
      }
      let hPrev: UnsafePointer<Scalar>? = hState.map { UnsafePointer($0 + k * B * H) }
      layer.inference(
        layerInput, parameters: parameters, length: T, batch: B, gates: gates, tanhC: tanhC,
        cell: cell, cellNext: cellNext, hPrev: hPrev, output: out, weightHHTransposed: transposed,
        weightIHTransposed: transposedIH, stepScratch: stepScratch)
      if let hState {
        VectorKernels.copy(out + (T - 1) * B * H, to: hState + k * B * H, count: B * H)
      }
      if let cState { VectorKernels.copy(cell, to: cState + k * B * H, count: B * H) }
      layerInput = UnsafePointer(out)
    }
  }

  // MARK: - Helpers

  func trainingOutput(workspace: LSTMWorkspace<Scalar>) -> Tensor<Scalar> {
    guard let (T, B) = workspace.trainingShape else { preconditionFailure("no forward pass yet") }
    let H = hiddenSize
    let top = workspace.layers[layerCount - 1]
    return Tensor(shape: [T, B, H]) {
      $0.baseAddress.unsafelyUnwrapped.update(from: top.hidden + B * H, count: T * B * H)
    }
  }

  func trainingFinalState(workspace: LSTMWorkspace<Scalar>) -> LSTMState<Scalar> {
    guard let (T, B) = workspace.trainingShape else { preconditionFailure("no forward pass yet") }
    let H = hiddenSize
    let n = layerCount
    let h = Tensor<Scalar>(shape: [n, B, H]) { out in
      for k in 0..<n {
        (out.baseAddress.unsafelyUnwrapped + k * B * H).update(
          from: workspace.layers[k].hidden + T * B * H, count: B * H)
      }
    }
    let c = Tensor<Scalar>(shape: [n, B, H]) { out in
      for k in 0..<n {
        (out.baseAddress.unsafelyUnwrapped + k * B * H).update(
          from: workspace.layers[k].cells + T * B * H, count: B * H)
      }
    }
    return LSTMState(hidden: h, cell: c)
  }

  func checkInput(_ input: Tensor<Scalar>) -> (Int, Int) {
    precondition(
      input.shape.rank == 3 && input.shape[2] == inputSize && input.shape[0] > 0
        && input.shape[1] > 0,
      "LSTMStack: expected input [T, B, \(inputSize)] with T, B > 0, got \(input.shape)")
    return (input.shape[0], input.shape[1])
  }

  func checkState(_ state: LSTMState<Scalar>, batch: Int) {
    precondition(
      state.hidden.shape == [layerCount, batch, hiddenSize],
      "LSTMStack: expected initial state [\(layerCount), \(batch), \(hiddenSize)], got \(state.hidden.shape)"
    )
  }
}
