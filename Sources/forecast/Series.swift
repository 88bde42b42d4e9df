import ArgumentParser
import Forecast

extension ForecastCommand {
  /// `forecast series`: exports series built from events (or a CSV) as a long-format CSV.
  struct Series: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Build daily-session or weekly-engagement series from a history; write a CSV.")

    @OptionGroup var data: DataOptions

    @Option(help: "The CSV to write (series_id,timestamp,value[,covariates...]).")
    var out: String

    func run() throws {
      try data.requireInput()
      try checkOutputs([("--out", out)], reading: data.inputs)
      let (collection, _) = try data.source.load()
      for note in collection.notes { printError("note: \(note)") }
      try SeriesCSV.write(collection, to: out)
      let points = collection.series.map(\.count).reduce(0, +)
      print("wrote \(collection.series.count) series, \(points) points, to \(out)")
    }
  }
}
