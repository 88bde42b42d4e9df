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

    @Flag(help: "Keep the intact blocks around damage; report records kept and blocks dropped.")
    var salvage = false

    @OptionGroup var fieldMap: FieldMapOptions

    func run() throws {
      let inspection = try FileInspection(
        path: file, options: EventReadOptions(salvage: salvage, mapping: fieldMap.mapping))
      print(json ? inspection.json : inspection.text)
    }
  }
}
