import Events
import Foundation

/// A bounded hand-off of event slices (with the simulated hours completed, after an hour's last
/// slice) from the generating thread to the writing one.
final class ChunkQueue: @unchecked Sendable {
  private let condition = NSCondition()
  private var chunks: [(events: EventSlice, hoursDone: Int?)] = []
  private var done = false
  private var cancelled = false
  private let capacity: Int

  init(capacity: Int) { self.capacity = capacity }

  var isCancelled: Bool {
    condition.lock()
    defer { condition.unlock() }
    return cancelled
  }

  func put(_ events: EventSlice, hoursDone: Int?) {
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
  func take() -> (events: EventSlice, hoursDone: Int?)? {
    condition.lock()
    defer { condition.unlock() }
    while chunks.isEmpty && !done { condition.wait() }
    if chunks.isEmpty { return nil }
    let chunk = chunks.removeFirst()
    condition.broadcast()
    return chunk
  }
}

/// Materialised events on their way from the generating thread to the writing one, which moves
/// each out instead of copying it (no reference counting for the copy of its strings).
final class EventSlice: @unchecked Sendable {
  private let base: UnsafeMutablePointer<ListeningEvent>
  /// Events in the slice.
  let count: Int
  /// Events already moved out.
  private var moved = 0

  /// A slice of `count` events; `fill` must initialise every one of them.
  init(count: Int, fill: (UnsafeMutablePointer<ListeningEvent>) -> Void) {
    self.count = count
    base = .allocate(capacity: max(1, count))
    fill(base)
  }

  /// Moves every remaining event out, in order, into `body`.
  func drain(_ body: (ListeningEvent) throws -> Void) rethrows {
    while moved < count {
      let event = (base + moved).move()
      moved += 1
      try body(event)
    }
  }

  deinit {
    (base + moved).deinitialize(count: count - moved)
    base.deallocate()
  }
}
