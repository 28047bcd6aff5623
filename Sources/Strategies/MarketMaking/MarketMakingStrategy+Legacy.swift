import Indicators
import TradingCore

/// `mode: legacy`: the reference's one market order per tick (market_making.md §7–§9) with the [FIX]es.
extension MarketMakingStrategy {
    func legacySignal(_ snapshot: DataSnapshot, _ context: StrategyContext) throws -> Signal? {
        let now = snapshot.timestamp
        // W14: stale-position and trailing exits first, through every gate.
        for s in symbols {
            if let exit = try exitSignal(s, snapshot, context) { markSignal(s, now); return exit }
        }
        if breaker.isBlocking(now: now) { reject(.circuitBreaker, nil); return nil }
        if !c.perSymbolCooldown, let l = lastSignal, now - l < seconds(c.globalCooldown) {
            reject(.timeCooldown, nil); return nil
        }
        for (i, s) in symbols.enumerated() {
            if c.perSymbolCooldown, let l = lastSignalBySymbol[i], now - l < seconds(c.cooldown[i]) { reject(.timeCooldown, s); continue }
            guard let r = read(i, s, snapshot, context) else { continue }
            if let signal = try legacyDecision(i, s, r, snapshot) { markSignal(s, now); return signal }
        }
        return nil
    }

    func seconds(_ s: Double) -> Interval { Interval(nanoseconds: Int64((s * 1e9).rounded())) }

    func markSignal(_ s: Symbol, _ now: Timestamp) {
        lastSignal = now
        if let i = symbols.firstIndex(of: s) { lastSignalBySymbol[i] = now }
    }

    /// §7.2 steps 11–22 and §8.1 for one pair.
    private func legacyDecision(_ i: Int, _ s: Symbol, _ r: MarketMakingReading, _ snapshot: DataSnapshot) throws -> Signal? {
        let spread = r.ask - r.bid, both = r.bid + r.ask
        // Step 11 (W3): the A-S spread in price units, as a % of the mid.
        var minSpread = r.effectiveMinSpread
        if c.useOptimal && r.volatility > 0 {
            let term = c.gamma * r.sigmaPrice * r.sigmaPrice + (2 / c.gamma) * PortableMath.log(1 + c.gamma / c.kappa)
            minSpread = max(minSpread, term / r.mid * 100)
        }
        let flow = TradeFlow(tradeWindow(snapshot.trades(s)), lookback: c.flowWindow).imbalance
        // Steps 19–20 on exact decimals (W22): spread% < min ⇔ spread × 200 < min × (bid + ask);
        // spread%/2 − 200 × fee ≥ edge ⇔ spread × 100 ≥ (edge + 200 × fee) × (bid + ask).
        if let m = Rate(rounding: minSpread, toDecimals: 12), Price(raw: spread.raw * 200) < both.scaled(by: m) {
            reject(Decline.spreadTooNarrow, s); return nil
        }
        if c.useFeeCheck {
            let k = c.minProfitRate + Rate(raw: c.feeRateExact.raw * 200)
            if Price(raw: spread.raw * 100) < both.scaled(by: k) { reject(.feeUnprofitable, s); return nil }
        }
        let size = r.size(skew: c.inventorySkew)
        if size < c.minOrder { reject(.insufficientSize, s); return nil }

        let inv = r.inventory, I = r.imbalance
        let sl = c.stopLoss[i] / 100, tp = c.takeProfit[i] / 100
        func buySide(_ action: SignalAction, _ usd: Double, _ why: String) throws -> Signal {
            try make(action, s, usd, r.ask, why, sl: r.ask.doubleValue * (1 - sl), tp: r.ask.doubleValue * (1 + tp), r)
        }
        func sellSide(_ action: SignalAction, _ usd: Double, _ why: String) throws -> Signal {
            try make(action, s, usd, r.bid, why, sl: r.bid.doubleValue * (1 + sl), tp: r.bid.doubleValue * (1 - tp), r)
        }
        /// How much of the inventory `size` closes, in USD (W6: XRP/BTC converts the USD size to XRP before the min).
        func closing() -> Double { r.isCross ? min(size / r.xrpUSD, abs(inv)) * r.xrpUSD : min(size, abs(inv)) }

        // 1. Reduce a long on sell pressure.
        if inv > 0 && I < -c.reductionTrigger {
            let usd = closing()
            if usd >= c.minOrder {
                if c.flowGateReductions && !(flow < -c.tradeFlowThreshold) { reject(.tradeFlowNotAligned, s); return nil }
                return try sellSide(.sell, usd, "sell pressure reduces the long: imbalance \(Self.text(I))")
            }
        }
        // 2. Reduce a short on buy pressure (W8: cover; XRP/BTC never shorts, its negative inventory is sold XRP).
        if inv < 0 && I > c.reductionTrigger {
            let usd = closing()
            if usd >= c.minOrder {
                if c.flowGateReductions && !(flow > c.tradeFlowThreshold) { reject(.tradeFlowNotAligned, s); return nil }
                return try buySide(r.isCross ? .buy : .cover, usd, "buy pressure reduces the short: imbalance \(Self.text(I))")
            }
        }
        // 3. Imbalance buy.
        if inv < r.maxInventory && I > r.effectiveThreshold {
            if c.useTradeFlow && flow <= c.tradeFlowThreshold { reject(.tradeFlowNotAligned, s); return nil }
            return try buySide(.buy, size, "bid-heavy book: imbalance \(Self.text(I)) > \(Self.text(r.effectiveThreshold)) (\(r.regime.rawValue), \(r.session))")
        }
        // 4. Imbalance sell.
        if inv > -r.maxInventory && I < -r.effectiveThreshold {
            if c.useTradeFlow && flow >= -c.tradeFlowThreshold { reject(.tradeFlowNotAligned, s); return nil }
            if inv > 0 {
                let usd = closing()
                guard usd >= c.minOrder else { return silent(s, .insufficientSize) }
                return try sellSide(.sell, usd, "ask-heavy book reduces the long: imbalance \(Self.text(I))")
            }
            if r.isCross { reject(Decline.noInventory, s); return nil }   // resolution 34: no XRP of its own to sell
            return try sellSide(.short, size, "ask-heavy book: imbalance \(Self.text(I)) < −\(Self.text(r.effectiveThreshold)) (\(r.regime.rawValue), \(r.session))")
        }
        // W16: the reference says nothing here; counted only when asked.
        let atCap = (I > r.effectiveThreshold && inv >= r.maxInventory) || (I < -r.effectiveThreshold && inv <= -r.maxInventory)
        return silent(s, atCap ? .maxPosition : .noSignalConditions)
    }

    private func silent(_ s: Symbol, _ reason: StrategyRejection) -> Signal? {
        if c.countSilent { reject(reason, s) }
        return nil
    }

    private func make(_ action: SignalAction, _ s: Symbol, _ usd: Double, _ ref: Price, _ why: String, sl: Double, tp: Double,
                      _ r: MarketMakingReading) throws -> Signal {
        var meta: [String: String] = ["expected_profit_pct": Self.text(r.spreadPct / 2 - 2 * c.feeRate * 100), "session": r.session]
        if r.isCross { meta["xrp_size"] = Self.text(usd / r.xrpUSD) }
        let level = { (x: Double) in Price(rounding: x, toDecimals: 11) }
        guard let size = Money(rounding: usd, toDecimals: 8), size.isPositive else { throw SignalError.invalidSize("\(usd)") }
        return try Signal(action: action, symbol: s, size: size, price: ref, reason: why, stopLoss: level(sl), takeProfit: level(tp), metadata: meta)
    }

    func tradeWindow(_ tape: RingBuffer<Trade>) -> [FlowTrade] {
        let n = tape.count, k = min(n, c.flowWindow)
        return (n - k..<n).map { FlowTrade(tape[$0]) }
    }
}
