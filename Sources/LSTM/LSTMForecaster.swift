// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (shape letters T, B, I, H, G, N, K, O name sizes in code, as docs/style.md rule 7 asks)

import Tensor

/// The sizes of an `LSTMForecaster`.
public struct LSTMForecasterConfiguration: Sendable, Codable, Equatable {
  /// I, features per time step.
  public var inputSize: Int
  /// H, hidden units per layer.
  public var hiddenSize: Int
  /// N, stacked LSTM layers.
  public var layerCount: Int
  /// The head's outputs, e.g. K·Q for K horizon steps and Q quantiles.
  public var outputSize: Int
  /// Inverted dropout probability between LSTM layers in training (0 ≤ p < 1).
  public var dropout: Double

  /// - Precondition: sizes > 0 and 0 ≤ dropout < 1 (checked when a forecaster is built).
  public init(
    inputSize: Int, hiddenSize: Int, layerCount: Int, outputSize: Int, dropout: Double = 0
  ) {
    self.inputSize = inputSize
    self.hiddenSize = hiddenSize
    self.layerCount = layerCount
    self.outputSize = outputSize
    self.dropout = dropout
  }
}

/// An LSTM stack with a dense head on the top layer's last h: the forecasting network.
///
///     x [T, B, I] → LSTMStack (N layers, H) → h_{T-1} of the top layer [B, H]
///                 → head: ŷ = h·Wᵀ + b  [B, outputSize]
///
/// Parameters live in one `ParameterStore` with PyTorch's names (`lstm.weight_ih_l0`, …,
/// `head.weight`, `head.bias`), so a saved file loads into `torch.nn.LSTM` + `torch.nn.Linear`.
/// Training reuses one workspace per (T, B) shape and allocates nothing after its first step.
/// Copying a forecaster snapshots its parameters (early stopping's best weights). Copies share
/// the scratch workspace until one trains (training gives it its own), so `predict` on copies
/// that never trained must not run on several threads at once.
public struct LSTMForecaster<Scalar: BLASScalar> {
  /// The sizes.
  public let configuration: LSTMForecasterConfiguration
  /// The recurrent part.
  public let stack: LSTMStack<Scalar>
  /// The dense head.
  public let head: DenseLayer
  /// All parameters and their gradients.
  public var parameters: ParameterStore<Scalar>
  /// Draws the dropout masks; seeded from the generator given at initialisation.
  var dropoutGenerator: SeededGenerator
  /// Scratch memory. A copy shares it until the copy trains: the mutating methods give a copy
  /// its own first, so a snapshot and the original can train on different threads.
  var workspace: LSTMWorkspace<Scalar>
  var headScratch: HeadScratch<Scalar>

  /// A forecaster initialised as docs/lstm.md says (Keras defaults: Glorot-uniform input and head
  /// weights, orthogonal recurrent weights, zero biases but the forget gate's b_ih = 1).
  /// - Parameters:
  ///   - configuration: the sizes.
  ///   - rng: every random draw, including the seed of the dropout masks.
  public init(
    configuration: LSTMForecasterConfiguration, using rng: inout some RandomNumberGenerator
  ) {
    self.init(configuration: configuration, dropoutSeed: 0)
    stack.initialize(&parameters, using: &rng)
    head.initialize(&parameters, using: &rng)
    dropoutGenerator = SeededGenerator(seed: rng.next())
  }

  /// A forecaster with the given parameters (names and shapes as `parameterLayout`).
  /// - Throws: `LSTMModelError` naming a missing, extra or misshapen tensor.
  public init(
    configuration: LSTMForecasterConfiguration, tensors: [String: Tensor<Scalar>],
    source: String = "parameters", dropoutSeed: UInt64 = 0
  ) throws {
    self.init(configuration: configuration, dropoutSeed: dropoutSeed)
    for entry in parameters.entries {
      guard let t = tensors[entry.name] else {
        throw LSTMModelError.missingTensor(
          source: source, name: entry.name, shape: entry.shape.dimensions)
      }
      guard t.shape == entry.shape else {
        throw LSTMModelError.wrongShape(
          source: source, name: entry.name, expected: entry.shape.dimensions,
          found: t.shape.dimensions)
      }
      parameters[entry.name] = t
    }
    let expected = Set(parameters.names)
    if let extra = tensors.keys.sorted().first(where: { !expected.contains($0) }) {
      throw LSTMModelError.unexpectedTensor(source: source, name: extra)
    }
  }

  init(configuration c: LSTMForecasterConfiguration, dropoutSeed: UInt64) {
    precondition(
      c.inputSize > 0 && c.hiddenSize > 0 && c.layerCount > 0 && c.outputSize > 0,
      "LSTMForecaster: every size must be > 0, got \(c)")
    let stack = LSTMStack<Scalar>(
      inputSize: c.inputSize, hiddenSize: c.hiddenSize, layerCount: c.layerCount, dropout: c.dropout
    )
    let head = DenseLayer(
      inputSize: c.hiddenSize, outputSize: c.outputSize, offset: stack.parameterCount)
    self.configuration = c
    self.stack = stack
    self.head = head
    self.parameters = ParameterStore(layout: stack.parameterLayout + head.parameterLayout)
    self.dropoutGenerator = SeededGenerator(seed: dropoutSeed)
    self.workspace = LSTMWorkspace()
    self.headScratch = HeadScratch()
  }

  /// The parameter names and shapes in file order.
  public var parameterLayout: [(name: String, shape: TensorShape)] {
    stack.parameterLayout + head.parameterLayout
  }

  // MARK: - Inference

  /// The forecast for a batch of windows (no dropout, no cache kept).
  ///
  /// - Parameter input: `[T, B, I]`, time-major.
  /// - Returns: `[B, outputSize]`.
  public func predict(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
    let (T, B) = stack.checkInput(input)
    let H = configuration.hiddenSize
    headScratch.prepare(batch: B, hidden: H, outputs: configuration.outputSize, length: T)
    var prediction = Tensor<Scalar>(zeros: [B, configuration.outputSize])
    input.withUnsafeBufferPointer { x in
      parameters.values.withUnsafeBufferPointer { p in
        prediction.withUnsafeMutableBufferPointer { y in
          let params = p.baseAddress.unsafelyUnwrapped
          headScratch.hiddenSequence.withUnsafeMutableBufferPointer { out in
            let top = out.baseAddress.unsafelyUnwrapped
            stack.inference(
              unsafeInput: x.baseAddress.unsafelyUnwrapped, parameters: params, length: T, batch: B,
              workspace: workspace, hState: nil, cState: nil, output: top)
            head.forward(
              top + (T - 1) * B * H, ldx: H, batch: B, parameters: params,
              into: y.baseAddress.unsafelyUnwrapped)
          }
        }
      }
    }
    return prediction
  }

  /// The loss of the forecast for `input` against `target` (no dropout, no gradient).
  public func loss(input: Tensor<Scalar>, target: Tensor<Scalar>, loss: some LossFunction<Scalar>)
    -> Scalar
  {
    loss(prediction: predict(input), target: target)
  }

  // MARK: - Training

  /// One training step: zero the gradients, forward (with dropout), loss and its gradient,
  /// backward through the head and through time, optional global-norm clipping, one optimiser
  /// update.
  ///
  /// - Parameters:
  ///   - input: `[T, B, I]`.
  ///   - target: `[B, loss.targetColumns(outputSize)]`.
  ///   - loss: the loss to minimise.
  ///   - optimizer: the update rule (its state, e.g. Adam's moments, advances).
  ///   - clipNorm: the largest global gradient norm, or nil for no clipping.
  /// - Returns: the loss before the update.
  @discardableResult
  public mutating func trainStep(
    input: Tensor<Scalar>, target: Tensor<Scalar>, loss: some LossFunction<Scalar>,
    optimizer: inout some Optimizer<Scalar>, clipNorm: Scalar?
  ) -> Scalar {
    let value = computeGradients(input: input, target: target, loss: loss)
    if let clipNorm { parameters.clipGradients(maxNorm: Double(clipNorm)) }
    optimizer.update(&parameters)
    return value
  }

  /// Forward and backward only: zeroes `parameters.gradients` and fills it with dLoss/dθ.
  ///
  /// - Parameters:
  ///   - input: `[T, B, I]`.
  ///   - target: `[B, loss.targetColumns(outputSize)]`.
  ///   - loss: the loss.
  ///   - initialState: h0 and c0 `[N, B, H]`, or nil for zeros.
  ///   - wantInputGradients: also return dLoss/dInput and dLoss/d(h0, c0).
  /// - Returns: the loss (and the input gradients when asked, else nil).
  @discardableResult
  public mutating func computeGradients(
    input: Tensor<Scalar>, target: Tensor<Scalar>, loss: some LossFunction<Scalar>,
    initialState: LSTMState<Scalar>? = nil, wantInputGradients: Bool = false
  ) -> Scalar {
    computeGradientsReturningInputs(
      input: input, target: target, loss: loss, initialState: initialState,
      wantInputGradients: wantInputGradients
    ).loss
  }

  /// `computeGradients`, also returning dLoss/dInput `[T, B, I]` and dLoss/d(h0, c0) `[N, B, H]`.
  public mutating func computeGradientsReturningInputs(
    input: Tensor<Scalar>, target: Tensor<Scalar>, loss: some LossFunction<Scalar>,
    initialState: LSTMState<Scalar>? = nil, wantInputGradients: Bool = true
  ) -> (loss: Scalar, dInput: Tensor<Scalar>?, dInitialState: LSTMState<Scalar>?) {
    let (T, B) = stack.checkInput(input)
    let (H, O, N) = (configuration.hiddenSize, configuration.outputSize, configuration.layerCount)
    if let initialState { stack.checkState(initialState, batch: B) }
    let columns = loss.targetColumns(forOutputs: O)
    precondition(
      target.count == B * columns,
      "LSTMForecaster: expected target [\(B), \(columns)], got \(target.shape)")
    if !isKnownUniquelyReferenced(&workspace) { workspace = LSTMWorkspace() }
    if !isKnownUniquelyReferenced(&headScratch) { headScratch = HeadScratch() }
    headScratch.prepare(batch: B, hidden: H, outputs: O, length: 0)
    parameters.zeroGradients()
    let values = parameters.values
    var value: Scalar = 0
    var rng = dropoutGenerator
    defer { dropoutGenerator = rng }
    let pass = TrainingPass(
      configuration: configuration, stack: stack, head: head, workspace: workspace,
      headScratch: headScratch)
    // The pass on raw buffers, with or without the input-gradient outputs (nothing is
    // allocated per step when they are not asked for).
    func run(
      _ dx: UnsafeMutablePointer<Scalar>?, _ dh: UnsafeMutablePointer<Scalar>?,
      _ dc: UnsafeMutablePointer<Scalar>?
    ) {
      input.withUnsafeBufferPointer { xb in
        values.withUnsafeBufferPointer { pb in
          target.withUnsafeBufferPointer { yb in
            parameters.gradients.withUnsafeMutableBufferPointer { gb in
              let h0 = initialState?.hidden.withUnsafeBufferPointer { $0.baseAddress }
              let c0 = initialState?.cell.withUnsafeBufferPointer { $0.baseAddress }
              value = pass.run(
                xb.baseAddress.unsafelyUnwrapped, parameters: pb.baseAddress.unsafelyUnwrapped,
                gradients: gb.baseAddress.unsafelyUnwrapped,
                target: yb.baseAddress.unsafelyUnwrapped, length: T, batch: B, h0: h0, c0: c0,
                loss: loss, using: &rng, dInput: dx, dh0: dh, dc0: dc)
            }
          }
        }
      }
    }
    guard wantInputGradients else {
      run(nil, nil, nil)
      return (value, nil, nil)
    }
    var dInput = Tensor<Scalar>(zeros: [T, B, configuration.inputSize])
    var dState = LSTMState<Scalar>(zerosForLayers: N, batch: B, hidden: H)
    dInput.withUnsafeMutableBufferPointer { dxb in
      dState.hidden.withUnsafeMutableBufferPointer { dhb in
        dState.cell.withUnsafeMutableBufferPointer { dcb in
          run(dxb.baseAddress, dhb.baseAddress, dcb.baseAddress)
        }
      }
    }
    return (value, dInput, dState)
  }

}

/// Forward, loss, backward on raw buffers: the hot path of a training step, apart from the
/// forecaster so it reads none of the parameter store being written.
struct TrainingPass<Scalar: BLASScalar> {
  let configuration: LSTMForecasterConfiguration
  let stack: LSTMStack<Scalar>
  let head: DenseLayer
  let workspace: LSTMWorkspace<Scalar>
  let headScratch: HeadScratch<Scalar>

  func run(
    _ x: UnsafePointer<Scalar>, parameters p: UnsafePointer<Scalar>,
    gradients g: UnsafeMutablePointer<Scalar>, target y: UnsafePointer<Scalar>, length T: Int,
    batch B: Int, h0: UnsafePointer<Scalar>?, c0: UnsafePointer<Scalar>?,
    loss: some LossFunction<Scalar>, using rng: inout SeededGenerator,
    dInput: UnsafeMutablePointer<Scalar>?,
    dh0: UnsafeMutablePointer<Scalar>?, dc0: UnsafeMutablePointer<Scalar>?
  ) -> Scalar {
    let (H, O) = (configuration.hiddenSize, configuration.outputSize)
    stack.forward(
      unsafeInput: x, parameters: p, length: T, batch: B, h0: h0, c0: c0, workspace: workspace,
      using: &rng)
    let top = workspace.layers[stack.layerCount - 1]
    let last = UnsafePointer(top.hidden + T * B * H)  // h_{T-1} of the top layer, [B, H]
    let prediction = headScratch.prediction  // [B, O]
    let dPrediction = headScratch.dPrediction  // [B, O]
    head.forward(last, ldx: H, batch: B, parameters: p, into: prediction)
    let value = loss.evaluate(
      prediction: prediction, target: y, batch: B, outputs: O, gradient: dPrediction)
    // Only the last step of the top layer feeds the head.
    VectorKernels.zero(top.dHidden, count: (T - 1) * B * H)
    head.backward(
      dPrediction, input: last, ldx: H, batch: B, parameters: p, gradients: g,
      dInput: top.dHidden + (T - 1) * B * H, lddx: H)
    stack.backward(
      unsafeInput: x, parameters: p, gradients: g, workspace: workspace, dInput: dInput, dh0: dh0,
      dc0: dc0)
    return value
  }
}

/// The head's per-batch buffers: prediction and its gradient `[B, O]`, and the top layer's
/// inference output `[T, B, H]`.
final class HeadScratch<Scalar: BLASScalar> {
  var batch = -1
  var outputs = -1
  var predictionBuffer = Tensor<Scalar>(zeros: [0])
  var hiddenSequence = Tensor<Scalar>(zeros: [0])
  var prediction: UnsafeMutablePointer<Scalar>
  var dPrediction: UnsafeMutablePointer<Scalar>

  init() {
    prediction = .allocate(capacity: 1)
    dPrediction = .allocate(capacity: 1)
  }

  deinit {
    prediction.deallocate()
    dPrediction.deallocate()
  }

  func prepare(batch B: Int, hidden H: Int, outputs O: Int, length T: Int) {
    if B != batch || O != outputs {
      prediction.deallocate()
      dPrediction.deallocate()
      prediction = .allocate(capacity: B * O)
      dPrediction = .allocate(capacity: B * O)
      VectorKernels.zero(prediction, count: B * O)
      VectorKernels.zero(dPrediction, count: B * O)
      batch = B
      outputs = O
    }
    if T > 0, hiddenSequence.count != T * B * H { hiddenSequence = Tensor(zeros: [T, B, H]) }
  }
}
