import TradingCore

/// A run of minutes the store cannot vouch for (history.md §3.4, §10). `start` is where known data ends.
public struct DataGap: Hashable, Sendable {
    public enum FillPath: String, Sendable { case ohlc, trades }

    public var symbol: Symbol
    /// `candles_1m` (or `trades`): gaps are always found on the 1m base (§10.2).
    public var dataType: String
    public var span: TimeSpan

    public init(symbol: Symbol, dataType: String = "candles_1m", span: TimeSpan) {
        self.symbol = symbol; self.dataType = dataType; self.span = span
    }

    public var start: Timestamp { span.start }
    public var end: Timestamp { span.end }
    public var duration: Interval { span.duration }
    /// Strictly under 12 hours: the OHLC endpoint returns at most 720 one-minute candles.
    public var isSmall: Bool { duration < .minutes(720) }
    /// Whole minutes, truncated.
    public var candlesNeeded: Int64 { duration.nanoseconds / 60_000_000_000 }
    public var hours: Double { Double(duration.nanoseconds) / 3.6e12 }

    /// §10.3: the OHLC endpoint only reaches 720 minutes back from now, so an old gap needs Trades even when short.
    public func fillPath(now: Timestamp) -> FillPath {
        isSmall && start >= Buckets.floor(now, minutes: 1) - .minutes(719) ? .ohlc : .trades
    }
}
