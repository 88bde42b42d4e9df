#if canImport(Glibc)
import Glibc
#endif

/// Runs one piece of work split in two across this thread and one helper thread, for the
/// recurrent time loops: the sequences of a batch are independent, so each thread runs the whole
/// time loop for its own rows of the batch and the two meet only at the end (one fork and one
/// join per layer and pass, none per time step).
///
/// The helper sleeps on a condition variable between jobs (no spinning: the machine may be
/// shared). Which rows a thread takes depends only on B and the part count, and every row is
/// computed by the same code whichever thread runs it, so results do not depend on timing.
final class RowParallel: @unchecked Sendable {
  /// The process-wide helper.
  static let shared = RowParallel()

  private var mutex = pthread_mutex_t()
  private var wake = pthread_cond_t()
  private var done = pthread_cond_t()
  private var job: ((Int) -> Void)?
  private var posted = 0
  private var finished = 0
  private var started = false

  private init() {
    pthread_mutex_init(&mutex, nil)
    pthread_cond_init(&wake, nil)
    pthread_cond_init(&done, nil)
  }

  /// Calls `body(0)` here and `body(1)` on the helper thread when `parts == 2`; `body(0)` alone
  /// otherwise. Returns when both have finished. Not reentrant: one job at a time.
  func run(parts: Int, _ body: (Int) -> Void) {
    if parts < 2 {
      body(0)
      return
    }
    withoutActuallyEscaping(body) { escaping in
      pthread_mutex_lock(&mutex)
      startIfNeeded()
      job = escaping
      posted += 1
      let ticket = posted
      pthread_cond_signal(&wake)
      pthread_mutex_unlock(&mutex)
      escaping(0)
      pthread_mutex_lock(&mutex)
      while finished < ticket { pthread_cond_wait(&done, &mutex) }
      job = nil
      pthread_mutex_unlock(&mutex)
    }
  }

  /// Called with the mutex held.
  private func startIfNeeded() {
    if started { return }
    started = true
    var thread = pthread_t()
    let context = Unmanaged.passUnretained(self).toOpaque()
    let result = pthread_create(
      &thread, nil,
      { context in
        guard let context else { return nil }
        Unmanaged<RowParallel>.fromOpaque(context).takeUnretainedValue().helperLoop()
        return nil
      }, context)
    precondition(result == 0, "RowParallel: pthread_create failed (\(result))")
    pthread_detach(thread)
  }

  private func helperLoop() {
    var seen = 0
    pthread_mutex_lock(&mutex)
    while true {
      while posted == seen { pthread_cond_wait(&wake, &mutex) }
      seen = posted
      let work = job
      pthread_mutex_unlock(&mutex)
      work?(1)
      pthread_mutex_lock(&mutex)
      finished = seen
      pthread_cond_signal(&done)
    }
  }

  /// The rows part `part` of `parts` takes out of `count`, split at a multiple of 4 (the small
  /// kernel's tile height).
  static func rows(part: Int, of parts: Int, count: Int) -> Range<Int> {
    if parts < 2 { return 0..<count }
    let half = min(count, ((count / 2) + 3) & ~3)
    return part == 0 ? 0..<half : half..<count
  }
}
