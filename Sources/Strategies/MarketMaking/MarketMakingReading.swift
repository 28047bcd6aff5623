import Indicators
import TradingCore

/// What market making reads of one pair on one decision (market_making.md §7.2 steps 1–13), shared by both modes.
struct MarketMakingReading {
    enum Regime: String { case low = "LOW", medium = "MEDIUM", high = "HIGH", extreme = "EXTREME" }

    let bid, ask, price: Price
    let bidSize, askSize: Double
    let mid, micro, spreadPct: Double
    /// Depth imbalance over the configured levels (all by default, §5).
    let imbalance: Double
    let isCross: Bool
    /// XRP/USDT's price, or the fallback (§7.2 step 3).
    let xrpUSD: Double
    /// Volatility % of 1m closes (0 when not ready, resolution 59) and the same window's std of close-to-close moves
    /// in price units (the quoting mode's σ).
    let volatility, sigmaPrice: Double
    let regime: Regime
    let volMult, regimeThresholdMult, regimeSizeMult: Double
    let session: String
    let sessionThresholdMult, sessionSizeMult: Double
    let effectiveMinSpread, effectiveThreshold: Double
    /// Signed inventory from the portfolio: USD at cost on USD pairs, XRP on XRP/BTC.
    let inventory: Double
    /// Cap in the inventory's unit; base size in USD.
    let maxInventory, baseSize: Double
    let position: Position?
    let correlation: Double?

    /// §9: `skew = max(1 − |inv / max| × inventory_skew, 0.1)`; the size in USD before the minimum.
    func size(skew k: Double) -> Double {
        let skew = max(1 - abs(inventory / maxInventory) * k, 0.1)
        return baseSize * skew * regimeSizeMult * sessionSizeMult
    }

    /// Normalised inventory q in [−1, 1] (beyond it when over the cap).
    var q: Double { maxInventory > 0 ? inventory / maxInventory : 0 }

    /// Inventory in USD (XRP/BTC: XRP × XRP/USDT).
    var inventoryUSD: Double { isCross ? inventory * xrpUSD : inventory }
}

/// Per-pair values that change only when a 1m candle closes: volatility, σ in price units, the trend slope.
struct MarketMakingCandleCache {
    var key: (Timestamp, Int)?
    var volatility: Double?
    var sigmaPrice: Double?
    var slope: Double?

    static func read(_ m1: RingBuffer<Candle>, volLookback: Int, trendLookback: Int, cache: inout MarketMakingCandleCache) {
        let key = m1.newest.map { ($0.start, m1.count) }
        if let k = key, let old = cache.key, old == k { return }
        cache.key = key
        let n = m1.count
        var v = Volatility(lookback: volLookback)
        for k in max(0, n - volLookback - 1)..<n { _ = v.update(m1[k].close.doubleValue) }
        cache.volatility = v.value
        // Population std of the last `volLookback` close-to-close moves, in price units.
        if n >= volLookback + 1 {
            var sum = 0.0, sq = 0.0
            for k in n - volLookback..<n {
                let d = m1[k].close.doubleValue - m1[k - 1].close.doubleValue
                sum += d; sq += d * d
            }
            let mean = sum / Double(volLookback)
            cache.sigmaPrice = max(0, sq / Double(volLookback) - mean * mean).squareRoot()
        } else { cache.sigmaPrice = nil }
        if n >= trendLookback {
            cache.slope = trendSlope((n - trendLookback..<n).map { m1[$0].close.doubleValue }, period: trendLookback)
        } else { cache.slope = nil }
    }
}
