import TradingCore

/// Why a row was refused (history.md §15). Rows are counted per reason and reported with file and line.
public enum RowRejection: String, Sendable, CaseIterable, Comparable {
    case unparseable = "unparseable"
    case wrongColumnCount = "wrong_column_count"
    case nonPositivePrice = "non_positive_price"
    case nonPositiveVolume = "non_positive_volume"
    case negativeVolume = "negative_volume"
    case negativeTradeCount = "negative_trade_count"
    case finerThanScale = "finer_than_scale"
    case timeOutOfRange = "time_out_of_range"
    case inconsistentOHLC = "inconsistent_ohlc"
    case vwapOutsideRange = "vwap_outside_range"
    case emptyCandleWithTrades = "empty_candle_with_trades"
    case misaligned = "misaligned"
    case inFuture = "in_future"
    case outOfOrder = "out_of_order"
    /// Beyond any real market (a price over 1e9, a volume over 1e12 units, a minute's quote volume over 1e15):
    /// refused so no sum can overflow.
    case tooLarge = "too_large"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// §15's checks as pure functions: the same rules for every source (CSV, REST, WebSocket).
public enum HistoryValidation {
    /// 2010-01-01T00:00Z: nothing Kraken sells is older.
    public static let earliest = Timestamp(seconds: 1_262_304_000)
    public static let maxPrice = Price(1_000_000_000)
    public static let maxVolume = Quantity(1_000_000_000_000)

    public static func check(trade price: Price, volume: Quantity, time: Timestamp, now: Timestamp) -> RowRejection? {
        if !price.isPositive { return .nonPositivePrice }
        if !volume.isPositive { return .nonPositiveVolume }
        if price > maxPrice || volume > maxVolume { return .tooLarge }
        if time < earliest || time > now + .seconds(60) { return .timeOutOfRange }
        return nil
    }

    /// Checks a candle and normalises it (§15.1 rule 4: an empty candle carries no VWAP). `tick` is one unit of the
    /// last stored price decimal: the VWAP tolerance.
    public static func check(candle c: inout HistoryCandle, tick: Price, now: Timestamp) -> RowRejection? {
        if !c.open.isPositive || !c.high.isPositive || !c.low.isPositive || !c.close.isPositive { return .nonPositivePrice }
        if c.low > Price.min(c.open, c.close) || Price.max(c.open, c.close) > c.high { return .inconsistentOHLC }
        if c.volume.isNegative { return .negativeVolume }
        if c.high > maxPrice || c.volume > maxVolume { return .tooLarge }
        if c.tradeCount < 0 { return .negativeTradeCount }
        if Buckets.floor(c.start, minutes: c.intervalMinutes) != c.start { return .misaligned }
        if c.start < earliest { return .timeOutOfRange }
        if c.isComplete, c.end > now + .seconds(5) { return .inFuture }
        if c.volume.isZero {
            if c.tradeCount != 0 || c.open != c.high || c.low != c.high || c.close != c.high { return .emptyCandleWithTrades }
            c.vwap = nil
        }
        if let v = c.vwap, v < c.low - tick || v > c.high + tick { return .vwapOutsideRange }
        return nil
    }
}
