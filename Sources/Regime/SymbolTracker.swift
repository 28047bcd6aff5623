import TradingCore
import Indicators

/// One symbol's indicators, fed one closed 1m candle at a time (so a bar costs O(1) amortised, not a recomputation
/// of 200 candles), and its own smoothing history (regime.md §4.3 fix: the reference shared one across symbols).
struct SymbolTracker: Sendable {
    private(set) var adx = ADX(period: 14)
    private(set) var chop = Choppiness(period: 14)
    /// regime.md §4.1 reads the reference RSI: a history that never moved is neutral 50 (TA-Lib's 0 would score −1).
    private(set) var rsi = RSI(period: 14, flatValue: 50)
    private(set) var atr = ATR(period: 14)
    private(set) var volumeRatio = VolumeRatio(lookback: 20)
    /// The last 200 closes: the SMAs and the pseudo-timeframes read them.
    private(set) var closes = RingBuffer<Double>(capacity: 200)
    private(set) var fed = 0
    /// The newest candle consumed (its bucket start).
    private(set) var lastStart: Timestamp?
    private var history = RingBuffer<Double>(capacity: 20)

    mutating func feed(_ c: Candle) {
        let bar = HLC(high: c.high.doubleValue, low: c.low.doubleValue, close: c.close.doubleValue)
        _ = adx.update(bar); _ = chop.update(bar); _ = rsi.update(bar.close); _ = atr.update(bar)
        _ = volumeRatio.update(c.volume.doubleValue)
        closes.append(bar.close)
        fed += 1
        lastStart = c.start
    }

    func sma(_ n: Int) -> Double? {
        guard closes.count >= n else { return nil }
        var s = 0.0
        for i in (closes.count - n)..<closes.count { s += closes[i] }
        return s / Double(n)
    }

    /// This bar's raw composite and the indicator readings, or nil while any indicator is not ready (§4.1).
    func reading(fearGreed: Int?, config: RegimeConfig) -> (raw: Double, scores: IndicatorScores, values: Values)? {
        guard fed >= RegimeConfig.minCandles, let a = adx.value, let ch = chop.value, let r = rsi.value, let at = atr.value,
              let s20 = sma(20), let s50 = sma(50), let s200 = sma(200), let price = closes.newest else { return nil }
        // The reference's volume ratio is 1.0 (score 0) without volume.
        let vr = volumeRatio.value ?? 1
        let scores = IndicatorScores(
            adx: CompositeScore.adx(a.adx, plusDI: a.plusDI, minusDI: a.minusDI), chop: CompositeScore.chop(ch),
            ma: CompositeScore.ma(price: price, sma20: s20, sma50: s50, sma200: s200), rsi: CompositeScore.rsi(r),
            volume: CompositeScore.volume(vr), sentiment: config.externalEnabled ? CompositeScore.sentiment(fearGreed) : 0)
        let values = Values(adx: a.adx, plusDI: a.plusDI, minusDI: a.minusDI, chop: ch, rsi: r, sma20: s20, sma50: s50,
                            sma200: s200, atrPct: price > 0 ? at / price * 100 : 0, volumeRatio: vr)
        return (CompositeScore.composite(scores, weights: config.weights, mode: config.scoringMode), scores, values)
    }

    struct Values: Sendable {
        var adx, plusDI, minusDI, chop, rsi, sma20, sma50, sma200, atrPct, volumeRatio: Double
    }

    /// Appends a bar's raw composite; the smoothed score is the raw one until `period` bars exist, then their mean.
    mutating func smooth(_ raw: Double, period: Int) -> Double {
        history.append(raw)
        guard history.count >= period else { return raw }
        var s = 0.0
        for i in (history.count - period)..<history.count { s += history[i] }
        return s / Double(period)
    }

    /// Scores the newest bar: the per-symbol result of §4, advancing the smoothing history by one bar.
    mutating func evaluate(_ symbol: Symbol, fearGreed: Int?, config: RegimeConfig) -> SymbolRegime? {
        guard let r = reading(fearGreed: fearGreed, config: config) else { return nil }
        let smoothed = smooth(r.raw, period: config.smoothingPeriod)
        let v = r.values
        return SymbolRegime(symbol: symbol, regime: config.classify(smoothed), confidence: CompositeScore.confidence(smoothed),
                            trendStrength: TrendStrength(adx: v.adx), volatilityState: VolatilityState(atrPercent: v.atrPct),
                            compositeScore: smoothed, rawScore: r.raw, scores: r.scores, adx: v.adx, plusDI: v.plusDI,
                            minusDI: v.minusDI, choppiness: v.chop, rsi: v.rsi, sma20: v.sma20, sma50: v.sma50,
                            sma200: v.sma200, atrPercent: v.atrPct, volumeRatio: v.volumeRatio)
    }
}
