/// MACD (indicators.md §3.3, resolution 59): the MACD line is fast EMA − slow EMA, the signal an SMA-seeded EMA of
/// it, the histogram their difference. Two seedings:
///
/// - `.taLib` (default): the fast EMA starts `slow − fast` bars late so both EMAs are seeded on windows that end
///   together; all three outputs are ready at index `slow − 1 + signal − 1`, TA-Lib's lookback.
/// - `.independentEMAs` (the reference): two standalone EMAs from the first bar, and one bar more of warm-up (ready
///   at index `slow + signal − 1`). The two converge by a factor (1 − 2/(fast+1)) per bar.
public struct MACD: StreamingIndicator, Sendable {
    public enum Seeding: String, Sendable, CaseIterable { case taLib = "talib", independentEMAs = "reference" }

    public struct Value: Sendable, Equatable {
        public var macd: Double, signal: Double, histogram: Double
        @inlinable public init(macd: Double, signal: Double, histogram: Double) { self.macd = macd; self.signal = signal; self.histogram = histogram }
    }

    /// A histogram sign change between the previous ready value and this one.
    public enum Crossover: Sendable, Equatable { case bullish, bearish }

    public let fast: Int, slow: Int, signal: Int
    public let seeding: Seeding
    @usableFromInline var fastEMA: EMA, slowEMA: EMA, signalEMA: EMA
    @usableFromInline var index = 0
    @usableFromInline var storedValue: Value?
    public var value: Value? { storedValue }
    /// The ready value before `value` (the reference's two-value history).
    @usableFromInline var storedPrevious: Value?
    public var previous: Value? { storedPrevious }

    public init(fast: Int = 12, slow: Int = 26, signal: Int = 9, seeding: Seeding = .taLib) {
        precondition(fast >= 1 && signal >= 1 && fast < slow, "MACD needs 1 ≤ fast < slow and signal ≥ 1")
        self.fast = fast; self.slow = slow; self.signal = signal; self.seeding = seeding
        fastEMA = EMA(period: fast); slowEMA = EMA(period: slow); signalEMA = EMA(period: signal)
    }

    /// `h₋₁ < 0 ≤ h` is bullish, `h₋₁ > 0 ≥ h` bearish; nil without a previous value or a sign change.
    public var crossover: Crossover? {
        guard let h = value?.histogram, let p = previous?.histogram else { return nil }
        if p < 0 && h >= 0 { return .bullish }
        if p > 0 && h <= 0 { return .bearish }
        return nil
    }

    @inlinable @inline(__always) public mutating func update(_ x: Double) -> Value? {
        defer { index += 1 }
        let f = seeding == .independentEMAs || index >= slow - fast ? fastEMA.update(x) : nil
        guard let s = slowEMA.update(x), let f else { return nil }
        let m = f - s
        guard let sig = signalEMA.update(m) else { return nil }
        if seeding == .independentEMAs && index < slow + signal - 1 { return nil }
        storedPrevious = value
        storedValue = Value(macd: m, signal: sig, histogram: m - sig)
        return storedValue
    }

    public static func series(_ xs: [Double], fast: Int = 12, slow: Int = 26, signal: Int = 9, seeding: Seeding = .taLib) -> [Value?] {
        batch(MACD(fast: fast, slow: slow, signal: signal, seeding: seeding), xs)
    }
}
