import Foundation

/// Builds one SVG element: the title, legend, text and shapes, with numbers at 0.1 unit.
struct SVGBuilder {
  /// Text height of labels and ticks, in viewBox units: 14 of 480 is 10.4 px on a 390 px phone.
  static let textSize = 14.0
  /// Chart titles.
  static let titleSize = 15.0
  /// The mean advance of a character of that text (sans-serif), for layout.
  static let charWidth = 8.0
  private var body: [String] = []
  let width: Double
  let height: Double
  private let title: String
  private let standalone: Bool

  init(width: Double, height: Double, title: String, standalone: Bool) {
    self.width = width
    self.height = height
    self.title = title
    self.standalone = standalone
  }

  /// Lines of at most the characters that fit `width` at font `size`.
  static func wrap(_ text: String, width: Double, size: Double) -> [String] {
    let perLine = max(10, Int((width - 16) / (size * 0.56)))
    var lines: [String] = []
    var current = ""
    for word in text.split(separator: " ") {
      if !current.isEmpty && current.count + 1 + word.count > perLine {
        lines.append(current)
        current = String(word)
      } else {
        current += (current.isEmpty ? "" : " ") + word
      }
    }
    if !current.isEmpty { lines.append(current) }
    return lines
  }

  /// Draws the title (wrapped), returns the y below it.
  mutating func drawTitle(_ text: String) -> Double {
    var y = 19.0
    for line in SVGBuilder.wrap(text, width: width, size: SVGBuilder.titleSize) {
      body.append(
        "<text x=\"8\" y=\"\(f(y))\" font-size=\"\(f(SVGBuilder.titleSize))\" font-weight=\"600\" "
          + "fill=\"\(ChartColor.text)\">\(xml(line))</text>")
      y += 19
    }
    return y - 4
  }

  /// Draws legend entries (swatch + name) in rows; returns the y below them.
  mutating func drawLegend(_ entries: [(String, String, Bool)], top: Double) -> Double {
    guard !entries.isEmpty else { return top }
    var x = 8.0
    var y = top + 14
    for (name, color, isBand) in entries {
      let w = 22 + Double(name.count) * SVGBuilder.charWidth + 12
      if x + w > width - 8 && x > 8 {
        x = 8
        y += 18
      }
      if isBand {
        body.append(
          "<rect x=\"\(f(x))\" y=\"\(f(y - 9))\" width=\"16\" height=\"10\" fill=\"\(color)\" "
            + "fill-opacity=\"0.55\"/>")
      } else {
        line(x, y - 4, x + 16, y - 4, color: color, width: 2.5)
      }
      text(name, x: x + 21, y: y, anchor: "start", size: SVGBuilder.textSize)
      x += w
    }
    return y + 4
  }

  mutating func line(
    _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, color: String, width: Double = 1
  ) {
    body.append(
      "<line x1=\"\(f(x1))\" y1=\"\(f(y1))\" x2=\"\(f(x2))\" y2=\"\(f(y2))\" "
        + "stroke=\"\(color)\" stroke-width=\"\(f(width))\"/>")
  }

  mutating func text(_ s: String, x: Double, y: Double, anchor: String, size: Double) {
    body.append(
      "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(f(size))\" text-anchor=\"\(anchor)\" "
        + "fill=\"\(ChartColor.text)\">\(xml(s))</text>")
  }

  mutating func verticalText(_ s: String, x: Double, y: Double, size: Double) {
    body.append(
      "<text transform=\"translate(\(f(x)),\(f(y))) rotate(-90)\" font-size=\"\(f(size))\" "
        + "text-anchor=\"middle\" fill=\"\(ChartColor.text)\">\(xml(s))</text>")
  }

  mutating func raw(_ element: String) { body.append(element) }

  func finish() -> String {
    let namespace = standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : ""
    return "<svg\(namespace) class=\"chart\" viewBox=\"0 0 \(f(width)) \(f(height))\" "
      + "role=\"img\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\">"
      + "<title>\(xml(title))</title>" + body.joined() + "</svg>"
  }
}

/// A coordinate with at most one decimal.
func f(_ v: Double) -> String {
  guard v.isFinite else { return "0" }
  let r = (v * 10).rounded() / 10
  return r == r.rounded() ? String(Int(r)) : String(r)
}

/// Text escaped for XML and HTML content and attributes.
func xml(_ s: String) -> String {
  var out = ""
  out.reserveCapacity(s.count)
  for c in s {
    switch c {
    case "&": out += "&amp;"
    case "<": out += "&lt;"
    case ">": out += "&gt;"
    case "\"": out += "&quot;"
    case "'": out += "&#39;"
    default: out.append(c)
    }
  }
  return out
}
