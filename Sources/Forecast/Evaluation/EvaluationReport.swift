import Foundation

/// One model's accuracy over a test period or backtest.
public struct ModelScore: Sendable, Equatable, Codable {
  /// `lstm`, `naive`, `seasonal_naive` or `drift`.
  public var model: String
  /// Over every point.
  public var overall: MetricValues
  /// At each horizon step 1…K.
  public var perStep: [MetricValues]
}

/// The LSTM beside the baselines, as `forecast train` and `forecast evaluate` report it.
public struct EvaluationReport: Sendable, Equatable, Codable {
  /// `lstm` first, then `naive`, `seasonal_naive`, `drift`.
  public var scores: [ModelScore]
  /// The interval the first and last quantiles bound, e.g. 0.8.
  public var intervalLevel: Double
  /// Forecast origins evaluated (over all series and folds).
  public var origins: Int
  /// Backtest folds (1 for the test period of one training run).
  public var folds: Int
  /// Series evaluated.
  public var seriesCount: Int
  /// The seasonal period of the seasonal-naive baseline and MASE.
  public var seasonalPeriod: Int

  /// A model's score by name.
  public func score(_ model: String) -> ModelScore? { scores.first { $0.model == model } }

  /// LSTM MASE over seasonal-naive MASE (below 1: the LSTM is better).
  public var relativeMASE: Double {
    guard let l = score("lstm")?.overall.mase, let s = score("seasonal_naive")?.overall.mase
    else { return .nan }
    return l / s
  }

  /// True when the LSTM's MASE is below seasonal naive's.
  public var beatsSeasonalNaive: Bool { relativeMASE < 1 }

  /// The plain verdict the tool prints under the table.
  public var verdict: String {
    let r = relativeMASE
    guard r.isFinite else {
      return "MASE is undefined (every evaluated series is flat in its training part)."
    }
    // Formatted, never converted to Int: a series with an almost flat training part can make
    // the ratio astronomically large.
    let percent = String(format: "%.0f", abs(1 - r) * 100)
    if r < 1 {
      return "The LSTM beats seasonal naive: MASE \(percent)% lower."
    }
    let higher =
      r < 2
      ? "its MASE is \(percent)% higher" : "its MASE is \(String(format: "%.3g", r)) times as high"
    return "The LSTM does NOT beat seasonal naive: \(higher). "
      + "Prefer seasonal naive for this data, or train on a longer history."
  }

  /// The table: one row per model, MAE, RMSE, sMAPE, MASE, pinball, coverage and width.
  public var table: String {
    let level = Int((intervalLevel * 100).rounded())
    let header = [
      "model", "MAE", "RMSE", "sMAPE%", "MASE", "pinball", "cover\(level)%", "width",
    ]
    var rows = [header]
    for s in scores {
      let m = s.overall
      rows.append(
        [
          s.model, fmt(m.mae), fmt(m.rmse), fmt(m.smape, 2), fmt(m.mase, 3), fmt(m.pinball),
          fmt(m.coverage * 100, 1), fmt(m.width),
        ])
    }
    let widths = (0..<header.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { c, cell in
        let pad = String(repeating: " ", count: widths[c] - cell.count)
        return c == 0 ? cell + pad : pad + cell
      }.joined(separator: "  ")
    }.joined(separator: "\n")
  }

  /// The per-step MASE table (steps as rows, models as columns).
  public var perStepTable: String {
    var lines = ["step  " + scores.map { $0.model }.joined(separator: "  ")]
    let k = scores.first?.perStep.count ?? 0
    for step in 0..<k {
      let cells = scores.map { s -> String in
        let text = fmt(s.perStep[step].mase, 3)
        return String(repeating: " ", count: max(0, s.model.count - text.count)) + text
      }
      lines.append(
        String(step + 1).padding(toLength: 4, withPad: " ", startingAt: 0) + "  "
          + cells.joined(separator: "  "))
    }
    return lines.joined(separator: "\n")
  }
}

/// A number with `digits` decimals (significant magnitude kept for large values).
func fmt(_ v: Double, _ digits: Int = 3) -> String {
  guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "inf" : "-inf") }
  var scale = 1.0
  for _ in 0..<digits { scale *= 10 }
  let rounded = (v * scale).rounded() / scale
  var text = String(rounded)
  if let dot = text.firstIndex(of: "."), !text.contains("e") {
    let decimals = text.distance(from: dot, to: text.endIndex) - 1
    if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
    if digits == 0 { text = String(text[..<dot]) }
  }
  return text
}
