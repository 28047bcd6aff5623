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
    /// The opposite side of the book already reached `limit` in this crossing episode: its liquidity was taken once.
    var crossed = false
    /// What it took from the displayed opposite side in the current crossing episode (a new order crossing the same
    /// displayed levels cannot take it again).
    var crossTaken: Quantity = .zero
    /// It crossed the price of record on arrival without a book to take from (a bar backtest): its first fill is a
    /// taker fill at the next open at or better than its limit.
    var marketable = false
    /// A sell or cover placed against a position: it ends when that position is gone (it never sells other holdings).
    var reducesPosition = false
    /// When it reached the matching engine (priority among equal prices; bars newer than it cannot fill it).
    var placedAt: Timestamp
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
        if placedAt != o.placedAt { return placedAt < o.placedAt }
        return id < o.id
    }
}

/// One symbol's resting orders of one portfolio, each side in priority order (best first).
struct SymbolOrders {
    private(set) var bids: [RestingOrder] = []
    private(set) var asks: [RestingOrder] = []
    /// How many orders per side are in a crossing episode (a book event with none and no crossed best is a no-op).
    private(set) var crossedBids = 0
    private(set) var crossedAsks = 0

    var isEmpty: Bool { bids.isEmpty && asks.isEmpty }
    var count: Int { bids.count + asks.count }

    func side(_ bid: Bool) -> [RestingOrder] { bid ? bids : asks }
    func crossedCount(_ bid: Bool) -> Int { bid ? crossedBids : crossedAsks }

    /// Changes the order at `i` of a side in place (its price and id stay, so its rank does too).
    mutating func update(_ bid: Bool, _ i: Int, _ body: (inout RestingOrder) -> Void) {
        if bid {
            let was = bids[i].crossed
            body(&bids[i])
            crossedBids += (bids[i].crossed ? 1 : 0) - (was ? 1 : 0)
        } else {
            let was = asks[i].crossed
            body(&asks[i])
            crossedAsks += (asks[i].crossed ? 1 : 0) - (was ? 1 : 0)
        }
    }

    func index(_ bid: Bool, of id: OrderID) -> Int? { (bid ? bids : asks).firstIndex { $0.id == id } }

    /// Displayed liquidity this side's orders took in their current crossing episodes.
    func crossTaken(_ bid: Bool) -> Quantity {
        guard crossedCount(bid) > 0 else { return .zero }
        var q = Quantity.zero
        for o in side(bid) where o.crossed { q += o.crossTaken }
        return q
    }

    mutating func insert(_ o: RestingOrder) {
        if o.crossed { if o.isBid { crossedBids += 1 } else { crossedAsks += 1 } }
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
        if let i = bids.firstIndex(where: { $0.id == id }) {
            let o = bids.remove(at: i)
            if o.crossed { crossedBids -= 1 }
            return o
        }
        if let i = asks.firstIndex(where: { $0.id == id }) {
            let o = asks.remove(at: i)
            if o.crossed { crossedAsks -= 1 }
            return o
        }
        return nil
    }

    func find(_ id: OrderID) -> RestingOrder? {
        bids.first { $0.id == id } ?? asks.first { $0.id == id }
    }

    /// Every order, bids then asks, each best first.
    var all: [RestingOrder] { bids + asks }
}
