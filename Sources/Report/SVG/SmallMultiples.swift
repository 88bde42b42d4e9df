/// Small multiples: the same chart per series on one shared time axis, each panel small.
public enum SmallMultiples {
  /// One panel per chart, all on the union of their x domains, each 240 × 220 units with 3
  /// ticks per axis and no legend (`legend` draws the shared one).
  public static func panels(_ charts: [Chart]) -> [String] {
    let xs = charts.flatMap { c in
      c.lines.flatMap { $0.points.map(\.x) } + c.bands.flatMap { $0.points.map(\.x) }
    }
    let domain = (xs.min() ?? 0)...(xs.max() ?? 1)
    return charts.map { chart in
      var c = chart
      c.xDomain = domain
      c.width = 240
      c.height = 220
      c.tickCount = 3
      c.showLegend = false
      c.rules = []
      return c.svg()
    }
  }
}

extension SmallMultiples {
  /// The legend the panels share, as its own small SVG (band swatches, then line swatches).
  public static func legend(_ chart: Chart) -> String {
    var out = SVGBuilder(width: 480, height: 26, title: "Legend", standalone: false)
    _ = out.drawLegend(
      chart.bands.map { ($0.name, $0.color, true) }
        + chart.lines.map { ($0.name, $0.color, false) },
      top: 2)
    return out.finish().replacingOccurrences(of: "class=\"chart\"", with: "class=\"legend\"")
  }
}
