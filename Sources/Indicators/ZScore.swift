/// Streaming z-score of each value against its own window (indicators.md §5.4 over Bollinger's mean and population
/// σ of the last `period` values, the value included); 0 when the window is constant; ready at index period−1.
public struct ZScore: StreamingIndicator, Sendable {
    public let period: Int
    @usableFromInline var moments: SlidingMoments
    @usableFromInline var storedValue: Double?
    public var value: Double? { storedValue }

    public init(period: Int = 20) {
        precondition(period >= 1, "z-score period must be ≥ 1")
        self.period = period
        moments = SlidingMoments(capacity: period)
    }

    @inlinable @inline(__always) public mutating func update(_ x: Double) -> Double? {
        moments.push(x)
        guard moments.isFull else { return nil }
        let v = zScore(x, mean: moments.mean, stddev: moments.variance.squareRoot())
        storedValue = v
        return v
    }

    public static func series(_ xs: [Double], period: Int = 20) -> [Double?] { batch(ZScore(period: period), xs) }
}
