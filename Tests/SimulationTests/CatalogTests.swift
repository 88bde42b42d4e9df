import Events
import Foundation
import Simulation
import XCTest

final class CatalogTests: XCTestCase {
  func testSyntheticCatalog_shape() {
    let catalog = Catalog.synthetic(seed: 1, latestYear: 2024)
    XCTAssertEqual(catalog.artists.count, 600)
    XCTAssertGreaterThan(catalog.songs.count, 3000)
    XCTAssertLessThan(catalog.songs.count, 8000)
    XCTAssertEqual(catalog.genres.count, 12)
    let years = catalog.songs.map(\.year)
    XCTAssertLessThanOrEqual(years.max() ?? 0, 2024)
    XCTAssertLessThan(years.min() ?? 3000, 1975)
    XCTAssertTrue(catalog.songs.allSatisfy { (1...100).contains($0.popularity) })
    XCTAssertTrue(catalog.songs.allSatisfy { (90...600).contains($0.lengthSeconds) })
    XCTAssertTrue(
      catalog.songs.allSatisfy {
        (0...100).contains($0.danceability) && (0...100).contains($0.energy)
      })
    // Skewed fame: the first-ranked artist has many more songs, and more popular ones, than the last.
    let first = catalog.songs.filter { $0.artist == catalog.artists[0] }
    let last = catalog.songs.filter { $0.artist == catalog.artists[599] }
    XCTAssertGreaterThan(first.count, 3 * last.count)
    let mean = { (s: [Song]) in Double(s.reduce(0) { $0 + Int($1.popularity) }) / Double(s.count) }
    XCTAssertGreaterThan(mean(first), mean(last) + 30)
    // Same seed, same catalogue; another seed, another.
    XCTAssertEqual(Catalog.synthetic(seed: 1, latestYear: 2024).songs, catalog.songs)
    XCTAssertNotEqual(Catalog.synthetic(seed: 2, latestYear: 2024).songs, catalog.songs)
  }

  static let kaggle = #"""
    Index,Title,Artist,Top Genre,Year,Beats Per Minute (BPM),Energy,Danceability,Loudness (dB),Liveness,Valence,Length (Duration),Acousticness,Speechiness,Popularity
    1,Sunrise,Norah Jones,adult standards,2004,157,30,53,-14,11,68,201,94,3,71
    2,"Black Night, White Light",Deep Purple,album rock,2000,135,79,50,-11,17,81,"1,412",17,7,39
    3,"Say ""Hello""","Earth, Wind & Fire",funk,1979,112,64,71,-9,9,93,3:45,10,4,68
    4,"Two
    Lines",Deep Purple,album rock,1972,100,60,40,-8,10,50,4:01,5,3,55
    """#

  func testCSV_kaggleLayoutWithQuotesSecondsAndMinutes() throws {
    let catalog = try Catalog(csvText: Self.kaggle, path: "top2000.csv")
    XCTAssertEqual(catalog.songs.count, 4)
    XCTAssertEqual(catalog.artists, ["Norah Jones", "Deep Purple", "Earth, Wind & Fire"])
    // Grouped by artist: Deep Purple's two songs are together.
    XCTAssertEqual(
      catalog.songs.map(\.name),
      ["Sunrise", "Black Night, White Light", "Two\nLines", "Say \"Hello\""])
    XCTAssertEqual(catalog.songs.map(\.lengthSeconds), [201, 1412, 241, 225])
    XCTAssertEqual(
      catalog.songs[0],
      Song(
        name: "Sunrise", artist: "Norah Jones", genre: "adult standards", year: 2004,
        popularity: 71, danceability: 53, energy: 30, lengthSeconds: 201))
  }

  func testCSV_roundTripOfTheSyntheticCatalog() throws {
    let catalog = Catalog.synthetic(seed: 3, artistCount: 40, latestYear: 2020)
    let back = try Catalog(csvText: catalog.csvText(), path: "synthetic.csv")
    XCTAssertEqual(back.songs, catalog.songs)
  }

  func testCSV_top10sAbbreviatedHeader() throws {
    let text =
      "title,artist,top genre,year,bpm,nrgy,dnce,dB,live,val,dur,acous,spch,pop\nHey, Soul Sister,Train,neo mellow,2010,97,89,67,-4,8,80,217,19,4,83\n"
    // An unquoted comma in the title: one field too many, said with the line.
    XCTAssertThrowsError(try Catalog(csvText: text, path: "top10s.csv")) { error in
      XCTAssertEqual(
        "\(error)",
        "top10s.csv, line 2: 15 fields where the header has 14. Quote fields that contain commas (\"Earth, Wind & Fire\") and check the line."
      )
    }
    let fixed = text.replacingOccurrences(of: "Hey, Soul Sister", with: "\"Hey, Soul Sister\"")
    let catalog = try Catalog(csvText: fixed, path: "top10s.csv")
    XCTAssertEqual(catalog.songs.first?.name, "Hey, Soul Sister")
    XCTAssertEqual(catalog.songs.first?.energy, 89)
    XCTAssertEqual(catalog.songs.first?.popularity, 83)
  }

  func testCSV_badDurationNamesFileLineColumnAndFix() {
    let text = Self.kaggle.replacingOccurrences(of: "3:45", with: "3:75")
    XCTAssertThrowsError(try Catalog(csvText: text, path: "top2000.csv")) { error in
      XCTAssertEqual(
        "\(error)",
        "top2000.csv, line 4, column Length (Duration): \"3:75\" is not a duration in seconds (215) or minutes:seconds (3:35). Fix the value or remove the line."
      )
    }
  }

  func testCSV_lineNumbersCountNewlinesInsideQuotes() {
    let text = Self.kaggle.replacingOccurrences(of: "1972", with: "19x2")
    XCTAssertThrowsError(try Catalog(csvText: text, path: "t.csv")) { error in
      XCTAssertEqual(
        error as? SimulationError,
        .badValue(
          path: "t.csv", line: 5, column: "Year", value: "19x2",
          expected: "a release year (1000…2100)"))
    }
  }

  func testCSV_missingColumnListsAcceptedNames() {
    XCTAssertThrowsError(try Catalog(csvText: "Title,Artist,Year\nA,B,2000\n", path: "c.csv")) {
      error in
      XCTAssertEqual(
        "\(error)",
        "c.csv, line 1: no Top Genre column (accepted names: \"Top Genre\", \"genre\", \"track_genre\"; the header has \"Title\", \"Artist\", \"Year\"). Add the column or rename the header to one of the accepted names."
      )
    }
  }

  func testCSV_emptyAndUnreadable() {
    XCTAssertThrowsError(
      try Catalog(
        csvText: "Title,Artist,Top Genre,Year,Length (Duration),Popularity\n\n", path: "e.csv")
    ) { error in
      XCTAssertEqual(error as? SimulationError, .empty(path: "e.csv", what: "songs"))
    }
    XCTAssertThrowsError(try Catalog(contentsOfCSV: "/nonexistent/songs.csv")) { error in
      guard case .unreadableFile(let path, _) = error as? SimulationError else {
        return XCTFail("\(error)")
      }
      XCTAssertEqual(path, "/nonexistent/songs.csv")
    }
  }

  func testDurationParsing() {
    XCTAssertEqual(Catalog.parseDurationForTesting("215"), 215)
    XCTAssertEqual(Catalog.parseDurationForTesting("1,412"), 1412)
    XCTAssertEqual(Catalog.parseDurationForTesting("215.6"), 216)
    XCTAssertEqual(Catalog.parseDurationForTesting("3:35"), 215)
    XCTAssertEqual(Catalog.parseDurationForTesting("1:02:03"), 3723)
    for bad in ["", "0", "-3", "3:60", "a:b", "1:2:3:4", "abc", "inf"] {
      XCTAssertNil(Catalog.parseDurationForTesting(bad), bad)
    }
  }
}

final class GazetteerTests: XCTestCase {
  func testStandardGazetteer_citiesTimezonesContinents() {
    let g = Gazetteer.standard()
    XCTAssertGreaterThan(g.cities.count, 3000)
    XCTAssertEqual(
      Set(g.cities.map(\.continent)), Set(Continent.allCases.filter { $0 != .unknown }))
    XCTAssertGreaterThan(Set(g.cities.map(\.location.country)).count, 200)
    for zone in Set(g.cities.map(\.location.timezone)) {
      XCTAssertNotNil(TimeZone(identifier: zone), zone)
    }
    XCTAssertEqual(g.cities[0].location.city, "Shanghai")
    XCTAssertEqual(g.cities[0].location.timezone, "Asia/Shanghai")
  }

  func testCommittedCSVMatchesTheEmbeddedCopy() throws {
    let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../notebooks-data/cities.csv").standardized.path
    let fromFile = try Gazetteer(contentsOfCSV: path)
    XCTAssertEqual(fromFile.cities, Gazetteer.standard().cities)
  }

  func testBadTimezoneAndContinentAreNamed() {
    let header = "name,country,latitude,longitude,timezone,continent,population\n"
    XCTAssertThrowsError(
      try Gazetteer(
        csvText: header + "Atlantis,AT,10,10,Atlantis/Capital,Europe,5\n", path: "g.csv")
    ) { error in
      XCTAssertEqual(
        "\(error)",
        "g.csv, line 2, column timezone: \"Atlantis/Capital\" is not an IANA timezone this system knows (e.g. Europe/Paris). Fix the value or remove the line."
      )
    }
    XCTAssertThrowsError(
      try Gazetteer(
        csvText: header + "A,AQ,-77,166,Antarctica/McMurdo,Antarctic,5\n", path: "g.csv")
    ) { error in
      XCTAssertEqual(
        error as? SimulationError,
        .badValue(
          path: "g.csv", line: 2, column: "continent", value: "Antarctic",
          expected: "a continent (Africa, Asia, Europe, North America, South America, Oceania)"))
    }
    // Antarctica merges into Oceania, as in the seed's Kafka partitions.
    let merged = try? Gazetteer(
      csvText: header + "McMurdo,AQ,-77.8,166.7,Antarctica/McMurdo,Antarctica,1000\n", path: "g.csv"
    )
    XCTAssertEqual(merged?.cities.first?.continent, .oceania)
  }
}
