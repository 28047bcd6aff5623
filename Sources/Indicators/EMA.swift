/// Exponential moving average seeded with the SMA of the first `period` values (indicators.md §2.2, TA-Lib's
/// default mode); multiplier 2/(period+1); ready at index period−1.
public struct EMA: StreamingIndicator, Sendable {
    public let period: Int
    let k: Double
    private var seed: SMA
    public private(set) var value: Double?

    public init(period: Int) {
        precondition(period >= 1, "EMA period must be ≥ 1")
        self.period = period
        k = 2.0 / Double(period + 1)
        seed = SMA(period: period)
    }

    public mutating func update(_ x: Double) -> Double? {
        if let v = value {
            // TA-Lib's form of the recursion: ((x − prev) × k) + prev.
            value = (x - v) * k + v
        } else {
            value = seed.update(x)
        }
        return value
    }

    public static func series(_ xs: [Double], period: Int) -> [Double?] { batch(EMA(period: period), xs) }
}
