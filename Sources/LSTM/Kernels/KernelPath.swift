import CLSTMKernels

#if canImport(Glibc)
import Glibc
#endif

/// Which compiled copy of the LSTM's Float kernels (the small products and the gate math) runs.
///
/// The binary holds three copies of the same C source (`CLSTMKernels`): one for any x86-64 CPU,
/// one for AVX2 + FMA, one for AVX-512. The fastest one the CPU and OS run is chosen once, at
/// the first kernel call; `FORECAST_CPU=portable|avx2|avx512` forces one (a path the CPU cannot
/// run is refused). All three compute the same bits, so the choice changes speed only: every
/// product element is one chain of fused multiply-adds in ascending k and every gate element the
/// same sequence of operations, whatever the vector width.
public enum KernelPath: String, CaseIterable, Sendable {
  /// x86-64 baseline (SSE2, 4 lanes; fused multiply-adds through the C library's `fmaf`).
  case portable
  /// AVX2 + FMA (Haswell, Zen 1–3 and later; 8 lanes).
  case avx2
  /// AVX-512 F/CD/BW/DQ/VL (Skylake-SP, Ice Lake, Zen 4 and later; 16 lanes).
  case avx512

  /// The environment variable that forces a path.
  public static let environmentVariable = "FORECAST_CPU"

  /// Whether this CPU reports the instructions the path uses and the OS saves its registers.
  public var isSupported: Bool {
    switch self {
    case .portable: return true
    case .avx2: return clk_cpu_runs_avx2() != 0
    case .avx512: return clk_cpu_runs_avx512() != 0
    }
  }

  /// The fastest path this CPU runs.
  public static var fastest: KernelPath {
    allCases.last { $0.isSupported } ?? .portable
  }

  /// The path `FORECAST_CPU` asks for (`value`), or the fastest one when it is unset or empty.
  ///
  /// - Throws: `KernelPathError` when the value names no path or a path this CPU cannot run.
  public static func resolve(environmentValue value: String?) throws(KernelPathError)
    -> KernelPath
  {
    guard let value, !value.isEmpty else { return fastest }
    guard let path = KernelPath(rawValue: value.lowercased()) else {
      throw .unknownPath(value)
    }
    guard path.isSupported else { throw .unsupportedPath(path, fastest: fastest) }
    return path
  }

  /// `FORECAST_CPU` as this process sees it.
  public static var environmentValue: String? {
    getenv(environmentVariable).map { String(cString: $0) }
  }

  /// The path this process uses (resolved once). A `FORECAST_CPU` that `resolve` refuses stops
  /// the process with its message: executables check it first (`resolve`) and exit cleanly.
  public static var active: KernelPath { KernelTable.activePath }

  /// One line for `--version`: the path, the fastest one this CPU runs, and the lanes. A
  /// `FORECAST_CPU` that `resolve` refuses is described, never trapped on (the argument parser
  /// builds this line while it prints that very error).
  public static var summary: String {
    let how = environmentValue.map { $0.isEmpty ? "" : " (forced by \(environmentVariable))" } ?? ""
    do throws(KernelPathError) {
      let path = try resolve(environmentValue: environmentValue)
      return "LSTM kernels: \(path.rawValue)\(how); this CPU runs up to \(fastest.rawValue)"
    } catch {
      return "LSTM kernels: none (\(error.description))"
    }
  }
}

/// A `FORECAST_CPU` value the toolkit cannot honour.
public enum KernelPathError: Error, CustomStringConvertible, Equatable {
  /// The value names no kernel path.
  case unknownPath(String)
  /// The CPU (or OS) cannot run the path.
  case unsupportedPath(KernelPath, fastest: KernelPath)

  public var description: String {
    switch self {
    case .unknownPath(let value):
      return
        "FORECAST_CPU=\(value) names no kernel path. Use portable, avx2 or avx512, or unset FORECAST_CPU to pick the fastest one this CPU runs."
    case .unsupportedPath(let path, let fastest):
      return
        "FORECAST_CPU=\(path.rawValue): this CPU cannot run the \(path.rawValue) kernels (it runs up to \(fastest.rawValue)). Use FORECAST_CPU=\(fastest.rawValue) or a lower path, or unset FORECAST_CPU."
    }
  }
}

/// The functions of the active path.
package enum KernelTable {
  typealias Gemm =
    @convention(c) (
      Int, Int, Int, UnsafePointer<Float>?, Int, Int, UnsafePointer<Float>?, Int,
      UnsafeMutablePointer<Float>?, Int
    ) -> Void
  typealias GateForward =
    @convention(c) (
      UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
      UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?, Int, Int
    ) -> Void
  typealias GateInference =
    @convention(c) (
      UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?,
      UnsafeMutablePointer<Float>?, Int, Int
    ) -> Void
  typealias GateBackward =
    @convention(c) (
      UnsafeMutablePointer<Float>?, UnsafePointer<Float>?, UnsafePointer<Float>?,
      UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int, Int
    ) -> Void
  typealias Pack =
    @convention(c) (
      Int, Int, Int, UnsafePointer<Float>?, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?
    ) -> Void
  typealias Preactivations =
    @convention(c) (
      Int, Int, Int, Int, UnsafePointer<Float>?, UnsafePointer<Float>?, Int,
      UnsafePointer<Float>?, Int, UnsafePointer<Float>?, UnsafeMutablePointer<Float>?, Int
    ) -> Void

  /// One path's functions.
  struct Functions {
    let path: KernelPath
    let gemm: Gemm
    let gateForward: GateForward
    let gateInference: GateInference
    let gateBackward: GateBackward
    let pack: Pack
    let preactivations: Preactivations
    let lanes: Int
    /// Columns per panel of the packed weights (`pack`, `preactivations`).
    let panelWidth: Int

    init(_ path: KernelPath) {
      let table: clk_kernel_table
      switch path {
      case .portable: table = clk_kernels_portable()
      case .avx2: table = clk_kernels_avx2()
      case .avx512: table = clk_kernels_avx512()
      }
      guard let gemm = table.gemm, let forward = table.gateForward,
        let inference = table.gateInference, let backward = table.gateBackward,
        let pack = table.pack,
        let preactivations = table.preactivations
      else { preconditionFailure("CLSTMKernels: the \(path.rawValue) table has a null entry") }
      self.path = path
      self.gemm = gemm
      self.gateForward = forward
      self.gateInference = inference
      self.gateBackward = backward
      self.pack = pack
      self.preactivations = preactivations
      self.lanes = table.lanes
      self.panelWidth = table.panelWidth
    }
  }

  /// The active path's functions, chosen at first use.
  nonisolated(unsafe) static var current: Functions = {
    do throws(KernelPathError) {
      return Functions(try KernelPath.resolve(environmentValue: KernelPath.environmentValue))
    } catch {
      fatalError(error.description)
    }
  }()

  static var activePath: KernelPath { current.path }

  /// Runs `body` with `path`'s kernels (tests compare the paths in one process; not for use
  /// while another thread runs kernels).
  package static func withPath<R>(_ path: KernelPath, _ body: () throws -> R) rethrows -> R {
    let saved = current
    current = Functions(path)
    defer { current = saved }
    return try body()
  }
}
