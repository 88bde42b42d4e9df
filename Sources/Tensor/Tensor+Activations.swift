// The LSTM's activations and their derivatives, element-wise. The derivatives are written in
// terms of the activation's output, which is what a backward pass has cached.

/// Applies `f` element by element: `y[i] = f(x[i])`, after checking the shapes.
@inlinable
func map<X: TensorOperand, Y: MutableTensorOperand<X.Scalar>>(
  _ operation: String, _ x: X, into y: inout Y, _ f: (X.Scalar) -> X.Scalar
) {
  if let message = shapeMismatch(operation, "the output", expected: x.shape, got: y.shape) {
    preconditionFailure(message)
  }
  x.withUnsafeBufferPointer { xx in
    y.withUnsafeMutableBufferPointer { yy in
      for i in 0..<yy.count { yy[i] = f(xx[i]) }
    }
  }
}

/// The logistic sigmoid of one value, accurate for every `x`:
///
///     σ(x) = 1 / (1 + e^(−x)),  computed as  (x ≥ 0 ? 1 : e) / (1 + e),  e = e^(−|x|)
///
/// so `e^(−|x|) ≤ 1` never overflows and σ(−100) keeps its tiny value `≈ e^(−100)` instead of
/// rounding to 0 through `1 / (1 + ∞)`. σ(±∞) = 1, 0; σ(NaN) = NaN.
@inlinable
public func sigmoid<S: BLASScalar>(_ x: S) -> S { logistic(x) }

@inlinable
func logistic<S: BLASScalar>(_ x: S) -> S {
  let e = S.exp(-abs(x))
  return (x >= 0 ? 1 : e) / (1 + e)
}

/// `y = σ(x)` element-wise into a caller-owned `y` (see `sigmoid(_:)` for the formula).
///
/// - Precondition: `x.shape == y.shape`.
@inlinable
public func sigmoid<X: TensorOperand, Y: MutableTensorOperand<X.Scalar>>(
  _ x: X, into y: inout Y
) {
  applySigmoid(x, into: &y)
}

@inlinable
func applySigmoid<X: TensorOperand, Y: MutableTensorOperand<X.Scalar>>(_ x: X, into y: inout Y) {
  if X.Scalar.self == Float.self {
    floatKernel("sigmoid", x, into: &y, sigmoidKernel)
  } else {
    map("sigmoid", x, into: &y) { logistic($0) }
  }
}

/// `y = tanh(x)` element-wise into a caller-owned `y` (the C library's `tanh`, which saturates to
/// ±1 for large |x| and keeps tanh(−0) = −0).
///
/// - Precondition: `x.shape == y.shape`.
@inlinable
public func tanh<X: TensorOperand, Y: MutableTensorOperand<X.Scalar>>(_ x: X, into y: inout Y) {
  applyTanh(x, into: &y)
}

@inlinable
func applyTanh<X: TensorOperand, Y: MutableTensorOperand<X.Scalar>>(_ x: X, into y: inout Y) {
  if X.Scalar.self == Float.self {
    floatKernel("tanh", x, into: &y, tanhKernel)
  } else {
    map("tanh", x, into: &y) { X.Scalar.tanh($0) }
  }
}

/// Runs a `Float` kernel on operands known to hold `Float`s, after checking the shapes.
@inlinable
func floatKernel<X: TensorOperand, Y: MutableTensorOperand<X.Scalar>>(
  _ operation: String, _ x: X, into y: inout Y,
  _ kernel: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
) {
  if let message = shapeMismatch(operation, "the output", expected: x.shape, got: y.shape) {
    preconditionFailure(message)
  }
  x.withUnsafeBufferPointer { xx in
    y.withUnsafeMutableBufferPointer { yy in
      guard let px = xx.baseAddress, let py = yy.baseAddress else { return }
      kernel(
        UnsafeRawPointer(px).assumingMemoryBound(to: Float.self),
        UnsafeMutableRawPointer(py).assumingMemoryBound(to: Float.self), yy.count)
    }
  }
}

/// The sigmoid's derivative from its output: `d = σ'(x) = y ⊙ (1 − y)` where `y = σ(x)`.
///
/// - Precondition: `output.shape == d.shape`.
@inlinable
public func sigmoidDerivative<Y: TensorOperand, D: MutableTensorOperand<Y.Scalar>>(
  output: Y, into d: inout D
) {
  map("sigmoidDerivative", output, into: &d) { $0 * (1 - $0) }
}

/// tanh's derivative from its output: `d = tanh'(x) = 1 − y²` where `y = tanh(x)`.
///
/// - Precondition: `output.shape == d.shape`.
@inlinable
public func tanhDerivative<Y: TensorOperand, D: MutableTensorOperand<Y.Scalar>>(
  output: Y, into d: inout D
) {
  map("tanhDerivative", output, into: &d) { 1 - $0 * $0 }
}

/// Back through a sigmoid: `dx = dy ⊙ y ⊙ (1 − y)` where `y = σ(x)` is the cached output.
///
/// - Precondition: `output`, `gradient` and `dx` have the same shape.
@inlinable
public func sigmoidBackward<
  Y: TensorOperand, G: TensorOperand<Y.Scalar>, D: MutableTensorOperand<Y.Scalar>
>(output: Y, gradient: G, into dx: inout D) {
  elementwise("sigmoidBackward", output, gradient, into: &dx) { y, dy in dy * y * (1 - y) }
}

/// Back through a tanh: `dx = dy ⊙ (1 − y²)` where `y = tanh(x)` is the cached output.
///
/// - Precondition: `output`, `gradient` and `dx` have the same shape.
@inlinable
public func tanhBackward<
  Y: TensorOperand, G: TensorOperand<Y.Scalar>, D: MutableTensorOperand<Y.Scalar>
>(output: Y, gradient: G, into dx: inout D) {
  elementwise("tanhBackward", output, gradient, into: &dx) { y, dy in dy * (1 - y * y) }
}

extension TensorOperand {
  /// `σ(self)` element-wise as a new tensor; a thin wrapper over `sigmoid(_:into:)`.
  @inlinable
  public func sigmoid() -> Tensor<Scalar> {
    var y = Tensor<Scalar>(zeros: shape)
    applySigmoid(self, into: &y)
    return y
  }

  /// `tanh(self)` element-wise as a new tensor; a thin wrapper over `tanh(_:into:)`.
  @inlinable
  public func tanh() -> Tensor<Scalar> {
    var y = Tensor<Scalar>(zeros: shape)
    applyTanh(self, into: &y)
    return y
  }
}
