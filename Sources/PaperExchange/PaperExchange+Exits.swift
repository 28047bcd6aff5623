import TradingCore

/// An exit the engine generates: always a full close, never leverage-checked.
public struct ExitOrder: Sendable {
    public var signal: Signal
    public var trigger: ExitTrigger
    public var venue: Venue
    /// When the exit happened on the bar's path (its start, decision 37); nil = the tick's time.
    public var time: Timestamp?
}

/// How far one tick's sweep towards the adverse extremes has got: every bar symbol's current mark (nil: the opens).
public struct AdversePath: Sendable {
    var marks: [(symbol: Symbol, price: Price)]?
    public init() {}
}

/// Where on a bar's path exits are checked, in this order (backtest.md §B4, decision 37). A live tick has no
/// bar: its one price is checked in `.open`, and the other phases find nothing.
public enum ExitPhase: Int, CaseIterable, Sendable {
    /// Every symbol at its bar's open (a gap beyond a stop or a target fills there).
    case open
    /// From the open towards each exposure's adverse extreme: stops and margin calls, earliest first.
    case adverse
    /// The favourable extremes: take-profits.
    case favourable
}

extension PaperExchange {
    /// The exits of a live tick (one pass at the current prices).
    public func exitOrders(for p: Portfolio, market: any MarketView) -> [ExitOrder] {
        exitOrders(for: p, market: market, phase: .open)
    }

    /// The next exits of `phase` for positions not in `done`. `.open` and `.favourable` return everything they
    /// find at once; `.adverse` returns only the earliest event on the path (a group of stops at one point, or a
    /// margin call) and records in `path` where the marks have got to, so call it again with the same `path`
    /// after executing them until it returns nothing.
    public func exitOrders(for p: Portfolio, market: any MarketView, phase: ExitPhase, excluding done: Set<Symbol> = []) -> [ExitOrder] {
        var path = AdversePath()
        return exitOrders(for: p, market: market, phase: phase, excluding: done, path: &path)
    }

    public func exitOrders(for p: Portfolio, market: any MarketView, phase: ExitPhase, excluding done: Set<Symbol>,
                           path: inout AdversePath) -> [ExitOrder] {
        // Nothing can trigger without leverage or protective levels: skip the per-position work.
        guard p.needsExitChecks else { return [] }
        var positions = p.positions.values.sorted { $0.symbol < $1.symbol }
        if !done.isEmpty { positions.removeAll { done.contains($0.symbol) } }
        guard !positions.isEmpty else { return [] }
        switch phase {
        case .open: return openExits(p, positions, market)
        case .adverse: return market.hasBarRanges ? adverseExits(p, positions, market, &path) : []
        case .favourable: return market.hasBarRanges ? favourableExits(positions, market) : []
        }
    }

    /// Every symbol with a bar at its open (others keep their price).
    private func openMarks(_ market: any MarketView) -> [(symbol: Symbol, price: Price)] {
        guard market.hasBarRanges else { return [] }
        return market.symbols.compactMap { s in market.barRange(s).map { (s, $0.open) } }
    }

    /// The adverse extreme of each symbol with a bar: a long position's low, a short's high; without a position
    /// on the pair, the extreme that hurts its base balance (a borrowed quote asset rises, a held asset falls).
    func adverseMarks(_ p: Portfolio, _ market: any MarketView) -> [(symbol: Symbol, price: Price)] {
        guard market.hasBarRanges else { return [] }
        return market.symbols.compactMap { s in
            guard let r = market.barRange(s) else { return nil }
            if let side = p.positionSide(s) { return (s, side == .long ? r.low : r.high) }
            let balance = p.assetBalance(s.base)
            return (s, balance.isPositive ? r.low : (balance.isNegative ? r.high : r.open))
        }
    }

    private func view(_ market: any MarketView, _ marks: [(symbol: Symbol, price: Price)]) -> any MarketView {
        marks.isEmpty ? market : MarkedMarket(market, marks: marks)
    }

    /// Equity minus the maintenance requirement at a view's marks; negative means a margin call.
    private func marginSurplus(_ p: Portfolio, _ positions: [Position], _ view: any MarketView) -> Money {
        let valuation = Valuation(market: view)
        var gross = Money.zero
        for pos in positions {
            if let px = view.price(pos.symbol), px.isPositive, let q = valuation.quoteUSD(pos.symbol) {
                gross += (pos.size * px).converted(at: q)
            }
        }
        return valuation.equity(p) - gross.scaled(by: config.maintenanceMarginRatio)
    }

    /// A margin call of every priced position at the view's marks (bar positions at those marks, stamped at
    /// their bar's start; others at the market).
    private func marginCall(_ positions: [Position], _ view: any MarketView, _ market: any MarketView) -> [ExitOrder] {
        let valuation = Valuation(market: view)
        return positions.compactMap { pos in
            guard let px = view.price(pos.symbol), px.isPositive else { return nil }
            let range = market.barRange(pos.symbol)
            guard let s = exitSignal(pos, price: px, reason: "MARGIN CALL: equity below maintenance margin at \(formatLevel(px))",
                                     trigger: .marginCall, valuation: valuation) else { return nil }
            return ExitOrder(signal: s, trigger: .marginCall, venue: range == nil ? .market : .at(px), time: range?.start)
        }
    }

    private func openExits(_ p: Portfolio, _ positions: [Position], _ market: any MarketView) -> [ExitOrder] {
        let v = view(market, openMarks(market))
        if p.hasLeverage, marginSurplus(p, positions, v).isNegative { return marginCall(positions, v, market) }
        let valuation = Valuation(market: v)
        var out: [ExitOrder] = []
        for pos in positions {
            guard let px = v.price(pos.symbol), px.isPositive else { continue }
            let range = market.barRange(pos.symbol)
            var hit: (ExitTrigger, Price)?
            // At one price the stop is checked first; a bar that opens beyond its target exits there (the target side).
            if let sl = pos.stopLoss, pos.side == .long ? px <= sl : px >= sl { hit = (.stopLoss, sl) }
            else if let tp = pos.takeProfit, pos.side == .long ? px >= tp : px <= tp { hit = (.takeProfit, tp) }
            guard let (trigger, level) = hit else { continue }
            let reason = range == nil ? "\(trigger.rawValue) triggered at \(formatLevel(px))"
                : "\(trigger.rawValue) \(formatLevel(level)): bar opened beyond it at \(formatLevel(px))"
            if let s = exitSignal(pos, price: px, reason: reason, trigger: trigger, valuation: valuation) {
                out.append(ExitOrder(signal: s, trigger: trigger, venue: range == nil ? .market : .at(px), time: range?.start))
            }
        }
        return out
    }

    private func adverseExits(_ p: Portfolio, _ positions: [Position], _ market: any MarketView, _ path: inout AdversePath) -> [ExitOrder] {
        // The sweep continues from where the last event left every mark (the opens at first), so an exit part-way
        // never lets later checks start again from the better open prices.
        let start = path.marks ?? openMarks(market), adverse = adverseMarks(p, market)
        guard !start.isEmpty else { return [] }
        func mark(_ s: Symbol, _ marks: [(symbol: Symbol, price: Price)]) -> Price? { marks.first { $0.symbol == s }?.price }
        /// Every mark moved the fraction num/den of its remaining way, rounded against the exposure.
        func along(_ num: Int128, _ den: Int128) -> [(symbol: Symbol, price: Price)] {
            zip(start, adverse).map { o, a in
                let move = a.price - o.price
                guard let d = move.scaled(byRatio: num, over: den, move.isNegative ? .down : .up) else { return a }
                return (o.symbol, o.price + d)
            }
        }
        // Stops on the remaining way, as a fraction of it (ordering only; the fill is at the stop level).
        var stops: [(at: Double, pos: Position, level: Price, range: BarRange, num: Int128, den: Int128)] = []
        for pos in positions {
            guard let sl = pos.stopLoss, let r = market.barRange(pos.symbol), let m = mark(pos.symbol, start),
                  let a = mark(pos.symbol, adverse), m != a else { continue }
            if pos.side == .long, a <= sl, sl < m {
                stops.append(((m - sl).doubleValue / (m - a).doubleValue, pos, sl, r, (m - sl).raw, (m - a).raw))
            } else if pos.side == .short, a >= sl, sl > m {
                stops.append(((sl - m).doubleValue / (a - m).doubleValue, pos, sl, r, (sl - m).raw, (a - m).raw))
            }
        }
        // A margin call where the surplus, moving from the current marks to the adverse extremes together, turns
        // negative (linear in the marks for cash-quoted pairs, so this is where maintenance margin is breached).
        var margin: (at: Double, marks: [(symbol: Symbol, price: Price)])?
        if p.hasLeverage {
            let f0 = marginSurplus(p, positions, view(market, start))
            let f1 = marginSurplus(p, positions, view(market, adverse))
            if f0.isNegative { margin = (0, start) }
            else if f1.isNegative { margin = (f0.doubleValue / (f0 - f1).doubleValue, along(f0.raw, (f0 - f1).raw)) }
        }
        let firstStop = stops.map(\.at).min()
        if let m = margin, firstStop.map({ $0 > m.at }) ?? true {
            path.marks = m.marks
            return marginCall(positions, view(market, m.marks), market)
        }
        guard let first = firstStop, let lead = stops.first(where: { $0.at == first }) else { return [] }
        var reached = along(lead.num, lead.den)
        for i in reached.indices where reached[i].symbol == lead.pos.symbol { reached[i].price = lead.level }
        path.marks = reached
        let valuation = Valuation(market: market)
        return stops.filter { $0.at == first }.compactMap { e in
            exitSignal(e.pos, price: e.level, reason: "stop_loss triggered at \(formatLevel(e.level)) inside the bar (low \(formatLevel(e.range.low)), high \(formatLevel(e.range.high)))",
                       trigger: .stopLoss, valuation: valuation)
                .map { ExitOrder(signal: $0, trigger: .stopLoss, venue: .at(e.level), time: e.range.start) }
        }
    }

    private func favourableExits(_ positions: [Position], _ market: any MarketView) -> [ExitOrder] {
        let valuation = Valuation(market: market)
        return positions.compactMap { pos in
            guard let tp = pos.takeProfit, let r = market.barRange(pos.symbol),
                  pos.side == .long ? r.high >= tp : r.low <= tp else { return nil }
            return exitSignal(pos, price: tp, reason: "take_profit triggered at \(formatLevel(tp)) inside the bar",
                              trigger: .takeProfit, valuation: valuation)
                .map { ExitOrder(signal: $0, trigger: .takeProfit, venue: .at(tp), time: r.start) }
        }
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

    /// Baseline (once every priceable starting asset has a USD price), peak and max drawdown. The peak follows
    /// the marks of record; in a bar backtest the drawdown is also taken at the bars' adverse extremes (decision 21).
    /// Returns the equity at the marks of record as a Double (nil until the baseline is set).
    @discardableResult
    public func updateDrawdown(_ p: Portfolio, market: any MarketView) -> Double? {
        // Cash-only portfolios (the common case between trades): no valuation needed.
        if p.baselineSet && p.assets.isEmpty {
            p.noteEquity(p.cash)
            return p.cash.doubleValue
        }
        let valuation = Valuation(market: market)
        if !p.baselineSet {
            var baseline = p.startingCapital
            // Engine §2.10 with item 5 of the hardening issue: wait for the first price of every starting asset that
            // a session pair can value; one that none can is left out of the baseline and the equity alike.
            for asset in p.startingAssets.keys.sorted() {
                if !valuation.canPrice(asset) { p.excludedAssets.insert(asset); p.noteUnpriced([asset]); continue }
                guard let u = valuation.usdPrice(asset) else { return nil }
                baseline += p.startingAssets[asset]! * u
            }
            p.baselineEquity = baseline
            p.peakEquity = baseline
            p.baselineSet = true
        }
        // The adverse extremes came before the closes: judge them against the old peak first.
        if let (s, amount) = singlePairHolding(p, market), let px = market.price(s) {
            let range = market.barRange(s)
            let adverse = range.map { amount.isPositive ? $0.low : $0.high }
            // Screen in Double: most ticks neither raise the peak nor deepen the drawdown, and then no exact
            // product is needed. The margin covers Double error with room to spare; near it the exact path decides.
            let cashD = p.cash.doubleValue, amountD = amount.doubleValue
            let closeD = cashD + amountD * px.doubleValue
            let worstD = adverse.map { cashD + amountD * $0.doubleValue } ?? closeD
            let margin = 1e-9 * (abs(cashD) + abs(amountD * px.doubleValue) + abs(p.peakDouble))
            if closeD < p.peakDouble - margin, worstD > p.peakDouble * (1 - p.maxDrawdown) + margin {
                return closeD
            }
            if let a = adverse { p.noteAdverseEquity(p.cash + amount * a) }
            let e = p.cash + amount * px
            p.noteEquity(e)
            return e.doubleValue
        }
        if market.hasBarRanges { p.noteAdverseEquity(adverseEquity(p, market)) }
        var unresolved: [String] = []
        let e = valuation.equity(p, unresolved: &unresolved)
        p.noteEquity(e)
        if !unresolved.isEmpty { p.noteUnpriced(unresolved.sorted()) }
        return e.doubleValue
    }

    /// The usual backtest: one cash-quoted pair in the session and only its base held, so equity is
    /// cash + amount × mark without a valuation walk.
    @inline(__always) private func singlePairHolding(_ p: Portfolio, _ market: any MarketView) -> (Symbol, Quantity)? {
        // With one cash-quoted pair, the only non-cash asset a portfolio in a position can hold is that pair's base.
        guard p.assets.count == 1, p.positions.count == 1 else { return nil }
        let symbols = market.symbols
        guard symbols.count == 1, market.accountCurrency.quoteIsCash(symbols[0]), p.positions.keys[p.positions.startIndex] == symbols[0] else { return nil }
        return (symbols[0], p.assets.values[p.assets.startIndex])
    }

    /// Drawdown at the bars' adverse extremes only (after an intrabar exit, before targets): the peak is raised
    /// only by `updateDrawdown` at the tick's closes.
    public func noteIntrabarDrawdown(_ p: Portfolio, market: any MarketView) {
        guard p.baselineSet else { return }
        p.noteAdverseEquity(p.assets.isEmpty ? p.cash : adverseEquity(p, market))
    }

    /// Equity with every symbol that printed a bar at its adverse extreme.
    func adverseEquity(_ p: Portfolio, _ market: any MarketView) -> Money {
        if let (s, amount) = singlePairHolding(p, market), let r = market.barRange(s) {
            return p.cash + amount * (amount.isPositive ? r.low : r.high)
        }
        return Valuation(market: view(market, adverseMarks(p, market))).equity(p)
    }
}

/// 6 decimals for prices ≥ 0.01, 10 below (so XRP/BTC levels stay readable).
public func formatLevel(_ p: Price) -> String {
    p >= Price("0.01")! ? p.formatted(decimals: 6) : p.formatted(decimals: 10)
}
