import Foundation
import XCTest

/// `evaluate --model` scores a saved model as it was trained: training options given beside it
/// are refused by name (they used to be ignored silently, e.g. `--horizon 3` scored horizon 14).
final class EvaluateSavedModelTests: XCTestCase {
  func testEvaluateModel_refusesTrainingOptionsByName() throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let model = repository.appendingPathComponent("models/weekly-engagement.safetensors").path
    let history = repository.appendingPathComponent("notebooks-data/history.avro").path
    let directory = NSTemporaryDirectory()
    var run = try runForecast(
      ["evaluate", "--model", model, history, "--horizon", "3", "--epochs", "5"], in: directory)
    XCTAssertEqual(run.status, 64, run.stderr)
    XCTAssertTrue(
      run.stderr.hasPrefix(
        "Error: --horizon, --epochs do not apply to evaluate --model, which scores the saved "
          + "model as it was trained (its horizon, lookback and weights). Drop them, or run "
          + "evaluate without --model to backtest a model trained with them."),
      run.stderr)
    run = try runForecast(["evaluate", "--model", model, history, "--test", "20"], in: directory)
    XCTAssertEqual(run.status, 64, run.stderr)
    XCTAssertTrue(
      run.stderr.hasPrefix("Error: --test does not apply to evaluate --model"), run.stderr)
  }
}
