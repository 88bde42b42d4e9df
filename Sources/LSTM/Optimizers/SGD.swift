import Tensor

/// Stochastic gradient descent with momentum, as PyTorch's `torch.optim.SGD` (dampening 0, no
/// Nesterov), optional L2 weight decay λ added to the gradient:
///
///     d = g + λ·p
///     buf = d                   (first step)
///     buf = μ·buf + d           (later steps)
///     p = p − lr·buf            (μ = 0: p = p − lr·d)
public struct SGDOptimizer<Scalar: BLASScalar>: Optimizer {
  public var learningRate: Double
  /// μ, the momentum (0 = plain SGD).
  public var momentum: Double
  /// λ, L2 weight decay added to the gradient.
  public var weightDecay: Double
  /// The number of updates applied so far.
  public private(set) var step = 0
  var buffer = Tensor<Scalar>(zeros: [0])
  var unused = Tensor<Scalar>(zeros: [1])

  /// - Precondition: momentum ≥ 0, weightDecay ≥ 0.
  public init(learningRate: Double = 0.01, momentum: Double = 0, weightDecay: Double = 0) {
    precondition(momentum >= 0 && weightDecay >= 0, "SGDOptimizer: momentum and weightDecay ≥ 0")
    self.learningRate = learningRate
    self.momentum = momentum
    self.weightDecay = weightDecay
  }

  /// The momentum buffer `[P]`, empty before the first update.
  public var momentumBuffer: Tensor<Scalar> { buffer }

  public mutating func update(_ parameters: inout ParameterStore<Scalar>) {
    step += 1
    let first = step == 1
    let (lr, mu, wd) = (learningRate, momentum, weightDecay)
    withFlatBuffers(&parameters, &buffer, &unused, stateCount: 1) { p, g, s, _, n in
      if Scalar.self == Float.self {
        sgdBody(
          rebound(p) as UnsafeMutablePointer<Float>, rebound(g), rebound(s), n, lr, mu, wd, first)
      } else {
        sgdBody(
          rebound(p) as UnsafeMutablePointer<Double>, rebound(g), rebound(s), n, lr, mu, wd, first)
      }
    }
  }
}

@inline(__always)
func sgdBody<T: BinaryFloatingPoint>(
  _ p: UnsafeMutablePointer<T>, _ g: UnsafePointer<T>, _ buf: UnsafeMutablePointer<T>, _ n: Int,
  _ lr: Double, _ momentum: Double, _ weightDecay: Double, _ first: Bool
) {
  let rate = T(-lr)
  let mu = T(momentum)
  let wd = T(weightDecay)
  for k in 0..<n {
    var d = g[k]
    if weightDecay != 0 { d = d + wd * p[k] }
    if momentum != 0 {
      d = first ? d : buf[k] * mu + d
      buf[k] = d
    }
    p[k] = p[k] + rate * d
  }
}
