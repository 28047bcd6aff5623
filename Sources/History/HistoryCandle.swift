import TradingCore

/// Where a stored 1m candle came from (history.md §6.1).
public enum CandleSource: String, Sendable, CaseIterable { case ws, restOHLC = "rest_ohlc", trades, csv }

/// A stored candle at any interval (history.md §3.2): the kernel's `Candle` (one candle type, §3.2) plus what history
/// keeps besides. Rollup rows carry `sourceRows` (how many 1m rows they aggregate) and no `source`.
public struct HistoryCandle: Hashable, Sendable {
    public var symbol: Symbol
    public var intervalMinutes: Int
    /// Bucket open, prices, base volume (rollups sum it exactly: decimal text / NUMERIC in the stores), trade count,
    /// and whether the bucket is complete; the candle covers `[start, start + interval)`.
    public var candle: Candle
    public var quoteVolume: Money?
    /// Nil when no source gave one: CSV candles have none (the reference's typical-price stand-in is not kept).
    public var vwap: Price?
    public var source: CandleSource?
    public var sourceRows: Int?

    public init(symbol: Symbol, intervalMinutes: Int, start: Timestamp, open: Price, high: Price, low: Price, close: Price,
                volume: Quantity, quoteVolume: Money? = nil, tradeCount: Int = 0, vwap: Price? = nil, isComplete: Bool = true,
                source: CandleSource? = nil, sourceRows: Int? = nil) {
        self.symbol = symbol; self.intervalMinutes = intervalMinutes
        candle = Candle(start: start, open: open, high: high, low: low, close: close, volume: volume, trades: tradeCount, isComplete: isComplete)
        self.quoteVolume = quoteVolume; self.vwap = vwap; self.source = source; self.sourceRows = sourceRows
    }

    public var start: Timestamp { get { candle.start } set { candle.start = newValue } }
    public var open: Price { get { candle.open } set { candle.open = newValue } }
    public var high: Price { get { candle.high } set { candle.high = newValue } }
    public var low: Price { get { candle.low } set { candle.low = newValue } }
    public var close: Price { get { candle.close } set { candle.close = newValue } }
    public var volume: Quantity { get { candle.volume } set { candle.volume = newValue } }
    public var tradeCount: Int { get { candle.trades } set { candle.trades = newValue } }
    public var isComplete: Bool { get { candle.isComplete } set { candle.isComplete = newValue } }

    public var end: Timestamp { start + .minutes(Int64(intervalMinutes)) }
    /// (high + low + close) / 3, rounded half-even at the 18th decimal.
    public var typicalPrice: Price { (high + low + close).divided(by: 3, .halfEven) }
    public var range: Price { candle.range }
    public var bodySize: Price { candle.bodySize }
    /// Strictly: a doji is not bullish.
    public var isBullish: Bool { candle.isBullish }
    public var upperWick: Price { high - Price.max(open, close) }
    public var lowerWick: Price { Price.min(open, close) - low }
}
