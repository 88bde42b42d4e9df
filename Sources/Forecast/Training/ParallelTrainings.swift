import Dispatch
import Foundation
import Tensor

/// Independent trainings (ensemble members, cross-fitted calibration networks) run side by
/// side, one network per thread.
///
/// Each job trains with BLAS and the LSTM kernels on one thread, and a job's result depends
/// only on its own seed and data, so running them concurrently changes the wall time, never
/// the results: a call with two or more jobs returns the same networks for any thread count.
/// A lone job gets all the threads instead.
enum ParallelTrainings {
  /// What a job is told about where it runs.
  struct Job {
    /// The job's index in `0..<count`.
    var index: Int
    /// True on the worker that took the first job (whichever thread that is): only its jobs
    /// report progress, so a display sees one training at a time, and always at least one.
    var reportsProgress: Bool
    /// Threads the job's own training may use (1 when jobs run side by side).
    var threads: Int
  }

  /// `body` for every job in `0..<count` on up to `threads` workers, which take the next
  /// unstarted job as they finish; results in job order.
  static func map<T>(count: Int, threads: Int, _ body: (Job) -> T) -> [T] {
    let workers = max(1, min(threads, count))
    if workers == 1 {
      return (0..<count).map { body(Job(index: $0, reportsProgress: true, threads: threads)) }
    }
    let saved = BLASRuntime.threads
    BLASRuntime.threads = 1
    defer { BLASRuntime.threads = saved }
    let state = SharedState<T>(count: count)
    defer { state.release() }
    withoutActuallyEscaping(body) { body in
      let work = UncheckedSendable(body)
      DispatchQueue.concurrentPerform(iterations: workers) { _ in
        // Not "worker 0": that iteration may start after the others took every job.
        var reports = false
        while let j = state.nextJob() {
          if j == 0 { reports = true }
          let result = work.value(Job(index: j, reportsProgress: reports, threads: 1))
          state.results[j] = result
        }
      }
    }
    return (0..<count).map { j in
      guard let result = state.results[j] else { preconditionFailure("job \(j) did not run") }
      return result
    }
  }

  /// The job counter and one result slot per job (each written by exactly one worker).
  private final class SharedState<T>: @unchecked Sendable {
    let results: UnsafeMutableBufferPointer<T?>
    private let lock = NSLock()
    private var next = 0
    private let count: Int

    init(count: Int) {
      self.count = count
      results = .allocate(capacity: count)
      results.initialize(repeating: nil)
    }

    func nextJob() -> Int? {
      lock.lock()
      defer { lock.unlock() }
      guard next < count else { return nil }
      next += 1
      return next - 1
    }

    func release() { results.deinitialize().deallocate() }
  }

  /// The job body, called concurrently for different jobs: it may share only state it reads
  /// (the trainings share the prepared series and options).
  private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
  }
}
