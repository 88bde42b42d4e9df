import Events

/// Where a simulation sends its events, in emission order.
public protocol ListeningEventSink {
  /// Receives the next event.
  mutating func write(_ event: ListeningEvent) throws
}

extension Array: ListeningEventSink where Element == ListeningEvent {
  /// Appends the event (for tests and small runs).
  public mutating func write(_ event: ListeningEvent) throws { append(event) }
}
