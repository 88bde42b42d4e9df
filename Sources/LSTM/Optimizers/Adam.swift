import Tensor

/// Adam (Kingma & Ba), exactly as PyTorch's `torch.optim.Adam` (no amsgrad), step t from 1:
///
///     m = m + (1 − β1)(g − m)                       (PyTorch's m.lerp_(g, 1 − β1))
///     v = β2·v + (1 − β2)·g·g
///     p = p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)      (ε after bias correction)
///
/// The moments are two buffers in the parameter store's layout (`firstMoment`, `secondMoment`).
public struct AdamOptimizer<Scalar: BLASScalar>: Optimizer {
  public var learningRate: Double
  /// β1, the first-moment decay.
  public var beta1: Double
  /// β2, the second-moment decay.
  public var beta2: Double
  /// ε, added to the bias-corrected √v.
  public var epsilon: Double
  /// The number of updates applied so far (t after the last update).
  public private(set) var step = 0
  var m = Tensor<Scalar>(zeros: [0])
  var v = Tensor<Scalar>(zeros: [0])

  /// PyTorch's defaults: lr 1e-3, β (0.9, 0.999), ε 1e-8.
  public init(
    learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double = 1e-8
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
  }

  /// m, `[P]` (PyTorch's `exp_avg`), empty before the first update.
  public var firstMoment: Tensor<Scalar> { m }
  /// v, `[P]` (PyTorch's `exp_avg_sq`), empty before the first update.
  public var secondMoment: Tensor<Scalar> { v }

  public mutating func update(_ parameters: inout ParameterStore<Scalar>) {
    step += 1
    let rule = AdamRule(
      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, step: step,
      decoupledWeightDecay: 0)
    withFlatBuffers(&parameters, &m, &v, stateCount: 2) { p, g, m, v, n in
      rule.apply(p, g, m, v, n)
    }
  }
}

/// AdamW (Loshchilov & Hutter), as PyTorch's `torch.optim.AdamW`: the decoupled decay
/// `p = p·(1 − lr·λ)` first, then the Adam update above.
public struct AdamW<Scalar: BLASScalar>: Optimizer {
  public var learningRate: Double
  /// β1, β2, ε as in `AdamOptimizer`.
  public var beta1: Double
  public var beta2: Double
  public var epsilon: Double
  /// λ, the decoupled weight decay (PyTorch's default 0.01).
  public var weightDecay: Double
  /// The number of updates applied so far.
  public private(set) var step = 0
  var m = Tensor<Scalar>(zeros: [0])
  var v = Tensor<Scalar>(zeros: [0])

  /// PyTorch's defaults: lr 1e-3, β (0.9, 0.999), ε 1e-8, λ 0.01.
  public init(
    learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999,
    epsilon: Double = 1e-8, weightDecay: Double = 0.01
  ) {
    self.learningRate = learningRate
    self.beta1 = beta1
    self.beta2 = beta2
    self.epsilon = epsilon
    self.weightDecay = weightDecay
  }

  /// m and v, `[P]` each, empty before the first update.
  public var firstMoment: Tensor<Scalar> { m }
  public var secondMoment: Tensor<Scalar> { v }

  public mutating func update(_ parameters: inout ParameterStore<Scalar>) {
    step += 1
    let rule = AdamRule(
      learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, step: step,
      decoupledWeightDecay: weightDecay)
    withFlatBuffers(&parameters, &m, &v, stateCount: 2) { p, g, m, v, n in
      rule.apply(p, g, m, v, n)
    }
  }
}

/// The scalars of one Adam step, computed in Double as PyTorch does in Python, and the loop.
struct AdamRule {
  let learningRate: Double
  let beta1: Double
  let beta2: Double
  let epsilon: Double
  let step: Int
  let decoupledWeightDecay: Double

  func apply<S: BLASScalar>(
    _ p: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ m: UnsafeMutablePointer<S>,
    _ v: UnsafeMutablePointer<S>, _ n: Int
  ) {
    if S.self == Float.self {
      body(rebound(p) as UnsafeMutablePointer<Float>, rebound(g), rebound(m), rebound(v), n)
    } else {
      body(rebound(p) as UnsafeMutablePointer<Double>, rebound(g), rebound(m), rebound(v), n)
    }
  }

  @inline(__always)
  func body<T: BinaryFloatingPoint>(
    _ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ m: UnsafeMutablePointer<T>,
    _ v: UnsafeMutablePointer<T>, _ n: Int
  ) {
    // β^t by repeated squaring: the same bits on every machine (the C library's pow picks FMA
    // or SSE2 code by CPU and can differ in the last bit).
    let correction1 = 1 - PortableMath.pow(beta1, max(step, 0))
    let correction2 = 1 - PortableMath.pow(beta2, max(step, 0))
    let stepSize = T(learningRate / correction1)
    let correction2Root = T(correction2.squareRoot())
    let weight = T(1 - beta1)
    let b2 = T(beta2)
    let oneMinusB2 = T(1 - beta2)
    let eps = T(epsilon)
    let decay = T(1 - learningRate * decoupledWeightDecay)
    let decaying = decoupledWeightDecay != 0
    for k in 0..<n {
      let gk = g[k]
      if decaying { p[k] *= decay }
      let mk = m[k] + weight * (gk - m[k])
      let vk = v[k] * b2 + oneMinusB2 * gk * gk
      m[k] = mk
      v[k] = vk
      let denominator = vk.squareRoot() / correction2Root + eps
      p[k] = p[k] + (-stepSize * mk) / denominator
    }
  }
}
