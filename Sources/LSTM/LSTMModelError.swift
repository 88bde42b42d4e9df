/// Why a set of tensors or a model file does not fit an `LSTMForecaster`.
public enum LSTMModelError: Error, CustomStringConvertible, Equatable {
  /// A parameter the configuration needs is absent.
  case missingTensor(source: String, name: String, shape: [Int])
  /// A parameter has another shape than the configuration needs.
  case wrongShape(source: String, name: String, expected: [Int], found: [Int])
  /// A tensor that is no parameter of this model.
  case unexpectedTensor(source: String, name: String)
  /// The tensors do not describe an LSTM + head model.
  case notAnLSTMModel(source: String, detail: String)
  /// A metadata value cannot be read.
  case badMetadata(source: String, key: String, value: String, expected: String)

  public var description: String {
    switch self {
    case .missingTensor(let source, let name, let shape):
      return
        "\(source): tensor \"\(name)\" (shape \(shape)) is missing. Save the model again with all its parameters, or check that the file is an LSTM forecaster model."
    case .wrongShape(let source, let name, let expected, let found):
      return
        "\(source): tensor \"\(name)\" has shape \(found), but this model needs \(expected). The file was written for other sizes; use the matching configuration or retrain."
    case .unexpectedTensor(let source, let name):
      return
        "\(source): tensor \"\(name)\" is not a parameter of this model (names are lstm.weight_ih_l<k>, lstm.weight_hh_l<k>, lstm.bias_ih_l<k>, lstm.bias_hh_l<k>, head.weight, head.bias). Remove it or use the matching configuration."
    case .notAnLSTMModel(let source, let detail):
      return
        "\(source): not an LSTM forecaster model: \(detail). Pass a file written by `forecast train` or by torch with these parameter names."
    case .badMetadata(let source, let key, let value, let expected):
      return
        "\(source): metadata \"\(key)\" is \"\(value)\", expected \(expected). Fix or remove the entry."
    }
  }
}
