import TradingCore

/// The matching engine for resting orders (docs/orders.md states the model):
/// - a trade strictly through a resting order's price fills it, up to the printed size, when its aggressor hit our side
///   (a seller for a bid; a buyer lifting asks under our bid is the book crossing it, below);
/// - a trade exactly at its price first eats the queue ahead (the size displayed there when it was placed);
/// - the opposite side of the book reaching its price fills it from the displayed liquidity at or better than it, less
///   what the portfolio already took from those levels (the feed's book never shows our fills: `TakenLiquidity`);
/// - a bar fills it only when its range trades strictly through the price, at the price or at a better open (decision 22).
/// One print's size is shared by the portfolio's own orders in priority order; each portfolio sees the full print
/// (decision 26: strategies are independent experiments). Resting fills are maker fills, except a marketable limit's
/// first (placed through the price of record without a book to take from), which is a taker's.
/// The volume one bar's resting fills took per side, carried from the bar's opening pass to its reducing pass.
public struct BarVolumeUsed: Sendable {
    public var bids: Quantity = .zero
    public var asks: Quantity = .zero
    public init() {}
}

extension PaperExchange {
    /// Matches `p`'s resting orders on the trade's symbol against a printed trade.
    public func match(trade t: Trade, for p: Portfolio, market: any MarketView, now: Timestamp, into out: inout [OrderActivity]) {
        guard let slot = p.orderSlot(t.symbol), market.unavailability(t.symbol, at: now) == nil else { return }
        // Bids fill on prints at or below them, asks at or above; sides are best first, so one comparison per side rules
        // out most prints (read in place: no copy of the orders).
        let bidHit = t.side == .sell && (p.orders.values[slot].bids.first.map { $0.limit >= t.price } ?? false)
        let askHit = t.side == .buy && (p.orders.values[slot].asks.first.map { $0.limit <= t.price } ?? false)
        if bidHit { matchTrade(t, bid: true, p, market, now, &out) }
        if askHit, p.orders[t.symbol] != nil { matchTrade(t, bid: false, p, market, now, &out) }
    }

    private func matchTrade(_ t: Trade, bid: Bool, _ p: Portfolio, _ market: any MarketView, _ now: Timestamp, _ out: inout [OrderActivity]) {
        let symbol = t.symbol
        var available = t.size
        var i = 0
        while available.isPositive, let book = p.orders[symbol], i < book.side(bid).count {
            let o = book.side(bid)[i]
            let through = bid ? t.price < o.limit : t.price > o.limit
            guard through || t.price == o.limit else { break }
            if let e = o.expiresAt, e <= now { i += 1; continue }   // gone (the kernel expires it before matching)
            var take = Quantity.zero
            var ahead = o.queueAhead
            if through {
                take = Quantity.min(o.remaining, available)
                ahead = .zero
            } else if let a = ahead {
                // A print at the price: the queue ahead trades first, then our own orders that rank before this one (what
                // they took is out of `available`); what is left reaches this order.
                ahead = a > t.size ? a - t.size : .zero
                if available > a { take = Quantity.min(o.remaining, available - a) }
            }
            if ahead != o.queueAhead || o.marketable { p.orders[symbol]!.update(bid, i) { $0.queueAhead = ahead; $0.marketable = false } }
            if take.isPositive {
                available -= take
                if fillResting(symbol, bid, i, take, at: o.limit, p, market, now, &out, liquidity: o.marketable ? .taker : .maker) { continue }   // left the book: same index
            }
            i += 1
        }
    }

    /// Matches `p`'s resting orders on `symbol` against the book as it now stands.
    public func match(bookOf symbol: Symbol, for p: Portfolio, market: any MarketView, now: Timestamp, into out: inout [OrderActivity]) {
        guard let slot = p.orderSlot(symbol), let book = market.book(symbol), market.unavailability(symbol, at: now) == nil else { return }
        if p.taken[symbol] != nil {
            p.taken[symbol]!.prune(book)
            if p.taken[symbol]!.isEmpty { p.taken[symbol] = nil }
        }
        // One comparison per side unless the book reaches the best order.
        let bestAsk = book.asks.first?.price, bestBid = book.bids.first?.price
        let bidHit = p.orders.values[slot].bids.first.map { o in bestAsk.map { $0 <= o.limit } ?? false } ?? false
        let askHit = p.orders.values[slot].asks.first.map { o in bestBid.map { $0 >= o.limit } ?? false } ?? false
        if bidHit { matchBook(symbol, bid: true, levels: book.asks, p, market, now, &out) }
        if askHit, p.orders[symbol] != nil { matchBook(symbol, bid: false, levels: book.bids, p, market, now, &out) }
    }

    private func matchBook(_ symbol: Symbol, bid: Bool, levels: [BookLevel], _ p: Portfolio, _ market: any MarketView, _ now: Timestamp,
                           _ out: inout [OrderActivity]) {
        var i = 0
        while let book = p.orders[symbol], i < book.side(bid).count {
            let o = book.side(bid)[i]
            guard bid ? levels.first.map({ $0.price <= o.limit }) ?? false : levels.first.map({ $0.price >= o.limit }) ?? false else { break }
            if let e = o.expiresAt, e <= now { i += 1; continue }
            // Displayed liquidity at or better than the order's price, less what this portfolio already took there.
            let ledger = p.taken[symbol] ?? TakenLiquidity()
            let free = ledger.available(levels, upTo: o.limit, bid: bid)
            let liquidity = free.reduce(Quantity.zero) { $0 + $1.size }
            p.orders[symbol]!.update(bid, i) { $0.queueAhead = .zero; $0.marketable = false }
            let take = Quantity.min(o.remaining, liquidity)
            if take.isPositive {
                var filled = Quantity.zero
                let left = fillResting(symbol, bid, i, take, at: o.limit, p, market, now, &out, liquidity: o.marketable ? .taker : .maker, filled: &filled)
                // What filled (maybe clipped) is taken from the displayed levels, best first.
                if filled.isPositive { p.taken[symbol, default: TakenLiquidity()].take(filled, from: free, bid: bid) }
                if left { continue }
            }
            i += 1
        }
    }

    /// Matches `p`'s resting orders on the bar's symbol against its range (bar backtests): `opening` orders (buy,
    /// short) or the reducing ones (sell, cover). The kernel matches opening orders when the bar arrives (a position they
    /// open is then judged by the bar's stops) and reducing ones after the bar's exits (a stop beats a resting target,
    /// decision 37's pessimistic order). Orders placed after the bar began cannot fill in it.
    /// One pass on its own (the bar's whole volume available).
    public func match(bar: Bar, opening: Bool, for p: Portfolio, market: any MarketView, now: Timestamp, into out: inout [OrderActivity]) {
        var used = BarVolumeUsed()
        match(bar: bar, opening: opening, for: p, market: market, now: now, used: &used, into: &out)
    }

    /// `used` carries the volume the bar's fills took per side (bids, asks) from one pass to the next.
    public func match(bar: Bar, opening: Bool, for p: Portfolio, market: any MarketView, now: Timestamp, used: inout BarVolumeUsed,
                      into out: inout [OrderActivity]) {
        guard p.orders[bar.symbol] != nil, market.unavailability(bar.symbol, at: now) == nil else { return }
        let c = bar.candle
        for bid in [true, false] {
            // Volume bounds the fills (a bar without volume data bounds nothing), across both passes.
            let spent = bid ? used.bids : used.asks
            var available: Quantity? = c.volume.isPositive ? (c.volume > spent ? c.volume - spent : .zero) : nil
            defer { if let a = available, c.volume.isPositive { if bid { used.bids = c.volume - a } else { used.asks = c.volume - a } } }
            var i = 0
            while let book = p.orders[bar.symbol], i < book.side(bid).count {
                let o = book.side(bid)[i]
                guard o.action.isOpening == opening, o.placedAt <= c.start, o.expiresAt.map({ $0 > now }) ?? true else { i += 1; continue }
                // Marketable on arrival (no book to take from): a taker at the open when the open is at or better than the limit.
                let atOpen = o.marketable && (bid ? c.open <= o.limit : c.open >= o.limit)
                guard atOpen || (bid ? c.low < o.limit : c.high > o.limit) else {
                    if o.marketable { p.orders[bar.symbol]!.update(bid, i) { $0.marketable = false } }
                    i += 1
                    continue
                }
                // A taker at the open pays slippage like a market order there, never beyond its limit.
                let open = atOpen ? FillPricer(lotDecimals: 0, slippage: config.slippageRate, takerSide: bid ? .buy : .sell).slipped(c.open) : c.open
                let price = bid ? Price.min(open, o.limit) : Price.max(open, o.limit)
                let take = available.map { Quantity.min(o.remaining, $0) } ?? o.remaining
                guard take.isPositive else { break }
                if let a = available { available = a - take }
                if o.marketable { p.orders[bar.symbol]!.update(bid, i) { $0.marketable = false } }
                if fillResting(bar.symbol, bid, i, take, at: price, p, market, now, &out, liquidity: atOpen ? .taker : .maker) { continue }
                i += 1
            }
        }
    }

    /// Fills `quantity` of the resting order at index `i` of a side at `price` (maker), checked again against the
    /// portfolio as it is now: a reducing order is clipped to what is left to reduce, an opening one to the leverage
    /// headroom. Returns true when the order left the book (filled, or unfillable).
    func fillResting(_ symbol: Symbol, _ bid: Bool, _ i: Int, _ quantity: Quantity, at price: Price, _ p: Portfolio,
                     _ market: any MarketView, _ now: Timestamp, _ out: inout [OrderActivity], liquidity: Liquidity = .maker) -> Bool {
        var filled = Quantity.zero
        return fillResting(symbol, bid, i, quantity, at: price, p, market, now, &out, liquidity: liquidity, filled: &filled)
    }

    /// The same, saying how much filled.
    func fillResting(_ symbol: Symbol, _ bid: Bool, _ i: Int, _ quantity: Quantity, at price: Price, _ p: Portfolio,
                     _ market: any MarketView, _ now: Timestamp, _ out: inout [OrderActivity], liquidity: Liquidity, filled: inout Quantity) -> Bool {
        guard let o = p.orders[symbol]?.side(bid)[i] else { return false }
        func end(_ detail: String) -> Bool {
            if let gone = removeOrder(o.id, from: p) { out.append(.event(.ended(gone.view, .unfillable, detail: detail))) }
            return true
        }
        let checked: CheckedOrder
        // Availability was checked where the match began (an unavailable market keeps its orders resting).
        switch check(o.signal, p, now, limitAllowed: true, market: nil) {
        case .success(let c): checked = c
        case .failure(let r): return end(r.reason.rawValue + (r.detail.map { ": \($0)" } ?? ""))
        }
        if o.reducesPosition && checked.position == nil { return end("the position it was to reduce is gone") }
        let valuation = Valuation(market: market)
        guard let quoteUSD = valuation.quoteUSD(symbol), quoteUSD.isPositive else { return false }   // keeps resting
        var q = Quantity.min(quantity, o.remaining)
        var capped = o.capped
        var reducedToEnd = false
        if o.action.isOpening {
            let headroom = headroomUSD(o.action, p, valuation, excluding: o.id)
            guard headroom.isPositive else { return false }
            if (q * price).converted(at: quoteUSD) > headroom {
                guard let quote = headroom.convertedBackChecked(at: quoteUSD, .down), let raw = quote.quantityChecked(at: price, .down) else { return false }
                q = checked.instrument.roundLot(raw)
                capped = true
            }
        } else if checked.reducibleLimit < q {
            q = checked.instrument.roundLot(checked.reducibleLimit)
            reducedToEnd = true
        }
        guard q.isPositive else { return reducedToEnd ? end("nothing left to reduce") : false }
        let fill = settle(o.signal, order: PricedOrder(quantity: q, cost: q * price, beyondVisibleDepth: false), p: p, now: now,
                          quoteUSD: quoteUSD, capped: capped, requestedUSD: o.requestedUSD, trigger: nil,
                          quoteIsCash: market.accountCurrency.quoteIsCash(symbol), orderId: o.id, liquidity: liquidity)
        out.append(.fill(fill))
        filled = q
        if q >= o.remaining || reducedToEnd {
            if var gone = removeOrder(o.id, from: p), gone.remaining > q {
                gone.remaining -= q
                gone.filled += q
                out.append(.event(.ended(gone.view, .unfillable, detail: "nothing left to reduce")))
            }
            return true
        }
        p.orders[symbol]!.update(bid, i) { $0.remaining -= q; $0.filled += q; $0.capped = capped }
        return false
    }
}
