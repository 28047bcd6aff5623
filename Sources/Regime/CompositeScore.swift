import TradingCore
import Indicators

/// The component scores and their composite (regime.md §4.2–4.3), each a pure function of its inputs.
public enum CompositeScore {
    /// 0 below ADX 20; otherwise the direction (+DI > −DI up, a tie counts as down, as the reference) × min(adx/50, 1).
    public static func adx(_ adx: Double, plusDI: Double, minusDI: Double) -> Double {
        guard adx >= 20 else { return 0 }
        return (plusDI > minusDI ? 1 : -1) * Swift.min(adx / 50, 1)
    }

    /// Trending (+1 below 38.2) vs ranging (−1 above 61.8), linear in between. The slope is 1/11.8 so the line meets
    /// ±1 at the band edges; the reference's /23.6 jumped from ±0.5 to ±1 there (§4.2 fix).
    public static func chop(_ chop: Double) -> Double {
        if chop > 61.8 { return -1 }
        if chop < 38.2 { return 1 }
        return (50 - chop) / 11.8
    }

    /// The reference's discontinuous line, kept for the scenario that documents the fix.
    public static func referenceChop(_ chop: Double) -> Double {
        if chop > 61.8 { return -1 }
        if chop < 38.2 { return 1 }
        return (50 - chop) / 23.6
    }

    public static func ma(price: Double, sma20: Double, sma50: Double, sma200: Double) -> Double {
        MAAlignment(price: price, sma20: sma20, sma50: sma50, sma200: sma200).score
    }

    public static func rsi(_ rsi: Double) -> Double { (rsi - 50) / 50 }

    public static func volume(_ ratio: Double) -> Double { Swift.min(1, Swift.max(-1, ratio - 1)) }

    /// (Fear & Greed − 50) / 50; 0 when unknown.
    public static func sentiment(_ fearGreed: Int?) -> Double { fearGreed.map { (Double($0) - 50) / 50 } ?? 0 }

    /// The raw composite of one bar.
    public static func composite(_ s: IndicatorScores, weights w: RegimeConfig.Weights, mode: RegimeConfig.ScoringMode) -> Double {
        switch mode {
        case .reference:
            return w.adx * s.adx + w.chop * s.chop + w.ma * s.ma + w.rsi * s.rsi + w.volume * s.volume + w.sentiment * s.sentiment
        case .symmetric:
            let d = w.adx * s.adx + w.ma * s.ma + w.rsi * s.rsi + w.sentiment * s.sentiment
            let c = w.chop * s.chop + w.volume * s.volume
            let sign: Double = d > 0 ? 1 : d < 0 ? -1 : 0
            return d + sign * Swift.max(c, -abs(d))
        }
    }

    /// min(2·|score|, 1).
    public static func confidence(_ score: Double) -> Double { Swift.min(2 * abs(score), 1) }
}
