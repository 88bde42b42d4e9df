import Forecast
import Foundation

/// Everything one report shows.
public struct ReportContents {
  /// One summary per `--model`.
  public var models: [ModelSummary]
  /// The `--wrapped` directory's tables.
  public var wrapped: WrappedOutput?
  /// The `--anomalies` file.
  public var anomalies: AnomalyOutput?
  /// The history, as named on the command line.
  public var history: String?
  /// The toolkit writing the page.
  public var toolkitVersion: String
  /// When the page is written.
  public var generatedAt: Date

  /// Contents with every field given.
  public init(
    models: [ModelSummary], wrapped: WrappedOutput?, anomalies: AnomalyOutput?, history: String?,
    toolkitVersion: String, generatedAt: Date
  ) {
    self.models = models
    self.wrapped = wrapped
    self.anomalies = anomalies
    self.history = history
    self.toolkitVersion = toolkitVersion
    self.generatedAt = generatedAt
  }
}

/// The report: one HTML file with inline CSS and SVG, no script and nothing to load (a
/// Content-Security-Policy forbids it), readable at 390 px and printable.
public enum ReportPage {
  /// Anomalous accounts listed at most.
  public static let anomalyRows = 50

  /// The page.
  public static func html(_ c: ReportContents) -> String {
    var body = header(c)
    for m in c.models { body += modelSection(m) }
    if let w = c.wrapped { body += WrappedSection.html(w) }
    if let a = c.anomalies { body += anomalySection(a) }
    return """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'">
      <title>Listening forecast report</title>
      <style>\(style)</style>
      </head>
      <body>
      <main>
      \(body)
      <footer>Written by forecast \(xml(c.toolkitVersion)). Every chart's numbers are in its \
      tooltips (hover a point or bar) and in the tables.</footer>
      </main>
      </body>
      </html>

      """
  }

  static let style = """
    :root{color-scheme:light}
    *{box-sizing:border-box}
    body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;\
    color:#1d232a;background:#f4f6f8}
    main{max-width:1120px;margin:0 auto;padding:12px}
    h1{font-size:1.6rem;margin:.4rem 0}
    h2{font-size:1.3rem;margin:0 0 .5rem;border-bottom:2px solid #1f4e79;padding-bottom:.2rem}
    h3{font-size:1.05rem;margin:1rem 0 .4rem}
    section,header.page{background:#fff;border-radius:8px;padding:14px;margin:0 0 14px;\
    box-shadow:0 1px 2px rgba(0,0,0,.08)}
    .grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,440px),1fr));gap:14px}
    .multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(max(160px,23%),1fr));gap:8px}
    figure{margin:0;min-width:0}
    h1,h2,h3,p,dd,li,figcaption,caption{overflow-wrap:anywhere}
    figcaption{font-size:.85rem;color:#5b6470}
    svg.chart{display:block;width:100%;height:auto;background:#fff}
    svg.legend{display:block;width:100%;max-width:480px;height:auto}
    .scroll{overflow-x:auto;max-width:100%}
    table{border-collapse:collapse;font-size:.85rem;margin:.3rem 0}
    caption{text-align:left;font-weight:600;padding:4px 0}
    th,td{padding:3px 8px;border-bottom:1px solid #e3e6ea;text-align:left;vertical-align:top}
    td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
    tr.lstm td{font-weight:600;background:#fff4ec}
    td.evidence{min-width:14rem;overflow-wrap:anywhere}
    dl.made{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:.3rem 0;\
    font-size:.9rem}
    dl.made dt{color:#5b6470}
    dl.made dd{margin:0;overflow-wrap:anywhere}
    .verdict{padding:8px 12px;border-radius:6px;font-weight:600;margin:.5rem 0}
    .good{background:#e6f4ea;border-left:5px solid #2b8a3e}
    .bad{background:#fff4e6;border-left:5px solid #d9480f}
    .note{font-size:.85rem;color:#5b6470}
    details summary{cursor:pointer;color:#1f4e79;font-size:.9rem}
    footer{font-size:.8rem;color:#5b6470;padding:8px 2px}
    @media (max-width:520px){main{padding:6px}section,header.page{padding:10px}}
    @media print{
    body{background:#fff;font-size:11pt}
    main{max-width:none;padding:0}
    section,header.page{box-shadow:none;border:1px solid #ccc;break-inside:avoid-page}
    figure,table{break-inside:avoid}
    .scroll{overflow:visible}
    details>summary{display:none}
    }
    """

  static func header(_ c: ReportContents) -> String {
    var rows: [(String, String)] = []
    if let h = c.history ?? c.models.first?.history {
      var text = h
      if let m = c.models.first, let first = m.collection.series.first {
        let last = m.collection.series.map { $0.timestamp(at: $0.count - 1) }.max() ?? first.start
        let starts = m.collection.series.map(\.start).min() ?? first.start
        text +=
          " — \(m.collection.kind.rawValue), \(Ticks.isoDate(starts)) to \(Ticks.isoDate(last)), "
          + "\(m.collection.series.count) series"
      }
      rows.append(("History", text))
    }
    for m in c.models {
      rows.append(
        (
          "Model",
          "\(m.path) — written by forecast \(m.toolkitVersion), trained up to \(trainedUpTo(m))"
        ))
    }
    if let w = c.wrapped {
      let fields = Dictionary(w.summary.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
      let from = fields["period.from"] ?? fields["first_event_start"]
      let to = fields["period.to"] ?? fields["last_event_start"]
      let period = [from.map { "from \($0)" }, to.map { "to \($0)" }].compactMap { $0 }
      rows.append(
        ("Wrapped", w.directory + (period.isEmpty ? "" : " — " + period.joined(separator: " ")))
      )
    }
    if let a = c.anomalies {
      rows.append(("Anomalies", "\(a.path) — \(a.rows.count) accounts scored"))
    }
    rows.append(("Toolkit", "forecast \(c.toolkitVersion)"))
    rows.append(("Generated", iso(c.generatedAt)))
    let list = rows.map { "<dt>\(xml($0.0))</dt><dd>\(xml($0.1))</dd>" }.joined()
    return "<header class=\"page\"><h1>Listening forecast report</h1>"
      + "<dl class=\"made\">\(list)</dl></header>\n"
  }

  static func trainedUpTo(_ m: ModelSummary) -> String {
    guard let end = m.ranges.values.map(\.end).max() else { return "unknown" }
    return Ticks.isoDate(end)
  }

  static func iso(_ date: Date) -> String {
    let seconds = Int64(date.timeIntervalSince1970)
    let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
    let rest = seconds - day * 86_400
    return Ticks.isoDate(seconds)
      + String(format: " %02d:%02d UTC", Int(rest / 3600), Int(rest / 60 % 60))
  }

  // MARK: - Models

  static func modelSection(_ m: ModelSummary) -> String {
    let o = m.model.options
    let unit = m.collection.step == 604_800 ? "week" : m.collection.step == 86_400 ? "day" : "step"
    var out =
      "<section><h2>\(xml(ForecastCharts.valueTitleCapitalised(m.collection)))"
      + " — \(xml(m.path))</h2>\n"
    let report = m.recordedReport
    out +=
      "<p>Forecast of the next \(o.horizon) \(unit)s from the history's last \(unit) with the "
      + "saved model (lookback \(o.lookback), \(m.model.networks.count) network"
      + "\(m.model.networks.count == 1 ? "" : "s")), never retrained here.</p>"
    let verdictClass = report.beatsSeasonalNaive ? "good" : "bad"
    out += "<p class=\"verdict \(verdictClass)\">Test period: \(xml(report.verdict))</p>\n"
    let charts = ForecastCharts.charts(
      collection: m.collection, forecasts: m.forecasts, quantiles: m.model.quantiles,
      horizon: o.horizon)
    if charts.count == 1 {
      out += "<div class=\"grid\"><figure>\(charts[0].svg())</figure>"
    } else {
      out +=
        "<h3>History and forecast per series</h3><p class=\"note\">One panel per series on a "
        + "shared time axis; each panel has its own value scale.</p>"
        + SmallMultiples.legend(charts[0]) + "<div class=\"multiples\">"
        + SmallMultiples.panels(charts).map { "<figure>\($0)</figure>" }.joined()
        + "</div><div class=\"grid\">"
    }
    if let perStep = perStepChart(m) { out += "<figure>\(perStep.svg())</figure>" }
    out += "</div>\n"
    out += forecastTable(m)
    out +=
      "<h3>Test period, as recorded in the model file</h3><div class=\"scroll\">"
      + metricsTable(report) + "</div>"
    if let lstm = report.score("lstm") {
      let level = Int((report.intervalLevel * 100).rounded())
      out +=
        "<p>Intervals: the \(xml(ForecastCharts.bandName(m.model.quantiles))) held "
        + "\(fixed(lstm.overall.coverage * 100, 1)) % of the test period's actual values "
        + "(nominal \(level) %).</p>"
    }
    if let t = m.testPeriod {
      out +=
        "<p class=\"note\">\(t.report.origins) forecast origins over \(t.report.seriesCount) "
        + "series; MASE is scaled by each series' in-sample seasonal-naive error "
        + "(seasonal period \(t.report.seasonalPeriod)) on its training part.</p>"
    }
    out += "<h3>Since training</h3>"
    if let s = m.sinceTraining {
      out +=
        "<p>Scored on the points after the training range, with the saved model: "
        + "\(s.report.origins) origins, \(s.report.seriesCount) series.</p>"
        + "<p class=\"verdict \(s.report.beatsSeasonalNaive ? "good" : "bad")\">Since training: "
        + "\(xml(s.report.verdict))</p><div class=\"scroll\">\(metricsTable(s.report))</div>"
      let charts = sinceTrainingCharts(m, s)
      if charts.count == 1 {
        out += "<div class=\"grid\"><figure>\(charts[0].svg())</figure></div>"
      } else if let first = charts.first {
        out +=
          "<p class=\"note\">One step ahead since training, per series:</p>"
          + SmallMultiples.legend(first) + "<div class=\"multiples\">"
          + SmallMultiples.panels(charts).map { "<figure>\($0)</figure>" }.joined() + "</div>"
      }
    } else {
      out +=
        "<p class=\"note\">No score yet: \(xml(m.sinceTrainingMissing ?? "no new points")) "
        + "Once new data arrive, <code>forecast evaluate --model</code> and this report score "
        + "the model on them.</p>"
    }
    if !m.notes.isEmpty {
      out +=
        "<details><summary>Notes (\(m.notes.count))</summary><ul>"
        + m.notes.map { "<li class=\"note\">\(xml($0))</li>" }.joined() + "</ul></details>"
    }
    return out + "</section>\n"
  }

  /// MASE per horizon step: the LSTM beside seasonal naive and naive (test period re-scored).
  static func perStepChart(_ m: ModelSummary) -> Chart? {
    guard let t = m.testPeriod else { return nil }
    var chart = Chart(
      title: "MASE per horizon step (test period)", xTitle: "horizon step (\(unitName(m)))",
      yTitle: "MASE (lower is better)", xAxis: .linear)
    let styles: [(String, String, Bool)] = [
      ("lstm", ChartColor.forecast, false), ("seasonal_naive", ChartColor.history, true),
      ("naive", ChartColor.baseline, true),
    ]
    for (name, color, dashed) in styles {
      guard let s = t.report.score(name) else { continue }
      chart.lines.append(
        ChartLine(
          name: name.replacingOccurrences(of: "_", with: " "), color: color,
          points: s.perStep.enumerated().map { (x: Double($0.offset + 1), y: $0.element.mase) },
          dashed: dashed, dots: true))
    }
    chart.yFormat = { String(format: "%.3f", $0) }
    return chart
  }

  static func unitName(_ m: ModelSummary) -> String {
    m.collection.step == 604_800 ? "weeks" : m.collection.step == 86_400 ? "days" : "steps"
  }

  /// Per series, the actuals since training beside the one-step-ahead forecasts and their
  /// band.
  static func sinceTrainingCharts(_ m: ModelSummary, _ s: ModelEvaluation) -> [Chart] {
    var ids: [String] = []
    for f in s.forecasts where ids.last != f.id { ids.append(f.id) }
    let q = s.quantiles
    let median = q.indices.min { abs(q[$0] - 0.5) < abs(q[$1] - 0.5) } ?? 0
    return ids.map { id in
      let rows = s.forecasts.filter { $0.id == id }
      let name = ForecastCharts.seriesName(id)
      var chart = Chart(
        title: ids.count == 1 ? "One step ahead since training — \(name)" : name,
        xTitle: "date (UTC)", yTitle: ForecastCharts.valueTitle(m.collection), xAxis: .time)
      chart.bands = [
        ChartBand(
          name: ForecastCharts.bandName(q), color: ChartColor.band,
          points: rows.map {
            (
              x: Double($0.timestamps[0]), lower: $0.forecast.quantiles[0].first ?? 0,
              upper: $0.forecast.quantiles[0].last ?? 0
            )
          })
      ]
      chart.lines = [
        ChartLine(
          name: "actual", color: ChartColor.actual,
          points: rows.map { (x: Double($0.timestamps[0]), y: $0.actual[0]) }, dots: true),
        ChartLine(
          name: "forecast (\(Predictions.columnName(q[median])))", color: ChartColor.forecast,
          points: rows.map { (x: Double($0.timestamps[0]), y: $0.forecast.quantiles[0][median]) },
          dashed: true),
      ]
      return chart
    }
  }

  static func forecastTable(_ m: ModelSummary) -> String {
    let q = m.model.quantiles
    var out =
      "<details><summary>Forecast numbers</summary><div class=\"scroll\"><table><thead><tr>"
      + "<th>series</th><th>date</th><th class=\"n\">step</th>"
      + q.map { "<th class=\"n\">\(Predictions.columnName($0))</th>" }.joined()
      + "</tr></thead><tbody>"
    for f in m.forecasts {
      for (k, t) in f.timestamps.enumerated() {
        out +=
          "<tr><td>\(xml(f.id))</td><td>\(Ticks.isoDate(t))</td><td class=\"n\">\(k + 1)</td>"
          + f.forecast.quantiles[k].map { "<td class=\"n\">\(Chart.number($0))</td>" }.joined()
          + "</tr>"
      }
    }
    return out + "</tbody></table></div></details>"
  }

  static func metricsTable(_ r: EvaluationReport) -> String {
    let level = Int((r.intervalLevel * 100).rounded())
    var out =
      "<table><thead><tr><th>model</th><th class=\"n\">MAE</th><th class=\"n\">RMSE</th>"
      + "<th class=\"n\">sMAPE %</th><th class=\"n\">MASE</th><th class=\"n\">pinball</th>"
      + "<th class=\"n\">coverage of the \(level) % interval</th><th class=\"n\">width</th>"
      + "</tr></thead><tbody>"
    for s in r.scores {
      let v = s.overall
      let cells = [
        fixed(v.mae, 2), fixed(v.rmse, 2), fixed(v.smape, 1), fixed(v.mase, 3),
        fixed(v.pinball, 3), fixed(v.coverage * 100, 1) + " %", fixed(v.width, 2),
      ]
      out +=
        "<tr class=\"\(s.model == "lstm" ? "lstm" : "")\"><td>"
        + xml(s.model.replacingOccurrences(of: "_", with: " ")) + "</td>"
        + cells.map { "<td class=\"n\">\($0)</td>" }.joined() + "</tr>"
    }
    return out + "</tbody></table>"
  }

  static func fixed(_ v: Double, _ digits: Int) -> String {
    v.isFinite ? String(format: "%.\(digits)f", v) : "n/a"
  }

  // MARK: - Anomalies

  static func anomalySection(_ a: AnomalyOutput) -> String {
    let shown = a.rows.prefix(anomalyRows)
    var kinds: [String: Int] = [:]
    for r in shown { kinds[r.kind, default: 0] += 1 }
    let kindText = kinds.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
      .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    var out =
      "<section><h2>Accounts to review — \(xml(a.path))</h2><p>\(a.rows.count) accounts scored"
      + (a.rows.count > shown.count ? "; the \(shown.count) highest scores are listed" : "")
      + (kindText.isEmpty ? "" : " (kinds among them: \(xml(kindText)))")
      + ". The evidence names each feature that made the score, the account's value beside "
      + "the population's median.</p><div class=\"scroll\"><table><thead><tr>"
      + "<th class=\"n\">#</th><th>user</th><th class=\"n\">score</th><th>kind</th>"
      + "<th>active</th><th>evidence</th></tr></thead><tbody>"
    for (i, r) in shown.enumerated() {
      out +=
        "<tr><td class=\"n\">\(i + 1)</td><td>\(xml(r.userID))</td>"
        + "<td class=\"n\">\(xml(r.scoreText))</td><td>\(xml(r.kind))</td>"
        + "<td>\(xml(r.firstDay)) to \(xml(r.lastDay))</td>"
        + "<td class=\"evidence\">\(xml(r.evidence))</td></tr>"
    }
    return out + "</tbody></table></div></section>\n"
  }
}
