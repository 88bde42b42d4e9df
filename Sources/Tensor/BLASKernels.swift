#if canImport(Glibc)
import Glibc
#endif

/// Picks OpenBLAS's fastest kernels for this CPU without the user doing anything.
///
/// An OpenBLAS that does not recognise an AVX-512 CPU (a release older than the CPU) falls back
/// to its Haswell kernels; the SkylakeX kernels run large SGEMMs about twice as fast there
/// (2048³ with two threads on this machine: Haswell 238, SkylakeX 450–460 GFLOP/s). OpenBLAS
/// reads `OPENBLAS_CORETYPE` once, in its library constructor, before `main`, so the variable
/// cannot simply be set from `main`: instead the executable re-executes itself once
/// (`execv("/proc/self/exe")`, about a millisecond) with it set, and the re-executed process
/// removes it again so its own children start from the user's environment. That happens only
/// when all of these hold:
///
/// - the user has not set `OPENBLAS_CORETYPE` (their choice always wins, even `Haswell`);
/// - the kernel reports every AVX-512 subset the SkylakeX kernels use (`avx512f`, `avx512cd`,
///   `avx512bw`, `avx512dq`, `avx512vl` in `/proc/cpuinfo`, which lists only what the OS enabled)
///   on every processor, so a kernel the CPU cannot run is never chosen;
/// - OpenBLAS did not already pick an AVX-512 kernel family by itself (Debian 12's 0.3.21 picks
///   `Cooperlake`, which uses the SkylakeX SGEMM kernels, for this machine's AMD EPYC).
public enum BLASKernels {
  /// The environment variable that marks the re-executed process, so it never loops.
  static let reexecMarker = "FORECAST_BLAS_REEXEC"

  /// The AVX-512 subsets OpenBLAS's SkylakeX kernels need.
  static let requiredFlags: Set<Substring> = [
    "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl",
  ]

  /// The kernel families that already use AVX-512.
  static let avx512Families: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

  /// Re-executes the current process with `OPENBLAS_CORETYPE=SkylakeX` when that is safe and
  /// faster (see the type's documentation); otherwise returns at once. Call it first in `main`.
  public static func selectFastest() {
    if getenv(reexecMarker) != nil {
      // OpenBLAS has read the variable: give the environment back as the user set it, so child
      // processes decide for themselves (and a user's own OPENBLAS_CORETYPE stays recognisable).
      unsetenv(reexecMarker)
      unsetenv("OPENBLAS_CORETYPE")
      return
    }
    guard
      shouldReexecute(
        userCoreType: getenv("OPENBLAS_CORETYPE").map { String(cString: $0) },
        cpuRunsSkylakeX: cpuRunsSkylakeXKernels(), loadedCoreName: BLASRuntime.coreName)
    else { return }
    setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)
    setenv(reexecMarker, "1", 1)
    execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: carry on with the kernels already loaded.
    unsetenv("OPENBLAS_CORETYPE")
    unsetenv(reexecMarker)
  }

  /// Whether to re-execute with the SkylakeX kernels: only when the user set no
  /// `OPENBLAS_CORETYPE` (even an empty one counts as set), the CPU runs them, and OpenBLAS did
  /// not already load an AVX-512 kernel family.
  package static func shouldReexecute(
    userCoreType: String?, cpuRunsSkylakeX: Bool, loadedCoreName: String
  ) -> Bool {
    userCoreType == nil && cpuRunsSkylakeX
      && !avx512Families.contains(loadedCoreName.lowercased())
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
