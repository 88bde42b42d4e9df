import Dispatch
import Events
import Plumbing
import Synchronization
import Wrapped

/// Writes the outputs of closed windows on other cores while the consumer keeps reading: a
/// window's report, tables and files depend only on its (closed, immutable) accumulator.
/// Each job's files are then fsynced on threads of their own (waiting on the device, not
/// computing), so that they are mostly durable by the next barrier instead of all waited for
/// there. `drain` waits for every job and its fsyncs, and hands over the directories they
/// wrote, which the engine's next barrier makes durable before any checkpoint refers to them.
final class WindowWriter: Sendable {
  private let queue = DispatchQueue(
    label: "forecast.consume.window-writer", qos: .userInitiated, attributes: .concurrent)
  private let group = DispatchGroup()
  /// Serial queues (a thread each, whatever the computing threads do) for the jobs' fsyncs.
  private let syncQueues = (0..<4).map { DispatchQueue(label: "forecast.consume.sync-\($0)") }
  private let syncGroup = DispatchGroup()
  private let nextSyncQueue = Atomic<Int>(0)
  private struct Done {
    var directories: [String] = []
    var failure: StreamError?
  }
  private let done = Mutex(Done())

  /// What a job wrote (without fsync): files, and the directories whose entries changed.
  struct Written: Sendable {
    var files: [String] = []
    var directories: [String] = []
  }

  /// Runs `job` on another thread.
  func submit(_ job: @escaping @Sendable () throws(StreamError) -> Written) {
    queue.async(group: group) { [self] in
      let outcome: Result<Written, StreamError>
      do throws(StreamError) {
        outcome = .success(try job())
      } catch {
        outcome = .failure(error)
      }
      switch outcome {
      case .success(let w):
        done.withLock { $0.directories += w.directories }
        let k = nextSyncQueue.wrappingAdd(1, ordering: .relaxed).oldValue
        syncQueues[k % syncQueues.count].async(group: syncGroup) { [self] in
          do throws(AtomicOutputError) {
            try AtomicOutput.sync(paths: w.files)
          } catch {
            let failure = StreamError.cannotWrite(path: error.path, reason: error.reason)
            done.withLock { d in if d.failure == nil { d.failure = failure } }
          }
        }
      case .failure(let e):
        done.withLock { d in if d.failure == nil { d.failure = e } }
      }
    }
  }

  /// Waits for every job submitted so far, and for the fsyncs of their files.
  ///
  /// - Returns: the directories they wrote (their files are durable already).
  /// - Throws: the first job's or fsync's error (the run stops there).
  func drain() throws(StreamError) -> [String] {
    group.wait()
    syncGroup.wait()
    let (written, failure) = done.withLock { d in
      let w = d.directories
      let f = d.failure
      d = Done()
      return (w, f)
    }
    if let failure { throw failure }
    return written
  }

  /// A window's Wrapped files under `OUT/<window start>/<scope>/` (atomic, not yet fsynced).
  static func writeWindow(
    _ accumulator: WrappedAccumulator, start: Int64, scope: String, sources: [String],
    partial: Bool, options: StreamOptions
  ) throws(StreamError) -> Written {
    guard accumulator.eventsCounted > 0 else { return Written() }
    let report = accumulator.report(top: options.top)
    var provenance = WrappedTables.Provenance(
      sources: sources, period: accumulator.period, top: options.top)
    provenance.partial = partial
    let tables = WrappedTables(
      report, provenance: provenance, evaluation: PersonalityEvaluation(report.listeners))
    let directory = options.outDirectory + "/" + WindowSize.name(of: start)
    try makeDirectory(directory)
    do {
      try WrappedOutput.writeDirectory(
        tables.files, to: directory + "/" + scope, replaceable: WrappedTables.knownNames,
        durable: false)
    } catch {
      throw .cannotWrite(path: directory + "/" + scope, reason: error.description)
    }
    return Written(
      files: tables.files.map { directory + "/" + scope + "/" + $0.name },
      directories: [directory + "/" + scope, directory, options.outDirectory])
  }
}
