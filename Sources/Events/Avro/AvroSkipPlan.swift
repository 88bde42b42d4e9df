/// Skips values of one schema without unions, arrays or maps (a flat record of primitives,
/// enums, fixed and nested records, such as the toolkit's event) through a flat list of steps
/// of plain integers: no schema walked, nothing retained per value, as `skipValue` does.
struct AvroSkipPlan {
  private enum Step {
    /// A long or an int (zig-zag varint).
    case varint
    /// A boolean: one byte, 0 or 1.
    case boolean
    /// An enum symbol index: a varint in `0..<symbols`.
    case symbol(symbols: Int)
    /// A string or bytes: a varint length, then that many bytes.
    case lengthPrefixed
    /// Float, double or fixed: that many bytes.
    case bytes(Int)
  }

  private let steps: [Step]

  /// The plan for `schema`, or nil when it holds a union, an array or a map (or nests records
  /// deeper than `maximumNestingDepth`): skip those with `skipValue`.
  init?(_ schema: AvroSchema) {
    var steps: [Step] = []
    func add(_ s: AvroSchema, depth: Int) -> Bool {
      guard depth < maximumNestingDepth else { return false }
      switch s.underlying {
      case .null: return true
      case .boolean: steps.append(.boolean)
      case .int, .long: steps.append(.varint)
      case .float: steps.append(.bytes(4))
      case .double: steps.append(.bytes(8))
      case .bytes, .string: steps.append(.lengthPrefixed)
      case .fixed(let f): steps.append(.bytes(f.size))
      case .enumeration(let e): steps.append(.symbol(symbols: e.symbols.count))
      case .record(let r):
        for field in r.fields where !add(field.type, depth: depth + 1) { return false }
      case .array, .map, .union, .logical: return false
      }
      return true
    }
    guard add(schema, depth: 0) else { return nil }
    self.steps = steps
  }

  /// Moves `c` past one value.
  ///
  /// - Throws: `AvroDecodeFailure` where the bytes end early or hold no valid value.
  func skip(_ c: inout AvroCursor) throws(AvroDecodeFailure) {
    for step in steps {
      switch step {
      case .varint: _ = try c.readLong()
      case .boolean:
        let b = try c.readFixedSpan(1)[0]
        guard b <= 1 else { throw .badBoolean(b) }
      case .symbol(let symbols):
        let index = try c.readLong()
        guard index >= 0 && index < Int64(symbols) else {
          throw .enumIndex(index, symbols: symbols)
        }
      case .lengthPrefixed: _ = try c.readBytesSpan()
      case .bytes(let n): try c.skip(n)
      }
    }
  }
}
