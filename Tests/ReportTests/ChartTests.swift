import XCTest

@testable import Forecast
@testable import Report

/// The SVG writer: round ticks, readable dates, numbers carried by every mark.
final class ChartTests: XCTestCase {
  func testNiceTicks_roundValues() {
    let (ticks, domain) = Ticks.nice(0, 87, count: 5)
    XCTAssertEqual(ticks, [0, 20, 40, 60, 80, 100])
    XCTAssertEqual(domain, 0...100)
    XCTAssertEqual(Ticks.nice(0.8, 1.42, count: 5).ticks, [0.8, 1.0, 1.2, 1.4, 1.6])
    XCTAssertEqual(Ticks.nice(3, 3, count: 4).ticks, [2.6, 2.8, 3.0, 3.2, 3.4])
    XCTAssertEqual(Ticks.nice(0, 9, count: 4).ticks, [0, 2.5, 5, 7.5, 10])
    XCTAssertEqual(Ticks.label(7.5, step: 2.5), "7.5")
    XCTAssertEqual(Ticks.label(0.30000000000000004, step: 0.1), "0.3")
    XCTAssertEqual(Ticks.label(25_000, step: 5_000), "25k")
    XCTAssertEqual(Ticks.label(1_500_000, step: 500_000), "1.5M")
  }

  func testDateTicks_readableAtEverySpan() {
    let day: Int64 = 86_400
    let jan1: Int64 = 19_723 * day  // 2024-01-01, a Monday
    // Ten days: every other day.
    XCTAssertEqual(
      Ticks.dates(jan1, jan1 + 9 * day, count: 6).map(\.label),
      ["Jan 1", "Jan 3", "Jan 5", "Jan 7", "Jan 9"])
    // Ten weeks: Mondays, two weeks apart.
    XCTAssertEqual(
      Ticks.dates(jan1, jan1 + 70 * day, count: 6).map(\.label),
      ["Jan 1", "Jan 15", "Jan 29", "Feb 12", "Feb 26", "Mar 11"])
    // A year: every other month, the year on the first and on January.
    XCTAssertEqual(
      Ticks.dates(jan1 + 10 * day, jan1 + 400 * day, count: 6).map(\.label),
      ["Mar 2024", "May", "Jul", "Sep", "Nov", "Jan 2025"])
    // Ten years: every other year.
    XCTAssertEqual(
      Ticks.dates(jan1, jan1 + 3_650 * day, count: 6).map(\.label),
      ["2024", "2026", "2028", "2030", "2032"])
  }

  func testChart_everyPointCarriesItsNumberAndTextIsEscaped() {
    var chart = Chart(
      title: "Sessions <per> day", xTitle: "date (UTC)", yTitle: "sessions per day",
      xAxis: .time)
    let t0 = 19_723.0 * 86_400
    chart.lines = [
      ChartLine(
        name: "history", color: ChartColor.history,
        points: [(x: t0, y: 12), (x: t0 + 86_400, y: 15_250.5)])
    ]
    chart.bands = [
      ChartBand(
        name: "p10–p90 interval", color: ChartColor.band, points: [(x: t0, lower: 1, upper: 3)])
    ]
    let svg = chart.svg(standalone: true)
    XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\""))
    XCTAssertTrue(svg.contains("<title>Sessions &lt;per&gt; day</title>"))
    XCTAssertTrue(svg.contains("<title>history 2024-01-01: 12</title>"))
    XCTAssertTrue(svg.contains("<title>history 2024-01-02: 15\u{2009}250.5</title>"))
    XCTAssertTrue(svg.contains("<title>p10–p90 interval 2024-01-01: 1 – 3</title>"))
    XCTAssertTrue(svg.contains(">date (UTC)</text>"))
    XCTAssertTrue(svg.contains(">sessions per day</text>"))
  }

  func testBarChart_barsCarryTheirValues() {
    let chart = BarChart(
      title: "World: top 2 artists", valueTitle: "streams",
      bars: [("A very long artist name indeed", 420, "rank 1"), ("B", 7, "rank 2")])
    let svg = chart.svg()
    XCTAssertTrue(svg.contains("<title>A very long artist name indeed: 420, rank 1</title>"))
    XCTAssertTrue(svg.contains(">A very long artist …</text>"))
    XCTAssertTrue(svg.contains("<title>B: 7, rank 2</title>"))
    XCTAssertTrue(svg.contains(">streams</text>"))
  }
}

/// Forecast charts of many series: one panel each, on one time axis.
final class ForecastChartsTests: XCTestCase {
  func testSmallMultiples_shareTheTimeAxis() {
    let day: Int64 = 86_400
    let start: Int64 = 19_723 * day
    var series: [TimeSeries] = []
    for (id, offset) in [("Asia", 0), ("Europe", 20)] {
      let values = (0..<(100 - offset)).map { Double($0 % 7 + 10) }
      series.append(
        TimeSeries(id: id, start: start + Int64(offset) * day, step: day, values: values))
    }
    let collection = SeriesCollection(
      kind: .dailySessions, targetName: "sessions", covariateNames: [], series: series)
    let forecasts = series.map { s in
      SeriesForecast(
        id: s.id, timestamps: (0..<3).map { s.timestamp(at: s.count + $0) },
        forecast: QuantileForecast(
          point: [11, 12, 13], quantiles: [[9, 11, 14], [10, 12, 15], [10, 13, 17]]))
    }
    let charts = ForecastCharts.charts(
      collection: collection, forecasts: forecasts, quantiles: [0.1, 0.5, 0.9], horizon: 3)
    XCTAssertEqual(charts.map(\.title), ["Asia", "Europe"])
    let panels = SmallMultiples.panels(charts)
    XCTAssertEqual(panels.count, 2)
    // Both panels show the same date ticks (the union of their ranges), and no legend.
    func tickLabels(_ svg: String) -> [String] {
      svg.components(separatedBy: "text-anchor=\"middle\" fill=\"\(ChartColor.text)\">")
        .dropFirst().compactMap { $0.components(separatedBy: "</text>").first }
    }
    XCTAssertEqual(tickLabels(panels[0]), tickLabels(panels[1]))
    XCTAssertFalse(panels[0].contains(">history</text>"))
    XCTAssertTrue(panels[1].contains("<title>forecast (p50) 2024-04-10: 11</title>"))
    XCTAssertTrue(SmallMultiples.legend(charts[0]).contains(">history</text>"))
    let plot = ForecastCharts.plot(
      collection: collection, forecasts: forecasts, quantiles: [0.1, 0.5, 0.9], horizon: 3)
    XCTAssertTrue(plot.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
    XCTAssertEqual(plot.components(separatedBy: "<g transform=").count, 3)
  }
}
