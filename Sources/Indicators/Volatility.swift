/// Volatility in percent (indicators.md §5.1): the population standard deviation of the last `lookback` simple
/// returns × 100, as TA-Lib's STDDEV(ROCP(close, 1), lookback) × 100; nil until `lookback + 1` closes (the
/// reference's 0.0 for "not enough data" read as a calm market). A pair whose previous close is 0 is skipped.
public struct Volatility: StreamingIndicator, Sendable {
    public let lookback: Int
    @usableFromInline var previous = 0.0, hasPrevious = false
    @usableFromInline var returns: SlidingMoments
    @usableFromInline var storedValue: Double?
    public var value: Double? { storedValue }

    public init(lookback: Int = 20) {
        precondition(lookback >= 1, "volatility lookback must be ≥ 1")
        self.lookback = lookback
        returns = SlidingMoments(capacity: lookback)
    }

    @inlinable @inline(__always) public mutating func update(_ x: Double) -> Double? {
        guard hasPrevious else { previous = x; hasPrevious = true; return nil }
        let p = previous
        previous = x
        guard p != 0 else { return storedValue }
        returns.push((x - p) / p)
        guard returns.isFull else { return nil }
        let v = returns.variance.squareRoot() * 100
        storedValue = v
        return v
    }

    public static func series(_ xs: [Double], lookback: Int = 20) -> [Double?] { batch(Volatility(lookback: lookback), xs) }
}

/// `(price − mean) / σ` (indicators.md §5.4), 0 when σ is 0; callers pass Bollinger's middle and σ.
public func zScore(_ price: Double, mean: Double, stddev: Double) -> Double {
    stddev == 0 ? 0 : (price - mean) / stddev
}
