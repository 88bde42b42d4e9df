import ArgumentParser
import Forecast
import Foundation
import Report

extension ForecastCommand {
  /// `forecast report`: one self-contained HTML page (declaration only; Report builds it).
  struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Write one self-contained HTML report: forecasts, model scores, Wrapped, anomalies.",
      discussion: """
        Everything is inline (CSS and SVG; no script, nothing loaded from elsewhere), readable \
        on a phone and printable. Models are never retrained: the page shows their forecast \
        from the end of HISTORY, the test figures their files hold, and their score on the \
        points after their training range when HISTORY has enough.
        """)

    @Argument(help: "The Avro event history the models forecast from.")
    var history: String?

    @Option(help: "A long-format series CSV instead of an Avro history.")
    var csv: String?

    @Option(help: "A model file written by forecast train (repeat for several).")
    var model: [String] = []

    @Option(help: "The directory forecast wrapped wrote.")
    var wrapped: String?

    @Option(help: "The CSV forecast anomalies wrote.")
    var anomalies: String?

    @Option(help: "The HTML file to write (replaced atomically).")
    var out: String

    func validate() throws {
      if history != nil && csv != nil {
        throw ValidationError("Please pass either an Avro HISTORY or --csv FILE, not both.")
      }
    }

    func run() throws {
      try checkOutputs(
        [("--out", out)],
        reading: [("the history", history), ("the --csv file", csv)]
          + model.map { ("the --model file", $0) }
          + [("the --wrapped directory", wrapped), ("the --anomalies file", anomalies)])
      if let first = model.first, history == nil && csv == nil {
        throw ReportError.modelWithoutHistory(model: first)
      }
      if model.isEmpty && wrapped == nil && anomalies == nil { throw ReportError.nothingToReport }
      let summaries = try model.map { try ModelSummary(path: $0, history: history, csv: csv) }
      for s in summaries { for note in s.notes { printError("note: \(s.path): \(note)") } }
      let contents = ReportContents(
        models: summaries, wrapped: try wrapped.map { try WrappedOutput(directory: $0) },
        anomalies: try anomalies.map { try AnomalyOutput(path: $0) }, history: history ?? csv,
        toolkitVersion: ToolkitVersion.string, generatedAt: Date())
      try OutputFile.write(ReportPage.html(contents), to: out)
      print("report written to \(out)")
    }
  }
}
