import Forecast
import Foundation

/// What the report shows of one saved model on one history, computed without retraining: its
/// forecast from the end of the history, the test-period figures the file holds (and the
/// same period scored again for the per-step figures), and its score on points after its
/// training range when there are enough.
public struct ModelSummary {
  /// The model file.
  public var path: String
  /// The history's name.
  public var history: String
  /// The loaded model.
  public var model: ForecastModel
  /// The series it was given.
  public var collection: SeriesCollection
  /// Its forecast from the end of every series.
  public var forecasts: [SeriesForecast]
  /// The test-period scores recorded in the file, by model name (`lstm`, baselines).
  public var recordedTest: [String: MetricValues]
  /// The recorded LSTM MASE over seasonal naive's.
  public var recordedRelativeMASE: Double?
  /// The training range per series.
  public var ranges: [String: TrainingRange]
  /// The test period scored again (per-step figures); nil when the history does not hold it.
  public var testPeriod: ModelEvaluation?
  /// The score on points after the training range; nil when there are too few.
  public var sinceTraining: ModelEvaluation?
  /// Why `sinceTraining` is nil.
  public var sinceTrainingMissing: String?
  /// The toolkit version that wrote the file.
  public var toolkitVersion: String
  /// Notes from reading the series and forecasting.
  public var notes: [String]

  /// Loads `path` and computes everything from `source`'s series.
  /// - Throws: `ModelFileError` for a bad file, `ForecastError` for a model that does not fit
  ///   the history (naming both).
  public init(path: String, history: String?, csv: String?) throws {
    self.path = path
    let loaded = try ModelFile.load(path: path)
    model = loaded.model
    let source = try SeriesSource.matching(
      loaded.model.definition, history: history, csv: csv, model: path)
    self.history = source.name
    let (collection, _) = try source.load()
    self.collection = collection
    var notes = collection.notes
    let (forecasts, forecastNotes) = try model.forecast(collection, source: path)
    self.forecasts = forecasts
    notes += forecastNotes
    ranges = try TrainingRange.ranges(metadata: loaded.metadata, path: path)
    toolkitVersion = loaded.metadata["forecast.toolkit_version"] ?? "unknown"
    struct Metrics: Decodable {
      var test: [String: MetricValues]
      var relativeMASE: Double?
      enum CodingKeys: String, CodingKey {
        case test
        case relativeMASE = "relative_mase"
      }
    }
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    guard let text = loaded.metadata["forecast.metrics"],
      let metrics = try? decoder.decode(Metrics.self, from: Data(text.utf8))
    else {
      throw ModelFileError.badMetadata(
        path: path, key: "forecast.metrics", expected: "the test-period metrics")
    }
    recordedTest = metrics.test
    recordedRelativeMASE = metrics.relativeMASE
    do {
      testPeriod = try model.evaluateTestPeriod(
        collection, ranges: ranges, history: source.name, model: path)
    } catch let error as ModelEvaluationError {
      notes.append("the per-step test figures are not shown: \(error)")
    }
    do {
      sinceTraining = try model.evaluateSinceTraining(
        collection, ranges: ranges, history: source.name, model: path)
      notes += sinceTraining?.notes ?? []
    } catch let error as ModelEvaluationError {
      sinceTrainingMissing = error.description
    }
    self.notes = notes
  }

  /// The recorded test figures as an `EvaluationReport` (overall only; per step from
  /// `testPeriod`), in the CLI's model order.
  public var recordedReport: EvaluationReport {
    let order = ["lstm", "naive", "seasonal_naive", "drift"]
    let perStep = Dictionary(
      uniqueKeysWithValues: (testPeriod?.report.scores ?? []).map { ($0.model, $0.perStep) })
    let scores = order.compactMap { name in
      recordedTest[name].map {
        ModelScore(named: name, overall: $0, perStep: perStep[name] ?? [])
      }
    }
    let q = model.quantiles
    return EvaluationReport(
      recordedScores: scores, intervalLevel: (q.last ?? 1) - (q.first ?? 0),
      origins: testPeriod?.report.origins ?? 0, folds: 1,
      seriesCount: testPeriod?.report.seriesCount ?? collection.series.count,
      seasonalPeriod: collection.seasonalPeriod)
  }
}
