import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Fault injection for the crash-safety tests: `FORECAST_CRASH_AT=NAME:N` ends the process
/// abruptly (as `kill -9` would: no cleanup, no flush) the N-th time the consumer reaches point
/// NAME — `segment` (a state segment written), `window` (a window's output written), `checkpoint`
/// (a partition's checkpoint written, offsets not yet committed), `world` (a world-wide window
/// written, not yet marked done), `late` (late.csv rewritten), `obsolete` (a round about to drop
/// segments of windows written world-wide, before its checkpoints), `commit` (offsets
/// committed).
enum CrashPoint {
  private static let target: (name: String, count: Int)? = {
    guard let raw = getenv("FORECAST_CRASH_AT") else { return nil }
    let parts = String(cString: raw).split(separator: ":")
    guard parts.count == 2, let n = Int(parts[1]), n > 0 else { return nil }
    return (String(parts[0]), n)
  }()
  /// Times each point was reached (window outputs are written on other threads).
  private static let reached = Mutex<[String: Int]>([:])

  static func reach(_ name: String) {
    guard let target, target.name == name else { return }
    let n = reached.withLock { counts in
      counts[name, default: 0] += 1
      return counts[name, default: 0]
    }
    if n == target.count { kill(getpid(), SIGKILL) }
  }
}
