import TradingCore

/// Simple moving average (indicators.md §2.1): the mean of the last `period` values; ready at index period−1.
/// A running sum like TA-Lib's, so a long series costs O(1) per value.
public struct SMA: StreamingIndicator, Sendable {
    public let period: Int
    private var window: RingBuffer<Double>
    private var sum = 0.0
    public private(set) var value: Double?

    public init(period: Int) {
        precondition(period >= 1, "SMA period must be ≥ 1")
        self.period = period
        window = RingBuffer(capacity: period)
    }

    public mutating func update(_ x: Double) -> Double? {
        if window.isFull { sum -= window[0] }
        window.append(x)
        sum += x
        value = window.isFull ? sum / Double(period) : nil
        return value
    }

    public static func series(_ xs: [Double], period: Int) -> [Double?] { batch(SMA(period: period), xs) }
}
