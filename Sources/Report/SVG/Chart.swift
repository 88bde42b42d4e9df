import Foundation

/// The colours of the report's marks (colour-blind safe: blue, orange, teal, grey).
public enum ChartColor {
  public static let history = "#1f4e79"
  public static let forecast = "#d9480f"
  public static let band = "#f9b27a"
  public static let actual = "#0b7a75"
  public static let baseline = "#6c757d"
  public static let bar = "#2f6f9f"
  public static let grid = "#e3e6ea"
  public static let axis = "#5b6470"
  public static let text = "#1d232a"
}

/// A line of (x, y) points, with a `<title>` per point.
public struct ChartLine: Sendable {
  /// The legend name, also the start of every point's tooltip.
  public var name: String
  /// Its colour.
  public var color: String
  /// The points, x ascending (Unix seconds on a time axis).
  public var points: [(x: Double, y: Double)]
  /// Drawn dashed.
  public var dashed: Bool
  /// A dot at every point (otherwise only a thin invisible hit mark carries the tooltip).
  public var dots: Bool

  /// A line with every field given.
  public init(
    name: String, color: String, points: [(x: Double, y: Double)], dashed: Bool = false,
    dots: Bool = false
  ) {
    self.name = name
    self.color = color
    self.points = points
    self.dashed = dashed
    self.dots = dots
  }
}

/// A filled band between a lower and an upper value at each x (an interval).
public struct ChartBand: Sendable {
  /// The legend name.
  public var name: String
  /// Its fill colour.
  public var color: String
  /// The points, x ascending.
  public var points: [(x: Double, lower: Double, upper: Double)]

  /// A band with every field given.
  public init(name: String, color: String, points: [(x: Double, lower: Double, upper: Double)]) {
    self.name = name
    self.color = color
    self.points = points
  }
}

/// How the x axis reads.
public enum ChartXAxis: Sendable {
  /// Unix seconds, ticked at days, weeks, months or years.
  case time
  /// Plain numbers (e.g. horizon steps), ticked at round values.
  case linear
}

/// One chart with a title, labelled axes, lines, bands and vertical rules; written as SVG with a
/// `<title>` on every mark, so a screen reader and a test read the numbers a person sees.
public struct Chart: Sendable {
  /// The title, drawn at the top.
  public var title: String
  /// The x axis' label, with its unit.
  public var xTitle: String
  /// The y axis' label, with its unit.
  public var yTitle: String
  /// Time or plain numbers.
  public var xAxis: ChartXAxis
  /// Bands, drawn first.
  public var bands: [ChartBand] = []
  /// Lines, drawn over the bands.
  public var lines: [ChartLine] = []
  /// Vertical rules with a label (e.g. the forecast origin).
  public var rules: [(x: Double, label: String)] = []
  /// The x domain; nil: the data's (small multiples share one).
  public var xDomain: ClosedRange<Double>?
  /// Start the y axis at 0 when every value is ≥ 0.
  public var yFromZero = true
  /// The viewBox size. Text is 14 units high: at 480 units shown 358 px wide it is 10.4 px.
  public var width = 480.0
  /// The viewBox height.
  public var height = 270.0
  /// Ticks wanted on each axis.
  public var tickCount = 5
  /// Draw the legend (small multiples share one, written beside them).
  public var showLegend = true
  /// How a y value reads in tooltips.
  public var yFormat: @Sendable (Double) -> String = { Chart.number($0) }

  /// A chart without marks.
  public init(title: String, xTitle: String, yTitle: String, xAxis: ChartXAxis) {
    self.title = title
    self.xTitle = xTitle
    self.yTitle = yTitle
    self.xAxis = xAxis
  }

  /// A value with at most 2 decimals, thousands grouped by a thin space.
  public static func number(_ v: Double) -> String {
    guard v.isFinite else { return "n/a" }
    if v == v.rounded() && abs(v) < 1e15 { return group(String(Int64(v))) }
    let digits = abs(v) >= 100 ? 1 : 2
    let text = String(format: "%.\(digits)f", v)
    return group(text)
  }

  private static func group(_ text: String) -> String {
    var integer = text
    var rest = ""
    if let dot = text.firstIndex(of: ".") {
      integer = String(text[..<dot])
      rest = String(text[dot...])
    }
    let negative = integer.hasPrefix("-")
    if negative { integer.removeFirst() }
    guard integer.count > 4 else { return text }
    var out = ""
    for (i, c) in integer.enumerated() {
      if i > 0 && (integer.count - i) % 3 == 0 { out += "\u{2009}" }
      out.append(c)
    }
    return (negative ? "-" : "") + out + rest
  }

  /// How an x value reads in tooltips: an ISO date on a time axis.
  public func xText(_ x: Double) -> String {
    switch xAxis {
    case .time: return Ticks.isoDate(Int64(x))
    case .linear: return Chart.number(x)
    }
  }

  /// The SVG element; `standalone` adds the XML namespace for a file of its own.
  public func svg(standalone: Bool = false) -> String {
    let xs =
      lines.flatMap { $0.points.map(\.x) } + bands.flatMap { $0.points.map(\.x) }
      + rules.map(\.x)
    let ys =
      lines.flatMap { $0.points.map(\.y) }
      + bands.flatMap { $0.points.flatMap { [$0.lower, $0.upper] } }
    let finiteYs = ys.filter(\.isFinite)
    let xLo = xDomain?.lowerBound ?? xs.min() ?? 0
    let xHi = xDomain?.upperBound ?? xs.max() ?? 1
    var yLo = finiteYs.min() ?? 0
    let yHi = finiteYs.max() ?? 1
    if yFromZero && yLo >= 0 { yLo = 0 }
    let (yTicks, yDomain) = Ticks.nice(yLo, yHi, count: tickCount)
    let yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
    let yLabels = yTicks.map { Ticks.label($0, step: yStep) }
    let longest = Double(yLabels.map(\.count).max() ?? 1)

    var out = SVGBuilder(width: width, height: height, title: title, standalone: standalone)
    var top = out.drawTitle(title)
    if showLegend {
      top = out.drawLegend(
        bands.map { ($0.name, $0.color, true) } + lines.map { ($0.name, $0.color, false) },
        top: top)
    }
    let left = 26 + longest * SVGBuilder.charWidth + 6
    let plot = (left: left, right: width - 14, top: top + 12, bottom: height - 42)
    let x = LinearScale(domain: xLo...max(xLo, xHi), range: (plot.left, plot.right))
    let y = LinearScale(domain: yDomain, range: (plot.bottom, plot.top))

    // Grid and y ticks.
    for (v, label) in zip(yTicks, yLabels) {
      let py = y(v)
      out.line(plot.left, py, plot.right, py, color: ChartColor.grid)
      out.text(label, x: plot.left - 5, y: py + 4, anchor: "end", size: SVGBuilder.textSize)
    }
    // X ticks.
    let xTicks: [(Double, String)]
    switch xAxis {
    case .time:
      xTicks = Ticks.dates(Int64(xLo), Int64(xHi), count: tickCount).map {
        (Double($0.seconds), $0.label)
      }
    case .linear:
      let (ticks, _) = Ticks.nice(xLo, xHi, count: tickCount)
      let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
      var inside = ticks.filter { $0 >= xLo - 1e-9 && $0 <= xHi + 1e-9 }
      // The ends of the data too (horizon step 1 and K), when they are far from a round tick.
      if let first = inside.first, first > xLo + step / 2 { inside.insert(xLo, at: 0) }
      if let last = inside.last, last < xHi - step / 2 { inside.append(xHi) }
      xTicks = inside.map { ($0, Ticks.label($0, step: $0 == xLo || $0 == xHi ? 1 : step)) }
    }
    for (v, label) in xTicks {
      let px = x(v)
      out.line(px, plot.bottom, px, plot.bottom + 4, color: ChartColor.axis)
      out.text(label, x: px, y: plot.bottom + 18, anchor: "middle", size: SVGBuilder.textSize)
    }
    out.line(plot.left, plot.bottom, plot.right, plot.bottom, color: ChartColor.axis)
    out.line(plot.left, plot.top, plot.left, plot.bottom, color: ChartColor.axis)
    out.text(
      xTitle, x: (plot.left + plot.right) / 2, y: height - 6, anchor: "middle",
      size: SVGBuilder.textSize)
    out.verticalText(yTitle, x: 14, y: (plot.top + plot.bottom) / 2, size: SVGBuilder.textSize)

    for band in bands where !band.points.isEmpty {
      let upper = band.points.map { "\(f(x($0.x))),\(f(y($0.upper)))" }
      let lower = band.points.reversed().map { "\(f(x($0.x))),\(f(y($0.lower)))" }
      out.raw(
        "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(band.color)\" "
          + "fill-opacity=\"0.55\" stroke=\"none\"/>")
      for p in band.points {
        out.raw(
          "<line x1=\"\(f(x(p.x)))\" y1=\"\(f(y(p.lower)))\" x2=\"\(f(x(p.x)))\" "
            + "y2=\"\(f(y(p.upper)))\" stroke=\"transparent\" stroke-width=\"5\"><title>"
            + xml("\(band.name) \(xText(p.x)): \(yFormat(p.lower)) – \(yFormat(p.upper))")
            + "</title></line>")
      }
    }
    for rule in rules {
      let px = x(rule.x)
      out.raw(
        "<line x1=\"\(f(px))\" y1=\"\(f(plot.top))\" x2=\"\(f(px))\" y2=\"\(f(plot.bottom))\" "
          + "stroke=\"\(ChartColor.axis)\" stroke-dasharray=\"2 3\"/>")
      out.text(rule.label, x: px - 4, y: plot.top + 12, anchor: "end", size: SVGBuilder.textSize)
    }
    for line in lines where !line.points.isEmpty {
      let path = line.points.filter { $0.y.isFinite }.map { "\(f(x($0.x))),\(f(y($0.y)))" }
      out.raw(
        "<polyline points=\"\(path.joined(separator: " "))\" fill=\"none\" "
          + "stroke=\"\(line.color)\" stroke-width=\"2\" stroke-linejoin=\"round\""
          + (line.dashed ? " stroke-dasharray=\"5 3\"" : "") + "/>")
      for p in line.points where p.y.isFinite {
        out.raw(
          "<circle cx=\"\(f(x(p.x)))\" cy=\"\(f(y(p.y)))\" r=\"\(line.dots ? 2.5 : 3)\" "
            + "fill=\"\(line.dots ? line.color : "transparent")\"><title>"
            + xml("\(line.name) \(xText(p.x)): \(yFormat(p.y))") + "</title></circle>")
      }
    }
    return out.finish()
  }
}
