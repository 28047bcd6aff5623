/// One price level.
public struct BookLevel: Hashable, Sendable {
    public var price: Price
    public var size: Quantity
    public init(price: Price, size: Quantity) { self.price = price; self.size = size }
}

/// Top of the order book: bids best (highest) first, asks best (lowest) first.
public struct OrderBook: Hashable, Sendable {
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public var time: Timestamp

    public init(bids: [BookLevel] = [], asks: [BookLevel] = [], time: Timestamp = Timestamp(nanoseconds: 0)) {
        self.bids = bids; self.asks = asks; self.time = time
    }

    /// 0 when the side is empty.
    public var bestBid: Price { bids.first?.price ?? .zero }
    public var bestAsk: Price { asks.first?.price ?? .zero }
    public var isTwoSided: Bool { !bids.isEmpty && !asks.isEmpty }

    /// 0 unless both sides are present (the reference reports −bestBid for a one-sided book).
    public var spread: Price { isTwoSided ? bestAsk - bestBid : .zero }

    public var mid: Price {
        let b = bestBid, a = bestAsk
        if b.isPositive && a.isPositive { return Price.mid(b, a) }
        if b.isPositive { return b }
        return a
    }

    public var spreadPct: Double {
        let m = mid
        guard isTwoSided, m.isPositive else { return 0 }
        return spread.doubleValue / m.doubleValue * 100
    }

    public var bidDepth: Quantity { bids.reduce(.zero) { $0 + $1.size } }
    public var askDepth: Quantity { asks.reduce(.zero) { $0 + $1.size } }

    /// (bid depth − ask depth) / total, in −1…+1; 0 for an empty book.
    public var imbalance: Double {
        let b = bidDepth.doubleValue, a = askDepth.doubleValue
        return a + b == 0 ? 0 : (b - a) / (b + a)
    }

    /// Applies a delta: size > 0 sets a level, size ≤ 0 removes it; then keeps `depth` levels a side.
    public mutating func apply(bids newBids: [BookLevel], asks newAsks: [BookLevel], depth: Int) {
        for l in newBids { OrderBook.set(&bids, l, descending: true) }
        for l in newAsks { OrderBook.set(&asks, l, descending: false) }
        if bids.count > depth { bids.removeLast(bids.count - depth) }
        if asks.count > depth { asks.removeLast(asks.count - depth) }
    }

    static func set(_ side: inout [BookLevel], _ level: BookLevel, descending: Bool) {
        guard level.price.isPositive else { return }
        // Levels are few (≤ depth); a linear scan beats a binary search here.
        var i = 0
        while i < side.count {
            let p = side[i].price
            if p == level.price {
                if level.size.isPositive { side[i].size = level.size } else { side.remove(at: i) }
                return
            }
            if descending ? p < level.price : p > level.price { break }
            i += 1
        }
        if level.size.isPositive { side.insert(level, at: i) }
    }

    /// A snapshot from unsorted levels: drops non-positive entries, sorts, keeps `depth` per side.
    public static func snapshot(bids: [BookLevel], asks: [BookLevel], depth: Int, time: Timestamp) -> OrderBook {
        OrderBook(bids: side(bids, depth: depth, descending: true), asks: side(asks, depth: depth, descending: false), time: time)
    }

    /// One side, best first: levels that already arrive clean and in order (every feed's snapshots) are kept as they are,
    /// without a copy; anything else is filtered and sorted. The sort is stable, so both paths agree.
    private static func side(_ levels: [BookLevel], depth: Int, descending: Bool) -> [BookLevel] {
        var clean = true
        for (k, l) in levels.enumerated() {
            guard l.price.isPositive && l.size.isPositive else { clean = false; break }
            if k > 0 {
                let prev = levels[k - 1].price
                if descending ? !(prev > l.price) : !(prev < l.price) { clean = false; break }
            }
        }
        var out = clean ? levels : levels.filter { $0.price.isPositive && $0.size.isPositive }
            .sorted { descending ? $0.price > $1.price : $0.price < $1.price }
        if out.count > depth { out.removeLast(out.count - depth) }
        return out
    }
}

/// Level-1 data.
public struct Ticker: Hashable, Sendable {
    public var symbol: Symbol
    public var time: Timestamp
    /// The exchange's timestamp (recorded; lag checks at the edge); `time` when the source has none.
    public var exchangeTime: Timestamp
    public var bid: Price
    public var ask: Price
    public var last: Price
    /// 24-hour volume in base units.
    public var volume24h: Quantity

    public init(symbol: Symbol, time: Timestamp, exchangeTime: Timestamp? = nil, bid: Price, ask: Price, last: Price, volume24h: Quantity) {
        self.symbol = symbol; self.time = time; self.exchangeTime = exchangeTime ?? time; self.bid = bid; self.ask = ask; self.last = last; self.volume24h = volume24h
    }
}
