import Foundation
import LSTM
import Tensor
import XCTest

/// A PyTorch golden file from Tests/LSTMTests/Fixtures (written by Fixtures/gen_golden.py, see
/// Fixtures/README.md), found beside this source file.
struct TorchFixture {
  let json: [String: Any]

  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

  init(_ name: String) throws {
    let data = try Data(contentsOf: Self.directory.appendingPathComponent(name))
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw CocoaError(.fileReadCorruptFile)
    }
    json = object
  }

  /// A nested list flattened row-major.
  static func flatten(_ value: Any?) -> [Double] {
    if let n = value as? NSNumber { return [n.doubleValue] }
    if let list = value as? [Any] { return list.flatMap { flatten($0) } }
    return []
  }

  func values(_ path: String...) -> [Double] {
    var current: Any? = json
    for key in path { current = (current as? [String: Any])?[key] }
    return Self.flatten(current)
  }

  /// The fixture's parameter name for one of ours.
  static func torchName(_ ours: String) -> String {
    switch ours {
    case "head.weight": return "linear_weight"
    case "head.bias": return "linear_bias"
    default: return String(ours.dropFirst("lstm.".count))
    }
  }

  static let configuration = LSTMForecasterConfiguration(
    inputSize: 2, hiddenSize: 4, layerCount: 2, outputSize: 3)
  static let (batch, length, inputSize, hidden) = (3, 6, 2, 4)

  /// A forecaster holding the fixture's initial parameters.
  func forecaster<S: BLASScalar>(_: S.Type) throws -> LSTMForecaster<S> {
    var rng = SeededGenerator(seed: 1)
    var f = LSTMForecaster<S>(configuration: Self.configuration, using: &rng)
    for entry in f.parameters.entries {
      let v = values("params", Self.torchName(entry.name))
      f.parameters[entry.name] = Tensor(shape: entry.shape, scalars: v.map { S($0) })
    }
    return f
  }

  /// x as `[T, B, I]` (the fixture stores it batch-first).
  func input<S: BLASScalar>(_: S.Type) -> Tensor<S> {
    batchFirstToTimeMajor(values("x"), feature: Self.inputSize)
  }

  func target<S: BLASScalar>(_: S.Type) -> Tensor<S> {
    Tensor(shape: [Self.batch, 3], scalars: values("y").map { S($0) })
  }

  /// A `[B, T, F]` list as a `[T, B, F]` tensor.
  func batchFirstToTimeMajor<S: BLASScalar>(_ v: [Double], feature f: Int) -> Tensor<S> {
    let (b, t) = (Self.batch, Self.length)
    var out = [S](repeating: 0, count: v.count)
    for i in 0..<b {
      for s in 0..<t { for k in 0..<f { out[(s * b + i) * f + k] = S(v[(i * t + s) * f + k]) } }
    }
    return Tensor(shape: [t, b, f], scalars: out)
  }

  /// A `[T, B, F]` tensor as a `[B, T, F]` list.
  static func timeMajorToBatchFirst<S: BLASScalar>(_ x: Tensor<S>) -> [Double] {
    let (t, b, f) = (x.shape[0], x.shape[1], x.shape[2])
    let v = x.scalars
    var out = [Double](repeating: 0, count: v.count)
    for i in 0..<b {
      for s in 0..<t {
        for k in 0..<f { out[(i * t + s) * f + k] = Double(v[(s * b + i) * f + k]) }
      }
    }
    return out
  }
}

extension Tensor {
  var doubles: [Double] { scalars.map { Double($0) } }
}
