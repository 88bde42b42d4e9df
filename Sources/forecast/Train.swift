import ArgumentParser
import Forecast

extension ForecastCommand {
  /// `forecast train`: trains a model on a history and writes the model file.
  struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train an LSTM forecaster on a history (or a CSV) and write its model file.")

    @OptionGroup var data: DataOptions
    @OptionGroup var model: ModelOptions

    @Option(help: "The model file to write (default: <series>.safetensors).")
    var out: String?

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
      try data.requireInput()
      let source = data.source
      let path = out ?? "\(source.events.kind.rawValue).safetensors"
      try checkOutputs([("--out", path)], reading: data.inputs)
      let (collection, definition) = try source.load()
      for note in collection.notes { printError("note: \(note)") }
      let options = model.options(step: collection.step)
      let display = ProgressDisplay(quiet: quiet)
      let result = try Trainer.train(
        collection, definition: definition, options: options, source: source.name,
        callbacks: display.callbacks)
      for note in result.notes { printError("note: \(note)") }
      try ModelFile.save(result, to: path, toolkitVersion: ToolkitVersion.string)
      print(TrainingSummary.text(result, collection: collection))
      print("model written to \(path)")
    }
  }
}
