import Foundation

/// The Wrapped part of the report: top artists, songs and genres per continent as bar charts,
/// the personality distribution, and the top artist's geography.
enum WrappedSection {
  /// Bars per continent chart (the world chart shows up to ten).
  static let perContinent = 5

  static func html(_ w: WrappedOutput) -> String {
    var out = "<section><h2>Wrapped — \(xml(w.directory))</h2>"
    if !w.skipped.isEmpty {
      out +=
        "<p>Not written by <code>wrapped --skip-missing</code> (shown empty): "
        + w.skipped.map { "\(xml($0.file)) (\(xml($0.reason)))" }.joined(separator: "; ")
        + ".</p>"
    }
    if !w.summary.isEmpty {
      out +=
        "<details><summary>Summary (summary.json)</summary><div class=\"scroll\"><table><tbody>"
        + w.summary.map {
          "<tr><td>\(xml($0.key))</td><td class=\"n\">\(xml($0.value))</td></tr>"
        }.joined() + "</tbody></table></div></details>"
    }
    for (name, entries, file) in [
      ("artists", w.topArtists, "top_artists.csv"), ("songs", w.topSongs, "top_songs.csv"),
      ("genres", w.topGenres, "top_genres.csv"),
    ] {
      out += topCharts(name: name, entries: entries, file: file)
    }
    out += personalities(w)
    out += geography(w)
    return out + "</section>\n"
  }

  static func label(_ e: WrappedOutput.TopRow) -> String {
    e.artist.isEmpty ? e.item : "\(e.item) — \(e.artist)"
  }

  static func bars(_ entries: [WrappedOutput.TopRow]) -> [(
    label: String, value: Double, detail: String
  )] {
    entries.map { e in
      (
        label(e), e.streams,
        "rank \(e.rank), \(Chart.number(e.listeners)) listeners, "
          + String(format: "%.1f", e.minutes)
          + " minutes, share \(String(format: "%.2f", e.share * 100)) %"
      )
    }
  }

  /// The world's top ten and each continent's top five, as bar charts of streams.
  static func topCharts(name: String, entries: [WrappedOutput.TopRow], file: String) -> String {
    var out = "<h3>Top \(name)</h3>"
    let world = entries.filter { $0.scopeType == "world" }.sorted { $0.rank < $1.rank }.prefix(10)
    let continents = Dictionary(grouping: entries.filter { $0.scopeType == "continent" }) {
      $0.scope
    }
    var figures: [String] = []
    if !world.isEmpty {
      figures.append(
        BarChart(
          title: "World: \(topTitle(world.count, name))",
          valueTitle: "streams (plays of 30 s or more)",
          bars: bars(Array(world))
        ).svg())
    }
    for scope in continents.keys.sorted() {
      let top = (continents[scope] ?? []).sorted { $0.rank < $1.rank }.prefix(perContinent)
      figures.append(
        BarChart(
          title: "\(scope.isEmpty ? "unknown" : scope): \(topTitle(top.count, name))",
          valueTitle: "streams", bars: bars(Array(top))
        ).svg())
    }
    if figures.isEmpty {
      return out + "<p class=\"note\">\(file) lists no world or continent rows.</p>"
    }
    out += "<div class=\"grid\">" + figures.map { "<figure>\($0)</figure>" }.joined() + "</div>"
    return out
  }

  /// "top 5 artists", "top artist".
  static func topTitle(_ count: Int, _ plural: String) -> String {
    count == 1 ? "top \(plural.dropLast())" : "top \(count) \(plural)"
  }

  static func personalities(_ w: WrappedOutput) -> String {
    var out = "<h3>Listening personalities</h3>"
    guard !w.personalities.isEmpty else {
      return out
        + "<p class=\"note\">No user in users.csv has an inferred personality (it needs 50 "
        + "streams or more).</p>"
    }
    let total = Double(max(1, w.usersWithPersonality))
    let chart = BarChart(
      title: "Inferred personality of \(w.usersWithPersonality) of \(w.users) users",
      valueTitle: "users",
      bars: w.personalities.map {
        (
          $0.type, Double($0.users),
          String(format: "%.1f %% of typed users", Double($0.users) / total * 100)
        )
      })
    out += "<div class=\"grid\"><figure>\(chart.svg())</figure></div>"
    return out
  }

  /// Where the world's top artist is heard: streams, listeners, share and location quotient
  /// per continent, and its top cities.
  static func geography(_ w: WrappedOutput) -> String {
    let top = w.topArtists.filter { $0.scopeType == "world" }.min { $0.rank < $1.rank }
    guard let artist = top?.item ?? w.artistPlaces.first?.artist else { return "" }
    let places = w.artistPlaces.filter { $0.artist == artist && $0.scopeType == "continent" }
      .sorted { $0.streams != $1.streams ? $0.streams > $1.streams : $0.scope < $1.scope }
    var out =
      "<h3>Where \(xml(artist)) is heard</h3><p class=\"note\">The world's top artist. Location "
      + "quotient: the artist's share of streams in a place over that place's share of all "
      + "streams (above 1: heard more there than elsewhere).</p><div class=\"scroll\"><table>"
      + "<thead><tr><th>continent</th><th class=\"n\">streams</th><th class=\"n\">listeners</th>"
      + "<th class=\"n\">share of the artist's streams</th><th class=\"n\">location quotient</th>"
      + "</tr></thead><tbody>"
    for p in places {
      out +=
        "<tr><td>\(xml(p.scope))</td><td class=\"n\">\(Chart.number(p.streams))</td>"
        + "<td class=\"n\">\(Chart.number(p.listeners))</td>"
        + "<td class=\"n\">\(String(format: "%.1f", p.shareOfArtist * 100)) %</td>"
        + "<td class=\"n\">\(String(format: "%.2f", p.locationQuotient))</td></tr>"
    }
    out += "</tbody></table></div>"
    let cities = w.cityRows.filter { $0.first == artist }
    if !cities.isEmpty {
      let columns = Array(w.cityHeader.dropFirst())
      out +=
        "<div class=\"scroll\"><table><caption>Top cities (artist_cities.csv)</caption><thead><tr>"
        + columns.map { "<th>\(xml($0.replacingOccurrences(of: "_", with: " ")))</th>" }.joined()
        + "</tr></thead><tbody>"
        + cities.map { row in
          "<tr>" + row.dropFirst().map { "<td>\(xml($0))</td>" }.joined() + "</tr>"
        }.joined() + "</tbody></table></div>"
    }
    return out
  }
}
