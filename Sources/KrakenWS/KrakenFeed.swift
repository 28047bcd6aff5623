import TradingCore

/// The pure, synchronous half of the live feed: decoded Kraken messages in, `MarketEvent`s and client actions out.
/// It keeps one exact book per pair, verifies every snapshot's and update's checksum, and detects trade-id gaps
/// (market-data §2.8: the client owns them). No clock, no I/O: the receive time comes with each message.
public final class KrakenFeed {
    public struct Counters: Sendable, Equatable {
        public var messages = 0
        public var parseErrors = 0
        public var heartbeats = 0
        public var bookMessages = 0
        public var checksumFailures = 0
        /// Updates ignored while a book waited for its new snapshot.
        public var ignoredWhileInvalid = 0
        /// Values that were not whole increments of the pair's precision (rounded half-even).
        public var precisionViolations = 0
        /// Book messages for a pair without a known precision (not verifiable, not applied).
        public var unknownPrecision = 0
        public var trades = 0
        public var tradeGaps = 0
        public var missingTrades: UInt64 = 0
        public var duplicateTrades = 0
        public var errorResponses = 0
        public var otherChannels = 0
        public init() {}
    }

    public enum Output: Sendable {
        case event(MarketEvent)
        /// The book's checksum failed: it is invalid until a new snapshot; the live client resubscribes it.
        case bookInvalid(Symbol, expected: UInt32, computed: UInt32)
        case bookValid(Symbol)
        case tradeGap(Symbol, missing: UInt64)
        case status(String)
        case response(KrakenResponse)
        case instruments([KrakenPair])
    }

    public let depth: Int
    public private(set) var counters = Counters()
    public private(set) var precisions: [Symbol: BookPrecision]
    public private(set) var books: [Symbol: KrakenBook] = [:]
    /// Pairs whose book failed its checksum and waits for a snapshot.
    public private(set) var invalid: Set<Symbol> = []
    private var lastTradeId: [Symbol: UInt64] = [:]
    /// `kraken verify`: a capture cannot be resubscribed, so keep applying after a mismatch and count each failure
    /// (decision 33). The live client waits for the new snapshot instead.
    public var keepApplyingAfterMismatch = false
    /// `kraken verify` takes every instrument message's precisions; the live client decides itself (fixed after start).
    public var adoptInstrumentPrecisions = true
    /// Nanosecond stopwatch for `kraken verify`'s stage times (nil: no timing).
    public var stopwatch: (() -> UInt64)?
    public private(set) var applyNanoseconds: UInt64 = 0
    public private(set) var checksumNanoseconds: UInt64 = 0

    public init(depth: Int = 10, precisions: [Symbol: BookPrecision] = [:]) {
        self.depth = depth
        self.precisions = precisions
    }

    /// Parses and handles one message received at `receivedAt` (the engine time of its events, resolution 8).
    public func handle(_ bytes: UnsafeBufferPointer<UInt8>, receivedAt: Timestamp, into out: inout [Output]) {
        counters.messages += 1
        do { handle(try KrakenParser.parse(bytes), receivedAt: receivedAt, into: &out, counted: true) }
        catch { counters.parseErrors += 1 }
    }

    public func handle(_ message: KrakenMessage, receivedAt: Timestamp, into out: inout [Output], counted: Bool = false) {
        if !counted { counters.messages += 1 }
        switch message {
        case .heartbeat: counters.heartbeats += 1
        case .status(let s, _): out.append(.status(s))
        case .response(let r):
            if !r.success { counters.errorResponses += 1 }
            out.append(.response(r))
        case .instrument(_, let pairs):
            if adoptInstrumentPrecisions { for p in pairs { precisions[p.symbol] = p.precision } }
            out.append(.instruments(pairs))
        case .book(let m): book(m, receivedAt, &out)
        case .trades(_, let list):
            for t in list { trade(t, receivedAt, &out) }
        case .ticker(let list):
            for t in list {
                out.append(.event(.ticker(Ticker(symbol: t.symbol, time: receivedAt, exchangeTime: t.timestamp, bid: t.bid, ask: t.ask, last: t.last ?? .zero, volume24h: t.volume))))
            }
        case .ohlc: break   // candles are built from trades; the OHLC channel is for gap checks (history issue)
        case .otherChannel: counters.otherChannels += 1
        }
    }

    /// Sets a pair's precision (its book, if any, waits for a new snapshot).
    public func setPrecision(_ p: BookPrecision, for symbol: Symbol) {
        precisions[symbol] = p
        invalidate(symbol)
    }

    /// Marks a book invalid: its updates are ignored until a snapshot (a resync the client started).
    public func invalidate(_ symbol: Symbol) {
        if books[symbol] != nil || !invalid.contains(symbol) { invalid.insert(symbol) }
    }

    /// The connection ended: every book is dropped (the next connection starts from snapshots). Returns their pairs.
    public func dropBooks() -> [Symbol] {
        let had = books.keys.sorted()
        books.removeAll()
        invalid.removeAll()
        return had
    }

    private func book(_ m: KrakenBookMessage, _ receivedAt: Timestamp, _ out: inout [Output]) {
        counters.bookMessages += 1
        guard let precision = precisions[m.symbol] else { counters.unknownPrecision += 1; return }
        if !m.isSnapshot && invalid.contains(m.symbol) && !keepApplyingAfterMismatch { counters.ignoredWhileInvalid += 1; return }
        if m.isSnapshot || books[m.symbol] == nil || books[m.symbol]!.precision != precision {
            if !m.isSnapshot && books[m.symbol] == nil { counters.ignoredWhileInvalid += 1; return }   // an update before any snapshot
            books[m.symbol] = KrakenBook(symbol: m.symbol, depth: depth, precision: precision)
        }
        let t0 = stopwatch?() ?? 0
        let violations: Int
        do { violations = try books[m.symbol]!.apply(snapshot: m.isSnapshot, bids: m.bids, asks: m.asks) }
        catch {
            counters.parseErrors += 1
            return
        }
        counters.precisionViolations += violations
        let t1 = stopwatch?() ?? 0
        let computed = books[m.symbol]!.checksum
        if let w = stopwatch { let t2 = w(); applyNanoseconds &+= t1 &- t0; checksumNanoseconds &+= t2 &- t1 }
        guard computed == m.checksum else {
            counters.checksumFailures += 1
            invalid.insert(m.symbol)
            out.append(.bookInvalid(m.symbol, expected: m.checksum, computed: computed))
            return
        }
        if invalid.remove(m.symbol) != nil { out.append(.bookValid(m.symbol)) }
        out.append(.event(.book(BookUpdate(symbol: m.symbol, time: receivedAt, exchangeTime: m.timestamp, isSnapshot: m.isSnapshot, bids: m.bids, asks: m.asks))))
    }

    private func trade(_ t: KrakenTrade, _ receivedAt: Timestamp, _ out: inout [Output]) {
        if let id = t.tradeId, let last = lastTradeId[t.symbol] {
            if id <= last { counters.duplicateTrades += 1; return }
            if id > last + 1 {
                counters.tradeGaps += 1
                counters.missingTrades += id - last - 1
                out.append(.tradeGap(t.symbol, missing: id - last - 1))
            }
        }
        if let id = t.tradeId { lastTradeId[t.symbol] = id }
        counters.trades += 1
        out.append(.event(.trade(Trade(symbol: t.symbol, time: receivedAt, exchangeTime: t.timestamp, price: t.price, size: t.quantity, side: t.side, tradeId: t.tradeId))))
    }
}
