import MarketData
import TradingCore

/// What one step of the market changed, per pair (the engine turns it into each subscriber's frames).
struct SimStep: Sendable {
    struct Change: Sendable {
        let pair: Int
        /// The book before this step (nil: unchanged).
        var oldBook: SimBook?
        var trades: [SimTrade] = []
        /// Per tracked OHLC interval, the running candle after each of `trades` (Kraken sends an ohlc update per trade).
        var candles: [Int: [SimCandle]] = [:]
        var bboChanged = false
    }
    var time: Timestamp
    var changes: [Change] = []
}

/// The server's market: the seeded `SimulatedMarket` stepped in virtual time, and per pair the book Kraken would
/// show (levels keep their size between steps unless the simulator moves them), the live tape, candles at every
/// Kraken interval and the rolling 24 h ticker figures; the history before `start` comes from `SimHistory`.
struct SimWorld: Sendable {
    struct Pair: Sendable {
        let symbol: Symbol
        let priceDecimals: Int
        let qtyDecimals: Int
        let history: SimHistory
        var book = SimBook()
        var nextId: UInt64
        /// Live prints since start (REST Trades and the trade snapshot read them).
        var tape: [SimTrade] = []
        /// Running candle per interval (minutes), started lazily from history when first needed.
        var candles: [Int: SimCandle] = [:]
        /// Closed one-minute candles of the last 24 h, oldest first (the ticker's window).
        var day: [SimCandle] = []
        var minute: SimCandle?
        var lastTime: Timestamp
    }

    static let intervals = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600]

    private(set) var market: SimulatedMarket
    private(set) var pairs: [Pair]
    let start: Timestamp
    let levels: Int
    /// Per pair: summaries of its history (shared references: the server fills them outside the engine lock).
    let caches: [SimHistoryCache]
    /// Live prints kept per pair (the oldest quarter goes when it is reached).
    var tapeCapacity = 2_000_000
    /// Fraction of levels that take the simulator's new size on a step (the rest keep theirs).
    private var resizeRNG: SplitMix64
    var now: Timestamp { market.now }

    init(symbols: [Symbol], seed: UInt64, start: Timestamp, tick: Interval, levels: Int, historyDays: Int) {
        let sorted = Array(Set(symbols)).sorted()
        market = SimulatedMarket(symbols: sorted, seed: seed, tick: tick, start: start, depth: levels)
        self.start = start
        self.levels = levels
        resizeRNG = SplitMix64(seed: seed ^ fnv1a64("kraken-sim:resize"))
        var ps: [Pair] = []
        for s in sorted {
            let params = SimulatedMarket.parameters(for: s, instrument: nil)
            let asset = SimulatedMarket.assets[s.base]
            let quote = SimulatedMarket.assets[s.quote]
            let price = market.modelPrice(s) ?? 1
            let h = SimHistory(symbol: s, params: params, startPrice: price, usdPerQuote: quote?.startPrice ?? 1,
                               sigma: max(asset?.sigma ?? 0, quote?.sigma ?? 0), seed: seed, start: start, days: historyDays)
            ps.append(Pair(symbol: s, priceDecimals: params.priceDecimals, qtyDecimals: params.qtyDecimals, history: h,
                           nextId: h.lastId + 1, lastTime: start))
        }
        pairs = ps
        caches = ps.map { SimHistoryCache(history: $0.history) }
        // The books as the simulator first draws them; the 24 h window from history.
        _ = step()
        for i in pairs.indices { seedDay(i) }
    }

    func index(of s: Symbol) -> Int? { pairs.firstIndex { $0.symbol == s } }

    /// One simulator tick.
    mutating func step() -> SimStep {
        var out = SimStep(time: market.now)
        var books: [Symbol: BookUpdate] = [:]
        var trades: [Symbol: [Trade]] = [:]
        market.step { e in
            switch e {
            case .book(let b): books[b.symbol] = b
            case .trade(let t): trades[t.symbol, default: []].append(t)
            default: break
            }
        }
        out.time = market.now
        for i in pairs.indices {
            let s = pairs[i].symbol
            var change = SimStep.Change(pair: i)
            if let b = books[s] {
                let old = pairs[i].book
                let new = merge(old, b, i)
                if new.bids != old.bids || new.asks != old.asks {
                    change.oldBook = old
                    change.bboChanged = new.bids.first != old.bids.first || new.asks.first != old.asks.first
                    pairs[i].book = new
                }
            }
            for t in trades[s] ?? [] {
                let tr = record(i, t)
                change.trades.append(tr)
                for (k, c) in pairs[i].candles { change.candles[k, default: []].append(c) }
            }
            if change.oldBook != nil || !change.trades.isEmpty { out.changes.append(change) }
        }
        return out
    }

    /// The simulator's ladder, with sizes carried over where the price level stays (80 % of them per step). Both
    /// sides are sorted, so the old level is found by walking alongside.
    private mutating func merge(_ old: SimBook, _ b: BookUpdate, _ i: Int) -> SimBook {
        let pUnit = Int128(pow10Int(18 - pairs[i].priceDecimals)), qUnit = Int128(pow10Int(18 - pairs[i].qtyDecimals))
        func carry(_ ladder: [BookLevel], _ prior: [SimLevel], descending: Bool) -> [SimLevel] {
            var out: [SimLevel] = []
            out.reserveCapacity(ladder.count)
            var j = 0
            for l in ladder {
                var n = SimLevel(price: Int64(l.price.raw / pUnit), qty: max(1, Int64(l.size.raw / qUnit)))
                while j < prior.count, descending ? prior[j].price > n.price : prior[j].price < n.price { j += 1 }
                if j < prior.count, prior[j].price == n.price, resizeRNG.uniform() >= 0.2 { n.qty = prior[j].qty }
                out.append(n)
            }
            return out
        }
        var book = SimBook()
        book.bids = carry(b.bids, old.bids, descending: true)
        book.asks = carry(b.asks, old.asks, descending: false)
        return book
    }

    private mutating func record(_ i: Int, _ t: Trade) -> SimTrade {
        let pp = pairs[i].priceDecimals, qp = pairs[i].qtyDecimals
        // Unique microsecond times per pair (prints of one tick are a microsecond apart).
        var time = Timestamp(nanoseconds: t.time.nanoseconds / 1000 * 1000)
        if time <= pairs[i].lastTime { time = pairs[i].lastTime + Interval(nanoseconds: 1000) }
        pairs[i].lastTime = time
        let tr = SimTrade(id: pairs[i].nextId, time: time, price: Int64(t.price.raw / Int128(pow10Int(18 - pp))),
                          qty: max(1, Int64(t.size.raw / Int128(pow10Int(18 - qp)))), side: t.side,
                          isMarket: SimFormat.mix(pairs[i].nextId) % 10 < 7)
        pairs[i].nextId += 1
        // Candles first: a candle started for a new bucket is built from the tape, which must not hold `tr` yet.
        for k in pairs[i].candles.keys.sorted() { addToCandle(i, k, tr) }
        pairs[i].tape.append(tr)
        if pairs[i].tape.count > tapeCapacity { pairs[i].tape.removeFirst(pairs[i].tape.count - tapeCapacity * 3 / 4) }
        rollDay(i, to: tr.time)
        pairs[i].minute!.add(tr)
        return tr
    }

    // MARK: Candles

    static func bucket(_ t: Timestamp, minutes: Int) -> Timestamp {
        let w = Int64(minutes) * 60_000_000_000
        let n = t.nanoseconds
        return Timestamp(nanoseconds: n - ((n % w) + w) % w)
    }

    /// The running candle of `interval` for pair i at the current time (started from history when needed).
    mutating func runningCandle(_ i: Int, interval: Int) -> SimCandle {
        let begin = Self.bucket(now, minutes: interval)
        if let c = pairs[i].candles[interval], c.begin == begin { return c }
        let c = candle(i, interval: interval, begin: begin)
        pairs[i].candles[interval] = c
        return c
    }

    private mutating func addToCandle(_ i: Int, _ interval: Int, _ t: SimTrade) {
        let begin = Self.bucket(t.time, minutes: interval)
        if pairs[i].candles[interval]?.begin != begin { pairs[i].candles[interval] = candle(i, interval: interval, begin: begin) }
        pairs[i].candles[interval]!.add(t)
    }

    /// The candle of [begin, begin + interval) from everything known now: history minutes and the live tape.
    func candle(_ i: Int, interval: Int, begin: Timestamp) -> SimCandle {
        var c = SimCandle(begin: begin)
        let end = begin + .minutes(Int64(interval))
        if begin < start { c.merge(caches[i].span(from: begin, to: min(end, start))) }
        if end > start {
            let tape = pairs[i].tape
            var k = lowerBound(tape, begin)
            while k < tape.count, tape[k].time < end { c.add(tape[k]); k += 1 }
        }
        return c
    }

    /// The live prints of pair i in [from, to).
    func tapeCandle(_ i: Int, from: Timestamp, to: Timestamp) -> SimCandle {
        var c = SimCandle(begin: from)
        let tape = pairs[i].tape
        var k = lowerBound(tape, from)
        while k < tape.count, tape[k].time < to { c.add(tape[k]); k += 1 }
        return c
    }

    /// First index of the tape at or after `t`.
    func lowerBound(_ tape: [SimTrade], _ t: Timestamp) -> Int {
        var lo = 0, hi = tape.count
        while lo < hi { let mid = (lo + hi) / 2; if tape[mid].time < t { lo = mid + 1 } else { hi = mid } }
        return lo
    }

    // MARK: 24 h ticker window

    private mutating func seedDay(_ i: Int) {
        let h = pairs[i].history
        let m1 = h.minute(of: start - Interval(nanoseconds: 1))
        var day: [SimCandle] = []
        for m in max(0, m1 - 1439)...max(0, m1) where m < h.minutes {
            var c = SimCandle(begin: h.first + .minutes(Int64(m)))
            for t in h.trades(minute: m) { c.add(t) }
            day.append(c)
        }
        // The minute holding start continues live.
        if let last = day.last, last.begin == Self.bucket(start, minutes: 1) {
            pairs[i].minute = day.removeLast()
        } else {
            pairs[i].minute = SimCandle(begin: Self.bucket(start, minutes: 1))
        }
        pairs[i].day = day
        for t in pairs[i].tape { pairs[i].minute!.add(t) }
    }

    private mutating func rollDay(_ i: Int, to t: Timestamp) {
        let b = Self.bucket(t, minutes: 1)
        guard let cur = pairs[i].minute else { pairs[i].minute = SimCandle(begin: b); return }
        guard cur.begin < b else { return }
        pairs[i].day.append(cur)
        let cut = b - .minutes(1439)
        if let k = pairs[i].day.firstIndex(where: { $0.begin >= cut }), k > 0 { pairs[i].day.removeFirst(k) }
        pairs[i].minute = SimCandle(begin: b)
    }

    /// The ticker's 24 h figures for pair i: the window's candle (volume, VWAP, high, low, first open) and last price.
    func dayStats(_ i: Int) -> SimCandle {
        var c = SimCandle(begin: now - .minutes(1440))
        for d in pairs[i].day { c.merge(d) }
        if let m = pairs[i].minute { c.merge(m) }
        return c
    }

    /// Every print of pair i after `since` (exclusive), up to `limit`: history minutes, then the live tape.
    func trades(_ i: Int, after since: Timestamp, limit: Int) -> [SimTrade] {
        var out: [SimTrade] = []
        let h = pairs[i].history
        if since < start {
            var m = max(0, h.minute(of: since))
            while m < h.minutes, out.count < limit {
                if h.tradeCount(minute: m) > 0 { for t in h.trades(minute: m) where t.time > since && out.count < limit { out.append(t) } }
                m += 1
            }
        }
        if out.count < limit {
            let tape = pairs[i].tape
            var k = lowerBound(tape, since)
            while k < tape.count, tape[k].time <= since { k += 1 }
            while k < tape.count, out.count < limit { out.append(tape[k]); k += 1 }
        }
        return out
    }
}
