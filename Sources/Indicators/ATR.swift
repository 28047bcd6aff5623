/// Average true range (indicators.md §5.2): true range from bar 1, seeded with the mean of the first `period` true
/// ranges, then Wilder-smoothed; ready at index `period` (TA-Lib's lookback).
public struct ATR: StreamingIndicator, Sendable {
    public let period: Int
    private var previousClose: Double?
    private var ranges = 0
    private var sum = 0.0
    public private(set) var value: Double?

    /// ATR as a percent of the last close (TA-Lib's NATR); nil until ready or when the close is not positive.
    public var percent: Double? {
        guard let v = value, let c = previousClose, c > 0 else { return nil }
        return v / c * 100
    }

    public init(period: Int = 14) {
        precondition(period >= 1, "ATR period must be ≥ 1")
        self.period = period
    }

    /// `max(H − L, |H − C₋₁|, |L − C₋₁|)`.
    public static func trueRange(_ bar: HLC, previousClose c: Double) -> Double {
        max(bar.high - bar.low, abs(bar.high - c), abs(bar.low - c))
    }

    public mutating func update(_ bar: HLC) -> Double? {
        defer { previousClose = bar.close }
        guard let c = previousClose else { return nil }
        let tr = ATR.trueRange(bar, previousClose: c)
        ranges += 1
        if let v = value {
            value = (v * Double(period - 1) + tr) / Double(period)
        } else {
            sum += tr
            if ranges == period { value = sum / Double(period) }
        }
        return value
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
