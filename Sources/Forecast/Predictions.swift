import Events
import Foundation
import Plumbing

/// Forecasts as files: the CSV of docs/formats.md `series_id,timestamp,horizon_step,p10,p50,p90` (one column
/// per quantile, ISO-8601 timestamps, a header line, no index column), or JSON.
public enum Predictions {
  /// The column name of a quantile level: `p10` for 0.1, `p2.5` for 0.025.
  public static func columnName(_ level: Double) -> String {
    let percent = level * 100
    if abs(percent - percent.rounded()) < 1e-9 { return "p\(Int(percent.rounded()))" }
    return "p\(formatNumber((percent * 1e6).rounded() / 1e6))"
  }

  /// The CSV text.
  public static func csv(_ forecasts: [SeriesForecast], quantiles: [Double]) -> String {
    var out = (["series_id", "timestamp", "horizon_step"] + quantiles.map(columnName)).joined(
      separator: ",")
    out += "\n"
    for f in forecasts {
      for (k, time) in f.timestamps.enumerated() {
        out += "\(CSVField.quoted(f.id)),\(Timestamp.format(time)),\(k + 1)"
        for v in f.forecast.quantiles[k] { out += "," + formatValue(v) }
        out += "\n"
      }
    }
    return out
  }

  /// The JSON text: `{"quantiles": [...], "forecasts": [{"series_id", "timestamp",
  /// "horizon_step", "p10", ...}]}`.
  public static func json(_ forecasts: [SeriesForecast], quantiles: [Double]) -> String {
    var rows: [String] = []
    for f in forecasts {
      for (k, time) in f.timestamps.enumerated() {
        var fields = [
          "\"series_id\":\(JSONValue.quoted(f.id))", "\"timestamp\":\"\(Timestamp.format(time))\"",
          "\"horizon_step\":\(k + 1)",
        ]
        for (level, v) in zip(quantiles, f.forecast.quantiles[k]) {
          fields.append("\"\(columnName(level))\":\(formatValue(v))")
        }
        rows.append("{" + fields.joined(separator: ",") + "}")
      }
    }
    let levels = quantiles.map { formatNumber($0) }.joined(separator: ",")
    return "{\"quantiles\":[\(levels)],\"forecasts\":[\n" + rows.joined(separator: ",\n") + "\n]}\n"
  }

  /// A forecast value with 4 decimals (counts and hours need no more), but 6 significant
  /// digits below 0.001 (a series measured in small units), and as it is from 1e11 up.
  static func formatValue(_ v: Double) -> String {
    if v == 0 || !v.isFinite || abs(v) >= 1e11 { return formatNumber(v) }
    if abs(v) < 1e-3 { return formatNumber(Double(String(format: "%.6g", v)) ?? v) }
    return formatNumber((v * 10_000).rounded() / 10_000)
  }
}
