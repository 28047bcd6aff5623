/// A book message: a full snapshot or a delta (size 0 deletes a level).
public struct BookUpdate: Hashable, Sendable {
    public var symbol: Symbol
    /// Engine time: when the edge received it (resolution 8).
    public var time: Timestamp
    /// The exchange's own timestamp (the edge's lag check; recorded); `time` when the source has none (simulator, snapshots).
    public var exchangeTime: Timestamp
    public var isSnapshot: Bool
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public init(symbol: Symbol, time: Timestamp, exchangeTime: Timestamp? = nil, isSnapshot: Bool, bids: [BookLevel], asks: [BookLevel]) {
        self.symbol = symbol; self.time = time; self.exchangeTime = exchangeTime ?? time; self.isSnapshot = isSnapshot; self.bids = bids; self.asks = asks
    }
}

/// A market's trading status as the feed reports it (Kraken's `status.system` and `instrument` pair `status`), plus
/// `disconnected` for a feed that lost its connection. Only `online` trades; any other text (including statuses Kraken
/// adds later) makes the market unavailable.
public struct MarketStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public static let online = MarketStatus(rawValue: "online")
    public static let maintenance = MarketStatus(rawValue: "maintenance")
    public static let cancelOnly = MarketStatus(rawValue: "cancel_only")
    public static let disconnected = MarketStatus(rawValue: "disconnected")
    public var isOnline: Bool { rawValue == "online" }
    public var description: String { rawValue }
}

/// The feed's state changed at `time`: for the whole feed (`symbol` nil: connection, exchange-wide status) or one pair.
public struct FeedStatus: Hashable, Sendable {
    public var time: Timestamp
    public var symbol: Symbol?
    public var status: MarketStatus
    public init(time: Timestamp, symbol: Symbol? = nil, status: MarketStatus) { self.time = time; self.symbol = symbol; self.status = status }
}

/// A pair's book stopped being trustworthy at `time` (checksum mismatch, lag, lost connection): it is unavailable
/// until its next snapshot.
public struct BookInvalidation: Hashable, Sendable {
    public var time: Timestamp
    public var symbol: Symbol
    public init(time: Timestamp, symbol: Symbol) { self.time = time; self.symbol = symbol }
}

/// `missing` prints were never received on `symbol` (a trade-id gap the edge detected).
public struct TradeGap: Hashable, Sendable {
    public var time: Timestamp
    public var symbol: Symbol
    public var missing: UInt64
    public init(time: Timestamp, symbol: Symbol, missing: UInt64) { self.time = time; self.symbol = symbol; self.missing = missing }
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
    /// Feed health and trading status (live sessions; recorded so a replay sees the same availability).
    case feedStatus(FeedStatus)
    case bookInvalidated(BookInvalidation)
    case tradeGap(TradeGap)

    /// The engine time this event happens at.
    public var time: Timestamp {
        switch self {
        case .trade(let t): t.time
        case .book(let b): b.time
        case .ticker(let t): t.time
        case .bar(let b): b.closeTime
        case .timer(let t): t
        case .sentiment(let s): s.time
        case .feedStatus(let f): f.time
        case .bookInvalidated(let b): b.time
        case .tradeGap(let g): g.time
        }
    }

    /// Tie-break priority at equal times: feed state first (it says what the data after it is worth), then market
    /// data, then the decision timer.
    public var priority: Int {
        switch self {
        case .feedStatus: -3
        case .bookInvalidated: -2
        case .tradeGap: -1
        case .book: 0
        case .ticker: 1
        case .trade: 2
        case .bar: 3
        case .sentiment: 4
        case .timer: 9
        }
    }
}
