import Tensor
import XCTest

#if canImport(Glibc)
import Glibc
#endif

final class BLASKernelsTests: XCTestCase {
  static let allAVX512 = "fpu sse sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl"

  /// Writes `text` to a fresh temporary file (removed after the test) and returns its path.
  func fakeCpuinfo(_ text: String) throws -> String {
    Self.fileNumber += 1
    let path = "/tmp/forecast-tensor-tests-cpuinfo-\(getpid())-\(Self.fileNumber)"
    guard let file = fopen(path, "w") else { throw XCTSkip("cannot create \(path)") }
    fputs(text, file)
    fclose(file)
    addTeardownBlock { unlink(path) }
    return path
  }

  nonisolated(unsafe) static var fileNumber = 0

  func testCpuinfo_allAVX512SubsetsOnEveryProcessor() throws {
    let text = """
      processor\t: 0
      flags\t\t: \(Self.allAVX512) avx512_bf16
      processor\t: 1
      flags\t\t: \(Self.allAVX512)

      """
    XCTAssertTrue(BLASKernels.cpuRunsSkylakeXKernels(cpuinfoPath: try fakeCpuinfo(text)))
  }

  func testCpuinfo_aMissingSubsetOrProcessorSaysNo() throws {
    // AVX2 only (a Haswell or Zen 3 CPU): the SkylakeX kernels would trap with SIGILL.
    let avx2 = "processor\t: 0\nflags\t\t: fpu sse avx avx2 fma\n"
    XCTAssertFalse(BLASKernels.cpuRunsSkylakeXKernels(cpuinfoPath: try fakeCpuinfo(avx2)))
    // AVX-512F without BW/VL (Knights Landing).
    let knl = "flags\t\t: avx2 avx512f avx512cd avx512er avx512pf\n"
    XCTAssertFalse(BLASKernels.cpuRunsSkylakeXKernels(cpuinfoPath: try fakeCpuinfo(knl)))
    // One processor of two lacks the flags: no.
    let mixed = "flags\t\t: \(Self.allAVX512)\nflags\t\t: fpu avx2\n"
    XCTAssertFalse(BLASKernels.cpuRunsSkylakeXKernels(cpuinfoPath: try fakeCpuinfo(mixed)))
    // "vmx flags" (Intel's virtualisation features) is not the flags line; and an ARM cpuinfo
    // has "Features" instead.
    let arm = "processor\t: 0\nFeatures\t: fp asimd sve\nvmx flags\t: avx512f\n"
    XCTAssertFalse(BLASKernels.cpuRunsSkylakeXKernels(cpuinfoPath: try fakeCpuinfo(arm)))
    XCTAssertFalse(BLASKernels.cpuRunsSkylakeXKernels(cpuinfoPath: "/nonexistent/cpuinfo"))
    XCTAssertFalse(BLASKernels.cpuRunsSkylakeXKernels(cpuinfoPath: try fakeCpuinfo("")))
  }

  func testReexecute_upgradesSlowerFamiliesOnlyOnACapableCPU() {
    // An AVX-512 CPU on Haswell kernels (a machine-wide OPENBLAS_CORETYPE=Haswell, or an
    // OpenBLAS that does not know the CPU) gets SkylakeX.
    for loaded in ["Haswell", "Zen", "Sandybridge"] {
      XCTAssertEqual(
        BLASKernels.reexecCoreType(
          pinnedCoreType: nil, cpuRunsSkylakeX: true, loadedCoreName: loaded), "SkylakeX")
    }
    // A CPU without AVX-512 never gets the SkylakeX kernels.
    XCTAssertNil(
      BLASKernels.reexecCoreType(pinnedCoreType: nil, cpuRunsSkylakeX: false, loadedCoreName: "Zen")
    )
    // OpenBLAS already chose an AVX-512 family (this machine's 0.3.21 picks Cooperlake).
    for family in ["SkylakeX", "Cooperlake", "SapphireRapids"] {
      XCTAssertNil(
        BLASKernels.reexecCoreType(
          pinnedCoreType: nil, cpuRunsSkylakeX: true, loadedCoreName: family))
    }
  }

  func testReexecute_setsTheThreadTimeoutOnlyWhenTheUserDidNot() {
    XCTAssertTrue(BLASKernels.setsThreadTimeout(openblasTimeout: nil, gotoTimeout: nil, threads: 2))
    XCTAssertTrue(BLASKernels.setsThreadTimeout(openblasTimeout: "", gotoTimeout: nil, threads: 8))
    // The user's own value, under either name, stays.
    XCTAssertFalse(
      BLASKernels.setsThreadTimeout(openblasTimeout: "28", gotoTimeout: nil, threads: 2))
    XCTAssertFalse(
      BLASKernels.setsThreadTimeout(openblasTimeout: nil, gotoTimeout: "10", threads: 2))
    // One thread: no worker polls, nothing to re-execute for.
    XCTAssertFalse(
      BLASKernels.setsThreadTimeout(openblasTimeout: nil, gotoTimeout: nil, threads: 1))
  }

  func testReexecute_theToolkitsPinIsHonouredButNeverBeyondTheCPU() {
    XCTAssertEqual(
      BLASKernels.reexecCoreType(
        pinnedCoreType: "Haswell", cpuRunsSkylakeX: true, loadedCoreName: "Cooperlake"),
      "Haswell")
    // Already loaded (case-insensitive): nothing to do.
    XCTAssertNil(
      BLASKernels.reexecCoreType(
        pinnedCoreType: "haswell", cpuRunsSkylakeX: true, loadedCoreName: "Haswell"))
    // An AVX-512 family is never forced onto a CPU without AVX-512.
    XCTAssertNil(
      BLASKernels.reexecCoreType(
        pinnedCoreType: "SkylakeX", cpuRunsSkylakeX: false, loadedCoreName: "Haswell"))
    // An empty pin counts as unset.
    XCTAssertEqual(
      BLASKernels.reexecCoreType(
        pinnedCoreType: "", cpuRunsSkylakeX: true, loadedCoreName: "Haswell"), "SkylakeX")
  }

  func testRuntime_reportsAKernelFamilyAndThreads() {
    XCTAssertFalse(BLASRuntime.coreName.isEmpty)
    XCTAssertGreaterThanOrEqual(BLASRuntime.threads, 1)
  }
}
