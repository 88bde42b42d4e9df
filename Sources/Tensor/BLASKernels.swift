#if canImport(Glibc)
import Glibc
#endif

/// Picks OpenBLAS's fastest kernels for this CPU without the user doing anything.
///
/// OpenBLAS reads `OPENBLAS_CORETYPE` once, in its library constructor, before `main`, so the
/// kernel family cannot be changed from `main`: instead the executable re-executes itself once
/// (`execv("/proc/self/exe")`, about a millisecond) with the variable set, and the re-executed
/// process puts the variable back as it found it, so its own children start from the user's
/// environment. The SkylakeX kernels run large SGEMMs about twice as fast as the Haswell ones on
/// an AVX-512 CPU (2048³ with two threads on this machine: Haswell 238, SkylakeX 450–460
/// GFLOP/s).
///
/// The decision (`reexecCoreType`):
///
/// - `FORECAST_BLAS_CORETYPE=NAME` is the toolkit's own pin and is honoured exactly (e.g.
///   `Haswell` to compare kernels, or for bit-identical results across CPUs), except that an
///   AVX-512 family is never forced onto a CPU without AVX-512.
/// - Otherwise, on a CPU whose kernel reports every AVX-512 subset the SkylakeX kernels use
///   (`avx512f`, `avx512cd`, `avx512bw`, `avx512dq`, `avx512vl` on every processor in
///   `/proc/cpuinfo`, which lists only what the OS enabled), a loaded family without AVX-512 is
///   replaced by SkylakeX. That includes a machine-wide `OPENBLAS_CORETYPE=Haswell`, as some
///   images set for every program (this machine's does): a setting made for software that must
///   run anywhere should not halve the speed of a toolkit that checks what the CPU can run.
/// - A CPU without those flags keeps whatever OpenBLAS chose, so a kernel the CPU cannot run is
///   never selected; a family that already uses AVX-512 (Debian 12's 0.3.21 picks `Cooperlake`
///   for this machine's AMD EPYC when nothing is set) is kept.
///
/// The same re-execution makes OpenBLAS's idle threads sleep at once instead of polling: after
/// each product its worker threads poll for the next one for 2²⁸ cycles (about 85 ms, its
/// `OPENBLAS_THREAD_TIMEOUT` default of 28), each poll a `sched_yield`, and on a machine with as
/// many cores as threads they then take turns on the cores with the toolkit's own threads
/// (the LSTM's time loops run on two). Unless the user set `OPENBLAS_THREAD_TIMEOUT` or
/// `GOTO_THREAD_TIMEOUT`, the toolkit runs with its minimum, 4 (2⁴ cycles): a (d)-sized
/// training step (H = 512, whose backward products are OpenBLAS's) took 1,513–1,601 ms instead
/// of 1,675–1,826 (three alternating runs of 15 steps, AMD EPYC Zen 3, two cores), the CPU
/// time per step 2.9 s instead of 3.1–3.4; (c)-sized training and inference, whose products
/// are the toolkit's own, and (d)-sized inference were unchanged.
public enum BLASKernels {
  /// The environment variable that marks the re-executed process (so it never loops) and
  /// carries the user's own `OPENBLAS_CORETYPE` (`=VALUE`, or empty when it was unset).
  static let reexecMarker = "FORECAST_BLAS_REEXEC"

  /// Set in the re-executed process when the toolkit set `OPENBLAS_THREAD_TIMEOUT` itself (the
  /// user had set neither it nor `GOTO_THREAD_TIMEOUT`), so that it is unset again.
  static let timeoutMarker = "FORECAST_BLAS_TIMEOUT_SET"

  /// The `OPENBLAS_THREAD_TIMEOUT` the toolkit runs with: OpenBLAS's minimum, idle worker
  /// threads sleep after 2⁴ cycles instead of polling for 2²⁸.
  static let threadTimeout = "4"

  /// The toolkit's own kernel pin, honoured exactly (see the type's documentation).
  public static let pinVariable = "FORECAST_BLAS_CORETYPE"

  /// The AVX-512 subsets OpenBLAS's SkylakeX kernels need.
  static let requiredFlags: Set<Substring> = [
    "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl",
  ]

  /// The kernel families that use AVX-512.
  static let avx512Families: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

  /// Whether the kernel family OpenBLAS loaded uses AVX-512 (SkylakeX, Cooperlake,
  /// SapphireRapids).
  public static var loadedFamilyUsesAVX512: Bool {
    avx512Families.contains(BLASRuntime.coreName.lowercased())
  }

  /// Re-executes the current process with faster OpenBLAS kernels when that is safe (see the
  /// type's documentation); otherwise returns at once. Call it first in `main`.
  public static func selectFastest() {
    if let marker = getenv(reexecMarker) {
      // OpenBLAS has read the variables: give the environment back as the user had it.
      let saved = String(cString: marker)
      restoreEnvironment(
        coreType: saved.hasPrefix("=") ? String(saved.dropFirst()) : nil,
        timeoutWasSet: getenv(timeoutMarker) != nil)
      return
    }
    let environmentCoreType = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) }
    let coreType = reexecCoreType(
      pinnedCoreType: getenv(pinVariable).map { String(cString: $0) },
      cpuRunsSkylakeX: cpuRunsSkylakeXKernels(), loadedCoreName: BLASRuntime.coreName)
    let setTimeout = setsThreadTimeout(
      openblasTimeout: getenv("OPENBLAS_THREAD_TIMEOUT").map { String(cString: $0) },
      gotoTimeout: getenv("GOTO_THREAD_TIMEOUT").map { String(cString: $0) },
      threads: BLASRuntime.threads)
    guard coreType != nil || setTimeout else { return }
    if let coreType { setenv("OPENBLAS_CORETYPE", coreType, 1) }
    setenv(reexecMarker, environmentCoreType.map { "=" + $0 } ?? "", 1)
    if setTimeout {
      setenv("OPENBLAS_THREAD_TIMEOUT", threadTimeout, 1)
      setenv(timeoutMarker, "1", 1)
    }
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: carry on with the kernels and threads already loaded.
    restoreEnvironment(coreType: environmentCoreType, timeoutWasSet: setTimeout)
  }

  /// The user's environment again: their `OPENBLAS_CORETYPE` (or none), no markers, and no
  /// `OPENBLAS_THREAD_TIMEOUT` when the toolkit set it.
  private static func restoreEnvironment(coreType: String?, timeoutWasSet: Bool) {
    if let coreType {
      setenv("OPENBLAS_CORETYPE", coreType, 1)
    } else {
      unsetenv("OPENBLAS_CORETYPE")
    }
    unsetenv(reexecMarker)
    if timeoutWasSet { unsetenv("OPENBLAS_THREAD_TIMEOUT") }
    unsetenv(timeoutMarker)
  }

  /// Whether to re-execute with `OPENBLAS_THREAD_TIMEOUT` set to `threadTimeout`: when OpenBLAS
  /// runs worker threads (`threads` > 1) and the user set neither variable (an empty value
  /// counts as unset, as OpenBLAS reads it).
  package static func setsThreadTimeout(
    openblasTimeout: String?, gotoTimeout: String?, threads: Int
  ) -> Bool {
    threads > 1 && (openblasTimeout ?? "").isEmpty && (gotoTimeout ?? "").isEmpty
  }

  /// The kernel family to re-execute with, or `nil` to keep the loaded one.
  ///
  /// - Parameters:
  ///   - pinnedCoreType: `FORECAST_BLAS_CORETYPE`, if set (empty counts as unset).
  ///   - cpuRunsSkylakeX: whether the CPU and OS run the SkylakeX kernels.
  ///   - loadedCoreName: the family OpenBLAS loaded (`openblas_get_corename()`).
  /// - Returns: the `OPENBLAS_CORETYPE` value to re-execute with, or `nil`.
  package static func reexecCoreType(
    pinnedCoreType: String?, cpuRunsSkylakeX: Bool, loadedCoreName: String
  ) -> String? {
    let loaded = loadedCoreName.lowercased()
    if let pin = pinnedCoreType, !pin.isEmpty {
      if loaded == pin.lowercased() { return nil }
      if avx512Families.contains(pin.lowercased()) && !cpuRunsSkylakeX { return nil }
      return pin
    }
    guard cpuRunsSkylakeX, !avx512Families.contains(loaded) else { return nil }
    return "SkylakeX"
  }

  /// Whether `cpuinfoPath` (`/proc/cpuinfo`) lists every AVX-512 subset the SkylakeX kernels use
  /// on every processor it describes. No readable file, or no `flags` line (a CPU that is not
  /// x86), gives `false`.
  public static func cpuRunsSkylakeXKernels(cpuinfoPath: String = "/proc/cpuinfo") -> Bool {
    guard let text = readSmallFile(cpuinfoPath) else { return false }
    var sawFlags = false
    for line in text.split(separator: "\n") where line.hasPrefix("flags") {
      let flags = Set(line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == ":" }))
      guard requiredFlags.isSubset(of: flags) else { return false }
      sawFlags = true
    }
    return sawFlags
  }

  static func readSmallFile(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while bytes.count < 1 << 22 {
      let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
      if n <= 0 { break }
      bytes.append(contentsOf: chunk[0..<n])
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
