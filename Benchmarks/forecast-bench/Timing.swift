#if canImport(Glibc)
import Glibc
#endif

/// The wall-clock seconds `body` takes (CLOCK_MONOTONIC).
func seconds(_ body: () -> Void) -> Double {
  var start = timespec()
  var end = timespec()
  clock_gettime(CLOCK_MONOTONIC, &start)
  body()
  clock_gettime(CLOCK_MONOTONIC, &end)
  return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) * 1e-9
}

/// The median of `values` (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
  let sorted = values.sorted()
  guard !sorted.isEmpty else { return .nan }
  let mid = sorted.count / 2
  return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

/// One value of a JSON object line.
enum JSONValue {
  case string(String)
  case int(Int)
  case number(Double, Int)  // value, decimals
  case null

  var text: String {
    switch self {
    case .string(let s): return "\"" + s + "\""
    case .int(let i): return String(i)
    case .null: return "null"
    case .number(let x, let decimals):
      guard x.isFinite else { return "null" }
      var scale = 1.0
      for _ in 0..<decimals { scale *= 10 }
      return String((x * scale).rounded() / scale)
    }
  }
}

/// Prints one JSON object on one line, keys in the given order.
func printJSON(_ fields: [(String, JSONValue)]) {
  print("{" + fields.map { "\"\($0.0)\": \($0.1.text)" }.joined(separator: ", ") + "}")
  fflush(nil)
}
