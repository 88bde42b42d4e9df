import Tensor

extension LSTMForecaster {
  /// The metadata keys the forecaster writes beside its tensors (the caller's own keys are kept
  /// as given; these win on a clash).
  public static var configurationMetadataKeys: [String] {
    ["lstm.input_size", "lstm.hidden_size", "lstm.layer_count", "lstm.output_size", "lstm.dropout"]
  }

  /// Saves the parameters as `.safetensors` (PyTorch names, file order = `parameterLayout`) with
  /// `metadata` plus the configuration under `configurationMetadataKeys`. Atomic.
  /// - Throws: `SafeTensorsError.io` when the file cannot be written.
  public func save(to path: String, metadata: [String: String] = [:]) throws {
    var all = metadata
    let c = configuration
    all["lstm.input_size"] = String(c.inputSize)
    all["lstm.hidden_size"] = String(c.hiddenSize)
    all["lstm.layer_count"] = String(c.layerCount)
    all["lstm.output_size"] = String(c.outputSize)
    all["lstm.dropout"] = "\(c.dropout)"
    try saveSafeTensors(
      parameters.namedTensors.map { ($0.name, $0.tensor) }, metadata: all, to: path)
  }

  /// Loads a forecaster saved by `save(to:metadata:)` or by PyTorch (`nn.LSTM` + `nn.Linear`
  /// state dicts under the `lstm.` and `head.` prefixes). The sizes come from the tensor shapes
  /// and are checked against the `lstm.*` metadata when present; dropout from `lstm.dropout`
  /// (0 when absent).
  ///
  /// - Returns: the forecaster and the file's whole metadata map.
  /// - Throws: `SafeTensorsError` for a damaged file, `LSTMModelError` for tensors that do not
  ///   form this model.
  public static func load(from path: String) throws -> (
    forecaster: LSTMForecaster, metadata: [String: String]
  ) {
    let (tensors, metadata) = try loadSafeTensors(path: path, as: Scalar.self)
    func shape(_ name: String, rank: Int) throws -> [Int] {
      guard let t = tensors[name] else {
        throw LSTMModelError.notAnLSTMModel(source: path, detail: "no tensor \"\(name)\"")
      }
      guard t.shape.rank == rank else {
        throw LSTMModelError.notAnLSTMModel(
          source: path, detail: "\"\(name)\" has rank \(t.shape.rank), expected \(rank)")
      }
      return t.shape.dimensions
    }
    let ih = try shape("lstm.weight_ih_l0", rank: 2)
    let hh = try shape("lstm.weight_hh_l0", rank: 2)
    let hw = try shape("head.weight", rank: 2)
    var layers = 0
    while tensors["lstm.weight_ih_l\(layers)"] != nil { layers += 1 }
    var c = LSTMForecasterConfiguration(
      inputSize: ih[1], hiddenSize: hh[1], layerCount: layers, outputSize: hw[0])
    // A zero dimension holds no data, so its partner could claim any size: check `4H` without
    // overflowing before anything is sized from H.
    let (gates, overflow) = c.hiddenSize.multipliedReportingOverflow(by: 4)
    guard c.hiddenSize > 0, c.inputSize > 0, c.outputSize > 0, !overflow, hh[0] == gates,
      ih[0] == gates, hw[1] == c.hiddenSize
    else {
      throw LSTMModelError.notAnLSTMModel(
        source: path,
        detail:
          "lstm.weight_hh_l0 has shape \(hh), lstm.weight_ih_l0 \(ih), head.weight \(hw); "
          + "expected [4H, H], [4H, I] and [K, H] with H, I, K > 0")
    }
    let expected = [
      "lstm.input_size": c.inputSize, "lstm.hidden_size": c.hiddenSize,
      "lstm.layer_count": c.layerCount, "lstm.output_size": c.outputSize,
    ]
    for (key, value) in expected.sorted(by: { $0.key < $1.key }) {
      guard let text = metadata[key] else { continue }
      guard Int(text) == value else {
        throw LSTMModelError.badMetadata(
          source: path, key: key, value: text, expected: "\(value) (from the tensor shapes)")
      }
    }
    if let text = metadata["lstm.dropout"] {
      guard let p = Double(text), p >= 0, p < 1 else {
        throw LSTMModelError.badMetadata(
          source: path, key: "lstm.dropout", value: text, expected: "a number in [0, 1)")
      }
      c.dropout = p
    }
    let forecaster = try LSTMForecaster(configuration: c, tensors: tensors, source: path)
    return (forecaster, metadata)
  }
}
