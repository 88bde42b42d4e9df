import ArgumentParser
import Tensor

/// The `forecast` command line: declaration only; every subcommand calls into the modules.
@main
struct ForecastCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forecast",
    abstract: "Forecast listening engagement from Avro event history with LSTM models.",
    version: ToolkitVersion.string,
    subcommands: [
      Simulate.self, Inspect.self, Series.self, Train.self, Evaluate.self, Predict.self,
      WrappedCommand.self, Anomalies.self, Report.self,
    ])

  static func main() async {
    BLASKernels.selectFastest()
    do {
      var command = try parseAsRoot()
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      exit(withError: error)
    }
  }
}
