import TradingCore

/// Bollinger bands (indicators.md §5.3): middle = SMA(period), bands = middle ± k · population standard
/// deviation of the same window; ready at index period−1.
///
/// The deviation is computed in two passes over the window (mean, then squared distances) rather than from
/// running sums of x and x², which cancel badly when prices are large and moves small. The values equal TA-Lib's
/// BBANDS on every golden series (1.5e9 prices included).
public struct Bollinger: StreamingIndicator, Sendable {
    public struct Value: Sendable, Equatable {
        public var upper: Double, middle: Double, lower: Double, stddev: Double
    }

    public let period: Int
    public let k: Double
    private var window: RingBuffer<Double>
    private var sma: SMA
    public private(set) var value: Value?

    public init(period: Int = 20, stddev k: Double = 2) {
        precondition(period >= 1, "Bollinger period must be ≥ 1")
        self.period = period
        self.k = k
        window = RingBuffer(capacity: period)
        sma = SMA(period: period)
    }

    public mutating func update(_ x: Double) -> Value? {
        window.append(x)
        guard let mid = sma.update(x) else { return nil }
        let sd = window.populationStdDev(around: mid)
        value = Value(upper: mid + k * sd, middle: mid, lower: mid - k * sd, stddev: sd)
        return value
    }

    public static func series(_ xs: [Double], period: Int = 20, stddev: Double = 2) -> [Value?] {
        batch(Bollinger(period: period, stddev: stddev), xs)
    }
}
