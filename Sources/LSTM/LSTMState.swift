import Tensor

/// The state of every layer of a stack: h and c, `[N, B, H]` each, layer 0 first (PyTorch's
/// `(h_n, c_n)` layout).
public struct LSTMState<Scalar: BLASScalar>: Equatable {
  /// h for every layer, `[N, B, H]`.
  public var hidden: Tensor<Scalar>
  /// c for every layer, `[N, B, H]`.
  public var cell: Tensor<Scalar>

  /// A state from its two tensors.
  /// - Precondition: both have the same rank-3 shape.
  public init(hidden: Tensor<Scalar>, cell: Tensor<Scalar>) {
    precondition(
      hidden.shape == cell.shape && hidden.shape.rank == 3,
      "LSTMState: expected h and c of the same shape [N, B, H], got \(hidden.shape) and \(cell.shape)"
    )
    self.hidden = hidden
    self.cell = cell
  }

  /// The zero state for N layers, B sequences, H hidden units.
  public init(zerosForLayers n: Int, batch b: Int, hidden h: Int) {
    self.init(hidden: Tensor(zeros: [n, b, h]), cell: Tensor(zeros: [n, b, h]))
  }
}
