import Forecast
import Foundation

/// The forecast charts: the history's last periods, the median forecast and its interval band,
/// one chart per series (small multiples when there are several).
public enum ForecastCharts {
  /// Points of history shown before the forecast: ten weeks of days, a year of weeks, else
  /// four horizons.
  static func tailLength(step: Int64, horizon: Int) -> Int {
    switch step {
    case 86_400: return 70
    case 604_800: return 52
    default: return max(12, 4 * horizon)
    }
  }

  /// The y axis' title: the target with its unit.
  public static func valueTitle(_ collection: SeriesCollection) -> String {
    switch collection.kind {
    case .dailySessions: return "sessions per day"
    case .weeklyEngagement: return "listening hours per week"
    case .csv: return collection.targetName
    }
  }

  /// A series' name in titles.
  static func seriesName(_ id: String) -> String { id == "all" ? "all listeners" : id }

  /// The interval's name: `p10–p90 interval (80 %)`.
  static func bandName(_ quantiles: [Double]) -> String {
    guard let lo = quantiles.first, let hi = quantiles.last, quantiles.count > 1 else {
      return "interval"
    }
    return "\(Predictions.columnName(lo))–\(Predictions.columnName(hi)) interval"
  }

  /// The chart of one series: its last points and the forecast after them.
  public static func chart(
    series: TimeSeries, forecast: SeriesForecast, quantiles: [Double], title: String,
    valueTitle: String, horizon: Int
  ) -> Chart {
    let tail = tailLength(step: series.step, horizon: horizon)
    let start = max(0, series.count - tail)
    var chart = Chart(title: title, xTitle: "date (UTC)", yTitle: valueTitle, xAxis: .time)
    let median = quantiles.indices.min { abs(quantiles[$0] - 0.5) < abs(quantiles[$1] - 0.5) } ?? 0
    chart.bands = [
      ChartBand(
        name: bandName(quantiles), color: ChartColor.band,
        points: zip(forecast.timestamps, forecast.forecast.quantiles).map {
          (x: Double($0), lower: $1.first ?? 0, upper: $1.last ?? 0)
        })
    ]
    chart.lines = [
      ChartLine(
        name: "history", color: ChartColor.history,
        points: (start..<series.count).map {
          (x: Double(series.timestamp(at: $0)), y: series.values[$0])
        }),
      ChartLine(
        name: "forecast (\(Predictions.columnName(quantiles[median])))",
        color: ChartColor.forecast,
        points: zip(forecast.timestamps, forecast.forecast.quantiles).map {
          (x: Double($0), y: $1[median])
        }, dots: true),
    ]
    return chart
  }

  /// Charts for every forecast series, in the collection's order.
  public static func charts(
    collection: SeriesCollection, forecasts: [SeriesForecast], quantiles: [Double],
    horizon: Int
  ) -> [Chart] {
    let byID = Dictionary(uniqueKeysWithValues: collection.series.map { ($0.id, $0) })
    let unit = collection.step == 604_800 ? "weeks" : collection.step == 86_400 ? "days" : "steps"
    return forecasts.compactMap { f in
      guard let s = byID[f.id] else { return nil }
      let title =
        forecasts.count == 1
        ? "\(valueTitleCapitalised(collection)): the next \(f.timestamps.count) \(unit)"
        : seriesName(f.id)
      return chart(
        series: s, forecast: f, quantiles: quantiles, title: title,
        valueTitle: valueTitle(collection), horizon: horizon)
    }
  }

  static func valueTitleCapitalised(_ collection: SeriesCollection) -> String {
    let t = valueTitle(collection)
    return t.prefix(1).uppercased() + t.dropFirst()
  }

  /// The standalone SVG file of `forecast predict --plot`: one chart, or a grid of small
  /// multiples (three per row) on a shared time axis.
  public static func plot(
    collection: SeriesCollection, forecasts: [SeriesForecast], quantiles: [Double], horizon: Int
  ) -> String {
    let all = charts(
      collection: collection, forecasts: forecasts, quantiles: quantiles, horizon: horizon)
    if all.count == 1 { return all[0].svg(standalone: true) + "\n" }
    let panels = SmallMultiples.panels(all)
    let columns = 3
    let rows = (panels.count + columns - 1) / columns
    let title = valueTitleCapitalised(collection) + ": history and forecast per series"
    var out =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(240 * columns) "
      + "\(30 + 220 * rows)\" font-family=\"system-ui, sans-serif\"><title>\(xml(title))</title>"
      + "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
      + "<text x=\"8\" y=\"20\" font-size=\"16\" font-weight=\"600\">\(xml(title))</text>"
    for (i, panel) in panels.enumerated() {
      let x = 240 * (i % columns)
      let y = 30 + 220 * (i / columns)
      out +=
        "<g transform=\"translate(\(x),\(y))\">"
        + panel.replacingOccurrences(
          of: "<svg class", with: "<svg width=\"240\" height=\"220\" class")
        + "</g>"
    }
    return out + "</svg>\n"
  }
}
