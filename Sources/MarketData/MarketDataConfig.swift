import TradingCore

/// Which source provides `prices[symbol]` (market-data §3.5).
public enum PriceSource: String, Sendable, CaseIterable {
    /// Latest trade, else ticker last, else book mid, else bar close.
    case lastTrade = "last_trade"
    /// Book mid, else ticker mid, else last trade, else bar close.
    case mid
}

/// Retention and candle rules shared by live sessions and backtests.
public struct MarketDataConfig: Sendable, Equatable {
    public var maxTrades: Int = 100
    /// Closed candles kept per timeframe (backtest.md §B5: 1m 1440, 5m 288, 1h 500, 1d 365, others 500), raised to what strategies declare.
    public var maxCandles: [Timeframe: Int] = [.m1: 1440, .m5: 288, .h1: 500, .d1: 365]
    /// Timeframes built (always includes 1m).
    public var timeframes: Set<Timeframe> = [.m1, .m5]
    public var bookDepth: Int = 10
    public var priceSource: PriceSource = .lastTrade
    /// A candle closes on the engine clock at bucket end + grace (2 s live, 0 for bars).
    public var candleCloseGrace: Interval = .seconds(2)
    public var accountCurrency: AccountCurrency = .usd
    /// A symbol whose newest market data (engine time; a bar counts until its successor is due) is older than this
    /// cannot trade (`data.stale_after_s`, resolution 19); nil = never stale (recordings made before the rule).
    public var staleAfter: Interval? = .seconds(10)

    public init() {}

    public func capacity(_ tf: Timeframe) -> Int { maxCandles[tf] ?? 500 }

    /// Widens retention so every declared warm-up fits.
    public mutating func accommodate(warmup: [Timeframe: Int], trades: Int) {
        for (tf, n) in warmup {
            timeframes.insert(tf)
            maxCandles[tf] = max(capacity(tf), n)
        }
        maxTrades = max(maxTrades, trades)
    }
}
