/// The split of every series by time: the last `testLength` points are the test part, the
/// `validationLength` before them the validation part (early stopping), the rest training.
///
/// Windows of lookback T and horizon K at origin o (targets o+1…o+K) belong to a part when all
/// their targets do: training `T−1 ≤ o ≤ trainEnd−1−K`, validation `trainEnd−1 ≤ o ≤
/// validationEnd−1−K`, test `validationEnd−1 ≤ o ≤ n−1−K`. Training and validation never read
/// a test value, and scalers are fitted on `0..<trainEnd`.
public struct TimeSplit: Sendable, Equatable, Codable {
  /// Points in the validation part.
  public var validationLength: Int
  /// Points in the test part.
  public var testLength: Int

  /// A split with every field given.
  public init(validationLength: Int, testLength: Int) {
    self.validationLength = validationLength
    self.testLength = testLength
  }

  /// `(trainEnd, validationEnd)` for a series of `n` points.
  public func bounds(count n: Int) -> (trainEnd: Int, validationEnd: Int) {
    (n - validationLength - testLength, n - testLength)
  }

  /// The shortest series that has one training window: T + K + validation + test.
  public func minimumLength(layout: FeatureLayout) -> Int {
    layout.lookback + layout.horizon + validationLength + testLength
  }

  /// Which part of the history.
  public enum Part: String, Sendable, CaseIterable {
    case training, validation, test
  }

  /// The windows of `part` over series of the given lengths (series too short for a window in
  /// that part contribute none).
  public func windows(_ part: Part, counts: [Int], layout: FeatureLayout) -> WindowList {
    var list = WindowList()
    let t = layout.lookback
    let k = layout.horizon
    for (s, n) in counts.enumerated() {
      let (trainEnd, validationEnd) = bounds(count: n)
      let range: Range<Int>
      switch part {
      case .training: range = (t - 1)..<max(t - 1, trainEnd - k)
      case .validation:
        let lo = max(t - 1, trainEnd - 1)
        range = lo..<max(lo, validationEnd - k)
      case .test:
        let lo = max(t - 1, validationEnd - 1)
        range = lo..<max(lo, n - k)
      }
      list.append(series: s, origins: range)
    }
    return list
  }
}
