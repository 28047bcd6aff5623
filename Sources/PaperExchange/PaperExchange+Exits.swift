import TradingCore

/// The price range a stop is checked against: a live tick passes (p, p, p); a bar passes its open, low, high.
public struct TriggerRange: Sendable, Equatable {
    public var open: Price
    public var low: Price
    public var high: Price
    public init(open: Price, low: Price, high: Price) { self.open = open; self.low = low; self.high = high }
    public init(_ p: Price) { self.init(open: p, low: p, high: p) }
}

/// An exit the engine generates: always a full close, never leverage-checked.
public struct ExitOrder: Sendable {
    public var signal: Signal
    public var trigger: ExitTrigger
    public var venue: Venue
}

extension PaperExchange {
    /// Margin calls first (every priced position when equity < m × gross exposure), then stop-loss /
    /// take-profit per remaining position, stop first, at most one exit per position.
    /// `bars` holds the bar ranges of symbols that just printed a bar (bar backtests).
    public func exitOrders(for p: Portfolio, market: any MarketView, bars: [Symbol: TriggerRange] = [:]) -> [ExitOrder] {
        // Nothing can trigger without leverage or protective levels: skip the per-position work.
        guard p.needsExitChecks else { return [] }
        var out: [ExitOrder] = []
        let valuation = Valuation(market: market)
        let positions = p.positions.values.sorted { $0.symbol < $1.symbol }
        var marginCalled = Set<Symbol>()
        if p.hasLeverage {
            let equity = valuation.equity(p)
            var gross = Money.zero
            for pos in positions {
                if let px = market.price(pos.symbol), px.isPositive, let q = valuation.quoteUSD(pos.symbol) {
                    gross += (pos.size * px).converted(at: q)
                }
            }
            if equity < gross.scaled(by: config.maintenanceMarginRatio) {
                for pos in positions {
                    guard let px = market.price(pos.symbol), px.isPositive else { continue }
                    if let s = exitSignal(pos, price: px, reason: "MARGIN CALL: equity below maintenance margin at \(formatLevel(px))",
                                          trigger: .marginCall, valuation: valuation) {
                        out.append(ExitOrder(signal: s, trigger: .marginCall, venue: .market))
                        marginCalled.insert(pos.symbol)
                    }
                }
            }
        }
        for pos in positions where !marginCalled.contains(pos.symbol) {
            guard let px = market.price(pos.symbol), px.isPositive else { continue }
            let bar = bars[pos.symbol]
            let r = bar ?? TriggerRange(px)
            var hit: (ExitTrigger, Price, Venue)?
            if pos.side == .long {
                if let sl = pos.stopLoss, r.low <= sl {
                    hit = (.stopLoss, bar == nil ? px : sl, bar == nil ? .market : .at(r.open <= sl ? r.open : sl))
                } else if let tp = pos.takeProfit, r.high >= tp {
                    hit = (.takeProfit, bar == nil ? px : tp, bar == nil ? .market : .at(r.open >= tp ? r.open : tp))
                }
            } else {
                if let sl = pos.stopLoss, r.high >= sl {
                    hit = (.stopLoss, bar == nil ? px : sl, bar == nil ? .market : .at(r.open >= sl ? r.open : sl))
                } else if let tp = pos.takeProfit, r.low <= tp {
                    hit = (.takeProfit, bar == nil ? px : tp, bar == nil ? .market : .at(r.open <= tp ? r.open : tp))
                }
            }
            if let (trigger, level, venue) = hit,
               let s = exitSignal(pos, price: level, reason: "\(trigger.rawValue) triggered at \(formatLevel(level))",
                                  trigger: trigger, valuation: valuation) {
                out.append(ExitOrder(signal: s, trigger: trigger, venue: venue))
            }
        }
        return out
    }

    /// A full-close signal; its size (USD, for logs) is size × price × quoteUSD.
    public func exitSignal(_ pos: Position, price: Price, reason: String, trigger: ExitTrigger, valuation: Valuation) -> Signal? {
        let q = valuation.quoteUSD(pos.symbol) ?? .one
        return try? Signal(action: pos.side == .long ? .sell : .cover, symbol: pos.symbol,
                           size: (pos.size * price).converted(at: q), price: price, reason: reason,
                           metadata: ["trigger": trigger.rawValue, "position_side": pos.side.rawValue],
                           closeFullPosition: true)
    }

    /// After exits each tick: high/low marks of every remaining priced position.
    public func updateTracking(_ p: Portfolio, market: any MarketView) {
        // Read in place; write back only when a mark moves (positions are large values).
        var i = p.positions.startIndex
        while i != p.positions.endIndex {
            let sym = p.positions.keys[i]
            if let px = market.price(sym), px.isPositive,
               px > p.positions.values[i].highestPrice || px < p.positions.values[i].lowestPrice {
                p.positions.values[i].track(px)
            }
            i = p.positions.index(after: i)
        }
    }

    /// Baseline (once every starting asset has a USD price), peak and max drawdown at current marks.
    public func updateDrawdown(_ p: Portfolio, market: any MarketView) {
        // Cash-only portfolios (the common case between trades): no valuation needed.
        if p.baselineSet && p.assets.isEmpty {
            if p.cash >= p.peakEquity { p.peakEquity = p.cash; return }
            if p.peakEquity.isPositive {
                let dd = (p.peakEquity - p.cash).doubleValue / p.peakEquity.doubleValue
                if dd > p.maxDrawdown { p.maxDrawdown = dd }
            }
            return
        }
        let valuation = Valuation(market: market)
        if !p.baselineSet {
            var baseline = p.startingCapital
            for asset in p.startingAssets.keys.sorted() {
                guard let u = valuation.usdPrice(asset) else { p.noteUnpriced([asset]); return }
                baseline += p.startingAssets[asset]! * u
            }
            p.baselineEquity = baseline
            p.peakEquity = baseline
            p.baselineSet = true
        }
        // Cash-only portfolios: equity is cash, no lookups needed.
        var unresolved: [String] = []
        let e = p.assets.isEmpty ? p.cash : valuation.equity(p, unresolved: &unresolved)
        if !unresolved.isEmpty { p.noteUnpriced(unresolved.sorted()) }
        if e >= p.peakEquity { p.peakEquity = e; return }
        if p.peakEquity.isPositive {
            let dd = (p.peakEquity - e).doubleValue / p.peakEquity.doubleValue
            if dd > p.maxDrawdown { p.maxDrawdown = dd }
        }
    }
}

/// 6 decimals for prices ≥ 0.01, 10 below (so XRP/BTC levels stay readable).
public func formatLevel(_ p: Price) -> String {
    p >= Price("0.01")! ? p.formatted(decimals: 6) : p.formatted(decimals: 10)
}
