import TradingCore

/// Multi-timeframe confluence (regime.md §9).
public enum MultiTimeframe {
    /// A timeframe's regime from its closes' SMA20/50 (and SMA200 when there are 200): nil below 50 closes.
    public static func classify(_ closes: some RandomAccessCollection<Double>) -> MarketRegime? {
        guard closes.count >= 50, let p = closes.last else { return nil }
        func sma(_ n: Int) -> Double { closes.suffix(n).reduce(0, +) / Double(n) }
        let s20 = sma(20), s50 = sma(50)
        if closes.count >= 200 {
            let s200 = sma(200)
            if p > s20 && s20 > s50 && s50 > s200 { return .strongBull }
            if p < s20 && s20 < s50 && s50 < s200 { return .strongBear }
        }
        if p > s20 && s20 > s50 { return .bull }
        if p < s20 && s20 < s50 { return .bear }
        return .sideways
    }

    /// A pseudo-timeframe from the last `window` 1m closes: a change beyond ±1 % decides, else (with at least 20
    /// closes) price vs SMA10/SMA20. The reference returned sideways below 20 closes, so its 15-close window never
    /// read anything else (§9.1 fix). Nil with fewer than `window` closes.
    public static func classifyRecent(_ closes: some RandomAccessCollection<Double>, window: Int) -> MarketRegime? {
        guard closes.count >= window, window >= 1 else { return nil }
        let w = Array(closes.suffix(window))
        let first = w[0], p = w[w.count - 1]
        let change = first > 0 ? (p - first) / first * 100 : 0
        if change > 1 { return .bull }
        if change < -1 { return .bear }
        guard w.count >= 20 else { return .sideways }
        let s10 = w.suffix(10).reduce(0, +) / 10, s20 = w.suffix(20).reduce(0, +) / 20
        if p > s10 && s10 > s20 { return .bull }
        if p < s10 && s10 < s20 { return .bear }
        return .sideways
    }

    /// Weighted agreement of the classified timeframes; nil if none. Aligned timeframes are those in the dominant
    /// regime's family (the reference counted exact equality, so a STRONG_BULL dominant ignored BULL timeframes).
    public static func confluence(_ perTimeframe: [String: MarketRegime], weights: [String: Double]) -> MTFConfluence? {
        guard !perTimeframe.isEmpty else { return nil }
        var bull = 0.0, bear = 0.0, total = 0.0
        for (tf, r) in perTimeframe {
            let w = weights[tf] ?? 1
            total += w
            if r.family > 0 { bull += w } else if r.family < 0 { bear += w }
        }
        var dominant = MarketRegime.sideways, score = 0.5
        if bull > bear, total > 0 {
            score = bull / total
            dominant = score > 0.85 ? .strongBull : score > 0.7 ? .bull : .sideways
        } else if bear > bull, total > 0 {
            score = bear / total
            dominant = score > 0.85 ? .strongBear : score > 0.7 ? .bear : .sideways
        }
        let aligned = perTimeframe.values.filter { $0.family == dominant.family }.count
        return MTFConfluence(timeframesAligned: aligned, totalTimeframes: perTimeframe.count, alignmentScore: score,
                             dominantRegime: dominant, perTimeframe: perTimeframe)
    }
}
