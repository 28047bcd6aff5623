/// Wilder's RSI (indicators.md §3.1): average gain and loss seeded with the mean of the first `period` changes,
/// then smoothed by (avg·(period−1) + x)/period; ready at index `period` (TA-Lib's lookback).
///
/// With no movement at all (average gain and loss both 0) TA-Lib gives 0 and so do we by default; the reference's
/// neutral 50 is the `flatValue` option (resolution 59: each strategy states its own neutral mapping).
public struct RSI: StreamingIndicator, Sendable {
    public let period: Int
    public let flatValue: Double
    private var previous: Double?
    private var changes = 0
    private var gain = 0.0, loss = 0.0
    public private(set) var value: Double?

    public init(period: Int = 14, flatValue: Double = 0) {
        precondition(period >= 1, "RSI period must be ≥ 1")
        self.period = period
        self.flatValue = flatValue
    }

    public mutating func update(_ x: Double) -> Double? {
        defer { previous = x }
        guard let p = previous else { return nil }
        let d = x - p
        let g = d > 0 ? d : 0, l = d < 0 ? -d : 0
        changes += 1
        if changes < period {
            gain += g; loss += l
            return nil
        }
        if changes == period {
            gain = (gain + g) / Double(period)
            loss = (loss + l) / Double(period)
        } else {
            gain = (gain * Double(period - 1) + g) / Double(period)
            loss = (loss * Double(period - 1) + l) / Double(period)
        }
        let total = gain + loss
        value = total == 0 ? flatValue : 100 * (gain / total)
        return value
    }

    public static func series(_ xs: [Double], period: Int = 14, flatValue: Double = 0) -> [Double?] {
        batch(RSI(period: period, flatValue: flatValue), xs)
    }
}
