/// Wilder's RSI (indicators.md §3.1): average gain and loss seeded with the mean of the first `period` changes,
/// then smoothed by avg·(period−1)/period + x/period; ready at index `period` (TA-Lib's lookback).
///
/// With no movement at all (average gain and loss both 0) TA-Lib gives 0 and so do we by default; the reference's
/// neutral 50 is the `flatValue` option (resolution 59: each strategy states its own neutral mapping).
public struct RSI: StreamingIndicator, Sendable {
    public let period: Int
    public let flatValue: Double
    @usableFromInline let p: Double
    /// (period − 1)/period and 1/period: Wilder's step as a multiply-add, so no division sits on the recursion.
    @usableFromInline let keep: Double, take: Double
    @usableFromInline var previous = 0.0, hasPrevious = false
    @usableFromInline var changes = 0
    @usableFromInline var gain = 0.0, loss = 0.0
    @usableFromInline var current = 0.0, ready = false

    public init(period: Int = 14, flatValue: Double = 0) {
        precondition(period >= 1, "RSI period must be ≥ 1")
        self.period = period
        self.flatValue = flatValue
        p = Double(period); keep = Double(period - 1) / Double(period); take = 1 / Double(period)
    }

    public var value: Double? { ready ? current : nil }

    @inlinable @inline(__always) public mutating func update(_ x: Double) -> Double? {
        guard hasPrevious else { previous = x; hasPrevious = true; return nil }
        let d = x - previous
        previous = x
        // Without a branch (up and down moves alternate unpredictably); exact: d + |d| is 2d or 0.
        let a = abs(d), g = (d + a) * 0.5, l = (a - d) * 0.5
        if ready {
            gain = gain * keep + g * take
            loss = loss * keep + l * take
        } else {
            changes += 1
            gain += g; loss += l
            guard changes == period else { return nil }
            gain /= p; loss /= p
            ready = true
        }
        let total = gain + loss
        current = total == 0 ? flatValue : 100 * (gain / total)
        return current
    }

    public static func series(_ xs: [Double], period: Int = 14, flatValue: Double = 0) -> [Double?] {
        batch(RSI(period: period, flatValue: flatValue), xs)
    }
}
