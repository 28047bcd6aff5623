import TradingCore

/// Average directional index with +DI and −DI (indicators.md §3.2). +DI/−DI are ready at index `period`, the ADX
/// (the mean of the first `period` DX values, then Wilder-smoothed) at index `2·period − 1`, with either seeding:
///
/// - `.taLib` (default): directional movements and true ranges summed over the first `period − 1` changes, then one
///   Wilder step; a zero true-range sum gives DI 0 and leaves the ADX where it was. Equal to TA-Lib's ADX, PLUS_DI
///   and MINUS_DI on every golden series, 2e-8 prices included.
/// - `.meanOfFirstPeriod` (the reference): seeded with the mean of the first `period` values; a flat bar smooths in
///   a DX of 0. The two converge by a factor (1 − 1/period) per bar.
public struct ADX: StreamingIndicator, Sendable {
    public enum Seeding: String, Sendable, CaseIterable { case taLib = "talib", meanOfFirstPeriod = "reference" }

    public struct Value: Sendable, Equatable {
        public var adx: Double, plusDI: Double, minusDI: Double
        @inlinable public init(adx: Double, plusDI: Double, minusDI: Double) { self.adx = adx; self.plusDI = plusDI; self.minusDI = minusDI }
        /// The ADX band (< 15 absent … ≥ 40 very strong).
        public var trendStrength: TrendStrength { TrendStrength(adx: adx) }
    }

    public let period: Int
    public let seeding: Seeding
    @usableFromInline let p: Double
    /// (period − 1)/period and 1/period: Wilder steps as multiply-adds (no division on the recursions).
    @usableFromInline let keep: Double, take: Double
    @usableFromInline var previous = HLC(high: 0, low: 0, close: 0), hasPrevious = false
    @usableFromInline var changes = 0
    @usableFromInline var plusDM = 0.0, minusDM = 0.0, trueRange = 0.0
    @usableFromInline var sumDX = 0.0, adx = 0.0
    /// +DI and −DI, from index `period` on.
    @usableFromInline var storedDirectional: (plus: Double, minus: Double)?
    public var directional: (plus: Double, minus: Double)? { storedDirectional }
    @usableFromInline var storedValue: Value?
    public var value: Value? { storedValue }

    public init(period: Int = 14, seeding: Seeding = .taLib) {
        precondition(period >= 1, "ADX period must be ≥ 1")
        self.period = period
        self.seeding = seeding
        p = Double(period); keep = Double(period - 1) / Double(period); take = 1 / Double(period)
    }

    @inlinable @inline(__always) public mutating func update(_ bar: HLC) -> Value? {
        guard hasPrevious else { previous = bar; hasPrevious = true; return nil }
        let prev = previous
        previous = bar
        let diffP = bar.high - prev.high, diffM = prev.low - bar.low
        // TA-Lib's order: a down move wins when it is the larger one.
        var dmMinus = 0.0, dmPlus = 0.0
        if diffM > 0 && diffP < diffM { dmMinus = diffM } else if diffP > 0 && diffP > diffM { dmPlus = diffP }
        let tr = ATR.trueRange(bar, previousClose: prev.close)
        changes += 1
        switch seeding {
        case .taLib:
            if changes < period {
                plusDM += dmPlus; minusDM += dmMinus; trueRange += tr
                return nil
            }
            minusDM = minusDM * keep + dmMinus; plusDM = plusDM * keep + dmPlus
            trueRange = trueRange * keep + tr
        case .meanOfFirstPeriod:
            if changes < period {
                plusDM += dmPlus; minusDM += dmMinus; trueRange += tr
                return nil
            }
            if changes == period {
                plusDM = (plusDM + dmPlus) / p; minusDM = (minusDM + dmMinus) / p; trueRange = (trueRange + tr) / p
            } else {
                plusDM = plusDM * keep + dmPlus * take
                minusDM = minusDM * keep + dmMinus * take
                trueRange = trueRange * keep + tr * take
            }
        }
        var dx: Double?
        if trueRange != 0 {
            let minus = 100 * (minusDM / trueRange), plus = 100 * (plusDM / trueRange)
            storedDirectional = (plus, minus)
            let sum = minus + plus
            if sum != 0 { dx = 100 * (abs(minus - plus) / sum) }
        } else {
            storedDirectional = (0, 0)
        }
        // The reference smooths a flat bar's DX in as 0; TA-Lib skips it.
        if seeding == .meanOfFirstPeriod, dx == nil { dx = 0 }
        if changes < 2 * period - 1 {
            sumDX += dx ?? 0
            return nil
        }
        if changes == 2 * period - 1 {
            sumDX += dx ?? 0
            adx = sumDX / p
        } else if let dx {
            adx = adx * keep + dx * take
        }
        storedValue = Value(adx: adx, plusDI: storedDirectional!.plus, minusDI: storedDirectional!.minus)
        return storedValue
    }

    public static func series(_ bars: [HLC], period: Int = 14, seeding: Seeding = .taLib) -> [Value?] {
        batch(ADX(period: period, seeding: seeding), bars)
    }

    /// +DI and −DI per bar (ready from index `period`).
    public static func directionalSeries(_ bars: [HLC], period: Int = 14, seeding: Seeding = .taLib) -> [(plus: Double, minus: Double)?] {
        var s = ADX(period: period, seeding: seeding)
        return bars.map { _ = s.update($0); return s.directional }
    }
}
