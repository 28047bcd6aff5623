/// Average true range (indicators.md §5.2): true range from bar 1, seeded with the mean of the first `period` true
/// ranges, then Wilder-smoothed; ready at index `period` (TA-Lib's lookback).
public struct ATR: StreamingIndicator, Sendable {
    public let period: Int
    @usableFromInline let p: Double
    /// (period − 1)/period and 1/period: the Wilder step as a multiply-add (no division on the recursion).
    @usableFromInline let keep: Double, take: Double
    @usableFromInline var previousClose = 0.0, hasPrevious = false
    @usableFromInline var ranges = 0
    @usableFromInline var current = 0.0, ready = false

    public init(period: Int = 14) {
        precondition(period >= 1, "ATR period must be ≥ 1")
        self.period = period
        p = Double(period); keep = Double(period - 1) / Double(period); take = 1 / Double(period)
    }

    public var value: Double? { ready ? current : nil }

    /// ATR as a percent of the last close (TA-Lib's NATR); nil until ready or when the close is not positive.
    public var percent: Double? {
        guard ready, previousClose > 0 else { return nil }
        return current / previousClose * 100
    }

    /// `max(H − L, |H − C₋₁|, |L − C₋₁|)`.
    @inlinable public static func trueRange(_ bar: HLC, previousClose c: Double) -> Double {
        max(bar.high - bar.low, abs(bar.high - c), abs(bar.low - c))
    }

    @inlinable @inline(__always) public mutating func update(_ bar: HLC) -> Double? {
        guard hasPrevious else { previousClose = bar.close; hasPrevious = true; return nil }
        let tr = ATR.trueRange(bar, previousClose: previousClose)
        previousClose = bar.close
        if ready {
            current = current * keep + tr * take
            return current
        }
        ranges += 1
        current += tr
        guard ranges == period else { return nil }
        current /= p
        ready = true
        return current
    }

    public static func series(_ bars: [HLC], period: Int = 14) -> [Double?] { batch(ATR(period: period), bars) }

    /// NATR per bar.
    public static func percentSeries(_ bars: [HLC], period: Int = 14) -> [Double?] {
        var s = ATR(period: period)
        return bars.map { _ = s.update($0); return s.percent }
    }

    /// The true range of every bar after the first (the reference's rich output; `n − 1` values).
    public static func trueRanges(_ bars: [HLC]) -> [Double] {
        zip(bars.dropFirst(), bars).map { trueRange($0, previousClose: $1.close) }
    }
}
