/// The input layout a model is trained with: what each of the I features of a step is.
///
/// A window of lookback T and horizon K is a sequence of T + K steps, time-major
/// `[T + K, B, I]`. Per step the features are, in order:
///
///     target        (z_t − ℓ) on the T lookback steps, 0 on the K future steps
///     observed      1 on lookback steps, 0 on future steps
///     calendar…     CalendarFeatures for the step's timestamp (known in advance: all steps)
///     cov:<name>…   covariates standardised per series, lookback steps only (past-only: a
///                   covariate of a future step is never an input, so it cannot leak)
///     season_lag    z one seasonal lag L earlier (364 days, 52 weeks), relative to the level ℓ of
///                   the lookback L earlier: last year's shape, on every step whose
///                   lagged point is at or before the origin, else 0
///     season_lag_observed   1 where season_lag is given
///     key:<id>…     one-hot series key (static), when there are at most `maxOneHotKeys` series
///
/// The window level ℓ is not an input: the network sees shapes, not absolute positions, so a
/// series that grows past its training range is no surprise to it.
/// where z = (y − mean)/scale with the series' scaler fitted on its training part. The targets
/// are `z_{o+k} − ℓ`, k = 1…K, for the window ending at origin o (ℓ: see `levelSpan`); a forecast is
/// `mean + scale (ℓ + output)`.
public struct FeatureLayout: Sendable, Equatable, Codable {
  /// T, lookback steps.
  public var lookback: Int
  /// K, horizon steps.
  public var horizon: Int
  /// Seconds between steps.
  public var step: Int64
  /// Calendar feature names (`CalendarFeatures.names(step:)`).
  public var calendar: [String]
  /// Covariate names, in the order of `TimeSeries.covariates`.
  public var covariates: [String]
  /// Series ids with a one-hot input, in order; empty when the series are too many.
  public var keys: [String]
  /// L, the seasonal lag of the `season_lag` input (364 daily, 52 weekly, 0: none).
  public var seasonalLag: Int
  /// True when the series keys are countries (`--by country`): their national holidays join
  /// the holiday flag.
  public var keysAreCountries: Bool
  /// The window level ℓ is the mean of z over the last `levelSpan` lookback points (at most
  /// T): one week of a daily series (no weekday bias), the last point of a weekly one, one day
  /// of an hourly one. A network output of 0 is then the naive forecast of the seasonally
  /// adjusted level, a strong start on little data.
  public var levelSpan: Int

  /// Series counts up to this get a one-hot key input; beyond, none (one global model).
  public static let maxOneHotKeys = 32

  /// The layout for a collection; `keysAreCountries` when its series ids are ISO country codes.
  public init(
    lookback: Int, horizon: Int, collection: SeriesCollection, keysAreCountries: Bool = false
  ) {
    self.keysAreCountries = keysAreCountries
    self.lookback = lookback
    self.horizon = horizon
    self.step = collection.step
    self.calendar = CalendarFeatures.names(step: collection.step)
    self.covariates = collection.covariateNames
    let ids = collection.series.map(\.id)
    self.keys = ids.count > 1 && ids.count <= FeatureLayout.maxOneHotKeys ? ids : []
    self.seasonalLag = collection.spacing.seasonalLag
    self.levelSpan = collection.spacing.levelSpan
  }

  /// T + K, the sequence length of a window.
  public var sequenceLength: Int { lookback + horizon }

  /// Every feature's name, in input order (I of them).
  public var names: [String] {
    ["target", "observed"] + calendar + covariates.map { "cov:" + $0 }
      + (seasonalLag > 0 ? ["season_lag", "season_lag_observed"] : []) + keys.map { "key:" + $0 }
  }

  /// I, the input features per step.
  public var inputSize: Int {
    2 + calendar.count + covariates.count + (seasonalLag > 0 ? 2 : 0) + keys.count
  }

  var calendarOffset: Int { 2 }
  var covariateOffset: Int { 2 + calendar.count }
  var lagOffset: Int { 2 + calendar.count + covariates.count }
  var keyOffset: Int { lagOffset + (seasonalLag > 0 ? 2 : 0) }
}
