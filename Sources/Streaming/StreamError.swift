import Events

/// What stops the streaming commands, each with the fix.
public enum StreamError: Error, Equatable, CustomStringConvertible {
  case kafka(KafkaError)
  /// The state directory was made by a run with other options.
  case stateMismatch(path: String, key: String, stored: String, given: String)
  /// A state file cannot be read.
  case damagedState(path: String, reason: String)
  /// A file or directory cannot be written.
  case cannotWrite(path: String, reason: String)
  /// A record that is not a usable event, with `--max-bad` exhausted.
  case badRecord(BadRecord, maxBad: Int)
  /// A history cannot be read.
  case history(path: String, reason: String)
  /// Events not delivered by the producer.
  case undelivered(count: Int64, total: Int64, reason: String)
  /// A schema registry request failed.
  case registry(url: String, reason: String)
  /// An invalid option value.
  case invalidOption(flag: String, value: String, reason: String)
  /// SIGINT/SIGTERM stopped the producer before the end of the history.
  case interrupted(delivered: Int64, produced: Int64)

  public var description: String {
    switch self {
    case .kafka(let e): return e.description
    case .stateMismatch(let path, let key, let stored, let given):
      return
        "state directory \(path) was made with \(key) \(stored); this run asks \(given): "
        + "use the same options, or another --state directory for the new configuration"
    case .damagedState(let path, let reason):
      return
        "state file \(path) cannot be read (\(reason)); restore it, or start over with an "
        + "empty --state directory (the topic is then read again from its beginning)"
    case .cannotWrite(let path, let reason):
      return "cannot write \(path): \(reason)"
    case .badRecord(let r, let maxBad):
      let allowance =
        maxBad == 0
        ? "--max-bad N skips and counts up to N such records (listed in OUT/bad_records.csv)"
        : "more than --max-bad \(maxBad) such records; raise --max-bad to go on"
      return
        "partition \(r.partition) offset \(r.offset): \(r.reason); offsets are not committed "
        + "past it: \(allowance), or fix what produced it"
    case .history(let path, let reason):
      // (A reader's message names the file already.)
      return reason.hasPrefix(path + ": ") ? reason : "\(path): \(reason)"
    case .undelivered(let count, let total, let reason):
      return
        "\(count) of \(total) events were not delivered (\(reason)); check the brokers and "
        + "the topic, then produce again (the topic may now hold the delivered part)"
    case .registry(let url, let reason):
      return "schema registry \(url): \(reason); check --registry (e.g. http://host:8081)"
    case .invalidOption(let flag, let value, let reason):
      return "\(flag) \(value): \(reason)"
    case .interrupted(let delivered, let produced):
      return
        "interrupted: \(delivered) of the \(produced) events sent were delivered before the stop; "
        + "the rest of the history was not sent"
    }
  }
}
