import TradingCore

/// What an order operation produced, in the order it happened (the kernel reports each to the strategy and observers).
public enum OrderActivity: Sendable {
    case fill(Fill)
    case event(OrderEvent)
    case rejection(ExecutionRejection)
}

extension PaperExchange {
    /// Places a limit order: the pre-trade checks, the post-only test, the part that crosses the book at once (taker,
    /// at the book's prices up to the limit), then the rest rests (maker) with the displayed size at its price as the
    /// queue ahead. A refusal changes nothing and is counted.
    public func place(_ signal: Signal, for p: Portfolio, market: any MarketView, now: Timestamp, into out: inout [OrderActivity]) {
        switch placeChecked(signal, p, market, now, into: &out) {
        case .success: break
        case .failure(let rej):
            p.rejections[rej.reason, default: 0] += 1
            out.append(.rejection(rej))
        }
    }

    private func placeChecked(_ signal: Signal, _ p: Portfolio, _ market: any MarketView, _ now: Timestamp,
                              replacing existing: RestingOrder? = nil, keepQuantity: Bool = false,
                              into out: inout [OrderActivity]) -> Result<Void, ExecutionRejection> {
        func fail(_ r: RejectionReason, _ d: String? = nil) -> Result<Void, ExecutionRejection> {
            .failure(ExecutionRejection(reason: r, strategy: p.strategy, signal: signal, timestamp: now, detail: d))
        }
        guard signal.isLimit, let limit = signal.limitPrice else { return fail(.unsupportedOrderType, "place() takes limit orders") }
        let checked: CheckedOrder
        switch check(signal, p, now, limitAllowed: true, market: market) {
        case .success(let c): checked = c
        case .failure(let r): return .failure(r)
        }
        let symbol = signal.symbol
        let action = signal.action
        let isBid = action.takerSide == .buy
        let book = market.book(symbol)
        // What the opposite side offers at or better than the limit (it would trade on arrival).
        let opposite = isBid ? (book?.asks ?? []) : (book?.bids ?? [])
        let crossing = opposite.prefix { isBid ? $0.price <= limit : $0.price >= limit }
        // Without that side of a book the price of record stands in for it: at or through it, the order is marketable.
        let recordPrice = opposite.isEmpty ? market.price(symbol) : nil
        let crossesRecord = recordPrice.map { isBid ? limit >= $0 : limit <= $0 } ?? false
        if signal.postOnly {
            if !crossing.isEmpty { return fail(.postOnlyWouldCross, "best \(isBid ? "ask" : "bid") \(opposite[0].price) vs limit \(limit)") }
            if crossesRecord { return fail(.postOnlyWouldCross, "price \(recordPrice!) vs limit \(limit)") }
        }
        let valuation = Valuation(market: market)
        guard let quoteUSD = valuation.quoteUSD(symbol), quoteUSD.isPositive else {
            return fail(.noUSDConversion, "no USD price for \(symbol.quote)")
        }
        let instrument = checked.instrument
        var q: Quantity
        var capped = false
        let requestedUSD: Money
        if action.isOpening {
            switch signal.sizeUnit {
            case _ where keepQuantity && existing != nil:
                // A replace without a new size: what remains to fill stays.
                q = existing!.remaining
                requestedUSD = existing!.requestedUSD
            case .usd:
                requestedUSD = signal.size
                guard let quote = signal.size.convertedBackChecked(at: quoteUSD, .down), let raw = quote.quantityChecked(at: limit, .down),
                      raw <= FillPricer.maxQuantity else { return fail(.invalidSize, "order quantity or notional out of range") }
                q = instrument.roundLot(raw)
            case .base:
                q = instrument.roundLot(Quantity(raw: signal.size.raw))
                requestedUSD = (q * limit).converted(at: quoteUSD)
            }
            guard notionalInRange(q, .single(limit), quoteUSD) else { return fail(.invalidSize, "order quantity or notional out of range") }
            // The order reserves its notional at the limit against the side's headroom (what rests already counts).
            let headroom = headroomUSD(action, p, valuation, excluding: existing?.id)
            if !headroom.isPositive { return fail(.leverageLimit, "headroom \(headroom.formatted(decimals: 10)) USD") }
            if (q * limit).converted(at: quoteUSD) > headroom {
                guard let quote = headroom.convertedBackChecked(at: quoteUSD, .down), let raw = quote.quantityChecked(at: limit, .down) else {
                    return fail(.invalidSize, "order quantity or notional out of range")
                }
                q = instrument.roundLot(raw)
                capped = true
            }
        } else {
            let want: Quantity
            if keepQuantity, let e = existing {
                want = e.remaining
            } else if checked.fullClose {
                want = checked.position!.size
            } else {
                switch signal.sizeUnit {
                case .usd:
                    guard let quote = signal.size.convertedBackChecked(at: quoteUSD, .down), let raw = quote.quantityChecked(at: limit, .down),
                          raw <= FillPricer.maxQuantity else { return fail(.invalidSize, "order quantity or notional out of range") }
                    want = instrument.roundLot(raw)
                case .base: want = instrument.roundLot(Quantity(raw: signal.size.raw))
                }
            }
            // Resting reducing orders share the position: together they never claim more than it holds.
            let free = checked.reducibleLimit - p.committedReducing(symbol, action, excluding: existing?.id)
            if !free.isPositive { return fail(.belowMinimumSize, "the position is already committed to resting orders") }
            q = Quantity.min(want, free)
            guard notionalInRange(q, .single(limit), quoteUSD) else { return fail(.invalidSize, "order quantity or notional out of range") }
            requestedUSD = signal.sizeUnit == .usd && !checked.fullClose ? signal.size : (q * limit).converted(at: quoteUSD)
        }
        guard q.isPositive else { return fail(.belowMinimumSize, "quantity rounds to zero lots") }

        // Accepted. A replace keeps its id (and what it filled); a new order takes the next one.
        let id = existing?.id ?? p.nextOrderId()
        var order = RestingOrder(id: id, signal: signal, limit: limit, remaining: q, queueAhead: nil, placedAt: now,
                                 expiresAt: nil, requestedUSD: requestedUSD, capped: capped)
        order.filled = existing?.filled ?? .zero
        order.reducesPosition = !action.isOpening && checked.position != nil
        if case .goodTillTime(let t) = signal.timeInForce { order.expiresAt = t }
        if let t = order.expiresAt, t <= now {
            // Its time ran out before it could trade (a latency longer than its life): it never trades.
            out.append(.event(.ended(order.view, .expired, detail: "its time ran out before it reached the market")))
            return .success(())
        }
        // The crossing part trades at once as a taker, at the book's prices (never worse than the limit), less what this
        // portfolio already took from those displayed levels.
        if !crossing.isEmpty {
            var ledger = p.taken[symbol] ?? TakenLiquidity()
            ledger.prune(book)
            let levels = ledger.available(Array(crossing), upTo: limit, bid: isBid)
            let available = levels.reduce(Quantity.zero) { $0 + $1.size }
            let take = Quantity.min(q, available)
            if take.isPositive {
                let pricer = FillPricer(lotDecimals: instrument.lotDecimals, slippage: config.slippageRate, takerSide: action.takerSide)
                let priced = pricer.price(quantity: take, basis: .book(levels))
                let fill = settle(signal, order: priced, p: p, now: now, quoteUSD: quoteUSD, capped: capped, requestedUSD: requestedUSD,
                                  trigger: nil, quoteIsCash: market.accountCurrency.quoteIsCash(symbol), orderId: id, liquidity: .taker)
                out.append(.fill(fill))
                ledger.take(take, from: levels, bid: isBid)
                order.remaining -= take
                order.filled += take
            }
            p.taken[symbol] = ledger.isEmpty ? nil : ledger
            // What it did not take was not there for it: it rests at the front of its price (nobody is ahead of a bid
            // at or above the displayed asks).
            order.queueAhead = .zero
        } else {
            order.queueAhead = Self.queueAhead(at: limit, bid: isBid, book: book)
            order.marketable = crossesRecord
        }
        guard order.remaining.isPositive else {
            // Filled on arrival: a new order never rested (its fill says so); a replace still took effect.
            if existing != nil { out.append(.event(.replaced(order.view))) }
            return .success(())
        }
        p.bookSequence += 1
        order.sequence = p.bookSequence
        p.orders[symbol, default: SymbolOrders()].insert(order)
        p.restingCount += 1
        out.append(.event(existing == nil ? .accepted(order.view) : .replaced(order.view)))
        return .success(())
    }

    /// The displayed size at `price` on the order's side: the queue ahead of a new order there. A price between shown
    /// levels (or better than the best) has none; a price beyond the shown depth, or no book at all, is unknown (nil).
    static func queueAhead(at price: Price, bid: Bool, book: OrderBook?) -> Quantity? {
        guard let book else { return nil }
        let side = bid ? book.bids : book.asks
        guard let worst = side.last else { return book.bids.isEmpty && book.asks.isEmpty ? nil : .zero }
        for l in side where l.price == price { return l.size }
        return (bid ? price < worst.price : price > worst.price) ? nil : .zero
    }

    /// Cancels a resting order (`unknown_order` if it is not open).
    public func cancel(_ id: OrderID, for p: Portfolio, now: Timestamp, into out: inout [OrderActivity]) {
        guard let o = removeOrder(id, from: p) else {
            p.rejections[.unknownOrder, default: 0] += 1
            out.append(.event(.unknownOrder(id)))
            return
        }
        out.append(.event(.ended(o.view, .cancelled, detail: nil)))
    }

    /// Cancels every resting order of `p` on `symbol`, oldest first.
    public func cancelAll(_ symbol: Symbol, for p: Portfolio, now: Timestamp, into out: inout [OrderActivity]) {
        guard let book = p.orders[symbol] else { return }
        for o in book.all.sorted(by: { $0.id < $1.id }) { cancel(o.id, for: p, now: now, into: &out) }
    }

    /// New price and/or size (in the order's size unit) for a resting order: checked again like a new placement, and
    /// it joins the back of the queue at its price (Kraken's edit does the same). If the new order is refused the old one
    /// stays as it was.
    public func replace(_ id: OrderID, price: Price?, size: Money?, for p: Portfolio, market: any MarketView, now: Timestamp,
                        into out: inout [OrderActivity]) {
        guard let symbol = p.orders.first(where: { $0.value.find(id) != nil })?.key, let old = p.orders[symbol]?.find(id) else {
            p.rejections[.unknownOrder, default: 0] += 1
            out.append(.event(.unknownOrder(id)))
            return
        }
        var s = old.signal
        if let price { s.limitPrice = price; s.price = price }
        // The size is what remains to fill: unchanged unless given (in the order's size unit).
        if let size { s.size = size; s.closeFullPosition = false }
        if let lp = s.limitPrice, !lp.isPositive || (!s.size.isPositive && !s.closeFullPosition) {
            let rej = ExecutionRejection(reason: .invalidSize, strategy: p.strategy, signal: s, timestamp: now, detail: "replace needs a price and a size > 0")
            p.rejections[rej.reason, default: 0] += 1
            out.append(.rejection(rej))
            return
        }
        // Out of the book while it is re-checked (it must not reserve against itself), back as it was if refused.
        _ = removeOrder(id, from: p)
        if case .failure(let rej) = placeChecked(s, p, market, now, replacing: old, keepQuantity: size == nil, into: &out) {
            p.orders[symbol, default: SymbolOrders()].insert(old)
            p.restingCount += 1
            p.rejections[rej.reason, default: 0] += 1
            out.append(.rejection(rej))
        }
    }

    /// Ends good-till-time orders whose time has come (`now` ≥ expiry).
    public func expireOrders(for p: Portfolio, now: Timestamp, into out: inout [OrderActivity]) {
        guard p.restingCount > 0 else { return }
        var due: [OrderID] = []
        for book in p.orders.values { for o in book.all where o.expiresAt.map({ $0 <= now }) ?? false { due.append(o.id) } }
        guard !due.isEmpty else { return }
        for id in due.sorted() {
            if let o = removeOrder(id, from: p) { out.append(.event(.ended(o.view, .expired, detail: nil))) }
        }
    }

    /// The earliest good-till-time expiry among `p`'s resting orders.
    public func nextExpiry(of p: Portfolio) -> Timestamp? {
        guard p.restingCount > 0 else { return nil }
        var t: Timestamp?
        for book in p.orders.values { for o in book.all { if let e = o.expiresAt, t == nil || e < t! { t = e } } }
        return t
    }

    /// After a fill on `symbol`: resting reducing orders that can no longer fill (their position is gone) end.
    public func releaseUnfillable(_ symbol: Symbol, for p: Portfolio, now: Timestamp, into out: inout [OrderActivity]) {
        guard p.restingCount > 0, let book = p.orders[symbol] else { return }
        for o in book.all where !o.action.isOpening {
            if case .success(let c) = check(o.signal, p, now, limitAllowed: true, market: nil), c.reducibleLimit.isPositive,
               !o.reducesPosition || c.position != nil { continue }
            if let gone = removeOrder(o.id, from: p) {
                out.append(.event(.ended(gone.view, .unfillable, detail: "no \(o.action == .sell ? "long position or holdings" : "short position") left to reduce")))
            }
        }
    }

    func removeOrder(_ id: OrderID, from p: Portfolio) -> RestingOrder? {
        guard p.restingCount > 0, let symbol = p.orders.first(where: { $0.value.find(id) != nil })?.key,
              let o = p.orders[symbol]?.remove(id) else { return nil }
        if p.orders[symbol]!.isEmpty { p.orders[symbol] = nil }
        p.restingCount -= 1
        return o
    }
}
