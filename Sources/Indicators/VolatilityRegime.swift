/// The indicator-level volatility classifier (indicators.md §5.5) over volatility % (std of 1-bar returns × 100),
/// with each class's threshold and size multipliers. Distinct from the regime detector's ATR-based state.
public struct VolatilityRegime: Sendable, Equatable {
    public enum Level: String, Sendable, CaseIterable { case low = "LOW", medium = "MEDIUM", high = "HIGH", extreme = "EXTREME" }

    /// Strategy-configurable bands and multipliers (reference keys `regime_low_threshold`, …).
    public struct Thresholds: Sendable, Equatable {
        public var low = 0.3, medium = 0.8, high = 1.5
        public var lowThresholdMultiplier = 0.9, highThresholdMultiplier = 1.3, highSizeMultiplier = 0.7
        public init() {}
    }

    public var level: Level
    public var thresholdMultiplier: Double
    public var sizeMultiplier: Double

    /// Boundaries belong to the upper class; extreme pauses trading (size 0).
    public init(volatilityPct v: Double, _ t: Thresholds = Thresholds()) {
        if v < t.low { (level, thresholdMultiplier, sizeMultiplier) = (.low, t.lowThresholdMultiplier, 1) }
        else if v < t.medium { (level, thresholdMultiplier, sizeMultiplier) = (.medium, 1, 1) }
        else if v < t.high { (level, thresholdMultiplier, sizeMultiplier) = (.high, t.highThresholdMultiplier, t.highSizeMultiplier) }
        else { (level, thresholdMultiplier, sizeMultiplier) = (.extreme, 2, 0) }
    }
}
