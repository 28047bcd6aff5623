/// Bollinger bands (indicators.md §5.3): middle = the window's mean (SMA(period)), bands = middle ± k · population
/// standard deviation of the same window; ready at index period−1.
///
/// The deviation comes from the sliding form of Welford's recurrence, recomputed exactly every 256 updates, not from
/// running sums of x and x², which cancel badly when prices are large and moves small. The values equal TA-Lib's
/// BBANDS on every golden series (1.5e9 prices included); a constant window has exactly zero width.
public struct Bollinger: StreamingIndicator, Sendable {
    public struct Value: Sendable, Equatable {
        public var upper: Double, middle: Double, lower: Double, stddev: Double
        @inlinable public init(upper: Double, middle: Double, lower: Double, stddev: Double) {
            self.upper = upper; self.middle = middle; self.lower = lower; self.stddev = stddev
        }
    }

    public let period: Int
    public let k: Double
    @usableFromInline var moments: SlidingMoments
    @usableFromInline var storedValue: Value?
    public var value: Value? { storedValue }

    public init(period: Int = 20, stddev k: Double = 2) {
        precondition(period >= 1, "Bollinger period must be ≥ 1")
        self.period = period
        self.k = k
        moments = SlidingMoments(capacity: period)
    }

    @inlinable @inline(__always) public mutating func update(_ x: Double) -> Value? {
        moments.push(x)
        guard moments.isFull else { return nil }
        let mid = moments.mean, sd = moments.variance.squareRoot()
        let v = Value(upper: mid + k * sd, middle: mid, lower: mid - k * sd, stddev: sd)
        storedValue = v
        return v
    }

    public static func series(_ xs: [Double], period: Int = 20, stddev: Double = 2) -> [Value?] {
        batch(Bollinger(period: period, stddev: stddev), xs)
    }
}
