import TradingCore

/// The market as the kernel knows it: prices, books, tapes and candles per symbol.
/// Owned by the kernel and mutated only by `apply(_:)` and `advance(to:)`; strategies read it
/// through `MarketView` during their synchronous call.
public final class MarketState: MarketView {
    /// Per-symbol state; a class so events mutate it in place without array copy-on-write checks.
    final class SymbolState {
        var lastTrade: Trade?
        var tickerLast: Price?
        var bookMid: Price?
        var barClose: Price?
        var book: OrderBook?
        var ticker: Ticker?
        var trades: RingBuffer<Trade>
        var lastTradeId: UInt64?
        /// The bars' range since the last decision tick (bar backtests); cleared by `clearBarRanges()`.
        var barRange: BarRange?
        /// The engine (receive) time of the newest market data: the symbol is fresh until then plus `staleAfter`. Receive
        /// time, not the exchange's stamp (decision 24): a local clock a few seconds off would otherwise stop all trading;
        /// data that arrives late is the edge's business (`data.max_lag_s` resyncs it).
        var lastData: Timestamp?
        /// A bar keeps its symbol fresh until its successor is due: the bar's interval is added to the allowance.
        var dataAllowance: Interval = .zero
        /// The book failed (feed's `bookInvalidated`) and waits for its next snapshot.
        var bookInvalid = false
        /// The pair's own trading status (nil: never reported, taken as online).
        var status: MarketStatus?
        /// Index 0 is 1m; the rest are higher timeframes aggregated from closed lower candles.
        let builders: [CandleBuilder]

        init(trades: RingBuffer<Trade>, builders: [CandleBuilder]) {
            self.trades = trades
            self.builders = builders
        }
    }

    public let config: MarketDataConfig
    public let symbols: [Symbol]
    private var index: [Symbol: Int] = [:]
    private var states: [SymbolState] = []
    private let timeframes: [Timeframe]
    private let emptyTrades = RingBuffer<Trade>(capacity: 1)
    private let emptyCandles = RingBuffer<Candle>(capacity: 1)

    /// Set once any symbol has a price (no decision tick runs before that).
    public private(set) var hasAnyPrice = false

    /// Trades older than the forming 1m candle's bucket (counted, not built into candles).
    public private(set) var lateTrades = 0
    /// Events for symbols outside the session (ignored and counted).
    public private(set) var ignoredEvents = 0
    /// Events carrying prices or sizes outside the supported range (ignored and counted, so exact
    /// arithmetic downstream can never overflow).
    public private(set) var outOfRangeEvents = 0
    static let maxPrice = Price("1000000000000")!
    static let maxSize = Quantity("1000000000000000")!

    /// Trade-id gaps seen (missed prints).
    public private(set) var tradeGaps = 0
    /// Prints the feed reported missing (its `tradeGap` events).
    public private(set) var reportedMissingTrades: UInt64 = 0
    /// The whole feed's status (connection, exchange-wide status).
    public private(set) var feedStatus: MarketStatus = .online
    /// Books the feed invalidated.
    public private(set) var bookInvalidations = 0
    /// How far the engine clock (receive time) runs ahead of the exchange's stamps: the smallest receive − exchange
    /// time of any trade that carried its own stamp (nil: none did; simulated and bar data). Candles bucket on the
    /// exchange's time, so they close on the engine clock less this: a local clock a few seconds fast does not cut
    /// each minute's last trades off as late.
    public private(set) var exchangeOffset: Interval?

    /// Symbols with a bar range since the last tick.
    private var rangedSymbols = 0

    /// Per base asset, the slots of its USD pair then its USDT pair: valuation runs every tick.
    private var usdSlots: [(asset: String, slot: Int)] = []

    public init(symbols: [Symbol], config: MarketDataConfig = MarketDataConfig()) {
        self.config = config
        self.symbols = Array(Set(symbols)).sorted()
        var tfs = config.timeframes
        tfs.insert(.m1)
        self.timeframes = tfs.sorted()
        for (i, s) in self.symbols.enumerated() {
            index[s] = i
            states.append(SymbolState(
                trades: RingBuffer(capacity: max(1, config.maxTrades)),
                builders: timeframes.map { CandleBuilder(timeframe: $0, capacity: max(1, config.capacity($0))) }))
        }
        for quote in config.accountCurrency.cashQuotes {
            for (i, s) in self.symbols.enumerated() where s.hasQuote(quote) {
                usdSlots.append((s.base, i))
            }
        }
    }

    /// Symbol → slot. Sessions have a handful of symbols: comparing short strings beats hashing them.
    @inline(__always) private func slot(_ s: Symbol) -> Int? {
        if symbols.count <= 16 {
            var i = 0
            while i < symbols.count {
                if symbols[i].text == s.text { return i }
                i += 1
            }
            return nil
        }
        return index[s]
    }

    // MARK: Updating

    /// Applies one market event (timer events carry no market data and are ignored here).
    public func apply(_ event: MarketEvent) {
        defer { if !hasAnyPrice { hasAnyPrice = symbols.contains { price($0) != nil } } }
        switch event {
        case .trade(let t): applyTrade(t)
        case .book(let b): applyBook(b)
        case .ticker(let t):
            guard let i = slot(t.symbol) else { ignoredEvents += 1; return }
            guard t.last <= Self.maxPrice, t.bid <= Self.maxPrice, t.ask <= Self.maxPrice else { outOfRangeEvents += 1; return }
            states[i].ticker = t
            if t.last.isPositive { states[i].tickerLast = t.last }
            fresh(i, t.time)
        case .bar(let b): applyBar(b)
        case .timer, .sentiment: break
        case .feedStatus(let f):
            if let s = f.symbol {
                guard let i = slot(s) else { ignoredEvents += 1; return }
                states[i].status = f.status
            } else {
                feedStatus = f.status
            }
        case .bookInvalidated(let b):
            guard let i = slot(b.symbol) else { ignoredEvents += 1; return }
            // Market-data §3.6: an invalid book is not shown; its last mid stays the mid price of record.
            states[i].bookInvalid = true
            states[i].book = nil
            bookInvalidations += 1
        case .tradeGap(let g):
            // The trade after the gap marks its candle incomplete through its id; the event is counted here.
            guard slot(g.symbol) != nil else { ignoredEvents += 1; return }
            reportedMissingTrades &+= g.missing
        }
    }

    @inline(__always) private func fresh(_ i: Int, _ t: Timestamp, allowance: Interval = .zero) {
        let st = states[i]
        if let l = st.lastData, l > t { return }
        st.lastData = t
        st.dataAllowance = allowance
    }

    private func applyTrade(_ t: Trade) {
        guard let i = slot(t.symbol) else { ignoredEvents += 1; return }
        guard t.price.isPositive, t.price <= Self.maxPrice, !t.size.isNegative, t.size <= Self.maxSize else { outOfRangeEvents += 1; return }
        var gap = false
        if let id = t.tradeId {
            if let last = states[i].lastTradeId {
                if id <= last { return } // duplicate print
                if id > last + 1 { gap = true; tradeGaps += 1 }
            }
            states[i].lastTradeId = id
        }
        states[i].trades.append(t)
        fresh(i, t.time)
        if t.exchangeTime != t.time {
            let o = t.time - t.exchangeTime
            if exchangeOffset == nil || o < exchangeOffset! { exchangeOffset = o }
        }
        if let lt = states[i].lastTrade, lt.time > t.time {
            // An older print does not replace the latest price.
        } else {
            states[i].lastTrade = t
        }
        let (closed, accepted) = states[i].builders[0].add(trade: t, markIncomplete: gap)
        if !accepted { lateTrades += 1 }
        if let c = closed { propagate(c, symbol: i) }
    }

    private func applyBook(_ b: BookUpdate) {
        guard let i = slot(b.symbol) else { ignoredEvents += 1; return }
        for l in b.bids where l.price > Self.maxPrice || l.size > Self.maxSize { _ = l; outOfRangeEvents += 1; return }
        for l in b.asks where l.price > Self.maxPrice || l.size > Self.maxSize { _ = l; outOfRangeEvents += 1; return }
        if b.isSnapshot {
            states[i].book = OrderBook.snapshot(bids: b.bids, asks: b.asks, depth: config.bookDepth, time: b.time)
            states[i].bookInvalid = false
        } else {
            // Updates to an invalidated book wait for its snapshot (the feed does not send them; a recording might).
            if states[i].bookInvalid { return }
            var book = states[i].book ?? OrderBook(time: b.time)
            book.apply(bids: b.bids, asks: b.asks, depth: config.bookDepth)
            book.time = b.time
            states[i].book = book
        }
        if let book = states[i].book, book.isTwoSided { states[i].bookMid = book.mid }
        fresh(i, b.time)
    }

    public func applyBar(_ b: Bar) {
        defer { if !hasAnyPrice { hasAnyPrice = price(b.symbol) != nil } }
        guard let i = slot(b.symbol) else { ignoredEvents += 1; return }
        guard b.candle.high <= Self.maxPrice, b.candle.low.isPositive, b.candle.volume <= Self.maxSize else { outOfRangeEvents += 1; return }
        let st = states[i]
        st.barClose = b.candle.close
        fresh(i, b.closeTime, allowance: b.timeframe.interval)
        let range = BarRange(open: b.candle.open, low: b.candle.low, high: b.candle.high, start: b.candle.start)
        if st.barRange == nil { st.barRange = range; rangedSymbols += 1 } else { st.barRange!.merge(range) }
        guard let k = timeframes.firstIndex(of: b.timeframe) else { return }
        st.builders[k].appendClosed(b.candle)
        // Higher timeframes aggregate from the bars' own timeframe (1h bars build 4h and 1d candles).
        var j = k + 1
        while j < st.builders.count {
            _ = st.builders[j].add(candle: b.candle)
            j += 1
        }
    }

    /// Forgets the bar ranges once a decision tick has judged them.
    public func clearBarRanges() {
        guard rangedSymbols > 0 else { return }
        var i = 0
        while i < states.count { states[i].barRange = nil; i += 1 }
        rangedSymbols = 0
    }

    /// Feeds a closed 1m candle to the higher timeframes.
    private func propagate(_ c: Candle, symbol i: Int) {
        var k = 1
        while k < states[i].builders.count {
            _ = states[i].builders[k].add(candle: c)
            k += 1
        }
    }

    /// Closes candles whose bucket ended (plus grace) by `now` on the engine clock.
    public func advance(to engineNow: Timestamp) {
        let grace = config.candleCloseGrace
        let now = exchangeOffset.map { $0.nanoseconds > 0 ? engineNow - $0 : engineNow } ?? engineNow
        for i in states.indices {
            if let c = states[i].builders[0].closeIfDue(now: now, grace: grace) { propagate(c, symbol: i) }
            var k = 1
            while k < states[i].builders.count {
                _ = states[i].builders[k].closeIfDue(now: now, grace: grace)
                k += 1
            }
        }
    }

    // MARK: MarketView

    public func price(_ symbol: Symbol) -> Price? {
        guard let i = slot(symbol) else { return nil }
        let s = states[i]
        switch config.priceSource {
        case .lastTrade:
            return s.lastTrade?.price ?? s.tickerLast ?? s.bookMid ?? s.barClose
        case .mid:
            if let m = s.bookMid { return m }
            if let t = s.ticker, t.bid.isPositive, t.ask.isPositive { return Price.mid(t.bid, t.ask) }
            return s.lastTrade?.price ?? s.barClose
        }
    }

    public func book(_ symbol: Symbol) -> OrderBook? {
        guard let i = slot(symbol) else { return nil }
        return states[i].book
    }

    public func ticker(_ symbol: Symbol) -> Ticker? {
        guard let i = slot(symbol) else { return nil }
        return states[i].ticker
    }

    public func trades(_ symbol: Symbol) -> RingBuffer<Trade> {
        guard let i = slot(symbol) else { return emptyTrades.prefixEmpty() }
        return states[i].trades
    }

    public func candles(_ timeframe: Timeframe, _ symbol: Symbol) -> RingBuffer<Candle> {
        guard let i = slot(symbol), let k = timeframes.firstIndex(of: timeframe) else { return emptyCandles.prefixEmpty() }
        return states[i].builders[k].closed
    }

    public func formingCandle(_ timeframe: Timeframe, _ symbol: Symbol) -> Candle? {
        guard let i = slot(symbol), let k = timeframes.firstIndex(of: timeframe) else { return nil }
        return states[i].builders[k].forming
    }

    public func lastTrade(_ symbol: Symbol) -> Trade? {
        guard let i = slot(symbol) else { return nil }
        return states[i].lastTrade
    }

    public func directUSDPrice(_ asset: String) -> Price? {
        for e in usdSlots where e.asset == asset {
            // The USD pair wins when it has a price; otherwise fall through to a USDT pair.
            if let p = price(symbols[e.slot]), p.isPositive { return p }
        }
        return nil
    }

    public func barRange(_ symbol: Symbol) -> BarRange? {
        guard rangedSymbols > 0, let i = slot(symbol) else { return nil }
        return states[i].barRange
    }

    public var hasBarRanges: Bool { rangedSymbols > 0 }

    public var accountCurrency: AccountCurrency { config.accountCurrency }

    public func unavailability(_ symbol: Symbol, at now: Timestamp) -> MarketUnavailability? {
        guard let i = slot(symbol) else { return nil }   // not a session symbol: the exchange says unknown_symbol
        if !feedStatus.isOnline { return .feed(feedStatus) }
        let st = states[i]
        if let s = st.status, !s.isOnline { return .pair(s) }
        if st.bookInvalid { return .invalidBook }
        // Strictly greater, as the reference's is_stale; a symbol without any data yet has no price (no_price).
        if let after = config.staleAfter, let last = st.lastData, now - last > after + st.dataAllowance { return .stale(lastData: last) }
        return nil
    }

    /// Symbols whose book is invalid (omitted from `book(_:)`), sorted.
    public var invalidBooks: [Symbol] { symbols.indices.filter { states[$0].bookInvalid }.map { symbols[$0] } }

    /// Every symbol's price of record, sorted by symbol.
    public var prices: [(Symbol, Price)] {
        symbols.sorted().compactMap { s in price(s).map { (s, $0) } }
    }
}

extension RingBuffer {
    /// An empty ring (for symbols or timeframes that are not tracked).
    func prefixEmpty() -> RingBuffer { RingBuffer(capacity: capacity) }
}
