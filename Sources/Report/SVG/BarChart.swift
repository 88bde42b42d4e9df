import Foundation

/// A horizontal bar chart of labelled values (top-k lists, distributions).
public struct BarChart: Sendable {
  /// The title.
  public var title: String
  /// The value axis' label, with its unit.
  public var valueTitle: String
  /// The bars, top to bottom: label, value, and the tooltip's extra detail.
  public var bars: [(label: String, value: Double, detail: String)]
  /// The viewBox width.
  public var width = 480.0
  /// Characters of a label before it is cut with "…" (the tooltip keeps it whole).
  public var labelCharacters = 20

  /// A bar chart with every field given.
  public init(
    title: String, valueTitle: String, bars: [(label: String, value: Double, detail: String)]
  ) {
    self.title = title
    self.valueTitle = valueTitle
    self.bars = bars
  }

  /// The SVG element.
  public func svg(standalone: Bool = false) -> String {
    let rowHeight = 24.0
    let titleLines = SVGBuilder.wrap(title, width: width, size: SVGBuilder.titleSize).count
    let height = 19.0 * Double(titleLines) + 14 + Double(bars.count) * rowHeight + 46
    var out = SVGBuilder(width: width, height: height, title: title, standalone: standalone)
    let top = out.drawTitle(title) + 6
    let labelWidth =
      Double(min(labelCharacters, bars.map(\.label.count).max() ?? 1)) * SVGBuilder.charWidth * 1.08
      + 14
    let (ticks, domain) = Ticks.nice(0, bars.map(\.value).max() ?? 1, count: 4)
    let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
    let valueWidth =
      Double(Chart.number(bars.map(\.value).max() ?? 0).count) * SVGBuilder.charWidth + 10
    let plot = (left: labelWidth, right: width - 10 - valueWidth, top: top, bottom: height - 40)
    let x = LinearScale(domain: domain, range: (plot.left, plot.right))
    for t in ticks {
      out.line(x(t), plot.top, x(t), plot.bottom + 4, color: ChartColor.grid)
      out.text(
        Ticks.label(t, step: step), x: x(t), y: plot.bottom + 18, anchor: "middle",
        size: SVGBuilder.textSize)
    }
    for (i, bar) in bars.enumerated() {
      let y0 = plot.top + Double(i) * rowHeight
      let label =
        bar.label.count > labelCharacters
        ? String(bar.label.prefix(labelCharacters - 1)) + "…" : bar.label
      out.text(label, x: plot.left - 6, y: y0 + 17, anchor: "end", size: SVGBuilder.textSize)
      let w = max(1, x(bar.value) - plot.left)
      out.raw(
        "<rect x=\"\(f(plot.left))\" y=\"\(f(y0 + 3))\" width=\"\(f(w))\" "
          + "height=\"\(f(rowHeight - 6))\" fill=\"\(ChartColor.bar)\"><title>"
          + xml(
            "\(bar.label): \(Chart.number(bar.value))\(bar.detail.isEmpty ? "" : ", " + bar.detail)"
          )
          + "</title></rect>")
      out.text(
        Chart.number(bar.value), x: plot.left + w + 4, y: y0 + 17, anchor: "start",
        size: SVGBuilder.textSize)
    }
    out.line(plot.left, plot.top, plot.left, plot.bottom, color: ChartColor.axis)
    out.text(
      valueTitle, x: (plot.left + plot.right) / 2, y: height - 6, anchor: "middle",
      size: SVGBuilder.textSize)
    return out.finish()
  }
}
