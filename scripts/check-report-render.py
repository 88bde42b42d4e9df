#!/usr/bin/env python3
"""Renders a report page in headless Chromium and checks what a reader would see.

Usage: check-report-render.py CHROMIUM REPORT.html OUTDIR

For each width (1280 px desktop, 390 px phone):
  1. a measuring copy of the page (the same page with one script appended and the CSP meta tag
     dropped so the script may run) is loaded with --dump-dom; the script writes, as JSON, the
     page's scroll width, every chart's box (its <svg class="chart">) and the smallest rendered
     height of chart text (font size x the SVG's scale);
  2. the page itself (CSP intact) is rendered to OUTDIR/report-<width>.png at its full height;
  3. the PNG is decoded (zlib + PNG filters, standard library only) and the non-background
     pixels inside each chart's box are counted.
Prints one JSON object per width and exits 1 if a check fails: a chart box with fewer than 2 %
non-white pixels, chart text below 8 px, or a page wider than the viewport.
"""
import json
import os
import re
import struct
import subprocess
import sys
import zlib

MEASURE = """
<script>
(function () {
  var charts = Array.prototype.slice.call(document.querySelectorAll('svg.chart'));
  var boxes = [], minText = 1e9;
  charts.forEach(function (svg) {
    var r = svg.getBoundingClientRect();
    boxes.push({x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height,
                title: (svg.querySelector('title') || {}).textContent || ''});
    var vb = svg.viewBox.baseVal, scale = vb && vb.width ? r.width / vb.width : 1;
    svg.querySelectorAll('text').forEach(function (t) {
      var size = parseFloat(t.getAttribute('font-size') || '16') * scale;
      if (size < minText) minText = size;
    });
  });
  var pre = document.createElement('pre');
  pre.id = 'measure';
  pre.textContent = JSON.stringify({
    scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
    height: document.documentElement.scrollHeight, charts: boxes, minTextPx: minText});
  document.body.appendChild(pre);
})();
</script>
"""


def chromium(binary, args):
    base = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--force-device-scale-factor=1", "--no-first-run", "--disable-extensions"]
    return subprocess.run(base + args, capture_output=True, timeout=120)


def decode_png(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and color in (2, 6), "only 8-bit RGB(A) PNGs"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows, channels


def ink(rows, channels, box, width, height):
    """Share of pixels in the box that are not (near) white."""
    x0, y0 = max(0, int(box["x"])), max(0, int(box["y"]))
    x1, y1 = min(width, int(box["x"] + box["w"])), min(height, int(box["y"] + box["h"]))
    total = dark = 0
    for y in range(y0, y1):
        row = rows[y]
        for x in range(x0, x1):
            r, g, b = row[x * channels], row[x * channels + 1], row[x * channels + 2]
            total += 1
            if r < 235 or g < 235 or b < 235:
                dark += 1
    return dark / total if total else 0.0


def main():
    binary, report, outdir = sys.argv[1:4]
    os.makedirs(outdir, exist_ok=True)
    page = open(report, encoding="utf-8").read()
    measuring = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)
    measuring = measuring.replace("</body>", MEASURE + "</body>")
    measure_path = os.path.join(outdir, "measure.html")
    open(measure_path, "w", encoding="utf-8").write(measuring)
    failed = False
    for width in (1280, 390):
        dom = chromium(binary, ["--window-size=%d,900" % width, "--dump-dom",
                                "file://" + os.path.abspath(measure_path)])
        found = re.search(r'<pre id="measure">(.*?)</pre>', dom.stdout.decode("utf-8", "replace"),
                          re.S)
        if not found:
            print(json.dumps({"width": width, "error": "no measurement",
                              "stderr": dom.stderr.decode("utf-8", "replace")[-2000:]}))
            failed = True
            continue
        m = json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&")
                       .replace("&lt;", "<").replace("&gt;", ">"))
        png = os.path.join(outdir, "report-%d.png" % width)
        shot = chromium(binary, ["--window-size=%d,%d" % (width, int(m["height"]) + 10),
                                 "--screenshot=" + png, "file://" + os.path.abspath(report)])
        if not os.path.exists(png):
            print(json.dumps({"width": width, "error": "no screenshot",
                              "stderr": shot.stderr.decode("utf-8", "replace")[-2000:]}))
            failed = True
            continue
        w, h, rows, channels = decode_png(png)
        shares = [round(ink(rows, channels, box, w, h), 4) for box in m["charts"]]
        blank = [box["title"] for box, share in zip(m["charts"], shares) if share < 0.02]
        overflow = m["scrollWidth"] > m["innerWidth"]
        result = {"width": width, "innerWidth": m["innerWidth"], "scrollWidth": m["scrollWidth"],
                  "charts": len(m["charts"]), "minInk": min(shares) if shares else 0,
                  "blankCharts": blank, "minTextPx": round(m["minTextPx"], 2),
                  "png": png, "pngSize": [w, h]}
        print(json.dumps(result))
        if blank or overflow or m["minTextPx"] < 8 or not m["charts"]:
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
