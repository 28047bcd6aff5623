import TradingCore

/// Volatility in percent (indicators.md §5.1): the population standard deviation of the last `lookback` simple
/// returns × 100, as TA-Lib's STDDEV(ROCP(close, 1), lookback) × 100; nil until `lookback + 1` closes (the
/// reference's 0.0 for "not enough data" read as a calm market). A pair whose previous close is 0 is skipped.
public struct Volatility: StreamingIndicator, Sendable {
    public let lookback: Int
    private var previous: Double?
    private var returns: RingBuffer<Double>
    public private(set) var value: Double?

    public init(lookback: Int = 20) {
        precondition(lookback >= 1, "volatility lookback must be ≥ 1")
        self.lookback = lookback
        returns = RingBuffer(capacity: lookback)
    }

    public mutating func update(_ x: Double) -> Double? {
        defer { previous = x }
        guard let p = previous, p != 0 else { return value }
        returns.append((x - p) / p)
        guard returns.isFull else { return nil }
        value = returns.populationStdDev() * 100
        return value
    }

    public static func series(_ xs: [Double], lookback: Int = 20) -> [Double?] { batch(Volatility(lookback: lookback), xs) }
}

/// `(price − mean) / σ` (indicators.md §5.4), 0 when σ is 0; callers pass Bollinger's middle and σ.
public func zScore(_ price: Double, mean: Double, stddev: Double) -> Double {
    stddev == 0 ? 0 : (price - mean) / stddev
}
