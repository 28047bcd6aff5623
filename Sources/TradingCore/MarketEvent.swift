/// A book message: a full snapshot or a delta (size 0 deletes a level).
public struct BookUpdate: Hashable, Sendable {
    public var symbol: Symbol
    public var time: Timestamp
    public var isSnapshot: Bool
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public init(symbol: Symbol, time: Timestamp, isSnapshot: Bool, bids: [BookLevel], asks: [BookLevel]) {
        self.symbol = symbol; self.time = time; self.isSnapshot = isSnapshot; self.bids = bids; self.asks = asks
    }
}

/// A closed bar from history: it becomes visible at `candle.start + timeframe`.
public struct Bar: Hashable, Sendable {
    public var symbol: Symbol
    public var timeframe: Timeframe
    public var candle: Candle
    public init(symbol: Symbol, timeframe: Timeframe, candle: Candle) {
        self.symbol = symbol; self.timeframe = timeframe; self.candle = candle
    }
    public var closeTime: Timestamp { candle.start + timeframe.interval }
}

/// External sentiment as the edge delivered it at engine time `time` (recorded, so a replay sees the same values).
public struct SentimentReading: Hashable, Sendable {
    public var time: Timestamp
    public var sentiment: ExternalSentiment
    public init(time: Timestamp, sentiment: ExternalSentiment) { self.time = time; self.sentiment = sentiment }
}

/// Everything that drives the kernel. Drivers (simulator, replay, live feed) produce these values;
/// the kernel cannot tell which driver it is.
public enum MarketEvent: Hashable, Sendable {
    case trade(Trade)
    case book(BookUpdate)
    case ticker(Ticker)
    case bar(Bar)
    /// The decision timer: strategies are evaluated on these (every `general.interval_ms`).
    case timer(Timestamp)
    /// Fear & Greed and BTC dominance, for the regime detector.
    case sentiment(SentimentReading)

    /// The engine time this event happens at.
    public var time: Timestamp {
        switch self {
        case .trade(let t): t.time
        case .book(let b): b.time
        case .ticker(let t): t.time
        case .bar(let b): b.closeTime
        case .timer(let t): t
        case .sentiment(let s): s.time
        }
    }

    /// Tie-break priority at equal times: market data before the decision timer.
    public var priority: Int {
        switch self {
        case .book: 0
        case .ticker: 1
        case .trade: 2
        case .bar: 3
        case .sentiment: 4
        case .timer: 9
        }
    }
}
