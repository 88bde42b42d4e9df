import ArgumentParser
import Events
import Plumbing
import Wrapped

extension ForecastCommand {
  /// `forecast anomalies HISTORY --out FILE`: every account scored and explained (declaration
  /// only; the `Wrapped` module computes it).
  struct Anomalies: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Score every account for activity no honest listener produces, with evidence.",
      discussion: """
        Writes user_id,score,kind,first_day,last_day,evidence sorted by score. The evidence \
        names the features behind the score, each with the account's value and the \
        population's median. With --truth (the simulator's HISTORY.anomalies.csv), prints \
        average precision, precision at k and recall per kind.
        """)

    @Argument(help: "The Avro history: a file, or a directory of .avro files.")
    var history: String

    @Option(help: "The CSV to write.")
    var out: String

    @Option(help: "A ground-truth CSV (user_id,kind,detail) to evaluate the ranking against.")
    var truth: String?

    @Flag(help: "Keep the intact blocks around damage in a damaged file; report what was dropped.")
    var salvage = false

    @Flag(help: "Print a JSON summary (and the evaluation with --truth) to standard output.")
    var json = false

    @OptionGroup var eventTimes: EventTimeOptions

    @OptionGroup var fieldMap: FieldMapOptions

    func run() throws {
      try WrappedOutput.checkFile(out)
      try checkOutputs(
        [("--out", out)], reading: [("the history", history), ("the --truth file", truth)])
      var job = AnomalyJob(history: history)
      job.salvage = salvage
      job.mapping = fieldMap.mapping
      job.truthPath = truth
      job.timeWindow = eventTimes.window
      job.outOfRange = eventTimes.policy
      var bar = ReadProgress()
      let result = try job.run(progress: bar.isEnabled ? { bar.update($0, $1, $2, $3) } : nil)
      bar.finish()
      try WrappedOutput.writeFile(AnomalyDetector.csv(result.accounts), to: out)
      for note in result.notes { printError("note: \(note)") }
      let flagged = result.accounts.filter { $0.score >= AnomalyDetector.zCap }.count
      printError(
        "\(out): \(result.accounts.count) accounts scored from \(result.eventsRead) events; "
          + "\(flagged) score \(Int(AnomalyDetector.zCap)) or more")
      if let e = result.evaluation { printError(String(e.text.dropLast())) }
      if json {
        var members: [(key: String, value: JSONValue)] = [
          (
            "accounts",
            .number(Double(result.accounts.count), integer: Int64(result.accounts.count))
          ),
          ("events_read", .number(Double(result.eventsRead), integer: result.eventsRead)),
          ("events_skipped", .number(Double(result.eventsSkipped), integer: result.eventsSkipped)),
        ]
        if let e = result.evaluation {
          members.append(
            (
              "evaluation",
              .object([
                ("anomalies", .number(Double(e.anomalies), integer: Int64(e.anomalies))),
                ("average_precision", .number(e.averagePrecision, integer: nil)),
                ("k", .number(Double(e.k), integer: Int64(e.k))),
                ("precision_at_k", .number(e.precisionAtK, integer: nil)),
                (
                  "honest_above_lowest_anomaly",
                  .number(
                    Double(e.honestAboveLowestAnomaly), integer: Int64(e.honestAboveLowestAnomaly))
                ),
                (
                  "per_kind",
                  .array(
                    e.perKind.map {
                      .object([
                        ("kind", .string($0.kind)),
                        ("accounts", .number(Double($0.accounts), integer: Int64($0.accounts))),
                        ("in_top_k", .number(Double($0.inTopK), integer: Int64($0.inTopK))),
                      ])
                    })
                ),
              ])
            ))
        }
        print(JSONValue.object(members).description)
      }
    }
  }
}
