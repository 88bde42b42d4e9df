import Foundation
import Plumbing

/// What `forecast train` and `forecast evaluate` print.
public enum TrainingSummary {
  /// After training: the run, the best epoch, the test table and the verdict.
  public static func text(_ result: TrainingResult, collection: SeriesCollection) -> String {
    let o = result.model.options
    let unit = collection.spacing.unitName
    let seconds = result.memberEpochs.flatMap { $0.map(\.seconds) }
    let perEpoch = seconds.isEmpty ? 0 : seconds.reduce(0, +) / Double(seconds.count)
    // Milliseconds below a tenth of a second (a weekly epoch takes a few).
    let epochTime = perEpoch < 0.1 ? "\(fmt(perEpoch * 1000, 1)) ms" : "\(fmt(perEpoch, 2)) s"
    let kept = result.memberBestEpochs.map(String.init).joined(separator: ", ")
    var lines = [
      "series: \(collection.kind.rawValue), \(result.seriesUsed.count) of "
        + "\(collection.series.count) series used, \(collection.series.map(\.count).max() ?? 0) "
        + "\(unit)s at most",
      "model: lookback \(o.lookback), horizon \(o.horizon), hidden \(o.hiddenSize), "
        + "layers \(o.layerCount), quantiles \(o.quantiles.map { "\($0)" }.joined(separator: ","))",
      result.memberEpochs.count > 1
        ? "trained an ensemble of \(result.memberEpochs.count) networks, "
          + "\(seconds.count) epochs in all (\(epochTime) per epoch); kept epochs "
          + "\(kept); member 0's validation pinball "
          + fmt(result.epochs.first { $0.epoch == result.bestEpoch }?.validationLoss ?? .nan, 4)
        : "trained \(result.epochs.count) epochs (\(epochTime) per epoch); kept epoch "
          + "\(result.bestEpoch), validation pinball "
          + fmt(result.epochs.first { $0.epoch == result.bestEpoch }?.validationLoss ?? .nan, 4),
    ]
    if let test = result.test {
      lines.append(
        "test period: last \(o.testLength) \(unit)s, \(test.origins) forecast origins:")
      lines.append(test.table)
      lines.append(test.verdict)
    }
    return lines.joined(separator: "\n")
  }

  /// After a backtest: the table, the per-step MASE and the verdict.
  public static func text(_ report: EvaluationReport, options: TrainingOptions) -> String {
    [
      "rolling-origin backtest: \(report.folds) folds over the last \(options.testLength) points, "
        + "\(report.origins) origins, \(report.seriesCount) series, horizon \(options.horizon), "
        + "seasonal period \(report.seasonalPeriod)",
      report.table,
      "",
      "MASE per horizon step:",
      report.perStepTable,
      "",
      report.verdict,
    ].joined(separator: "\n")
  }

  /// The backtest as JSON: per model `mae`, `rmse`, `smape`, `mase`, `pinball`,
  /// `coverage_<level>`, `width`, and `per_step` (the same per horizon step); for the LSTM also
  /// `relative_mase`.
  public static func json(_ report: EvaluationReport) -> String {
    let level = Int((report.intervalLevel * 100).rounded())
    func number(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
    var models: [String] = []
    func metricFields(_ m: MetricValues) -> [String] {
      [
        "\"mae\":\(number(m.mae))", "\"rmse\":\(number(m.rmse))", "\"smape\":\(number(m.smape))",
        "\"mase\":\(number(m.mase))", "\"pinball\":\(number(m.pinball))",
        "\"coverage_\(level)\":\(number(m.coverage))", "\"width\":\(number(m.width))",
      ]
    }
    for s in report.scores {
      var fields = metricFields(s.overall)
      let steps = s.perStep.map { "{" + metricFields($0).joined(separator: ",") + "}" }
      fields.append("\"per_step\":[" + steps.joined(separator: ",") + "]")
      if s.model == "lstm" { fields.append("\"relative_mase\":\(number(report.relativeMASE))") }
      models.append("\"\(s.model)\":{" + fields.joined(separator: ",") + "}")
    }
    let extra = [
      "\"folds\":\(report.folds)", "\"origins\":\(report.origins)",
      "\"series\":\(report.seriesCount)", "\"beats_seasonal_naive\":\(report.beatsSeasonalNaive)",
      "\"verdict\":\(JSONValue.quoted(report.verdict))",
    ]
    return "{" + (models + extra).joined(separator: ",") + "}"
  }
}
