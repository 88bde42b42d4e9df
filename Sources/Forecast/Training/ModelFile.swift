import Foundation
import LSTM
import Plumbing
import Tensor

/// Why a model file cannot be used: each message names the file, what does not fit, and what
/// to do.
public enum ModelFileError: Error, CustomStringConvertible, Equatable {
  /// Not a readable safetensors file, or not an LSTM of this toolkit.
  case unreadable(path: String, reason: String)
  /// Not a valid safetensors file: the reader's own message, which names the file, the damage
  /// and the fix.
  case damaged(message: String)
  /// A safetensors file without the forecast metadata.
  case notAForecastModel(path: String)
  /// Written by another format version.
  case wrongFormatVersion(path: String, found: String, supported: String)
  /// A metadata entry missing or malformed.
  case badMetadata(path: String, key: String, expected: String)
  /// The tensors do not match the features and horizon the metadata lists.
  case shapeMismatch(path: String, detail: String)
  /// The model forecasts another series kind than asked for.
  case wrongSeriesKind(path: String, trained: String, requested: String)
  /// A stored value outside the range the toolkit accepts: the metadata key (and field inside
  /// its JSON), the value and what it must be.
  case valueOutOfRange(path: String, key: String, value: String, expected: String)

  public var description: String {
    switch self {
    case .damaged(let message):
      return message
    case .unreadable(let path, let reason):
      return "\(path): not a usable model file (\(reason)). Pass a .safetensors file written by "
        + "forecast train."
    case .notAForecastModel(let path):
      return
        "\(path): a safetensors file without forecast metadata (no \"\(ModelFile.versionKey)\")"
        + "; it was not written by forecast train. Train one with forecast train."
    case .wrongFormatVersion(let path, let found, let supported):
      return "\(path): model format version \(found), but this toolkit reads version "
        + "\(supported). Retrain the model with this toolkit (forecast train)."
    case .badMetadata(let path, let key, let expected):
      return "\(path): metadata \"\(key)\" is missing or malformed (expected \(expected)). "
        + "The file is damaged or was edited; retrain the model."
    case .shapeMismatch(let path, let detail):
      return "\(path): \(detail). The tensors do not fit the metadata; the file is damaged or "
        + "was edited: retrain the model."
    case .valueOutOfRange(let path, let key, let value, let expected):
      return "\(path): \(key) is \(Quoted(value)), expected \(expected). The file is damaged or "
        + "was edited; retrain the model (forecast train)."
    case .wrongSeriesKind(let path, let trained, let requested):
      let fix =
        trained == "csv"
        ? "Pass the series as --csv FILE (the model was trained on series from a CSV)"
        : requested == "csv"
          ? "Pass an Avro history instead of --csv (the model makes its \(trained) series "
            + "from the events)" : "Pass --series \(trained)"
      return "\(path): the model forecasts \(trained) series, not \(requested). \(fix), or "
        + "train a model for \(requested)."
    }
  }
}

/// The model file: one `.safetensors` (PyTorch tensor names) whose `__metadata__` holds,
/// as JSON strings under `forecast.*`, everything needed to forecast: format version, series
/// definition, lookback, horizon, quantiles, features and layout, scalers, training range,
/// metrics, options, seed, threads and toolkit version.
///
/// Format 3 holds every ensemble member: member 0 under the PyTorch names (`lstm.*`,
/// `head.*`, so the file still loads as one `nn.LSTM` + `nn.Linear` state dict), member m ≥ 1
/// under `member<m>.lstm.*` and `member<m>.head.*`; `forecast.ensemble` lists the prefixes in
/// member order (`["", "member1.", …]`).
public enum ModelFile {
  /// The format version this toolkit writes and reads.
  public static let formatVersion = "3"
  static let ensembleKey = "forecast.ensemble"

  /// The tensor-name prefix of ensemble member `member`.
  public static func memberPrefix(_ member: Int) -> String {
    member == 0 ? "" : "member\(member)."
  }
  static let versionKey = "forecast.format_version"

  private static func encoder() -> JSONEncoder {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    e.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
  }

  private static func decoder() -> JSONDecoder {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return d
  }

  private static func json(_ value: some Encodable) throws -> String {
    String(decoding: try encoder().encode(value), as: UTF8.self)
  }

  /// The metadata of a trained model (deterministic: sorted JSON keys, no clock).
  public static func metadata(
    _ result: TrainingResult, toolkitVersion: String
  ) throws -> [String: String] {
    let m = result.model
    var test: [String: MetricValues] = [:]
    for s in result.test?.scores ?? [] { test[s.model] = s.overall }
    struct Metrics: Encodable {
      var bestEpoch: Int
      var epochs: Int
      var validationLoss: Double
      var test: [String: MetricValues]
      var relativeMASE: Double?
      enum CodingKeys: String, CodingKey {
        case bestEpoch = "best_epoch"
        case epochs
        case validationLoss = "validation_loss"
        case test
        case relativeMASE = "relative_mase"
      }
    }
    let best = result.epochs.first { $0.epoch == result.bestEpoch }
    let metrics = Metrics(
      bestEpoch: result.bestEpoch, epochs: result.epochs.count,
      validationLoss: best?.validationLoss ?? .nan, test: test,
      relativeMASE: result.test?.relativeMASE)
    // The threads the weights depend on (not the machine's core count): the same command
    // gives the same bytes on any machine.
    var recorded = m.options
    recorded.threads = m.options.networkThreads
    return [
      versionKey: formatVersion,
      "forecast.toolkit_version": toolkitVersion,
      "forecast.series": try json(m.definition),
      "forecast.lookback": String(m.layout.lookback),
      "forecast.horizon": String(m.layout.horizon),
      "forecast.quantiles": try json(m.quantiles),
      "forecast.features": try json(m.layout.names),
      "forecast.layout": try json(m.layout),
      "forecast.scalers": try json(m.scalers),
      "forecast.training_range": try json(result.ranges),
      "forecast.metrics": try json(metrics),
      "forecast.options": try json(recorded),
      "forecast.seed": String(m.options.seed),
      "forecast.threads": String(recorded.threads),
      "forecast.non_negative": m.nonNegative ? "true" : "false",
      "forecast.interval_shifts": try json(m.intervalShifts),
      ensembleKey: try json(m.networks.indices.map(memberPrefix)),
    ]
  }

  /// Saves a trained model atomically.
  public static func save(_ result: TrainingResult, to path: String, toolkitVersion: String)
    throws
  {
    let meta = try metadata(result, toolkitVersion: toolkitVersion)
    try write(result.model.networks, metadata: meta, to: path)
  }

  /// Writes `networks` (the ensemble members, named as the type's documentation says) with
  /// `metadata` plus the `lstm.*` sizes, atomically.
  static func write(
    _ networks: [LSTMForecaster<Float>], metadata: [String: String], to path: String
  )
    throws
  {
    var all = metadata
    let c = networks[0].configuration
    all["lstm.input_size"] = String(c.inputSize)
    all["lstm.hidden_size"] = String(c.hiddenSize)
    all["lstm.layer_count"] = String(c.layerCount)
    all["lstm.output_size"] = String(c.outputSize)
    all["lstm.dropout"] = "\(c.dropout)"
    var tensors: [(name: String, tensor: Tensor<Float>)] = []
    for (member, network) in networks.enumerated() {
      let prefix = memberPrefix(member)
      tensors += network.parameters.namedTensors.map { (prefix + $0.name, $0.tensor) }
    }
    do {
      try saveSafeTensors(tensors, metadata: all, to: path)
    } catch SafeTensorsError.io(_, _, let reason) {
      // The reason only: the error's own text repeats the path.
      throw OutputFileError.cannotWrite(path: path, reason: reason)
    } catch {
      throw OutputFileError.cannotWrite(path: path, reason: "\(error)")
    }
  }

  /// Loads and checks a model file; `expectedKind` is the series kind the caller will give it
  /// (nil: any).
  /// - Returns: the model and its raw metadata.
  /// - Throws: `ModelFileError` saying exactly what does not fit.
  public static func load(path: String, expectedKind: SeriesKind? = nil) throws -> (
    model: ForecastModel, metadata: [String: String]
  ) {
    // A directory, device (/dev/zero reads forever) or pipe is refused before any read.
    if let problem = InputPath.problem(path) {
      throw ModelFileError.unreadable(path: path, reason: problem)
    }
    let tensors: [String: Tensor<Float>]
    let meta: [String: String]
    do {
      (tensors, meta) = try loadSafeTensors(path: path, as: Float.self)
    } catch let error as SafeTensorsError {
      throw ModelFileError.damaged(message: error.description)
    } catch {
      throw ModelFileError.unreadable(path: path, reason: "\(error)")
    }
    guard let version = meta[versionKey] else { throw ModelFileError.notAForecastModel(path: path) }
    guard version == formatVersion else {
      throw ModelFileError.wrongFormatVersion(path: path, found: version, supported: formatVersion)
    }
    func decode<T: Decodable>(_ type: T.Type, _ key: String, _ expected: String) throws -> T {
      guard let text = meta[key], let value = try? decoder().decode(T.self, from: Data(text.utf8))
      else { throw ModelFileError.badMetadata(path: path, key: key, expected: expected) }
      return value
    }
    let prefixes = try decode([String].self, ensembleKey, "a list of member tensor prefixes")
    guard !prefixes.isEmpty, prefixes == prefixes.indices.map(memberPrefix) else {
      throw ModelFileError.badMetadata(
        path: path, key: ensembleKey, expected: "[\"\", \"member1.\", …] in member order")
    }
    let networks = try prefixes.map { prefix in
      try member(prefix: prefix, tensors: tensors, metadata: meta, path: path)
    }
    let network = networks[0]
    let definition = try decode(SeriesDefinition.self, "forecast.series", "a series definition")
    if let expectedKind, expectedKind != definition.kind {
      throw ModelFileError.wrongSeriesKind(
        path: path, trained: definition.kind.rawValue, requested: expectedKind.rawValue)
    }
    let layout = try decode(FeatureLayout.self, "forecast.layout", "a feature layout")
    let options = try decode(TrainingOptions.self, "forecast.options", "training options")
    let scalers = try decode([String: SeriesScalers].self, "forecast.scalers", "scalers by series")
    let features = try decode([String].self, "forecast.features", "a list of feature names")
    let quantiles = try decode([Double].self, "forecast.quantiles", "a list of quantile levels")
    let intervalShifts = try decode(
      [Double].self, "forecast.interval_shifts", "one interval shift per horizon step and quantile")
    try checkRanges(
      path: path, options: options, definition: definition, layout: layout, scalers: scalers)
    guard meta["forecast.lookback"] == String(layout.lookback) else {
      throw ModelFileError.badMetadata(
        path: path, key: "forecast.lookback", expected: "\(layout.lookback), as in the layout")
    }
    guard meta["forecast.horizon"] == String(layout.horizon), layout.horizon == options.horizon
    else {
      throw ModelFileError.badMetadata(
        path: path, key: "forecast.horizon", expected: "\(layout.horizon), as in the layout")
    }
    guard features == layout.names else {
      throw ModelFileError.shapeMismatch(
        path: path,
        detail: "the features \(features) differ from the layout's \(layout.names)")
    }
    guard quantiles == options.quantiles, !quantiles.isEmpty,
      intervalShifts.count == layout.horizon * quantiles.count,
      intervalShifts.allSatisfy(\.isFinite)
    else {
      throw ModelFileError.badMetadata(
        path: path, key: "forecast.quantiles", expected: "\(options.quantiles)")
    }
    guard definition.step == layout.step, definition.covariateNames == layout.covariates else {
      throw ModelFileError.badMetadata(
        path: path, key: "forecast.series", expected: "the spacing and covariates of the layout")
    }
    let c = network.configuration
    guard c.inputSize == layout.inputSize else {
      throw ModelFileError.shapeMismatch(
        path: path,
        detail: "lstm.weight_ih_l0 takes I = \(c.inputSize) inputs, but the model lists "
          + "\(layout.inputSize) features")
    }
    guard c.outputSize == layout.horizon * quantiles.count else {
      throw ModelFileError.shapeMismatch(
        path: path,
        detail: "head.weight has \(c.outputSize) outputs, but horizon \(layout.horizon) × "
          + "\(quantiles.count) quantiles needs \(layout.horizon * quantiles.count)")
    }
    guard layout.keys.allSatisfy({ scalers[$0] != nil }),
      scalers.values.allSatisfy({ $0.covariates.count == layout.covariates.count })
    else {
      throw ModelFileError.badMetadata(
        path: path, key: "forecast.scalers", expected: "one scaler set per series key")
    }
    let model = ForecastModel(
      networks: networks, definition: definition, layout: layout, options: options,
      scalers: scalers, nonNegative: meta["forecast.non_negative"] == "true",
      intervalShifts: intervalShifts)
    return (model, meta)
  }

  /// Checks the stored options, series definition, layout and scalers against the limits the
  /// command line enforces, before anything is computed from them: the same ranges
  /// (`TrainingOptions.integerLimits`), a session gap of 0…10080 minutes, a positive step,
  /// finite scalers with a positive scale.
  /// - Throws: `ModelFileError.valueOutOfRange` naming the key (and field).
  static func checkRanges(
    path: String, options: TrainingOptions, definition: SeriesDefinition, layout: FeatureLayout,
    scalers: [String: SeriesScalers]
  ) throws {
    func bad(_ key: String, _ value: String, _ expected: String) -> ModelFileError {
      .valueOutOfRange(path: path, key: key, value: value, expected: expected)
    }
    if let p = options.problem {
      throw bad("forecast.options \"\(p.field)\"", p.value, p.expected)
    }
    if let gap = definition.sessionGapMinutes,
      !(0...EventSeriesOptions.sessionGapLimit).contains(gap)
    {
      throw bad("forecast.series \"sessionGapMinutes\"", "\(gap)", "between 0 and 10080 minutes")
    }
    if !(1...(366 * 86_400)).contains(definition.step) {
      throw bad("forecast.series \"step\"", "\(definition.step)", "between 1 and 31622400 seconds")
    }
    if !(0...10_000).contains(layout.seasonalLag) {
      throw bad("forecast.layout \"seasonalLag\"", "\(layout.seasonalLag)", "between 0 and 10000")
    }
    if !(0...10_000).contains(layout.levelSpan) {
      throw bad("forecast.layout \"levelSpan\"", "\(layout.levelSpan)", "between 0 and 10000")
    }
    if layout.keys.count > FeatureLayout.maxOneHotKeys {
      throw bad(
        "forecast.layout \"keys\"", "\(layout.keys.count) keys",
        "at most \(FeatureLayout.maxOneHotKeys)")
    }
    if layout.lookback != options.lookback {
      throw bad(
        "forecast.layout \"lookback\"", "\(layout.lookback)",
        "\(options.lookback), as in forecast.options")
    }
    for (key, s) in scalers.sorted(by: { $0.key < $1.key }) {
      for scaler in [s.target] + s.covariates
      where !(scaler.mean.isFinite && scaler.scale.isFinite && scaler.scale > 0) {
        throw bad(
          "forecast.scalers \"\(key)\"", "mean \(scaler.mean), scale \(scaler.scale)",
          "a finite mean and a finite positive scale")
      }
    }
  }

  /// The ensemble member whose tensors are named `prefix` + the PyTorch names; the sizes come
  /// from member 0's shapes and `lstm.*` metadata, and every member must have them.
  static func member(
    prefix: String, tensors: [String: Tensor<Float>], metadata: [String: String], path: String
  ) throws -> LSTMForecaster<Float> {
    func dimensions(_ name: String) throws -> [Int] {
      guard let t = tensors[name], t.shape.rank == 2 else {
        throw ModelFileError.unreadable(path: path, reason: "no matrix \"\(name)\"")
      }
      return t.shape.dimensions
    }
    let ih = try dimensions("lstm.weight_ih_l0")
    let hh = try dimensions("lstm.weight_hh_l0")
    let hw = try dimensions("head.weight")
    var layers = 0
    while layers <= 16, tensors["lstm.weight_ih_l\(layers)"] != nil { layers += 1 }
    // Bounds first (the command line's), so 4H and every parameter count below are small, and
    // nothing is allocated for sizes the shapes do not justify.
    guard (1...4_096).contains(hh[1]), hh[0] == 4 * hh[1] else {
      throw ModelFileError.shapeMismatch(
        path: path,
        detail: "lstm.weight_hh_l0 has shape \(hh), expected [4H, H] with H between 1 and 4096")
    }
    let h = hh[1]
    guard ih[0] == 4 * h, (1...100_000).contains(ih[1]) else {
      throw ModelFileError.shapeMismatch(
        path: path,
        detail: "lstm.weight_ih_l0 has shape \(ih), expected [4H, I] = [\(4 * h), I] with I "
          + "between 1 and 100000")
    }
    guard (1...99_000).contains(hw[0]), hw[1] == h else {
      throw ModelFileError.shapeMismatch(
        path: path,
        detail: "head.weight has shape \(hw), expected [K·Q, H] = [K·Q, \(h)] with K·Q between 1 "
          + "and 99000")
    }
    guard (1...16).contains(layers) else {
      throw ModelFileError.shapeMismatch(
        path: path, detail: "the model has \(layers) LSTM layers, expected between 1 and 16")
    }
    for (name, tensor) in tensors.sorted(by: { $0.key < $1.key }) where name.hasPrefix(prefix) {
      let finite = tensor.withUnsafeBufferPointer { $0.allSatisfy(\.isFinite) }
      guard finite else {
        throw ModelFileError.shapeMismatch(
          path: path,
          detail: "tensor \"\(name)\" holds a NaN or infinite weight, which gives no usable "
            + "forecast")
      }
    }
    var c = LSTMForecasterConfiguration(
      inputSize: ih[1], hiddenSize: hh[1], layerCount: layers, outputSize: hw[0])
    let sizes = [
      "lstm.input_size": c.inputSize, "lstm.hidden_size": c.hiddenSize,
      "lstm.layer_count": c.layerCount, "lstm.output_size": c.outputSize,
    ]
    for (key, value) in sizes.sorted(by: { $0.key < $1.key }) {
      guard let text = metadata[key], Int(text) == value else {
        throw ModelFileError.badMetadata(
          path: path, key: key, expected: "\(value) (from the tensor shapes)")
      }
    }
    guard let text = metadata["lstm.dropout"], let p = Double(text), p >= 0, p < 1 else {
      throw ModelFileError.badMetadata(
        path: path, key: "lstm.dropout", expected: "a number in [0, 1)")
    }
    c.dropout = p
    var own: [String: Tensor<Float>] = [:]
    for (name, tensor) in tensors where name.hasPrefix(prefix) {
      // Member 0 has no prefix: the other members' tensors (PyTorch names never start with
      // "member") are not its own.
      if prefix.isEmpty && name.hasPrefix("member") { continue }
      own[String(name.dropFirst(prefix.count))] = tensor
    }
    do {
      return try LSTMForecaster<Float>(configuration: c, tensors: own, source: path)
    } catch {
      throw ModelFileError.unreadable(
        path: path, reason: "ensemble member \"\(prefix)\": \(error)")
    }
  }
}
