/// Volatility in percent (indicators.md §5.1): the population standard deviation of the last `lookback` simple
/// returns × 100, as TA-Lib's STDDEV(ROCP(close, 1), lookback) × 100; nil until `lookback + 1` closes (the
/// reference's 0.0 for "not enough data" read as a calm market). A pair whose previous close is 0 is skipped.
public struct Volatility: StreamingIndicator, Sendable {
    public let lookback: Int
    private var previous: Double?
    private var returns: Window
    public private(set) var value: Double?

    public init(lookback: Int = 20) {
        precondition(lookback >= 1, "volatility lookback must be ≥ 1")
        self.lookback = lookback
        returns = Window(size: lookback)
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

/// A fixed-size window of the newest values, oldest overwritten first.
struct Window: Sendable {
    private(set) var values: [Double]
    private var head = 0
    private(set) var count = 0
    let size: Int

    init(size: Int) { self.size = size; values = Array(repeating: 0, count: size) }

    var isFull: Bool { count == size }

    mutating func append(_ x: Double) {
        values[head] = x
        head = head + 1 == size ? 0 : head + 1
        if count < size { count += 1 }
    }

    /// The values oldest first.
    var ordered: [Double] { isFull ? Array(values[head...] + values[..<head]) : Array(values[..<count]) }

    func mean() -> Double { values.prefix(count).reduce(0, +) / Double(count) }

    /// Two passes (mean, then squared distances): no cancellation at large magnitudes.
    func populationStdDev() -> Double {
        let m = mean()
        var ss = 0.0
        for v in values.prefix(count) { let d = v - m; ss += d * d }
        return (ss / Double(count)).squareRoot()
    }
}
