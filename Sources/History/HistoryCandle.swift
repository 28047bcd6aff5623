import TradingCore

/// Where a stored 1m candle came from (history.md §6.1).
public enum CandleSource: String, Sendable, CaseIterable { case ws, restOHLC = "rest_ohlc", trades, csv }

/// A stored candle at any interval (history.md §3.2): the kernel's `Candle` plus what history keeps besides.
/// Rollup rows carry `sourceRows` (how many 1m rows they aggregate) and no `source`.
public struct HistoryCandle: Hashable, Sendable {
    public var symbol: Symbol
    public var intervalMinutes: Int
    /// Bucket open; the candle covers `[start, start + interval)`.
    public var start: Timestamp
    public var open: Price
    public var high: Price
    public var low: Price
    public var close: Price
    /// Base units. Rollups sum it exactly (decimal text / NUMERIC in the stores).
    public var volume: Quantity
    public var quoteVolume: Money?
    public var tradeCount: Int
    /// Nil when no source gave one: CSV candles have none (the reference's typical-price stand-in is not kept).
    public var vwap: Price?
    public var isComplete: Bool
    public var source: CandleSource?
    public var sourceRows: Int?

    public init(symbol: Symbol, intervalMinutes: Int, start: Timestamp, open: Price, high: Price, low: Price, close: Price,
                volume: Quantity, quoteVolume: Money? = nil, tradeCount: Int = 0, vwap: Price? = nil, isComplete: Bool = true,
                source: CandleSource? = nil, sourceRows: Int? = nil) {
        self.symbol = symbol; self.intervalMinutes = intervalMinutes; self.start = start
        self.open = open; self.high = high; self.low = low; self.close = close; self.volume = volume
        self.quoteVolume = quoteVolume; self.tradeCount = tradeCount; self.vwap = vwap; self.isComplete = isComplete
        self.source = source; self.sourceRows = sourceRows
    }

    public var end: Timestamp { start + .minutes(Int64(intervalMinutes)) }
    /// The kernel's view (what strategies and backtests read).
    public var candle: Candle {
        Candle(start: start, open: open, high: high, low: low, close: close, volume: volume, trades: tradeCount, isComplete: isComplete)
    }

    /// (high + low + close) / 3, rounded half-even at the 18th decimal.
    public var typicalPrice: Price { (high + low + close).divided(by: 3, .halfEven) }
    public var range: Price { high - low }
    public var bodySize: Price { (close - open).magnitude }
    /// Strictly: a doji is not bullish.
    public var isBullish: Bool { close > open }
    public var upperWick: Price { high - Price.max(open, close) }
    public var lowerWick: Price { Price.min(open, close) - low }
}
