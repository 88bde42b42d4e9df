import Tensor

/// A gradient-descent rule over a whole `ParameterStore`: one loop over the flat `values` and
/// `gradients` buffers, with per-parameter state (moments) in buffers of the same layout,
/// allocated on the first update.
public protocol Optimizer<Scalar> {
  /// The precision.
  associatedtype Scalar: BLASScalar
  /// The step size for the next update (a schedule may change it between steps).
  var learningRate: Double { get set }
  /// Applies one update from `parameters.gradients` to `parameters.values`.
  mutating func update(_ parameters: inout ParameterStore<Scalar>)
}

/// Calls `body` with the raw values and gradient buffers of a store and two state buffers of
/// the same length P (each allocated zeroed on first use; pass `stateCount: 1` to leave the
/// second one empty).
func withFlatBuffers<S: BLASScalar>(
  _ parameters: inout ParameterStore<S>, _ first: inout Tensor<S>, _ second: inout Tensor<S>,
  stateCount: Int,
  _ body: (
    _ p: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ first: UnsafeMutablePointer<S>,
    _ second: UnsafeMutablePointer<S>, _ count: Int
  ) -> Void
) {
  let n = parameters.count
  if first.count != n { first = Tensor(zeros: [n]) }
  if stateCount > 1, second.count != n { second = Tensor(zeros: [n]) }
  let gradients = parameters.gradients
  gradients.withUnsafeBufferPointer { g in
    parameters.values.withUnsafeMutableBufferPointer { p in
      first.withUnsafeMutableBufferPointer { a in
        second.withUnsafeMutableBufferPointer { b in
          body(
            p.baseAddress.unsafelyUnwrapped, g.baseAddress.unsafelyUnwrapped,
            a.baseAddress.unsafelyUnwrapped, b.baseAddress.unsafelyUnwrapped, n)
        }
      }
    }
  }
}
