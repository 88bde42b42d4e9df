import XCTest

/// Central finite differences of a scalar function of `values`, in Double:
///
///     n_k = (f(v + h·e_k) − f(v − h·e_k)) / 2h
///
/// `f` is called with the whole vector; `values` is restored after each probe.
public func numericalGradient(
  of values: [Double], step h: Double = 1e-5, _ f: ([Double]) -> Double
) -> [Double] {
  var probe = values
  var gradient = [Double](repeating: 0, count: values.count)
  for k in values.indices {
    probe[k] = values[k] + h
    let plus = f(probe)
    probe[k] = values[k] - h
    let minus = f(probe)
    probe[k] = values[k]
    gradient[k] = (plus - minus) / (2 * h)
  }
  return gradient
}

/// The relative error of one element, `|a − n| / max(|a|, |n|, floor)`: relative for
/// gradients above `floor`, absolute (scaled by 1/floor) for ones that are nearly zero, where
/// finite differences carry only rounding noise.
public func gradientRelativeError(_ a: Double, _ n: Double, floor: Double = 1e-3) -> Double {
  abs(a - n) / max(abs(a), abs(n), floor)
}

/// Asserts that an analytic gradient matches a numerical one element by element within
/// `relativeTolerance` (see `gradientRelativeError`), reporting the worst element and its index.
/// - Returns: the worst relative error.
@discardableResult
public func assertGradientsMatch(
  _ analytic: [Double], _ numeric: [Double], relativeTolerance: Double = 1e-6,
  floor: Double = 1e-3, _ what: String = "gradient", file: StaticString = #filePath,
  line: UInt = #line
) -> Double {
  guard analytic.count == numeric.count else {
    XCTFail(
      "\(what): \(analytic.count) analytic vs \(numeric.count) numeric elements", file: file,
      line: line)
    return .infinity
  }
  var worst = 0.0
  var worstIndex = 0
  for k in analytic.indices {
    let e = gradientRelativeError(analytic[k], numeric[k], floor: floor)
    if !(e <= worst) {
      worst = e
      worstIndex = k
    }
  }
  if !(worst <= relativeTolerance) {
    XCTFail(
      "\(what): worst relative error \(worst) > \(relativeTolerance) at index \(worstIndex): "
        + "analytic \(analytic[worstIndex]), numeric \(numeric[worstIndex])",
      file: file, line: line)
  }
  return worst
}

/// Asserts `max|got − want| / max(1, max|want|) ≤ tolerance` (the "relative-to-scale" error of
/// the PyTorch fixtures), reporting the worst element.
public func assertCloseToScale(
  _ got: [Double], _ want: [Double], tolerance: Double, _ what: String,
  file: StaticString = #filePath, line: UInt = #line
) {
  guard got.count == want.count else {
    XCTFail("\(what): got \(got.count) elements, want \(want.count)", file: file, line: line)
    return
  }
  let scale = max(1, want.map(abs).max() ?? 0)
  var worst = 0.0
  var worstIndex = 0
  for k in got.indices {
    let e = abs(got[k] - want[k]) / scale
    if !(e <= worst) {
      worst = e
      worstIndex = k
    }
  }
  if !(worst <= tolerance) {
    XCTFail(
      "\(what): error \(worst) > \(tolerance) at index \(worstIndex): got \(got[worstIndex]), "
        + "want \(want[worstIndex])", file: file, line: line)
  }
}
