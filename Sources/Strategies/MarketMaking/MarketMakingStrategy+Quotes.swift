import Indicators
import TradingCore

/// `mode: quote` (market_making.md §6.1): a post-only bid and ask per pair around a reservation price.
///
/// - Reservation price `r = micro − q·γ·σ²·τ` (q = inventory / max_inventory, σ the std of 1m close-to-close moves in
///   price units, τ = `quote_horizon_minutes`).
/// - Half-spread `δ = max(min_half_spread_pct × micro, maker_fee_rate × micro + quote_edge_pct × micro, A-S term)`, the
///   A-S term `(1/γ)·ln(1 + γ/κ)` in price units only with `use_optimal_spread`. Quotes `r ± δ`, the bid rounded down
///   and the ask up to the tick, never crossing the book; the quote that reduces a position never sits on the wrong
///   side of its entry plus both maker fees and the edge (`exit_at_breakeven`).
/// - Sizes: bid `base × max(0, 1 − max(q, 0)·k)`, ask `base × max(0, 1 + min(q, 0)·k)` (k = `inventory_skew`), times the
///   regime and session multipliers; a side that would take the inventory past `max_inventory` is not quoted, nor one
///   below `min_order_usd`. Opening quotes carry the pair's stop loss.
/// - Lifecycle: a quote is moved when the market leaves it more than `requote_threshold_pct` behind, and (opt-in) when
///   the market has come more than `requote_towards_pct` towards it; by default a quote waits for the market to reach
///   it. It is re-placed when its size is more than a quarter off the size wanted now (the inventory moved), and
///   re-centred once older than `requote_interval_seconds`. Every quote is cancelled on the circuit breaker, EXTREME volatility, a
///   trend or correlation pause, or a pair without a book; a position beyond `hard_inventory_mult × max_inventory` is
///   closed at market before any of those gates.
extension MarketMakingStrategy {
    /// A quote as decided: its kind and limit; its size and stop are built only when it is placed.
    struct Quote {
        var action: SignalAction
        var price: Price
        var usd: Double
        /// Closes the whole position (sized in base units at placement).
        var closesAll: Bool
        var stopLevel: Double?
    }

    /// How long an intent may be on its way before the pair is looked at again (covers any order latency).
    static let pendingFor = Interval.seconds(2)

    func quote(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> [OrderIntent] {
        let now = snapshot.timestamp
        var out: [OrderIntent] = []
        var exiting = Array(repeating: false, count: symbols.count)
        for (i, s) in symbols.enumerated() {
            if let until = pending[i][2], until > now { exiting[i] = true; continue }
            if let exit = try exitSignal(s, snapshot, context) ?? hardLimitExit(i, s, snapshot, context) {
                if context.portfolio.openOrderCount(s) > 0 { out.append(.cancelAll(s)) }
                out.append(.place(exit))
                pending[i] = [now + Self.pendingFor, now + Self.pendingFor, now + Self.pendingFor]
                exiting[i] = true
            }
        }
        if breaker.isBlocking(now: now) {
            reject(.circuitBreaker, nil)
            for (i, s) in symbols.enumerated() where !exiting[i] { cancelQuotes(i, s, context, now, &out) }
            return out
        }
        for (i, s) in symbols.enumerated() where !exiting[i] {
            guard let r = read(i, s, snapshot, context) else { cancelQuotes(i, s, context, now, &out); continue }
            let (bid, ask) = desiredQuotes(i, s, r, context)
            let (bids, asks) = restingQuotes(i, s, context)
            try reconcile(i, s, side: 0, want: bid, have: bids, r, now, context, &out)
            try reconcile(i, s, side: 1, want: ask, have: asks, r, now, context, &out)
        }
        return out
    }

    /// An inventory beyond `hard_inventory_mult × max_inventory` is closed at market: an exit, so before every gate
    /// (a pause or the breaker must not leave it open). XRP/BTC counts XRP against `max_inventory_xrp`.
    func hardLimitExit(_ i: Int, _ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        guard c.flatten, let pos = context.portfolio.position(s), pos.size.isPositive else { return nil }
        let isCross = s == MarketMakingConfig.xrpBTC
        let usd = PositionExposure(s, snapshot, context)?.usd
        let q: Double
        if isCross { q = pos.size.doubleValue / c.maxInventoryXRP[i] } else if let usd { q = usd / c.maxInventory[i] } else { return nil }
        guard q > c.hardMult else { return nil }
        let long = pos.side == .long
        let book = snapshot.book(s)
        guard let ref = (long ? book?.bids.first?.price : book?.asks.first?.price) ?? snapshot.price(s), ref.isPositive else { return nil }
        flattened += 1
        return try full(long ? .sell : .cover, s, usd ?? 0, ref,
                        "inventory \(Self.text(long ? q : -q)) × max is beyond the hard limit \(c.hardMult)", ["hard_limit": "true"])
    }

    private func cancelQuotes(_ i: Int, _ s: Symbol, _ context: StrategyContext, _ now: Timestamp, _ out: inout [OrderIntent]) {
        guard context.portfolio.openOrderCount(s) > 0, !(pending[i][0].map { $0 > now } ?? false) else { return }
        out.append(.cancelAll(s))
        pending[i][0] = now + Self.pendingFor; pending[i][1] = now + Self.pendingFor
    }

    /// The bid and the ask this pair should show now (nil: none on that side).
    func desiredQuotes(_ i: Int, _ s: Symbol, _ r: MarketMakingReading, _ context: StrategyContext) -> (Quote?, Quote?) {
        let micro = r.micro
        let reservation = micro - r.q * c.gamma * r.sigmaPrice * r.sigmaPrice * c.horizon
        var delta = max(c.minHalfSpreadPct / 100 * micro, c.makerFee * micro + c.edgePct / 100 * micro)
        if c.useOptimal { delta = max(delta, (1 / c.gamma) * PortableMath.log(1 + c.gamma / c.kappa)) }
        var bidPx = reservation - delta, askPx = reservation + delta
        let f = c.makerFee, e = c.edgePct / 100
        if c.exitAtBreakeven, let pos = r.position {
            let entry = pos.entryPrice.doubleValue
            if pos.side == .long { askPx = max(askPx, entry * (1 + f + e) / (1 - f)) } else { bidPx = min(bidPx, entry * (1 - f - e) / (1 + f)) }
        }
        let grid = priceGrid(i, s, context)
        guard var bidP = grid.floor(bidPx), var askP = grid.ceil(askPx) else { return (nil, nil) }
        // Never cross: a post-only order that would take liquidity is refused, so keep a tick off the other side.
        if bidP >= r.ask { bidP = r.ask - grid.tick }
        if askP <= r.bid { askP = r.bid + grid.tick }

        let base = r.baseSize * r.regimeSizeMult * r.sessionSizeMult
        let q = r.q, k = c.inventorySkew
        let bidUSD = base * max(0, 1 - max(q, 0) * k), askUSD = base * max(0, 1 + min(q, 0) * k)
        let capUSD = r.isCross ? r.maxInventory * r.xrpUSD : r.maxInventory
        let sl = c.stopLoss[i] / 100
        let posUSD = abs(r.inventoryUSD)
        let long = r.position?.side == .long, short = r.position?.side == .short

        func closing(_ action: SignalAction, _ price: Price, _ usd: Double) -> Quote? {
            guard r.position != nil else { return nil }
            let all = posUSD <= usd * (1 + 1e-9) || posUSD < c.minOrder
            return Quote(action: action, price: price, usd: all ? posUSD : usd, closesAll: all, stopLevel: nil)
        }
        func opening(_ action: SignalAction, _ price: Price, _ usd: Double) -> Quote? {
            guard usd >= c.minOrder, posUSD + usd <= capUSD * (1 + 1e-9), price.isPositive else { return nil }
            let level = action == .buy ? price.doubleValue * (1 - sl) : price.doubleValue * (1 + sl)
            return Quote(action: action, price: price, usd: usd, closesAll: false, stopLevel: level)
        }
        let bidQuote: Quote? = short ? closing(.cover, bidP, bidUSD) : (bidUSD > 0 ? opening(.buy, bidP, bidUSD) : nil)
        let askQuote: Quote?
        if long { askQuote = closing(.sell, askP, askUSD) }
        else if r.isCross { askQuote = nil }   // resolution 34: no XRP of its own to sell, and XRP/BTC never shorts
        else { askQuote = askUSD > 0 ? opening(.short, askP, askUSD) : nil }
        return (bidQuote, askQuote)
    }

    /// The pair's price grid (its instrument's decimals), cached: rounding to it is on every decision.
    func priceGrid(_ i: Int, _ s: Symbol, _ context: StrategyContext) -> PriceGrid {
        if let g = grids[i] { return g }
        let g = PriceGrid(decimals: context.instruments[s]?.priceDecimals ?? 8)
        grids[i] = g
        return g
    }

    /// Brings one side's resting orders to `want`: place, move, re-centre or cancel.
    private func reconcile(_ i: Int, _ s: Symbol, side: Int, want: Quote?, have: [OpenOrder], _ r: MarketMakingReading, _ now: Timestamp,
                           _ context: StrategyContext, _ out: inout [OrderIntent]) throws {
        if let until = pending[i][side], until > now { return }
        pending[i][side] = nil
        guard let want else {
            guard !have.isEmpty else { return }
            for o in have { out.append(.cancel(o.id)) }
            pending[i][side] = now + Self.pendingFor
            return
        }
        for o in have.dropFirst() { out.append(.cancel(o.id)) }   // one quote a side
        if let o = have.first, o.action == want.action {
            let threshold = c.requoteThresholdPct / 100 * r.micro
            let gap = o.limitPrice.doubleValue - want.price.doubleValue
            // Left behind: the market moved away. Came towards: by default the quote waits, as a resting order must for
            // the market to reach it on a continuous path (moved back on every step it fills only on a jump: with
            // `requote_towards_pct` 0.05 a simulated day gives no fill at all); `requote_towards_pct` moves it back.
            let away = side == 0 ? -gap : gap
            let moved = away > threshold || (c.requoteTowardsPct > 0 && -away > c.requoteTowardsPct / 100 * r.micro)
            let old = now - o.placedAt >= seconds(c.requoteInterval) && abs(gap) > threshold
            guard moved || old || resized(o, want, r) else {
                if have.count > 1 { pending[i][side] = now + Self.pendingFor }
                return
            }
            // Cancel and place, never replace: a replace keeps the order's stop level, which a bid moved down (an ask
            // moved up) past it would make invalid.
            out.append(.cancel(o.id))
        } else if let o = have.first {
            out.append(.cancel(o.id))
        }
        let tag = side == 0 ? "bid" : "ask"
        let size: Money, unit: SizeUnit
        if want.closesAll, let pos = r.position { size = Money(raw: pos.size.raw); unit = .base } else {
            guard let m = Money(rounding: want.usd, toDecimals: 8), m.isPositive else { return }
            size = m; unit = .usd
        }
        let grid = priceGrid(i, s, context)
        var signal = try Signal.limit(want.action, s, size: size, sizeUnit: unit, at: want.price,
                                      reason: "\(tag) \(want.price) (mid \(Self.text(r.mid)), inventory \(Self.text(r.q)) × max)",
                                      postOnly: true, clientTag: tag, stopLoss: want.stopLevel.flatMap { grid.nearest($0) })
        if r.isCross { signal.metadata["xrp_size"] = unit == .usd ? Self.text(want.usd / r.xrpUSD) : size.description }
        out.append(.place(signal))
        pending[i][side] = now + Self.pendingFor
    }

    /// The resting quote's size no longer fits: a closing quote that is not the position's size, or an opening quote
    /// more than a quarter away from the size wanted now (the inventory, regime or session moved it; a quote sized while
    /// flat must not take the inventory past its cap).
    func resized(_ o: OpenOrder, _ want: Quote, _ r: MarketMakingReading) -> Bool {
        if want.closesAll { return o.remaining.raw != (r.position?.size.raw ?? 0) }
        let usd = o.remaining.doubleValue * (r.isCross ? r.xrpUSD : o.limitPrice.doubleValue)
        return abs(usd - want.usd) > 0.25 * want.usd
    }

    /// The pair's resting bids and asks: from the order events while they account for every order the portfolio holds
    /// on the pair (the common case, no views built), else read from the portfolio.
    func restingQuotes(_ i: Int, _ s: Symbol, _ context: StrategyContext) -> ([OpenOrder], [OpenOrder]) {
        let n = context.portfolio.openOrderCount(s)
        if n == 0 { resting[i] = [nil, nil]; return ([], []) }
        // An order that fills completely leaves without an event; the count then differs and the portfolio is read.
        if (resting[i][0] == nil ? 0 : 1) + (resting[i][1] == nil ? 0 : 1) == n {
            return (resting[i][0].map { [$0] } ?? [], resting[i][1].map { [$0] } ?? [])
        }
        let open = context.portfolio.openOrders(s)
        let bids = open.filter { $0.action.takerSide == .buy }, asks = open.filter { $0.action.takerSide == .sell }
        resting[i] = [bids.count == 1 ? bids[0] : nil, asks.count == 1 ? asks[0] : nil]
        return (bids, asks)
    }
}

/// Rounding to one pair's price grid without a round trip through 18-decimal text: the scaled value with a tolerance
/// of 1e-7 of a tick, so a price computed as 1.99001199999… is 1.990012.
struct PriceGrid {
    let scale: Double
    let unit: Int128
    let tick: Price

    init(decimals: Int) {
        var s = 1.0
        for _ in 0..<decimals { s *= 10 }
        scale = s
        var u: Int128 = 1
        for _ in 0..<(18 - decimals) { u *= 10 }
        unit = u
        tick = Price(raw: u)
    }

    private func make(_ v: Double) -> Price? {
        guard v.isFinite, abs(v) < 9e18 else { return nil }
        return Price(raw: Int128(Int64(v)) * unit)
    }
    func floor(_ x: Double) -> Price? { make((x * scale + 1e-7).rounded(.down)) }
    func ceil(_ x: Double) -> Price? { make((x * scale - 1e-7).rounded(.up)) }
    func nearest(_ x: Double) -> Price? { make((x * scale).rounded(.toNearestOrEven)) }
}
