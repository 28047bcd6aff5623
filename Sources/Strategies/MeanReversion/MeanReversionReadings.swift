import Indicators
import TradingCore

/// What mean reversion reads from one symbol's closed 5-minute candles (SMA, RSI, Bollinger, trend slope, ADX). They
/// change only when a candle closes, so they are computed once per new candle, not on every tick.
struct MeanReversionReadings {
    var sma: Double?
    var rsi: Double?
    var bands: Bollinger.Value?
    /// Regression slope, % of the mean per candle; nil below `trend_sma_period` candles (read as 0: not trending).
    var slope: Double?
    var adx: Double?
    /// The newest candle these were computed from (start, count): a new one means recompute.
    var key: (Timestamp, Int)?

    /// RSI is Wilder-smoothed over at most this many closes (the reference's engine kept 100 candles), so its value
    /// does not depend on how much more history a session happens to retain.
    static let rsiWindow = 100

    mutating func update(_ candles: RingBuffer<Candle>, _ c: MeanReversionConfig) {
        guard let newest = candles.newest else { self = MeanReversionReadings(); return }
        if let k = key, k.0 == newest.start, k.1 == candles.count { return }
        key = (newest.start, candles.count)
        let n = candles.count
        func close(_ i: Int) -> Double { candles[i].close.doubleValue }
        sma = n >= c.lookback ? (n - c.lookback..<n).reduce(0.0) { $0 + close($1) } / Double(c.lookback) : nil
        var r = RSI(period: c.rsiPeriod, flatValue: 50)   // the reference's neutral 50 for a market that did not move
        for i in max(0, n - Self.rsiWindow)..<n { _ = r.update(close(i)) }
        rsi = r.value
        var b = Bollinger(period: c.bbPeriod, stddev: c.bbStdDev)
        for i in max(0, n - c.bbPeriod)..<n { _ = b.update(close(i)) }
        bands = b.value
        slope = n >= c.trendPeriod ? trendSlope((n - c.trendPeriod..<n).map(close), period: c.trendPeriod) : nil
        var a = ADX(period: c.adxPeriod)
        for i in max(0, n - Self.rsiWindow)..<n {
            let k = candles[i]
            _ = a.update(HLC(high: k.high.doubleValue, low: k.low.doubleValue, close: k.close.doubleValue))
        }
        adx = a.value?.adx
    }
}

/// The strategy's own volatility regime (mean_reversion.md §8) from 1-minute returns.
enum MeanReversionRegime: String, Sendable {
    case low = "LOW", medium = "MEDIUM", high = "HIGH", extreme = "EXTREME"

    init(volatility v: Double, _ c: MeanReversionConfig) {
        self = v < c.regimeLow ? .low : v < c.regimeMedium ? .medium : v < c.regimeHigh ? .high : .extreme
    }

    var thresholdMultiplier: Double {
        switch self { case .low: 0.8; case .medium: 1.0; case .high: 1.3; case .extreme: 1.5 }
    }
    var sizeMultiplier: Double {
        switch self { case .low, .medium: 1.0; case .high: 0.8; case .extreme: 0.5 }
    }
}
