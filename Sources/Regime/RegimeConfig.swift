import TradingCore

/// The detector's settings (regime.md §3; `regime_detection.*` in the schema). Partial maps merge over these
/// defaults; `validate()` refuses thresholds out of order and negative weights.
public struct RegimeConfig: Sendable, Equatable {
    /// How the direction-less choppiness and volume scores enter the composite (§4.3).
    public enum ScoringMode: String, Sendable, CaseIterable {
        /// The reference's plain weighted sum (a clean downtrend only reaches BEAR).
        case reference
        /// Confirmation scores amplify the directional score and can shrink it to 0, never flip it; sentiment once.
        case symmetric
    }

    /// Where the 15m and 1h readings of the multi-timeframe check come from (§9).
    public enum MTFSource: String, Sendable, CaseIterable {
        /// The reference's pseudo-timeframes from the last 15 / 60 one-minute closes (with the §9.1 fix).
        case pseudo
        /// The engine's real 15m, 1h and 4h candles (needs those timeframes to be kept).
        case candles
    }

    public struct Weights: Sendable, Equatable {
        public var adx = 0.25, chop = 0.20, ma = 0.20, rsi = 0.15, volume = 0.10, sentiment = 0.10
        public init() {}
        public var sum: Double { adx + chop + ma + rsi + volume + sentiment }
        public var byName: [String: Double] {
            ["adx": adx, "chop": chop, "ma": ma, "rsi": rsi, "volume": volume, "sentiment": sentiment]
        }
    }

    /// Score thresholds; the reference code's defaults (its shipped config.yaml used 0.5 / 0.2).
    public struct Thresholds: Sendable, Equatable {
        public var strongBull = 0.4, bull = 0.15, bear = -0.15, strongBear = -0.4
        public init() {}
    }

    public var enabled = true
    public var weights = Weights()
    public var thresholds = Thresholds()
    /// Closed 1m bars averaged into the smoothed score.
    public var smoothingPeriod = 3
    /// Seconds a regime must have lasted before a change is considered.
    public var minRegimeDuration = 60.0
    /// Consecutive closed-bar readings of the same new regime needed to switch.
    public var confirmationBars = 3
    public var scoringMode = ScoringMode.reference
    /// Weight per timeframe name ("4h", "1h", "15m", "5m", "1m"); a missing one weighs 1.
    public var mtfWeights: [String: Double] = ["4h": 5, "1h": 4, "15m": 3, "5m": 2, "1m": 1]
    public var mtfSource = MTFSource.pseudo
    /// Closed 1m candles a symbol needs before it is scored (regime.md §4.1: SMA200 needs 200).
    public static let minCandles = 200
    /// Transitions counted over this many seconds for `recentTransitions`.
    public var transitionWindow = 3600.0
    /// Whether Fear & Greed enters the scores at all.
    public var externalEnabled = true

    public init() {}

    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public func validate() throws {
        let t = thresholds
        guard t.strongBear < t.bear, t.bear < t.bull, t.bull < t.strongBull else {
            throw Invalid(description: "regime_detection.thresholds must satisfy strong_bear < bear < bull < strong_bull (got \(t.strongBear), \(t.bear), \(t.bull), \(t.strongBull))")
        }
        for (k, w) in weights.byName where !(w >= 0 && w.isFinite) {
            throw Invalid(description: "regime_detection.weights.\(k) must be a finite number ≥ 0 (got \(w))")
        }
        for (k, w) in mtfWeights where !(w >= 0 && w.isFinite) {
            throw Invalid(description: "regime_detection.mtf_weights.\(k) must be a finite number ≥ 0 (got \(w))")
        }
        guard smoothingPeriod >= 1, confirmationBars >= 1, minRegimeDuration >= 0 else {
            throw Invalid(description: "regime_detection: smoothing_period and confirmation_bars must be ≥ 1, min_regime_duration ≥ 0")
        }
    }

    /// Sanity notes that do not stop a session (§3): weights not summing to 1, extreme hysteresis settings.
    public var warnings: [String] {
        var w: [String] = []
        if abs(weights.sum - 1) > 1e-9 { w.append("regime_detection.weights sum to \(weights.sum), not 1.0 (they are not normalised)") }
        if minRegimeDuration < 10 { w.append("regime_detection.min_regime_duration \(minRegimeDuration) s is very low") }
        if minRegimeDuration > 600 { w.append("regime_detection.min_regime_duration \(minRegimeDuration) s is very high") }
        if confirmationBars < 2 { w.append("regime_detection.confirmation_bars \(confirmationBars) is very low") }
        return w
    }

    /// `s > strong_bull → strongBull; > bull → bull; < strong_bear → strongBear; < bear → bear`; boundaries fall to
    /// the weaker class.
    public func classify(_ s: Double) -> MarketRegime {
        if s > thresholds.strongBull { return .strongBull }
        if s > thresholds.bull { return .bull }
        if s < thresholds.strongBear { return .strongBear }
        if s < thresholds.bear { return .bear }
        return .sideways
    }
}
