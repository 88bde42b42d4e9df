import Plumbing

/// Why training, evaluation or forecasting cannot run on the given data: each message names the
/// file or series, what does not fit, and what to do.
public enum ForecastError: Error, CustomStringConvertible, Equatable {
  /// No series is long enough for one training window.
  case historyTooShort(
    source: String, longest: Int, required: Int, lookback: Int, horizon: Int,
    validation: Int, test: Int, unit: String)
  /// A forecast horizon beyond the model's K.
  case horizonTooLong(model: String, trained: Int, requested: Int)
  /// A history of another series kind than the model's.
  case wrongSeriesKind(model: String, trained: String, given: String)
  /// Another spacing than the model's.
  case wrongSpacing(model: String, trained: String, given: String)
  /// Other covariates than the model's.
  case wrongCovariates(model: String, trained: [String], given: [String])
  /// A series a keyed model has never seen.
  case unknownSeries(series: String, known: [String], model: String)
  /// A series shorter than the lookback.
  case seriesTooShortToForecast(series: String, count: Int, lookback: Int)
  /// A series option that differs from the model's.
  case definitionMismatch(model: String, option: String, trained: String, given: String)
  /// An option out of range.
  case invalidOption(name: String, value: String, expected: String)
  /// The loss became infinite or NaN: nothing worth saving was learned.
  case trainingDiverged(source: String, learningRate: Double)

  public var description: String {
    switch self {
    case .historyTooShort(
      let source, let longest, let required, let lookback, let horizon, let validation, let test,
      let unit):
      return "\(source): the history is too short: the longest series has \(longest) \(unit)"
        + "\(longest == 1 ? "" : "s"), "
        + "training needs at least \(required) (lookback \(lookback) + horizon \(horizon) + "
        + "validation \(validation) + test \(test)). Pass a longer history, or a smaller "
        + "--lookback or --horizon."
    case .horizonTooLong(let model, let trained, let requested):
      return "\(model): the model was trained for horizon \(trained), not \(requested). "
        + "Pass --horizon \(trained) or less, or retrain with --horizon \(requested)."
    case .wrongSeriesKind(let model, let trained, let given):
      let fix: String
      if trained == "csv" {
        fix = "Pass the series as --csv FILE (the model was trained on series from a CSV)"
      } else if given == "csv" {
        fix =
          "Pass an Avro history instead of --csv (the model makes its \(trained) series from "
          + "the events)"
      } else {
        fix = "Pass --series \(trained)"
      }
      return "\(model): the model forecasts \(trained) series, but the history gives \(given). "
        + "\(fix), or use a model trained on \(given)."
    case .wrongSpacing(let model, let trained, let given):
      return "\(model): the model was trained on points \(trained) apart, the history's are "
        + "\(given) apart. Use a model trained on this kind of series."
    case .wrongCovariates(let model, let trained, let given):
      func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
      }
      return "\(model): the model was trained with covariates \(list(trained)), the history "
        + "has \(list(given)). Give the same columns, or retrain."
    case .unknownSeries(let series, let known, let model):
      return "\(model): the model has never seen series \(Quoted(series)); it knows "
        + "\(known.joined(separator: ", ")). Forecast those series, or retrain including it."
    case .seriesTooShortToForecast(let series, let count, let lookback):
      return "series \(Quoted(series)) has \(count) points, fewer than the model's lookback of "
        + "\(lookback). Pass a history with at least \(lookback) points per series."
    case .definitionMismatch(let model, let option, let trained, let given):
      return "\(model): the model was trained with --\(option) \(trained), not \(given). Leave "
        + "--\(option) out (the model's is used) or train a model with --\(option) \(given)."
    case .invalidOption(let name, let value, let expected):
      return "--\(name) \(value): expected \(expected). Please pass a valid value."
    case .trainingDiverged(let source, let learningRate):
      return "\(source): training diverged (the validation loss became infinite or NaN) with "
        + "learning rate \(learningRate); nothing was saved. Pass a smaller --learning-rate "
        + "(the default is 0.003)."
    }
  }
}

extension ForecastError {
  /// `historyTooShort` for `collection`, none of whose series has the points `options` need.
  static func noSeriesLongEnough(
    source: String, collection: SeriesCollection, options: TrainingOptions
  ) -> ForecastError {
    .historyTooShort(
      source: source, longest: collection.series.map(\.count).max() ?? 0,
      required: options.minimumLength, lookback: options.lookback, horizon: options.horizon,
      validation: options.validationLength, test: options.testLength,
      unit: collection.spacing.unitName)
  }
}
