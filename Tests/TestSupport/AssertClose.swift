import Tensor
import XCTest

/// The relative error of `actual` against `expected`:
///
///     |actual − expected| / max(|expected|, tiny)
///
/// 0 when both are equal (also both infinite with the same sign, or both NaN); infinity when
/// exactly one is NaN.
public func relativeError<S: BinaryFloatingPoint>(_ actual: S, _ expected: S) -> Double {
  let (a, e) = (Double(actual), Double(expected))
  if a == e || (a.isNaN && e.isNaN) { return 0 }
  if a.isNaN || e.isNaN { return .infinity }
  return abs(a - e) / max(abs(e), Double.leastNormalMagnitude)
}

/// The largest `relativeError` over two equally long sequences (0 for empty ones).
public func relativeError<S: BinaryFloatingPoint>(_ actual: [S], _ expected: [S]) -> Double {
  precondition(
    actual.count == expected.count,
    "relativeError: expected \(expected.count) values, got \(actual.count)")
  return zip(actual, expected).map { relativeError($0, $1) }.max() ?? 0
}

/// Why `actual` is not close to `expected`, or `nil` when it is: every element must satisfy
///
///     |a − e| ≤ absoluteTolerance + relativeTolerance · |e|      (NaN matches only NaN)
///
/// The message names how many elements fail and the worst one (the largest excess over its
/// tolerance) with its multi-index in `shape`.
public func closenessFailure<S: BinaryFloatingPoint>(
  _ actual: [S], _ expected: [S], shape: TensorShape? = nil,
  relativeTolerance: Double, absoluteTolerance: Double = 0
) -> String? {
  guard actual.count == expected.count else {
    return "expected \(expected.count) elements, got \(actual.count)"
  }
  var failures = 0
  var worst: (index: Int, excess: Double)? = nil
  for i in actual.indices {
    let (a, e) = (Double(actual[i]), Double(expected[i]))
    if a == e || (a.isNaN && e.isNaN) { continue }
    let tolerance = absoluteTolerance + relativeTolerance * abs(e)
    let difference = abs(a - e)
    if difference <= tolerance { continue }
    let excess = difference.isNaN ? .infinity : difference / max(tolerance, .leastNormalMagnitude)
    failures += 1
    if worst == nil || excess > (worst?.excess ?? 0) { worst = (i, excess) }
  }
  guard let worst else { return nil }
  let (a, e) = (actual[worst.index], expected[worst.index])
  return "\(failures) of \(actual.count) elements differ; worst at "
    + "\(indexDescription(worst.index, shape)): got \(a), expected \(e) "
    + "(|difference| \(abs(Double(a) - Double(e))), relative error \(relativeError(a, e)); "
    + "tolerance \(absoluteTolerance) + \(relativeTolerance)·|expected|)"
}

/// `[i, j, …] (flat k)` for a flat index in `shape`, or `index k` without a shape.
func indexDescription(_ flat: Int, _ shape: TensorShape?) -> String {
  guard let shape, shape.rank > 1 else { return "index \(flat)" }
  var rest = flat
  var indices = [Int](repeating: 0, count: shape.rank)
  for axis in (0..<shape.rank).reversed() where shape[axis] > 0 {
    indices[axis] = rest % shape[axis]
    rest /= shape[axis]
  }
  return "[" + indices.map(String.init).joined(separator: ", ") + "] (flat \(flat))"
}

/// Asserts that two tensors have the same shape and close elements (see
/// `closenessFailure(_:_:shape:relativeTolerance:absoluteTolerance:)`), reporting the worst
/// element and its index at the caller's `file` and `line`.
public func assertClose<S: BLASScalar>(
  _ actual: Tensor<S>, _ expected: Tensor<S>, relativeTolerance: Double,
  absoluteTolerance: Double = 0, _ message: String = "",
  file: StaticString = #filePath, line: UInt = #line
) {
  guard actual.shape == expected.shape else {
    XCTFail(
      "assertClose: expected shape \(expected.shape), got \(actual.shape) \(message)",
      file: file, line: line)
    return
  }
  if let failure = closenessFailure(
    actual.scalars, expected.scalars, shape: expected.shape,
    relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
  {
    XCTFail("assertClose: \(failure) \(message)", file: file, line: line)
  }
}

/// Asserts that two arrays have the same length and close elements (see
/// `closenessFailure(_:_:shape:relativeTolerance:absoluteTolerance:)`), reporting the worst
/// element and its index at the caller's `file` and `line`.
public func assertClose<S: BinaryFloatingPoint>(
  _ actual: [S], _ expected: [S], relativeTolerance: Double, absoluteTolerance: Double = 0,
  _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
  if let failure = closenessFailure(
    actual, expected, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance)
  {
    XCTFail("assertClose: \(failure) \(message)", file: file, line: line)
  }
}

/// Asserts that two scalars are close: `|a − e| ≤ absoluteTolerance + relativeTolerance · |e|`.
public func assertClose<S: BinaryFloatingPoint>(
  _ actual: S, _ expected: S, relativeTolerance: Double, absoluteTolerance: Double = 0,
  _ message: String = "", file: StaticString = #filePath, line: UInt = #line
) {
  assertClose(
    [actual], [expected], relativeTolerance: relativeTolerance,
    absoluteTolerance: absoluteTolerance, message, file: file, line: line)
}
