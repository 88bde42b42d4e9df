import Tensor

/// Where one named parameter lives in a `ParameterStore`'s flat buffer.
public struct ParameterEntry: Sendable, Equatable {
  /// The PyTorch name, e.g. `lstm.weight_ih_l0` or `head.bias`.
  public var name: String
  /// The shape, e.g. `[4H, I]` for `lstm.weight_ih_l0`.
  public var shape: TensorShape
  /// The index of the first element in the flat buffer.
  public var offset: Int
  /// `shape.count`.
  public var count: Int { shape.count }
}

/// Every parameter of a model in one contiguous buffer, with named views in PyTorch's order and
/// names, and the gradients in a second buffer with exactly the same layout.
///
///     values    [P]   lstm.weight_ih_l0 | lstm.weight_hh_l0 | lstm.bias_ih_l0 | ... | head.bias
///     gradients [P]   the same layout: gradients[e.offset ..< e.offset + e.count] is d(entry e)
///
/// An optimiser is one loop over `values` and `gradients`; saving writes each entry as one
/// safetensors tensor. Copying the store copies the buffers on first write (a snapshot).
public struct ParameterStore<Scalar: BLASScalar> {
  /// The named views, in buffer order.
  public private(set) var entries: [ParameterEntry]
  /// All parameters, `[P]`.
  public var values: Tensor<Scalar>
  /// Their gradients, `[P]`, same layout as `values`. Backward passes accumulate into it.
  public var gradients: Tensor<Scalar>

  /// A store of zeros for the given names and shapes, laid out in the given order.
  public init(layout: [(name: String, shape: TensorShape)]) {
    var entries: [ParameterEntry] = []
    var offset = 0
    for (name, shape) in layout {
      precondition(
        !entries.contains { $0.name == name }, "ParameterStore: duplicate name \(name)")
      entries.append(ParameterEntry(name: name, shape: shape, offset: offset))
      offset += shape.count
    }
    self.entries = entries
    self.values = Tensor(zeros: [offset])
    self.gradients = Tensor(zeros: [offset])
  }

  /// The total number of scalars, P.
  public var count: Int { values.count }

  /// The names in buffer order.
  public var names: [String] { entries.map(\.name) }

  /// The entry called `name`, or nil.
  public func entry(named name: String) -> ParameterEntry? {
    entries.first { $0.name == name }
  }

  /// A copy of the parameter called `name`, in its own shape.
  /// - Precondition: the name exists.
  public subscript(name: String) -> Tensor<Scalar> {
    get { slice(of: values, name) }
    set { assign(newValue, into: &values, name) }
  }

  /// A copy of the gradient of the parameter called `name`.
  /// - Precondition: the name exists.
  public func gradient(named name: String) -> Tensor<Scalar> { slice(of: gradients, name) }

  /// Overwrites the gradient of the parameter called `name`.
  public mutating func setGradient(_ tensor: Tensor<Scalar>, named name: String) {
    assign(tensor, into: &gradients, name)
  }

  /// Sets every gradient to zero (once per training step, before the backward pass).
  public mutating func zeroGradients() {
    gradients.withUnsafeMutableBufferPointer { g in
      if let base = g.baseAddress { VectorKernels.zero(base, count: g.count) }
    }
  }

  /// Every parameter as `(name, tensor)`, in buffer order (what `saveSafeTensors` takes).
  public var namedTensors: [(name: String, tensor: Tensor<Scalar>)] {
    entries.map { ($0.name, slice(of: values, $0.name)) }
  }

  private func requireEntry(_ name: String) -> ParameterEntry {
    guard let e = entry(named: name) else {
      preconditionFailure("ParameterStore: no parameter \(name); have \(names)")
    }
    return e
  }

  private func slice(of buffer: Tensor<Scalar>, _ name: String) -> Tensor<Scalar> {
    let e = requireEntry(name)
    return Tensor(shape: e.shape) { out in
      buffer.withUnsafeBufferPointer { src in
        for k in 0..<e.count { out[k] = src[e.offset + k] }
      }
    }
  }

  private func assign(_ tensor: Tensor<Scalar>, into buffer: inout Tensor<Scalar>, _ name: String) {
    let e = requireEntry(name)
    precondition(
      tensor.shape == e.shape,
      "ParameterStore: \(name) expects shape \(e.shape), got \(tensor.shape)")
    tensor.withUnsafeBufferPointer { src in
      buffer.withUnsafeMutableBufferPointer { dst in
        for k in 0..<e.count { dst[e.offset + k] = src[k] }
      }
    }
  }
}
