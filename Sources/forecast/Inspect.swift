import ArgumentParser
import Events

extension ForecastCommand {
  /// `forecast inspect FILE`: what an Avro file holds (declaration only; Events computes it).
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Describe any Avro container file: schema, codec, blocks, records, per-field "
        + "nulls, minimum and maximum; for listening events also time range, users and "
        + "interactions.")

    @Argument(help: "The Avro object container file to inspect.")
    var file: String

    @Flag(
      help: "Print one JSON object (records, blocks, codec, schema, fields, …) instead of text.")
    var json = false

    @Flag(help: "Keep the intact records before damage; report records kept and blocks dropped.")
    var salvage = false

    @Option(
      name: .customLong("map"),
      help: ArgumentHelp(
        "Read a field of the file as a toolkit event field (repeatable): "
          + "TOOLKIT_FIELD=FILE_FIELD, or listening_time.end_time=START+DURATION.",
        valueName: "field=field"))
    var map: [String] = []

    func validate() throws {
      do {
        _ = try EventFieldMapping(parsing: map)
      } catch {
        throw ValidationError(error.description)
      }
    }

    func run() throws {
      let mapping = (try? EventFieldMapping(parsing: map)) ?? EventFieldMapping()
      let inspection = try FileInspection(
        path: file, options: EventReadOptions(salvage: salvage, mapping: mapping))
      print(json ? inspection.json : inspection.text)
    }
  }
}
