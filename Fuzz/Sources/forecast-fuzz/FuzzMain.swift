import CFuzzerDriver
import Foundation

/// `forecast-fuzz TARGET [libFuzzer flags and corpus directories]`: runs libFuzzer on one target.
@main
enum FuzzMain {
  static func main() {
    let arguments = CommandLine.arguments
    guard arguments.count >= 2, let target = FuzzTarget(rawValue: arguments[1]) else {
      let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
      let usage = "usage: forecast-fuzz TARGET [libFuzzer options] [corpus dirs]; TARGET: \(names)"
      FileHandle.standardError.write(Data((usage + "\n").utf8))
      exit(2)
    }
    FuzzTarget.selected = target
    // libFuzzer sees the program name and everything after the target name.
    var argc = CommandLine.argc - 1
    let argvStorage = CommandLine.unsafeArgv
    argvStorage[1] = argvStorage[0]
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argvStorage + 1
    exit(
      LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let bytes = data.map { UnsafeBufferPointer(start: $0, count: size) }
        FuzzTarget.selected.run(bytes ?? UnsafeBufferPointer(start: nil, count: 0))
        return 0
      })
  }
}
