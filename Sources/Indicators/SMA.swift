/// Simple moving average (indicators.md §2.1): the mean of the last `period` values; ready at index period−1.
/// A running sum like TA-Lib's, so a long series costs O(1) per value.
public struct SMA: StreamingIndicator, Sendable {
    public let period: Int
    private var window: [Double]
    private var head = 0, count = 0
    private var sum = 0.0
    public private(set) var value: Double?

    public init(period: Int) {
        precondition(period >= 1, "SMA period must be ≥ 1")
        self.period = period
        window = Array(repeating: 0, count: period)
    }

    public mutating func update(_ x: Double) -> Double? {
        if count == period { sum -= window[head] } else { count += 1 }
        window[head] = x
        sum += x
        head = head + 1 == period ? 0 : head + 1
        value = count == period ? sum / Double(period) : nil
        return value
    }

    public static func series(_ xs: [Double], period: Int) -> [Double?] { batch(SMA(period: period), xs) }
}
