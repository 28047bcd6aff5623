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
/// - Lifecycle: a quote stays while the market moves towards it (that is how it fills); it is moved when the market
///   leaves it more than `requote_threshold_pct` behind, and re-centred once older than `requote_interval_seconds`.
///   Every quote is cancelled on the circuit breaker, EXTREME volatility, a trend or correlation pause, or a pair
///   without a book; a position beyond `hard_inventory_mult × max_inventory` is closed at market.
extension MarketMakingStrategy {
    struct Quote: Equatable {
        var action: SignalAction
        var price: Price
        /// USD, or base units when it closes the whole position.
        var size: Money
        var unit: SizeUnit
        var stopLoss: Price?
    }

    /// How long an intent may be on its way before the pair is looked at again (covers any order latency).
    static let pendingFor = Interval.seconds(2)

    func quote(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> [OrderIntent] {
        let now = snapshot.timestamp
        var out: [OrderIntent] = []
        var exiting = Array(repeating: false, count: symbols.count)
        for (i, s) in symbols.enumerated() {
            if let until = pending[i][2], until > now { exiting[i] = true; continue }
            if let exit = try exitSignal(s, snapshot, context) {
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
            if c.flatten, let pos = r.position, abs(r.q) > c.hardMult {
                if context.portfolio.openOrderCount(s) > 0 { out.append(.cancelAll(s)) }
                let action: SignalAction = pos.side == .long ? .sell : .cover
                out.append(.place(try full(action, s, abs(r.inventoryUSD), pos.side == .long ? r.bid : r.ask,
                                           "inventory \(Self.text(r.q)) × max is beyond the hard limit \(c.hardMult)", ["hard_limit": "true"])))
                pending[i] = [now + Self.pendingFor, now + Self.pendingFor, now + Self.pendingFor]
                flattened += 1
                continue
            }
            let (bid, ask) = try desiredQuotes(i, s, r, context)
            let open = context.portfolio.openOrderCount(s) > 0 ? context.portfolio.openOrders(s) : []
            try reconcile(i, s, side: 0, want: bid, have: open.filter { $0.action.takerSide == .buy }, r, now, &out)
            try reconcile(i, s, side: 1, want: ask, have: open.filter { $0.action.takerSide == .sell }, r, now, &out)
        }
        return out
    }

    private func cancelQuotes(_ i: Int, _ s: Symbol, _ context: StrategyContext, _ now: Timestamp, _ out: inout [OrderIntent]) {
        guard context.portfolio.openOrderCount(s) > 0, !(pending[i][0].map { $0 > now } ?? false) else { return }
        out.append(.cancelAll(s))
        pending[i][0] = now + Self.pendingFor; pending[i][1] = now + Self.pendingFor
    }

    /// The bid and the ask this pair should show now (nil: none on that side).
    func desiredQuotes(_ i: Int, _ s: Symbol, _ r: MarketMakingReading, _ context: StrategyContext) throws -> (Quote?, Quote?) {
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
        let decimals = context.instruments[s]?.priceDecimals ?? 8
        let tick = Price(raw: Self.pow10(18 - decimals))
        guard var bidP = Price(rounding: bidPx, toDecimals: 12)?.rounded(toDecimals: decimals, .down),
              var askP = Price(rounding: askPx, toDecimals: 12)?.rounded(toDecimals: decimals, .up) else { return (nil, nil) }
        // Never cross: a post-only order that would take liquidity is refused, so keep a tick off the other side.
        if bidP >= r.ask { bidP = r.ask - tick }
        if askP <= r.bid { askP = r.bid + tick }

        let base = r.baseSize * r.regimeSizeMult * r.sessionSizeMult
        let q = r.q, k = c.inventorySkew
        let bidUSD = base * max(0, 1 - max(q, 0) * k), askUSD = base * max(0, 1 + min(q, 0) * k)
        let invUSD = r.inventoryUSD, capUSD = r.isCross ? r.maxInventory * r.xrpUSD : r.maxInventory
        let sl = c.stopLoss[i] / 100
        let posUSD = abs(invUSD)
        let long = r.position?.side == .long, short = r.position?.side == .short

        func closing(_ action: SignalAction, _ price: Price, _ usd: Double) -> Quote? {
            guard let pos = r.position else { return nil }
            if posUSD <= usd * (1 + 1e-9) || posUSD < c.minOrder {
                return Quote(action: action, price: price, size: Money(raw: pos.size.raw), unit: .base, stopLoss: nil)
            }
            return Money(rounding: usd, toDecimals: 8).map { Quote(action: action, price: price, size: $0, unit: .usd, stopLoss: nil) }
        }
        func opening(_ action: SignalAction, _ price: Price, _ usd: Double) -> Quote? {
            guard usd >= c.minOrder, posUSD + usd <= capUSD * (1 + 1e-9), price.isPositive, let m = Money(rounding: usd, toDecimals: 8) else { return nil }
            let level = action == .buy ? price.doubleValue * (1 - sl) : price.doubleValue * (1 + sl)
            return Quote(action: action, price: price, size: m, unit: .usd, stopLoss: Price(rounding: level, toDecimals: decimals))
        }
        let bidQuote: Quote? = short ? closing(.cover, bidP, bidUSD) : (bidUSD > 0 ? opening(.buy, bidP, bidUSD) : nil)
        let askQuote: Quote?
        if long { askQuote = closing(.sell, askP, askUSD) }
        else if r.isCross { askQuote = nil }   // resolution 34: no XRP of its own to sell, and XRP/BTC never shorts
        else { askQuote = askUSD > 0 ? opening(.short, askP, askUSD) : nil }
        return (bidQuote, askQuote)
    }

    /// Brings one side's resting orders to `want`: place, move, re-centre or cancel.
    private func reconcile(_ i: Int, _ s: Symbol, side: Int, want: Quote?, have: [OpenOrder], _ r: MarketMakingReading, _ now: Timestamp,
                           _ out: inout [OrderIntent]) throws {
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
            let leftBehind = side == 0 ? -gap > threshold : gap > threshold
            let old = now - o.placedAt >= seconds(c.requoteInterval) && abs(gap) > threshold
            guard leftBehind || old else {
                if have.count > 1 { pending[i][side] = now + Self.pendingFor }
                return
            }
            if leftBehind && !old {
                out.append(.replace(o.id, price: want.price, size: nil))
                pending[i][side] = now + Self.pendingFor
                return
            }
            out.append(.cancel(o.id))
        } else if let o = have.first {
            out.append(.cancel(o.id))
        }
        let tag = side == 0 ? "bid" : "ask"
        var signal = try Signal.limit(want.action, s, size: want.size, sizeUnit: want.unit, at: want.price,
                                      reason: "\(tag) \(want.price) (mid \(Self.text(r.mid)), inventory \(Self.text(r.q)) × max)",
                                      postOnly: true, clientTag: tag, stopLoss: want.stopLoss)
        if r.isCross { signal.metadata["xrp_size"] = want.unit == .usd ? Self.text(want.size.doubleValue / r.xrpUSD) : want.size.description }
        out.append(.place(signal))
        pending[i][side] = now + Self.pendingFor
    }

    static func pow10(_ n: Int) -> Int128 { (0..<n).reduce(Int128(1)) { r, _ in r * 10 } }
}
