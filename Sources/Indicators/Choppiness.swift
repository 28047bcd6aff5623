import TradingCore

/// Choppiness index (indicators.md §4, E. W. Dreiss): `100 · log10(ΣTR / (max high − min low)) / log10(period)` over
/// the last `period` bars, each bar's true range taken against its own previous close; ready at index `period`.
/// A window with no range (a flat market) reads 50; values are clamped to 0…100 (an old gap can push ΣTR past the
/// range). Equal to the formula built from TA-Lib's SUM(TRANGE), MAX and MIN. O(1) amortised per bar: the extremes
/// are rescanned only when the one leaving the window was the extreme.
public struct Choppiness: StreamingIndicator, Sendable {
    public let period: Int
    @usableFromInline let logPeriod: Double
    @usableFromInline var previousClose = 0.0, hasPrevious = false
    /// True range, high and low of the last `period` bars in one ring.
    @usableFromInline var bars: SlidingWindow<(tr: Double, high: Double, low: Double)>
    @usableFromInline var sum = 0.0, sinceExact = 0
    @usableFromInline var high = -Double.infinity, low = Double.infinity
    @usableFromInline var storedValue: Double?
    public var value: Double? { storedValue }

    public init(period: Int = 14) {
        precondition(period >= 2, "choppiness period must be ≥ 2 (log10(1) = 0)")
        self.period = period
        // log10(a)/log10(p) = ln(a)/ln(p). PortableMath's ln, not the platform's: choppiness feeds the regime, which
        // can gate fills, and a seed must give the same fills on every platform.
        logPeriod = Math.log(Double(period))
        bars = SlidingWindow(capacity: period, filler: (0, 0, 0))
    }

    @inlinable @inline(__always) public mutating func update(_ bar: HLC) -> Double? {
        guard hasPrevious else { previousClose = bar.close; hasPrevious = true; return nil }
        let tr = ATR.trueRange(bar, previousClose: previousClose)
        previousClose = bar.close
        if let old = bars.push((tr, bar.high, bar.low)) {
            sinceExact += 1
            // The running ΣTR is recomputed from the window every `exactEvery` bars, so rounding never accumulates.
            if sinceExact == exactEvery { sinceExact = 0; sum = 0; for i in 0..<period { sum += bars[i].tr } } else { sum += tr - old.tr }
            if bar.high >= high { high = bar.high } else if old.high == high { high = highest() }
            if bar.low <= low { low = bar.low } else if old.low == low { low = lowest() }
        } else {
            sum += tr
            high = Swift.max(high, bar.high); low = Swift.min(low, bar.low)
            guard bars.isFull else { return nil }
        }
        let range = high - low
        guard range > 0 else { storedValue = 50; return 50 }
        let v = 100 * Math.log(sum / range) / logPeriod
        storedValue = v.isFinite ? Swift.min(100, Swift.max(0, v)) : 50
        return storedValue
    }

    // Rescans, needed only when the extreme leaves the window.
    @inlinable func highest() -> Double {
        var m = bars[0].high
        for i in 1..<bars.count { m = Swift.max(m, bars[i].high) }
        return m
    }

    @inlinable func lowest() -> Double {
        var m = bars[0].low
        for i in 1..<bars.count { m = Swift.min(m, bars[i].low) }
        return m
    }

    public static func series(_ bars: [HLC], period: Int = 14) -> [Double?] { batch(Choppiness(period: period), bars) }
}

/// Where a choppiness reading sits against the 61.8 / 38.2 bands; the bands themselves are transitional.
public enum ChoppinessState: String, Sendable, CaseIterable {
    case choppy = "CHOPPY", transitional = "TRANSITIONAL", trending = "TRENDING"

    public init(_ chop: Double, choppyAbove: Double = 61.8, trendingBelow: Double = 38.2) {
        self = chop > choppyAbove ? .choppy : chop < trendingBelow ? .trending : .transitional
    }
}
