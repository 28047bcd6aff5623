/// Exponential moving average seeded with the SMA of the first `period` values (indicators.md §2.2, TA-Lib's
/// default mode); multiplier 2/(period+1); ready at index period−1.
public struct EMA: StreamingIndicator, Sendable {
    public let period: Int
    @usableFromInline let k: Double
    @usableFromInline var seed: SMA
    @usableFromInline var current = 0.0
    @usableFromInline var ready = false

    public init(period: Int) {
        precondition(period >= 1, "EMA period must be ≥ 1")
        self.period = period
        k = 2.0 / Double(period + 1)
        seed = SMA(period: period)
    }

    public var value: Double? { ready ? current : nil }

    @inlinable @inline(__always) public mutating func update(_ x: Double) -> Double? {
        if ready {
            // TA-Lib's form of the recursion: ((x − prev) × k) + prev.
            current = (x - current) * k + current
            return current
        }
        guard let s = seed.update(x) else { return nil }
        current = s
        ready = true
        return s
    }

    public static func series(_ xs: [Double], period: Int) -> [Double?] { batch(EMA(period: period), xs) }
}
