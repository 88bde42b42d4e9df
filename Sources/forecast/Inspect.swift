import ArgumentParser
import Events

extension ForecastCommand {
  /// `forecast inspect FILE`: what an event file holds (declaration only; Events computes it).
  struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Summarise an Avro event file: schema, codec, records, blocks, time range, users.")

    @Argument(help: "The Avro object container file to inspect.")
    var file: String

    @Flag(help: "Print one JSON object (records, blocks, codec, schema, …) instead of text.")
    var json = false

    @Flag(help: "Keep the intact records before damage; report records kept and blocks dropped.")
    var salvage = false

    func run() throws {
      let summary = try EventFileSummary(path: file, options: EventReadOptions(salvage: salvage))
      print(json ? summary.json : summary.text)
    }
  }
}
