import Events
import Foundation

/// A bounded hand-off of event slices (with the simulated hours completed, after an hour's last
/// slice) from the generating thread to the writing one.
final class ChunkQueue: @unchecked Sendable {
  private let condition = NSCondition()
  private var chunks: [(events: [ListeningEvent], hoursDone: Int?)] = []
  private var done = false
  private var cancelled = false
  private let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  var isCancelled: Bool {
    condition.lock()
    defer { condition.unlock() }
    return cancelled
  }

  func put(_ events: [ListeningEvent], hoursDone: Int?) {
    condition.lock()
    while chunks.count >= capacity && !cancelled { condition.wait() }
    if !cancelled { chunks.append((events, hoursDone)) }
    condition.broadcast()
    condition.unlock()
  }

  func finish() {
    condition.lock()
    done = true
    condition.broadcast()
    condition.unlock()
  }

  func cancel() {
    condition.lock()
    cancelled = true
    chunks.removeAll()
    condition.broadcast()
    condition.unlock()
  }

  /// The next chunk, or nil when the producer has finished (or was cancelled) and all are taken.
  func take() -> (events: [ListeningEvent], hoursDone: Int?)? {
    condition.lock()
    defer { condition.unlock() }
    while chunks.isEmpty && !done { condition.wait() }
    if chunks.isEmpty { return nil }
    let chunk = chunks.removeFirst()
    condition.broadcast()
    return chunk
  }
}
