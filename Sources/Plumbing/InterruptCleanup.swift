import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Removes the live temporary files of `AtomicFile` when SIGINT or SIGTERM ends a batch
/// command (`forecast simulate` interrupted after minutes leaves no `OUT.tmp-XXXXXXXX`).
///
/// Batch commands call `install()` once at start. From then on every `AtomicFile` notes its
/// temporary path here, as a C string in memory allocated once, until it is renamed into place
/// or removed. The signal handler is async-signal-safe: it reads an atomic mask of live slots,
/// `unlink`s each one's path, restores the default action and raises the signal again, so the
/// process still ends as interrupted (exit status 128 + signal in a shell).
///
/// Commands that handle the signals themselves (`consume`, `produce`, which close gracefully)
/// do not install it, and nothing is noted then. At most `capacity` temporaries are noted at a
/// time (a batch command has a few); temporary directories (`writeDirectory`) are not removed.
package enum InterruptCleanup {
  /// Slots for live temporaries.
  package static let capacity = 64

  /// Bytes of one slot: a path of at most PATH_MAX − 1 bytes and its NUL.
  private static let slotBytes = Int(PATH_MAX)

  /// The paths, one per slot (`capacity × slotBytes`), never freed: the handler may read them.
  nonisolated(unsafe) private static let paths = UnsafeMutablePointer<CChar>.allocate(
    capacity: capacity * slotBytes)

  /// Slots taken (bit i: slot i), whether or not their path is complete yet.
  private static let reserved = Atomic<UInt64>(0)
  /// Slots whose path is complete: the ones the handler removes.
  private static let live = Atomic<UInt64>(0)
  /// Whether `install()` ran.
  private static let installed = Atomic<Bool>(false)

  /// Installs the handler for SIGINT and SIGTERM (not for a signal the process was started
  /// ignoring, which stays ignored). Call it before any output is opened.
  package static func install() {
    // Touch every static first, so that the handler never runs their lazy initialisation.
    _ = paths
    _ = capacity + slotBytes
    _ = reserved.load(ordering: .relaxed)
    _ = live.load(ordering: .relaxed)
    installed.store(true, ordering: .releasing)
    for signalNumber in [SIGINT, SIGTERM] {
      var current = sigaction()
      sigaction(signalNumber, nil, &current)
      let handler = current.__sigaction_handler.sa_handler
      if let handler, unsafeBitCast(handler, to: Int.self) == 1 { continue }  // SIG_IGN
      signal(signalNumber, InterruptCleanup.handle)
    }
  }

  /// Notes `path` as a live temporary; nil when nothing is installed, every slot is taken or
  /// the path is too long to hold (the file is then not removed on a signal).
  ///
  /// - Returns: the slot to pass to `remove(_:)` once the file is renamed or removed.
  package static func note(_ path: String) -> Int? {
    guard installed.load(ordering: .acquiring) else { return nil }
    let bytes = Array(path.utf8)
    guard bytes.count < slotBytes, !bytes.contains(0) else { return nil }
    while true {
      let taken = reserved.load(ordering: .relaxed)
      guard taken != .max else { return nil }
      let slot = (~taken).trailingZeroBitCount
      let bit = UInt64(1) << slot
      guard
        reserved.compareExchange(
          expected: taken, desired: taken | bit, ordering: .acquiringAndReleasing
        ).exchanged
      else { continue }
      let base = paths + slot * slotBytes
      for (i, byte) in bytes.enumerated() { base[i] = CChar(bitPattern: byte) }
      base[bytes.count] = 0
      live.bitwiseOr(bit, ordering: .releasing)
      return slot
    }
  }

  /// Forgets the temporary of `slot` (renamed into place, or removed).
  package static func remove(_ slot: Int) {
    let bit = UInt64(1) << slot
    live.bitwiseAnd(~bit, ordering: .releasing)
    reserved.bitwiseAnd(~bit, ordering: .releasing)
  }

  /// The handler: unlink every live temporary, restore the default action, raise again.
  private static let handle: @convention(c) (Int32) -> Void = { signalNumber in
    let mask = InterruptCleanup.live.load(ordering: .acquiring)
    var slot = 0
    while slot < InterruptCleanup.capacity {
      if mask & (UInt64(1) << slot) != 0 {
        unlink(InterruptCleanup.paths + slot * InterruptCleanup.slotBytes)
      }
      slot += 1
    }
    signal(signalNumber, SIG_DFL)
    raise(signalNumber)
  }
}
