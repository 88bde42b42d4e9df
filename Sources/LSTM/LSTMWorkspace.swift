// swift-format-ignore-file: AlwaysUseLowerCamelCase
// (shape letters T, B, I, H, G, N, K, O name sizes in code, as docs/style.md rule 7 asks)

import Tensor

/// One layer's activations for a (T, B) shape: the cache `LSTMLayer.forward` writes and
/// `LSTMLayer.backward` reads. Pointers into an `LSTMWorkspace`'s single allocation.
struct LSTMLayerCache<S: BLASScalar> {
  var length: Int  // T
  var batch: Int  // B
  var gates: UnsafeMutablePointer<S>  // [T, B, 4H] post-activation i, f, g, o; dZ after backward
  var hidden: UnsafeMutablePointer<S>  // [T+1, B, H] h_{-1} … h_{T-1}
  var cells: UnsafeMutablePointer<S>  // [T+1, B, H] c_{-1} … c_{T-1}
  var tanhC: UnsafeMutablePointer<S>  // [T, B, H] tanh(c_t)
  var dHidden: UnsafeMutablePointer<S>  // [T, B, H] dLoss/dh_t
  var dcCarry: UnsafeMutablePointer<S>  // [B, H] dLoss/dc carried backwards
  var columnSums: UnsafeMutablePointer<S>  // [4H] bias-gradient scratch
  var weightHHTransposed: UnsafeMutablePointer<S>  // [H, 4H] W_hhᵀ (forward), dW_hhᵀ (backward)
  var weightIHTransposed: UnsafeMutablePointer<S>  // [I, 4H] W_ihᵀ (forward), dW_ihᵀ (backward)
  var stepWeights: UnsafeMutablePointer<S>  // packed [W_ih | W_hh] and b_ih + b_hh (forward)
  var dropoutMask: UnsafeMutablePointer<S>?  // [T, B, H] 0 or 1/(1−p), layers below the top
  var droppedOutput: UnsafeMutablePointer<S>?  // [T, B, H] h ⊙ mask, the next layer's input
}

/// The memory an `LSTMStack` needs for one (T, B) shape, allocated once on first use of that
/// shape and reused by every later step with it (no allocation inside the training step).
///
/// It is scratch, not model state: a copy of a model that shares its workspace must not run at
/// the same time as the original (make a fresh workspace per thread).
public final class LSTMWorkspace<Scalar: BLASScalar> {
  /// The shape the training buffers are sized for, or nil before the first training pass.
  public private(set) var trainingShape: (length: Int, batch: Int)?
  /// The shape the inference buffers are sized for.
  public private(set) var inferenceShape: (length: Int, batch: Int)?

  var layers: [LSTMLayerCache<Scalar>] = []
  /// What the buffers are sized for: (T, B, N, H, dropout on) and (T, B, H). A workspace may be
  /// handed to stacks of other sizes; it reallocates when the key changes.
  var trainingKey: [Int] = []
  var inferenceKey: [Int] = []
  var trainingMemory: UnsafeMutablePointer<Scalar>?
  var trainingCount = 0

  // Inference: a shared [T, B, 4H] gate buffer, two [T, B, H] output buffers used in turn,
  // cell [B, H] ×2, tanhC [B, H], zero state [B, H].
  var inferenceMemory: UnsafeMutablePointer<Scalar>?
  var inferenceGates: UnsafeMutablePointer<Scalar>?  // [T, B, 4H]
  var inferenceOutputs: [UnsafeMutablePointer<Scalar>] = []  // 2 × [T, B, H]
  var inferenceCells: [UnsafeMutablePointer<Scalar>] = []  // 2 × [B, H]
  var inferenceTanhC: UnsafeMutablePointer<Scalar>?  // [B, H]
  var inferenceZero: UnsafeMutablePointer<Scalar>?  // [B, H] zeros
  var inferenceWeightHHTransposed: UnsafeMutablePointer<Scalar>?  // [H, 4H]
  var inferenceWeightIHTransposed: UnsafeMutablePointer<Scalar>?  // [max(I, H), 4H]
  var inferenceStepWeights: UnsafeMutablePointer<Scalar>?  // packed weights, bias sum

  /// `count` scalars starting on a cache line: the two threads of the time loop write rows of
  /// the same buffers, and a chunk's first row must not share a line with the previous chunk's
  /// last (each line written by both threads every step would move between the cores).
  static func allocateAligned(_ count: Int) -> UnsafeMutablePointer<Scalar> {
    UnsafeMutableRawPointer.allocate(
      byteCount: count * MemoryLayout<Scalar>.stride, alignment: 64
    ).bindMemory(to: Scalar.self, capacity: count)
  }

  /// An empty workspace; buffers appear on first use.
  public init() {}

  deinit {
    trainingMemory?.deallocate()
    inferenceMemory?.deallocate()
  }

  /// Makes the training buffers fit (T, B) for `stack`, reallocating only on a new shape.
  func prepareTraining(for stack: LSTMStack<Scalar>, length T: Int, batch B: Int) {
    let key = [
      T, B, stack.layerCount, stack.hiddenSize, stack.inputSize, stack.dropout > 0 ? 1 : 0,
    ]
    if key == trainingKey { return }
    trainingKey = key
    trainingMemory?.deallocate()
    let H = stack.hiddenSize
    let G = 4 * H
    let dropping = stack.dropout > 0
    var perLayer = T * B * G + 2 * (T + 1) * B * H + 2 * T * B * H + B * H + G + H * G
    if dropping { perLayer += 2 * T * B * H }
    let total =
      perLayer * stack.layerCount
      + stack.layers.reduce(0) {
        $0 + $1.inputSize * G
          + StepPreactivations.scratchCount(inputSize: $1.inputSize, hiddenSize: H)
      }
    let memory = Self.allocateAligned(max(1, total))
    memory.initializeToZero(count: max(1, total))
    var cursor = memory
    func take(_ n: Int) -> UnsafeMutablePointer<Scalar> {
      defer { cursor += n }
      return cursor
    }
    layers = stack.layers.map { layer in
      LSTMLayerCache(
        length: T, batch: B, gates: take(T * B * G), hidden: take((T + 1) * B * H),
        cells: take((T + 1) * B * H), tanhC: take(T * B * H), dHidden: take(T * B * H),
        dcCarry: take(B * H), columnSums: take(G), weightHHTransposed: take(H * G),
        weightIHTransposed: take(layer.inputSize * G),
        stepWeights: take(
          StepPreactivations.scratchCount(inputSize: layer.inputSize, hiddenSize: H)),
        dropoutMask: dropping ? take(T * B * H) : nil,
        droppedOutput: dropping ? take(T * B * H) : nil)
    }
    trainingMemory = memory
    trainingCount = total
    trainingShape = (T, B)
  }

  /// Makes the inference buffers fit (T, B) for `stack`.
  func prepareInference(for stack: LSTMStack<Scalar>, length T: Int, batch B: Int) {
    let key = [T, B, stack.hiddenSize, stack.inputSize]
    if key == inferenceKey { return }
    inferenceKey = key
    inferenceMemory?.deallocate()
    let H = stack.hiddenSize
    let widest = max(stack.inputSize, H)
    let step = StepPreactivations.scratchCount(inputSize: widest, hiddenSize: H)
    let total = T * B * 4 * H + 2 * T * B * H + 4 * B * H + 4 * H * H + widest * 4 * H + step
    let memory = Self.allocateAligned(total)
    memory.initializeToZero(count: total)
    inferenceGates = memory
    inferenceOutputs = [memory + T * B * 4 * H, memory + T * B * 4 * H + T * B * H]
    let rest = memory + T * B * 4 * H + 2 * T * B * H
    inferenceCells = [rest, rest + B * H]
    inferenceTanhC = rest + 2 * B * H
    inferenceZero = rest + 3 * B * H
    inferenceWeightHHTransposed = rest + 4 * B * H
    inferenceWeightIHTransposed = rest + 4 * B * H + 4 * H * H
    inferenceStepWeights = rest + 4 * B * H + 4 * H * H + widest * 4 * H
    inferenceMemory = memory
    inferenceShape = (T, B)
  }
}
