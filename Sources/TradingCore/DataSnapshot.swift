/// Read-only market state as a strategy sees it during its synchronous call. Implemented by
/// `MarketData.MarketState`; strategies depend only on this port.
public protocol MarketView: AnyObject {
    var symbols: [Symbol] { get }
    /// The price of record (`data.price_source` precedence), nil if none yet.
    func price(_ symbol: Symbol) -> Price?
    func book(_ symbol: Symbol) -> OrderBook?
    func ticker(_ symbol: Symbol) -> Ticker?
    /// Recent trades, oldest first.
    func trades(_ symbol: Symbol) -> RingBuffer<Trade>
    /// Closed candles, oldest first. Empty for a timeframe nobody declared.
    func candles(_ timeframe: Timeframe, _ symbol: Symbol) -> RingBuffer<Candle>
    /// The building candle of the current bucket (never mixed into `candles`).
    func formingCandle(_ timeframe: Timeframe, _ symbol: Symbol) -> Candle?
    func lastTrade(_ symbol: Symbol) -> Trade?
    /// Price of `asset` in a session pair quoted directly in USD (preferred) or USDT, if any.
    func directUSDPrice(_ asset: String) -> Price?
    /// The range of the bars `symbol` printed since the last decision tick (bar backtests), else nil.
    func barRange(_ symbol: Symbol) -> BarRange?
    /// True when any symbol printed a bar since the last decision tick.
    var hasBarRanges: Bool { get }
    /// The currency accounts are kept in (prices "in USD" are in this currency).
    var accountCurrency: AccountCurrency { get }
    /// Why `symbol` cannot trade at `now` (resolution 19: feed or pair not online, book invalid, data stale), nil when
    /// it can. The exchange rejects its orders with `market_unavailable` and its resting orders do not fill meanwhile.
    func unavailability(_ symbol: Symbol, at now: Timestamp) -> MarketUnavailability?
}

extension MarketView {
    public func unavailability(_ symbol: Symbol, at now: Timestamp) -> MarketUnavailability? { nil }
}

/// Why a market cannot trade now.
public enum MarketUnavailability: Hashable, Sendable, CustomStringConvertible {
    /// The whole feed is not online (disconnected, exchange maintenance, cancel-only…).
    case feed(MarketStatus)
    /// The pair's own trading status is not online.
    case pair(MarketStatus)
    /// The book failed its checksum (or was lost with the connection) and waits for a new snapshot.
    case invalidBook
    /// No market data newer than `lastData` (engine time) within `data.stale_after_s`.
    case stale(lastData: Timestamp)

    public var description: String {
        switch self {
        case .feed(let s): "feed \(s)"
        case .pair(let s): "pair status \(s)"
        case .invalidBook: "book invalid, waiting for a new snapshot"
        case .stale(let t): "no market data since \(t.iso8601)"
        }
    }
}

/// What a strategy gets on each decision: the engine time and a view of the market.
/// Not a deep copy (decision 15): valid for the duration of the call.
public struct DataSnapshot {
    public let timestamp: Timestamp
    public let market: any MarketView
    /// A reference, so the snapshot stays small: it is built on every tick, mostly without a regime.
    private let regimeReader: RegimeReader?

    public init(timestamp: Timestamp, market: any MarketView) {
        self.timestamp = timestamp
        self.market = market
        regimeReader = nil
    }

    public init(timestamp: Timestamp, market: any MarketView, regime: RegimeSnapshot) {
        self.init(timestamp: timestamp, market: market, regimeReader: RegimeReader { _ in regime })
    }

    public init(timestamp: Timestamp, market: any MarketView, regimeReader: RegimeReader) {
        self.timestamp = timestamp
        self.market = market
        self.regimeReader = regimeReader
    }

    /// The market regime, for strategies that declare `readsRegime` (nil otherwise, or with the detector disabled).
    public var regime: RegimeSnapshot? { regimeReader?.regime(at: timestamp) }

    public func price(_ s: Symbol) -> Price? { market.price(s) }
    public func book(_ s: Symbol) -> OrderBook? { market.book(s) }
    public func trades(_ s: Symbol) -> RingBuffer<Trade> { market.trades(s) }
    public func candles(_ tf: Timeframe, _ s: Symbol) -> RingBuffer<Candle> { market.candles(tf, s) }

    /// Σ price × size / Σ size over the newest `n` trades; nil without volume.
    public func vwap(_ s: Symbol, n: Int = 50) -> Double? {
        let t = market.trades(s)
        var pv = 0.0, v = 0.0
        for tr in t.suffix(n) {
            let sz = tr.size.doubleValue
            pv += tr.price.doubleValue * sz
            v += sz
        }
        return v > 0 ? pv / v : nil
    }

    /// (buy volume − sell volume) / total over the newest `n` trades; 0 without volume.
    public func tradeImbalance(_ s: Symbol, n: Int = 50) -> Double {
        var b = 0.0, a = 0.0
        for tr in market.trades(s).suffix(n) {
            if tr.side == .buy { b += tr.size.doubleValue } else { a += tr.size.doubleValue }
        }
        return a + b > 0 ? (b - a) / (a + b) : 0
    }
}

/// Produces the regime reading at a time, on demand (the kernel's detector; a fixed value in tests).
public final class RegimeReader {
    private let read: (Timestamp) -> RegimeSnapshot
    public init(_ read: @escaping (Timestamp) -> RegimeSnapshot) { self.read = read }
    public func regime(at t: Timestamp) -> RegimeSnapshot { read(t) }
}
