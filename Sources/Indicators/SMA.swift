/// Simple moving average (indicators.md §2.1): the mean of the last `period` values; ready at index period−1.
/// A running sum like TA-Lib's (recomputed exactly every 256 updates so rounding never accumulates): O(1) per value.
public struct SMA: StreamingIndicator, Sendable {
    public let period: Int
    @usableFromInline let n: Double
    @usableFromInline var window: SlidingSum
    @usableFromInline var storedValue: Double?
    public var value: Double? { storedValue }

    public init(period: Int) {
        precondition(period >= 1, "SMA period must be ≥ 1")
        self.period = period
        n = Double(period)
        window = SlidingSum(capacity: period)
    }

    @inlinable @inline(__always) public mutating func update(_ x: Double) -> Double? {
        window.push(x)
        guard window.isFull else { return nil }
        let v = window.sum / n
        storedValue = v
        return v
    }

    public static func series(_ xs: [Double], period: Int) -> [Double?] { batch(SMA(period: period), xs) }
}
