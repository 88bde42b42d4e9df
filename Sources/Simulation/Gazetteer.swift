import Events
import Foundation

/// World cities where listeners live: name, country, coordinates, IANA timezone, continent and
/// population, the weight with which homes (and travel destinations) are drawn.
///
/// The default is the committed `notebooks-data/cities.csv` (about 3,000 of the world's largest
/// cities from GeoNames, built by `notebooks-data/make_gazetteer.py`), embedded in the module.
public struct Gazetteer: Sendable {
  /// One city.
  public struct City: Sendable, Hashable {
    /// The event location of someone in this city.
    public var location: Location
    /// Continent, Oceania and Antarctica merged.
    public var continent: Continent
    /// Inhabitants; the weight of the city when homes are drawn.
    public var population: Int
  }

  /// Every city.
  public let cities: [City]
  /// Distinct timezone names, in order of first appearance.
  let zones: [String]
  /// The index into `zones` of each city.  // [cities]
  let zoneOfCity: [Int32]
  /// Running sum of population, for population-weighted draws.  // [cities]
  let cumulativePopulation: [Double]

  /// The embedded gazetteer (the committed `notebooks-data/cities.csv`).
  public static func standard() -> Gazetteer {
    do {
      return try Gazetteer(csvText: embeddedCSV, path: "notebooks-data/cities.csv (embedded)")
    } catch {
      preconditionFailure("the embedded gazetteer does not parse: \(error)")
    }
  }

  /// Loads a gazetteer with the columns `name,country,latitude,longitude,timezone,continent,
  /// population` (the layout of `notebooks-data/cities.csv`).
  ///
  /// - Throws: `SimulationError` naming the file, line and column of a missing column, a
  ///   coordinate out of range, a timezone this system does not know, a continent that is not one
  ///   of Africa, Asia, Europe, North America, South America, Oceania (or Antarctica, merged into
  ///   Oceania), or a population that is not a positive integer.
  public init(contentsOfCSV path: String) throws {
    try self.init(table: try CSVTable(contentsOf: path))
  }

  /// Like `init(contentsOfCSV:)`, from CSV text; `path` names it in errors.
  public init(csvText: String, path: String) throws {
    try self.init(table: try CSVTable(text: csvText, path: path))
  }

  init(table: CSVTable) throws {
    let name = try table.requiredColumn(["name", "city"])
    let country = try table.requiredColumn(["country"])
    let latitude = try table.requiredColumn(["latitude", "lat"])
    let longitude = try table.requiredColumn(["longitude", "lon", "lng"])
    let timezone = try table.requiredColumn(["timezone"])
    let continent = try table.requiredColumn(["continent"])
    let population = try table.requiredColumn(["population"])
    var cities: [City] = []
    var knownZones: [String: Bool] = [:]
    for (line, fields) in table.rows {
      func bad(_ i: Int, _ expected: String) -> SimulationError {
        .badValue(
          path: table.path, line: line, column: table.header[i], value: fields[i],
          expected: expected)
      }
      guard let lat = Float(fields[latitude]), (-90...90).contains(lat) else {
        throw bad(latitude, "a latitude in degrees (−90…90)")
      }
      guard let lon = Float(fields[longitude]), (-180...180).contains(lon) else {
        throw bad(longitude, "a longitude in degrees (−180…180)")
      }
      let zone = fields[timezone]
      if knownZones[zone] == nil { knownZones[zone] = TimeZone(identifier: zone) != nil }
      guard knownZones[zone] == true else {
        throw bad(timezone, "an IANA timezone this system knows (e.g. Europe/Paris)")
      }
      let continentName = fields[continent] == "Antarctica" ? "Oceania" : fields[continent]
      guard let c = Continent(rawValue: continentName), c != .unknown else {
        throw bad(
          continent, "a continent (Africa, Asia, Europe, North America, South America, Oceania)")
      }
      guard let people = Int(fields[population]), people > 0 else {
        throw bad(population, "a positive number of inhabitants")
      }
      cities.append(
        City(
          location: Location(
            latitude: lat, longitude: lon, country: fields[country], city: fields[name],
            timezone: zone), continent: c, population: people))
    }
    guard !cities.isEmpty else { throw SimulationError.empty(path: table.path, what: "cities") }
    self.init(cities: cities)
  }

  /// A gazetteer from cities already validated.
  /// - Precondition: `cities` is not empty.
  public init(cities: [City]) {
    precondition(!cities.isEmpty, "Gazetteer: expected at least one city, got none")
    var zoneIndex: [String: Int32] = [:]
    var zones: [String] = []
    var zoneOfCity: [Int32] = []
    var cumulative: [Double] = []
    var total = 0.0
    for city in cities {
      let tz = city.location.timezone
      if let z = zoneIndex[tz] {
        zoneOfCity.append(z)
      } else {
        zoneIndex[tz] = Int32(zones.count)
        zoneOfCity.append(Int32(zones.count))
        zones.append(tz)
      }
      total += Double(city.population)
      cumulative.append(total)
    }
    self.cities = cities
    self.zones = zones
    self.zoneOfCity = zoneOfCity
    self.cumulativePopulation = cumulative
  }

  /// A city drawn with probability proportional to its population.
  func drawCity(_ rng: inout SimulationRandom) -> Int {
    let u = rng.unit() * (cumulativePopulation.last ?? 0)
    return upperBound(cumulativePopulation, u, in: 0..<cumulativePopulation.count)
  }
}

/// The first index in `range` whose value exceeds `u` (clamped to the last index): a draw from a
/// cumulative weight array.
@inlinable
func upperBound(_ cumulative: [Double], _ u: Double, in range: Range<Int>) -> Int {
  var lo = range.lowerBound
  var hi = range.upperBound - 1
  while lo < hi {
    let mid = (lo + hi) >> 1
    if cumulative[mid] > u { hi = mid } else { lo = mid + 1 }
  }
  return lo
}
