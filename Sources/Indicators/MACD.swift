/// MACD with TA-Lib's seeding (indicators.md §3.3, resolution 59): the fast EMA starts `slow − fast` bars late so
/// both EMAs are seeded on windows that end together; the MACD line is fast − slow, the signal an SMA-seeded EMA
/// of it; all three are ready at index `slow − 1 + signal − 1`, TA-Lib's lookback.
public struct MACD: StreamingIndicator, Sendable {
    public struct Value: Sendable, Equatable {
        public var macd: Double, signal: Double, histogram: Double
    }

    public let fast: Int, slow: Int, signal: Int
    private var fastEMA: EMA, slowEMA: EMA, signalEMA: EMA
    private var index = 0
    public private(set) var value: Value?

    public init(fast: Int = 12, slow: Int = 26, signal: Int = 9) {
        precondition(fast >= 1 && signal >= 1 && fast < slow, "MACD needs 1 ≤ fast < slow and signal ≥ 1")
        self.fast = fast; self.slow = slow; self.signal = signal
        fastEMA = EMA(period: fast); slowEMA = EMA(period: slow); signalEMA = EMA(period: signal)
    }

    public mutating func update(_ x: Double) -> Value? {
        defer { index += 1 }
        let f = index >= slow - fast ? fastEMA.update(x) : nil
        guard let s = slowEMA.update(x), let f else { return nil }
        let m = f - s
        guard let sig = signalEMA.update(m) else { return nil }
        value = Value(macd: m, signal: sig, histogram: m - sig)
        return value
    }

    public static func series(_ xs: [Double], fast: Int = 12, slow: Int = 26, signal: Int = 9) -> [Value?] {
        batch(MACD(fast: fast, slow: slow, signal: signal), xs)
    }
}
