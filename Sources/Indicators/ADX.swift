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
        /// The ADX band (< 15 absent … ≥ 40 very strong).
        public var trendStrength: TrendStrength { TrendStrength(adx: adx) }
    }

    public let period: Int
    public let seeding: Seeding
    private var previous: HLC?
    private var changes = 0
    private var plusDM = 0.0, minusDM = 0.0, trueRange = 0.0
    private var sumDX = 0.0, adx = 0.0
    /// +DI and −DI, from index `period` on.
    public private(set) var directional: (plus: Double, minus: Double)?
    public private(set) var value: Value?

    public init(period: Int = 14, seeding: Seeding = .taLib) {
        precondition(period >= 1, "ADX period must be ≥ 1")
        self.period = period
        self.seeding = seeding
    }

    public mutating func update(_ bar: HLC) -> Value? {
        defer { previous = bar }
        guard let prev = previous else { return nil }
        let diffP = bar.high - prev.high, diffM = prev.low - bar.low
        // TA-Lib's order: a down move wins when it is the larger one.
        var dmMinus = 0.0, dmPlus = 0.0
        if diffM > 0 && diffP < diffM { dmMinus = diffM } else if diffP > 0 && diffP > diffM { dmPlus = diffP }
        let tr = ATR.trueRange(bar, previousClose: prev.close)
        changes += 1
        let p = Double(period)
        switch seeding {
        case .taLib:
            if changes < period {
                plusDM += dmPlus; minusDM += dmMinus; trueRange += tr
                return nil
            }
            minusDM -= minusDM / p; plusDM -= plusDM / p
            minusDM += dmMinus; plusDM += dmPlus
            trueRange = trueRange - trueRange / p + tr
        case .meanOfFirstPeriod:
            if changes < period {
                plusDM += dmPlus; minusDM += dmMinus; trueRange += tr
                return nil
            }
            if changes == period {
                plusDM = (plusDM + dmPlus) / p; minusDM = (minusDM + dmMinus) / p; trueRange = (trueRange + tr) / p
            } else {
                plusDM = (plusDM * (p - 1) + dmPlus) / p
                minusDM = (minusDM * (p - 1) + dmMinus) / p
                trueRange = (trueRange * (p - 1) + tr) / p
            }
        }
        var dx: Double?
        if trueRange != 0 {
            let minus = 100 * (minusDM / trueRange), plus = 100 * (plusDM / trueRange)
            directional = (plus, minus)
            let sum = minus + plus
            if sum != 0 { dx = 100 * (abs(minus - plus) / sum) }
        } else {
            directional = (0, 0)
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
            adx = (adx * (p - 1) + dx) / p
        }
        value = Value(adx: adx, plusDI: directional!.plus, minusDI: directional!.minus)
        return value
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
