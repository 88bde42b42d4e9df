import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs the chunks of a piece of work on this thread and one helper thread, for the recurrent
/// time loops: the sequences of a batch are independent, so each chunk of rows runs the whole
/// time loop on its own and chunks meet only at the end (one fork and one join per layer and
/// pass, none per time step).
///
/// Both threads take the next chunk from a shared counter until none is left, so a helper that
/// the scheduler wakes late (the machine may be shared) only means this thread runs more chunks.
/// Between jobs the helper first polls for a new one for a bounded time, yielding the core on
/// every poll (`sched_yield`, so a busy machine loses nothing), then sleeps on a condition
/// variable; the caller waits for the helper's last chunk the same way. Polling keeps the
/// wake-up latency of back-to-back passes (a training step runs four) near zero, where a
/// condition variable alone costs tens of microseconds per pass. Which rows a chunk holds
/// depends only on B and the chunk count, and every row is computed by the same code whichever
/// thread runs it, so results do not depend on timing.
final class RowParallel: @unchecked Sendable {
  /// The process-wide helper.
  static let shared = RowParallel()

  private var mutex = pthread_mutex_t()
  private var wake = pthread_cond_t()
  private var done = pthread_cond_t()
  private var job: ((Int) -> Void)?
  private var chunkCount = 0
  private var nextChunk = 0
  private var finishedChunks = 0
  private var posted = 0
  private var started = false
  private var busy = false
  /// Mirrors of `posted` and `finishedChunks` readable without the mutex, for the polls.
  private let postedMirror = Atomic<Int>(0)
  private let finishedMirror = Atomic<Int>(0)
  /// How many yields a poll makes before sleeping (about a millisecond on an idle core).
  private static let pollLimit = 2_000

  private init() {
    pthread_mutex_init(&mutex, nil)
    pthread_cond_init(&wake, nil)
    pthread_cond_init(&done, nil)
  }

  /// Calls `body(c)` once for every chunk c in `0..<chunks`, on this thread and (when
  /// `chunks > 1`) the helper. Returns when all have finished. Safe to call from several
  /// threads: only one job uses the helper at a time, the others run on their own thread.
  func run(chunks: Int, _ body: (Int) -> Void) {
    if chunks < 2 {
      for c in 0..<chunks { body(c) }
      return
    }
    // One job at a time: a caller that finds the helper busy (another thread's model) runs its
    // chunks itself, with the same rows per chunk, so its results do not change.
    pthread_mutex_lock(&mutex)
    if busy {
      pthread_mutex_unlock(&mutex)
      for c in 0..<chunks { body(c) }
      return
    }
    busy = true
    pthread_mutex_unlock(&mutex)
    withoutActuallyEscaping(body) { escaping in
      pthread_mutex_lock(&mutex)
      startIfNeeded()
      job = escaping
      chunkCount = chunks
      nextChunk = 0
      finishedChunks = 0
      finishedMirror.store(0, ordering: .releasing)
      posted += 1
      postedMirror.store(posted, ordering: .releasing)
      pthread_cond_signal(&wake)
      pthread_mutex_unlock(&mutex)
      work()
      var polls = 0
      while finishedMirror.load(ordering: .acquiring) < chunks, polls < Self.pollLimit {
        sched_yield()
        polls += 1
      }
      pthread_mutex_lock(&mutex)
      while finishedChunks < chunkCount { pthread_cond_wait(&done, &mutex) }
      job = nil
      chunkCount = 0
      busy = false
      pthread_mutex_unlock(&mutex)
    }
  }

  /// Takes and runs chunks until none is left.
  private func work() {
    while runOneChunk() {
      pthread_mutex_lock(&mutex)
      finishedChunks += 1
      finishedMirror.store(finishedChunks, ordering: .releasing)
      if finishedChunks == chunkCount { pthread_cond_signal(&done) }
      pthread_mutex_unlock(&mutex)
    }
  }

  /// Runs the next chunk, if any. Its reference to the job ends when this returns, before the
  /// chunk is counted as finished (so `run` can end its non-escaping closure safely).
  private func runOneChunk() -> Bool {
    pthread_mutex_lock(&mutex)
    guard nextChunk < chunkCount, let body = job else {
      pthread_mutex_unlock(&mutex)
      return false
    }
    let c = nextChunk
    nextChunk += 1
    pthread_mutex_unlock(&mutex)
    body(c)
    return true
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
    while true {
      var polls = 0
      while postedMirror.load(ordering: .acquiring) == seen, polls < Self.pollLimit {
        sched_yield()
        polls += 1
      }
      pthread_mutex_lock(&mutex)
      while posted == seen { pthread_cond_wait(&wake, &mutex) }
      seen = posted
      pthread_mutex_unlock(&mutex)
      work()
    }
  }

  /// The chunk count for B rows: 2 chunks (of at least 8 rows each) when two threads are
  /// available, else 1. Two large chunks did as well or better than four smaller ones in every
  /// alternating pair on the AVX2 path ((b) training 6.6 against 7.6 ms, (a) inference 0.094
  /// against 0.104 ms in quiet rounds): taller tiles fill more of each chunk (32 rows leave a
  /// 2-row tile, which cannot hide the multiply-add latency) and each thread joins once.
  static func chunkCount(rows: Int, threads: Int) -> Int {
    threads >= 2 && rows >= 16 ? 2 : 1
  }

  /// The rows of chunk `c` of `chunks` out of `count`: equal shares rounded to a multiple of 4
  /// (the small kernel's tile height), the last chunk taking the rest.
  static func rows(chunk c: Int, of chunks: Int, count: Int) -> Range<Int> {
    share(chunk: c, of: chunks, count: count, multiple: 4)
  }

  /// Chunk `c` of `chunks` over `0..<count`: equal shares rounded up to a multiple of
  /// `multiple` (a power of two), the last chunk taking the rest.
  static func share(chunk c: Int, of chunks: Int, count: Int, multiple: Int) -> Range<Int> {
    if chunks < 2 { return 0..<count }
    let size = ((count / chunks) + multiple - 1) & ~(multiple - 1)
    let lower = min(count, c * size)
    let upper = c == chunks - 1 ? count : min(count, lower + size)
    return lower..<upper
  }
}
