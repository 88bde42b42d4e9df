import ArgumentParser
import LSTM
import Tensor

/// The `forecast` command line: declaration only; every subcommand calls into the modules.
@main
struct ForecastCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forecast",
    abstract: "Forecast listening engagement from Avro event history with LSTM models.",
    version: ToolkitVersion.string + "\n" + KernelPath.summary + "\nOpenBLAS kernels: "
      + BLASRuntime.coreName,
    subcommands: [
      Simulate.self, Inspect.self, Series.self, Train.self, Evaluate.self, Predict.self,
      WrappedCommand.self, Anomalies.self, Report.self, Produce.self, Consume.self,
      Kafka.self,
    ])

  static func main() async {
    BLASKernels.selectFastest()
    do {
      // A FORECAST_CPU the CPU cannot honour is refused before any work starts.
      _ = try KernelPath.resolve(environmentValue: KernelPath.environmentValue)
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
