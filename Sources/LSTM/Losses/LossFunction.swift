import Tensor

/// A training loss: a scalar from a prediction and a target, and its gradient with respect to
/// the prediction.
///
/// Shapes: the prediction is `[B, O]`; the target is `[B, O]` for the point losses and `[B, K]`
/// for `QuantileLoss` (whose O = K·Q). The value is the mean over the elements (PyTorch's
/// `reduction="mean"`), so the gradient carries the 1/count factor.
public protocol LossFunction<Scalar> {
  /// The precision.
  associatedtype Scalar: BLASScalar

  /// The number of target columns for a prediction with `outputs` columns (O for point losses,
  /// O/Q for quantile loss).
  func targetColumns(forOutputs outputs: Int) -> Int

  /// The loss, and when `gradient` is non-nil dLoss/dPrediction written into it.
  ///
  /// - Parameters:
  ///   - prediction: `[B, O]` row-major, `count = B·O`.
  ///   - target: `[B, targetColumns(O)]`.
  ///   - batch: B.
  ///   - outputs: O.
  ///   - gradient: `[B, O]`, overwritten, or nil.
  /// - Returns: the mean loss.
  func evaluate(
    prediction: UnsafePointer<Scalar>, target: UnsafePointer<Scalar>, batch: Int, outputs: Int,
    gradient: UnsafeMutablePointer<Scalar>?
  ) -> Scalar
}

extension LossFunction {
  /// The loss of `prediction` `[B, O]` against `target`.
  public func callAsFunction(prediction: Tensor<Scalar>, target: Tensor<Scalar>) -> Scalar {
    lossAndGradient(prediction: prediction, target: target, wantGradient: false).loss
  }

  /// The loss and dLoss/dPrediction `[B, O]`.
  public func gradient(prediction: Tensor<Scalar>, target: Tensor<Scalar>) -> (
    loss: Scalar, gradient: Tensor<Scalar>
  ) {
    let r = lossAndGradient(prediction: prediction, target: target, wantGradient: true)
    return (r.loss, r.gradient)
  }

  func lossAndGradient(prediction: Tensor<Scalar>, target: Tensor<Scalar>, wantGradient: Bool)
    -> (loss: Scalar, gradient: Tensor<Scalar>)
  {
    precondition(
      prediction.shape.rank == 2, "loss: expected prediction [B, O], got \(prediction.shape)")
    let (b, o) = (prediction.shape[0], prediction.shape[1])
    let columns = targetColumns(forOutputs: o)
    precondition(
      target.count == b * columns,
      "loss: expected target [\(b), \(columns)] for prediction \(prediction.shape), got \(target.shape)"
    )
    var gradient = Tensor<Scalar>(zeros: wantGradient ? prediction.shape : [0])
    let loss = prediction.withUnsafeBufferPointer { p in
      target.withUnsafeBufferPointer { t in
        gradient.withUnsafeMutableBufferPointer { g in
          evaluate(
            prediction: p.baseAddress.unsafelyUnwrapped, target: t.baseAddress.unsafelyUnwrapped,
            batch: b, outputs: o, gradient: wantGradient ? g.baseAddress : nil)
        }
      }
    }
    return (loss, gradient)
  }
}

/// A point loss: the mean of ℓ(e) over all B·O elements, e = ŷ − y; a conforming type gives ℓ
/// and dℓ/de, and shares the loop (the gradient is dℓ/de / n).
public protocol ElementwiseLoss<Scalar>: LossFunction {
  /// ℓ(e) and dℓ/de for one error `e = ŷ − y`.
  func loss(error e: Scalar) -> (value: Scalar, derivative: Scalar)
}

extension ElementwiseLoss {
  public func targetColumns(forOutputs outputs: Int) -> Int { outputs }

  public func evaluate(
    prediction: UnsafePointer<Scalar>, target: UnsafePointer<Scalar>, batch: Int, outputs: Int,
    gradient: UnsafeMutablePointer<Scalar>?
  ) -> Scalar {
    let n = batch * outputs
    let scale = 1 / Scalar(n)
    var total: Scalar = 0
    for k in 0..<n {
      let (value, derivative) = loss(error: prediction[k] - target[k])
      total += value
      gradient?[k] = derivative * scale
    }
    return total * scale
  }
}
