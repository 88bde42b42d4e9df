import ArgumentParser
import LSTM
import Plumbing
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
      try checkArgumentLengths()
      var command = try parseAsRoot()
      // Batch commands remove their temporary files when interrupted; the Kafka commands
      // handle SIGINT and SIGTERM themselves (a graceful close).
      if !(command is Produce || command is Consume || command is Kafka.Mock
        || command is Kafka.Lag)
      {
        InterruptCleanup.install()
      }
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      exit(withError: error)
    }
  }

  /// The longest command-line argument accepted: PATH_MAX. No path, date, number or `--map`
  /// item is longer; a longer one is refused before the argument parser quotes it whole.
  static let maximumArgumentBytes = 4_096

  /// Refuses an argument longer than `maximumArgumentBytes`, naming its position, its first 80
  /// characters and its length.
  static func checkArgumentLengths() throws {
    for (i, argument) in CommandLine.arguments.enumerated().dropFirst()
    where argument.utf8.count > maximumArgumentBytes {
      throw ValidationError(
        "argument \(i) \(Quoted(argument)) is longer than \(maximumArgumentBytes) bytes, which no "
          + "path or value needs. Please check the command line.")
    }
  }
}
