import TradingCore

/// A limit order resting in one portfolio's book (the engine's side of `OpenOrder`).
struct RestingOrder {
    var id: OrderID
    /// The placing signal (action, symbol, reason, protective levels, tag), with the size as placed.
    var signal: Signal
    var limit: Price
    var remaining: Quantity
    var filled: Quantity = .zero
    /// Displayed size ahead at `limit` (nil: no book showed the level; only trades strictly through fill it).
    var queueAhead: Quantity?
    /// It crossed the price of record on arrival without a book to take from (a bar backtest): its first fill is a
    /// taker fill at the next open at or better than its limit.
    var marketable = false
    /// A sell or cover placed against a position: it ends when that position is gone (it never sells other holdings).
    var reducesPosition = false
    /// When it reached the matching engine (bars that began before it cannot fill it).
    var placedAt: Timestamp
    /// Arrival order in the portfolio's book, renewed by a replace: priority among equal prices.
    var sequence: UInt64 = 0
    var expiresAt: Timestamp?
    /// The USD notional the strategy asked for (reported on its fills).
    var requestedUSD: Money
    /// A leverage cap reduced it at placement.
    var capped: Bool

    var action: SignalAction { signal.action }
    /// Buy and cover rest on the bid side; sell and short on the ask side.
    var isBid: Bool { signal.action.takerSide == .buy }
    /// Quote notional held against leverage headroom: only orders that add exposure reserve.
    var reservedQuote: Money { signal.action.isOpening ? remaining * limit : .zero }

    var view: OpenOrder {
        OpenOrder(id: id, symbol: signal.symbol, action: signal.action, limitPrice: limit, remaining: remaining, filled: filled,
                  postOnly: signal.postOnly, timeInForce: signal.timeInForce, clientTag: signal.clientTag, placedAt: placedAt,
                  queueAhead: queueAhead)
    }

    /// Price priority: for bids the higher price first, for asks the lower; then the one that reached the book first
    /// (a replace goes to the back).
    func outranks(_ o: RestingOrder) -> Bool {
        if limit != o.limit { return isBid ? limit > o.limit : limit < o.limit }
        return sequence < o.sequence
    }
}

/// One symbol's resting orders of one portfolio, each side in priority order (best first).
struct SymbolOrders {
    private(set) var bids: [RestingOrder] = []
    private(set) var asks: [RestingOrder] = []

    var isEmpty: Bool { bids.isEmpty && asks.isEmpty }
    var count: Int { bids.count + asks.count }

    func side(_ bid: Bool) -> [RestingOrder] { bid ? bids : asks }

    /// Changes the order at `i` of a side in place (its price and sequence stay, so its rank does too).
    mutating func update(_ bid: Bool, _ i: Int, _ body: (inout RestingOrder) -> Void) {
        if bid { body(&bids[i]) } else { body(&asks[i]) }
    }

    mutating func insert(_ o: RestingOrder) {
        if o.isBid {
            let i = bids.firstIndex { o.outranks($0) } ?? bids.endIndex
            bids.insert(o, at: i)
        } else {
            let i = asks.firstIndex { o.outranks($0) } ?? asks.endIndex
            asks.insert(o, at: i)
        }
    }

    /// Removes and returns the order with `id`.
    mutating func remove(_ id: OrderID) -> RestingOrder? {
        if let i = bids.firstIndex(where: { $0.id == id }) { return bids.remove(at: i) }
        if let i = asks.firstIndex(where: { $0.id == id }) { return asks.remove(at: i) }
        return nil
    }

    func find(_ id: OrderID) -> RestingOrder? {
        bids.first { $0.id == id } ?? asks.first { $0.id == id }
    }

    /// Every order, bids then asks, each best first.
    var all: [RestingOrder] { bids + asks }
}

/// Displayed levels of one symbol's book that a portfolio already took (its limit orders crossing on arrival, its resting
/// orders filled by the book moving through them). The feed's book never shows our paper fills, so a level keeps
/// showing what we took until it changes: what we took is subtracted from it, whichever of our orders asks next, until
/// the level leaves the book (or shows less than we took).
struct TakenLiquidity {
    /// Taken from the asks (by bids) and from the bids (by asks), by price.
    var fromAsks: [BookLevel] = []
    var fromBids: [BookLevel] = []

    var isEmpty: Bool { fromAsks.isEmpty && fromBids.isEmpty }

    /// The displayed levels at or better than `limit` on the side a bid (or ask) takes from, less what was taken there.
    func available(_ levels: [BookLevel], upTo limit: Price, bid: Bool) -> [BookLevel] {
        let taken = bid ? fromAsks : fromBids
        var out: [BookLevel] = []
        for l in levels {
            guard bid ? l.price <= limit : l.price >= limit else { break }
            var size = l.size
            if let t = taken.first(where: { $0.price == l.price }) { size = size > t.size ? size - t.size : .zero }
            if size.isPositive { out.append(BookLevel(price: l.price, size: size)) }
        }
        return out
    }

    /// Records `quantity` taken from `levels` (best first) by a bid (or ask).
    mutating func take(_ quantity: Quantity, from levels: [BookLevel], bid: Bool) {
        var left = quantity
        for l in levels where left.isPositive {
            let q = Quantity.min(l.size, left)
            left -= q
            if bid { Self.add(q, at: l.price, to: &fromAsks) } else { Self.add(q, at: l.price, to: &fromBids) }
        }
    }

    /// Forgets what the book no longer shows: a level gone, or showing less than was taken.
    mutating func prune(_ book: OrderBook?) {
        Self.prune(&fromAsks, book?.asks ?? [])
        Self.prune(&fromBids, book?.bids ?? [])
    }

    private static func add(_ q: Quantity, at price: Price, to list: inout [BookLevel]) {
        if let i = list.firstIndex(where: { $0.price == price }) { list[i].size += q } else { list.append(BookLevel(price: price, size: q)) }
    }

    private static func prune(_ list: inout [BookLevel], _ shown: [BookLevel]) {
        guard !list.isEmpty else { return }
        list = list.compactMap { t in
            guard let s = shown.first(where: { $0.price == t.price }) else { return nil }
            return BookLevel(price: t.price, size: Quantity.min(t.size, s.size))
        }
    }
}
