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
    /// Pairs whose book snapshot came before any precision for them (dropped: a resubscribe must bring another).
    public internal(set) var snapshotsWithoutPrecision: Set<Symbol> = []
    /// The books by pair.
    public var books: [Symbol: KrakenBook] {
        var d: [Symbol: KrakenBook] = [:]
        for s in slots { if let b = s.book { d[s.symbol] = b } }
        return d
    }
    /// Pairs whose book failed its checksum and waits for a snapshot.
    public var invalid: Set<Symbol> { Set(slots.lazy.filter(\.invalid).map(\.symbol)) }

    /// One pair's state. Book messages find theirs by comparing the symbol with the previous message's (almost always
    /// the same pair) before any hashing: a symbol is a small string, so that is two words compared.
    private struct Slot {
        let symbol: Symbol
        var precision: BookPrecision?
        var book: KrakenBook?
        var invalid = false
    }
    private var slots: [Slot] = []
    private var slotIndex: [Symbol: Int] = [:]
    private var lastSlot = 0
    private var lastTradeId: [Symbol: UInt64] = [:]

    /// The pair's slot, made on first use (pairs with a precision, or that the client invalidated: both bounded by
    /// the subscription).
    private func slot(_ s: Symbol) -> Int {
        if lastSlot < slots.count, slots[lastSlot].symbol == s { return lastSlot }
        if let k = slotIndex[s] { lastSlot = k; return k }
        slots.append(Slot(symbol: s, precision: precisions[s]))
        slotIndex[s] = slots.count - 1
        lastSlot = slots.count - 1
        return lastSlot
    }

    private func existingSlot(_ s: Symbol) -> Int? {
        if lastSlot < slots.count, slots[lastSlot].symbol == s { return lastSlot }
        if let k = slotIndex[s] { lastSlot = k; return k }
        return nil
    }

    /// The pair's book, if it has one.
    public func book(for s: Symbol) -> KrakenBook? { existingSlot(s).flatMap { slots[$0].book } }

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

    /// A slot made from `precisions` when it is made; kept in step here.
    private func record(_ p: BookPrecision, for s: Symbol) {
        precisions[s] = p
        if let k = slotIndex[s] { slots[k].precision = p }
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
            if adoptInstrumentPrecisions { for p in pairs { record(p.precision, for: p.symbol) } }
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
        record(p, for: symbol)
        invalidate(symbol)
    }

    /// Marks a book invalid: its updates are ignored until a snapshot (a resync the client started).
    public func invalidate(_ symbol: Symbol) {
        slots[slot(symbol)].invalid = true
    }

    /// The connection ended: every book is dropped (the next connection starts from snapshots). Returns their pairs.
    public func dropBooks() -> [Symbol] {
        var had: [Symbol] = []
        for k in slots.indices {
            if slots[k].book != nil { had.append(slots[k].symbol) }
            slots[k].book = nil
            slots[k].invalid = false
        }
        return had.sorted()
    }

    private func book(_ m: KrakenBookMessage, _ receivedAt: Timestamp, _ out: inout [Output]) {
        counters.bookMessages += 1
        guard let k = existingSlot(m.symbol) ?? (precisions[m.symbol] == nil ? nil : slot(m.symbol)), let precision = slots[k].precision else {
            counters.unknownPrecision += 1
            if m.isSnapshot { snapshotsWithoutPrecision.insert(m.symbol) }
            return
        }
        if !m.isSnapshot && slots[k].invalid && !keepApplyingAfterMismatch { counters.ignoredWhileInvalid += 1; return }
        // The book is moved out of its slot while it changes, so its arrays are uniquely held and change in place.
        let previous = slots[k].book.take()
        if !m.isSnapshot && previous == nil { counters.ignoredWhileInvalid += 1; return }   // an update before any snapshot
        var book: KrakenBook
        if let b = previous, !m.isSnapshot, b.precision == precision { book = b } else { book = KrakenBook(symbol: m.symbol, depth: depth, precision: precision) }
        let t0 = stopwatch?() ?? 0
        let violations: Int
        do { violations = try book.apply(snapshot: m.isSnapshot, bids: m.bids, asks: m.asks) }
        catch {
            slots[k].book = book
            counters.parseErrors += 1
            return
        }
        counters.precisionViolations += violations
        let t1 = stopwatch?() ?? 0
        let computed = book.checksum
        slots[k].book = book
        if let w = stopwatch { let t2 = w(); applyNanoseconds &+= t1 &- t0; checksumNanoseconds &+= t2 &- t1 }
        guard computed == m.checksum else {
            counters.checksumFailures += 1
            slots[k].invalid = true
            out.append(.bookInvalid(m.symbol, expected: m.checksum, computed: computed))
            return
        }
        if slots[k].invalid { slots[k].invalid = false; out.append(.bookValid(m.symbol)) }
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
