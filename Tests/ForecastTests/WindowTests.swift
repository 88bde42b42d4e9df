import Tensor
import XCTest

@testable import Forecast

final class WindowTests: XCTestCase {
  /// Daily series from Monday 2024-01-01: 0, 1, 2, …
  func ramp(_ n: Int, id: String = "a", covariate: Bool = false) -> TimeSeries {
    let values = (0..<n).map(Double.init)
    return TimeSeries(
      id: id, start: 19_723 * 86_400, step: 86_400, values: values,
      covariates: covariate ? [values.map { $0 * 10 }] : [])
  }

  func testTimeSplit_windowsNeverReachPastTheirPart() {
    let layout = FeatureLayout(
      lookback: 4, horizon: 2,
      collection: SeriesCollection(
        kind: .csv, targetName: "value", covariateNames: [], series: [ramp(20)]))
    let split = TimeSplit(validationLength: 3, testLength: 3)
    XCTAssertTrue(split.bounds(count: 20) == (14, 17))
    XCTAssertEqual(split.minimumLength(layout: layout), 12)
    func origins(_ part: TimeSplit.Part) -> [Int] {
      let w = split.windows(part, counts: [20, 5], layout: layout)
      return (0..<w.count).map { w[$0].origin }
    }
    // Training: targets ≤ 13 → o ≤ 11; validation: targets in 14…16 → o in 13…14; test: o in
    // 16…17. The 5-point series has no window in any part.
    XCTAssertEqual(origins(.training), [3, 4, 5, 6, 7, 8, 9, 10, 11])
    XCTAssertEqual(origins(.validation), [13, 14])
    XCTAssertEqual(origins(.test), [16, 17])
  }

  func testWindowList_indexesAcrossSeriesAndShufflesWithTheSeed() {
    var list = WindowList()
    list.append(series: 0, origins: 3..<5)
    list.append(series: 1, origins: 0..<0)
    list.append(series: 2, origins: 10..<13)
    XCTAssertEqual(list.count, 5)
    XCTAssertEqual(
      (0..<5).map { list[$0] },
      [
        WindowRef(series: 0, origin: 3), WindowRef(series: 0, origin: 4),
        WindowRef(series: 2, origin: 10), WindowRef(series: 2, origin: 11),
        WindowRef(series: 2, origin: 12),
      ])
    var a = SeededGenerator(seed: 7)
    var b = SeededGenerator(seed: 7)
    let first = list.shuffledIndices(limit: 5, using: &a)
    XCTAssertEqual(first, list.shuffledIndices(limit: 5, using: &b))
    XCTAssertEqual(first.sorted(), [0, 1, 2, 3, 4])
    XCTAssertEqual(list.shuffledIndices(limit: 3, using: &a).count, 3)
  }

  func testScaler_fittedOnTrainingPartOnly() {
    let s = PreparedSeries(
      ramp(10),
      layout: FeatureLayout(
        lookback: 2, horizon: 1,
        collection: SeriesCollection(
          kind: .csv, targetName: "value", covariateNames: [], series: [ramp(10)])),
      scalerEnd: 4)
    // Training part 0, 1, 2, 3: mean 1.5, population sd √1.25.
    XCTAssertEqual(s.scaler.mean, 1.5)
    XCTAssertEqual(s.scaler.scale, 1.25.squareRoot(), accuracy: 1e-15)
    XCTAssertEqual(SeriesScaler(fitting: [5, 5, 5]).scale, 5)  // flat: |mean|
    XCTAssertEqual(SeriesScaler(fitting: [0, 0]).scale, 1)
  }

  func testBatcher_fillsTargetCalendarCovariatesAndLevel() {
    let series = ramp(8, covariate: true)
    let collection = SeriesCollection(
      kind: .csv, targetName: "value", covariateNames: ["c"],
      series: [series, ramp(8, id: "b", covariate: true)])
    let layout = FeatureLayout(lookback: 2, horizon: 2, collection: collection)
    XCTAssertEqual(
      layout.names,
      [
        "target", "observed", "dow_sin", "dow_cos", "woy_sin", "woy_cos", "cov:c", "level", "key:a",
        "key:b",
      ])
    // Scaler on 0…3: mean 1.5, sd √1.25; covariate 0…30: mean 15, sd 10√1.25.
    let prepared = collection.series.map { PreparedSeries($0, layout: layout, scalerEnd: 4) }
    let batcher = WindowBatcher(layout: layout, series: prepared)
    var input = Tensor<Float>(zeros: [4, 1, layout.inputSize])
    var targets: Tensor<Float>? = Tensor<Float>(zeros: [1, 2])
    var levels: [Float] = []
    batcher.fill(
      [WindowRef(series: 1, origin: 3)], input: &input, targets: &targets, levels: &levels)
    let sd = Float(1.25.squareRoot())
    let z: (Float) -> Float = { ($0 - 1.5) / sd }
    let level = (z(2) + z(3)) / 2
    XCTAssertEqual(levels[0], level, accuracy: 1e-6)
    let x = input.scalars
    let i = layout.inputSize
    // Step 0 is point 2 (Wednesday 2024-01-03): target, observed, dow angle 2π·2/7.
    XCTAssertEqual(x[0], z(2) - level, accuracy: 1e-6)
    XCTAssertEqual(x[1], 1)
    XCTAssertEqual(x[2], Float(sin(2 * Double.pi * 2 / 7)), accuracy: 1e-6)
    XCTAssertEqual(x[6], (20 - 15) / (10 * sd), accuracy: 1e-5)
    XCTAssertEqual(x[7], level, accuracy: 1e-6)
    XCTAssertEqual(Array(x[8..<10]), [0, 1])
    // Step 2 is the first future step (point 4, Friday): no target, covariate or observed flag,
    // but its calendar, level and key.
    XCTAssertEqual(x[2 * i], 0)
    XCTAssertEqual(x[2 * i + 1], 0)
    XCTAssertEqual(x[2 * i + 2], Float(sin(2 * Double.pi * 4 / 7)), accuracy: 1e-6)
    XCTAssertEqual(x[2 * i + 6], 0)
    XCTAssertEqual(x[2 * i + 7], level, accuracy: 1e-6)
    XCTAssertEqual(x[2 * i + 9], 1)
    XCTAssertEqual(targets?.scalars[0] ?? .nan, z(4) - level, accuracy: 1e-6)
    XCTAssertEqual(targets?.scalars[1] ?? .nan, z(5) - level, accuracy: 1e-6)
  }
}
