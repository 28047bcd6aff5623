import TradingCore

/// Where an order executes.
public enum Venue: Sendable, Equatable {
    /// Against the current book (by the configured fill model), or the signal price without one.
    case market
    /// At a given reference price with adverse slippage: a bar's open, or a stop level hit inside a bar.
    case at(Price)
}

/// The paper exchange: turns signals into fills against one portfolio, with exact accounting.
/// It never throws for input problems; every refusal is a typed `ExecutionRejection`.
public struct PaperExchange {
    public let config: ExchangeConfig
    public let instruments: InstrumentRegistry
    public let sessionSymbols: Set<Symbol>

    public init(config: ExchangeConfig, instruments: InstrumentRegistry, sessionSymbols: [Symbol]) {
        self.config = config
        self.instruments = instruments
        self.sessionSymbols = Set(sessionSymbols)
    }

    /// A fresh portfolio; `tradable` limits the pairs its strategy may trade (nil: every session pair).
    public func makePortfolio(strategy: String, tradable: [Symbol]? = nil) -> Portfolio {
        Portfolio(strategy: strategy, startingCapital: config.startingCapital, startingAssets: config.startingAssets,
                  maxFillsHistory: config.maxFillsHistory, tradable: tradable.map(Set.init))
    }

    /// Executes a signal for `portfolio` at engine time `now`. A rejection changes nothing and is counted.
    public func execute(_ signal: Signal, for portfolio: Portfolio, market: any MarketView, now: Timestamp,
                        venue: Venue = .market, trigger: ExitTrigger? = nil) -> Result<Fill, ExecutionRejection> {
        let r = executeUncounted(signal, for: portfolio, market: market, now: now, venue: venue, trigger: trigger)
        if case .failure(let rej) = r { portfolio.rejections[rej.reason, default: 0] += 1 }
        return r
    }

    private func reject(_ reason: RejectionReason, _ signal: Signal, _ p: Portfolio, _ now: Timestamp, _ detail: String? = nil) -> Result<Fill, ExecutionRejection> {
        .failure(ExecutionRejection(reason: reason, strategy: p.strategy, signal: signal, timestamp: now, detail: detail))
    }

    private func executeUncounted(_ signal: Signal, for p: Portfolio, market: any MarketView, now: Timestamp,
                                  venue: Venue, trigger: ExitTrigger?) -> Result<Fill, ExecutionRejection> {
        let action = signal.action
        let symbol = signal.symbol
        let fullClose = signal.closeFullPosition && (action == .sell || action == .cover)
        // 1. Validation in the fixed order of engine §2.6.
        if !fullClose && !signal.size.isPositive { return reject(.invalidSize, signal, p, now) }
        if signal.size.doubleValue > (signal.sizeUnit == .usd ? FillPricer.maxNotional : FillPricer.maxQuantity.doubleValue) {
            return reject(.invalidSize, signal, p, now, "size \(signal.size) is out of range")
        }
        if signal.orderType == .limit { return reject(.unsupportedOrderType, signal, p, now) }
        guard sessionSymbols.contains(symbol), let instrument = instruments[symbol] else {
            return reject(.unknownSymbol, signal, p, now, "\(symbol) is not a session symbol")
        }
        if let t = p.tradable, !t.contains(symbol) {
            return reject(.unknownSymbol, signal, p, now, "\(symbol) is not one of this strategy's pairs (it is in the session only to value a quote currency)")
        }
        if config.validateProtectiveLevels, let e = protectiveLevelError(signal) {
            return reject(.invalidProtectiveLevels, signal, p, now, e)
        }
        let position = p.positions[symbol]
        if action == .buy, position?.side == .short { return reject(.oppositePositionOpen, signal, p, now) }
        if action == .short, position?.side == .long { return reject(.oppositePositionOpen, signal, p, now) }
        // Inventory is per pair: a sell closes this pair's long only; base units that belong to no position
        // (starting assets) are sold only by a sell on a pair without a position.
        let free = position?.side == .long ? Quantity.zero : p.freeInventory(symbol.base)
        switch action {
        case .sell:
            if fullClose && position?.side != .long { return reject(.noPosition, signal, p, now) }
            if position?.side != .long && !free.isPositive { return reject(.noHoldings, signal, p, now, "no \(symbol.base) outside positions") }
        case .cover:
            if position?.side != .short { return reject(.noPosition, signal, p, now) }
        default: break
        }
        // 2. Price basis.
        let pricer = FillPricer(lotDecimals: instrument.lotDecimals, slippage: config.slippageRate, takerSide: action.takerSide)
        let basis: PriceBasis
        switch venue {
        case .at(let ref):
            guard ref.isPositive, ref.doubleValue < 1e12 else { return reject(.noPrice, signal, p, now) }
            basis = .single(pricer.slipped(ref))
        case .market:
            let book = market.book(symbol)
            let levels = action.takerSide == .buy ? (book?.asks ?? []) : (book?.bids ?? [])
            if let top = levels.first, top.price.isPositive {
                basis = config.fillModel == .bookWalk ? .book(levels) : .single(pricer.slipped(top.price))
            } else {
                guard signal.price.isPositive, signal.price.doubleValue < 1e12 else {
                    return reject(.noPrice, signal, p, now, "no book and no usable signal price")
                }
                basis = .single(pricer.slipped(signal.price))
            }
        }
        let valuation = Valuation(market: market)
        guard let quoteUSD = valuation.quoteUSD(symbol), quoteUSD.isPositive else {
            return reject(.noUSDConversion, signal, p, now, "no USD price for \(symbol.quote)")
        }
        // 3. Quantity.
        var order: PricedOrder
        var capped = false
        let requestedUSD: Money
        switch action {
        case .buy, .short:
            switch signal.sizeUnit {
            case .usd:
                requestedUSD = signal.size
                guard let quoteNotional = signal.size.convertedBackChecked(at: quoteUSD, .down),
                      let o = pricer.price(notional: quoteNotional, basis: basis) else { return outOfRange(signal, p, now) }
                order = o
            case .base:
                let q = instrument.roundLot(Quantity(raw: signal.size.raw))
                guard notionalInRange(q, basis, quoteUSD) else { return outOfRange(signal, p, now) }
                order = pricer.price(quantity: q, basis: basis)
                requestedUSD = order.cost.converted(at: quoteUSD)
            }
            // Cumulative leverage headroom (engine §2.4.5 rule 2).
            let equity = valuation.equity(p)
            var exposure = Money.zero
            for pos in p.positions.values where pos.side == (action == .buy ? .long : .short) {
                exposure += valuation.markUSD(pos)
            }
            let limit = action == .buy ? config.maxLongLeverage : config.maxShortLeverage
            let headroom = equity.scaled(by: limit) - exposure
            if !headroom.isPositive {
                return reject(.leverageLimit, signal, p, now, "headroom \(headroom.formatted(decimals: 10)) USD")
            }
            if order.cost.converted(at: quoteUSD) > headroom {
                guard let quoteHeadroom = headroom.convertedBackChecked(at: quoteUSD, .down),
                      let o = pricer.price(notional: quoteHeadroom, basis: basis) else { return outOfRange(signal, p, now) }
                order = o
                capped = true
            }
        case .sell, .cover:
            // Reducing orders: never more than this pair's position, or (a sell without one) the free inventory,
            // which realizes no P&L.
            let limit: Quantity = action == .cover ? position!.size : (position?.side == .long ? position!.size : free)
            let want: Quantity
            if fullClose {
                want = position!.size
            } else {
                switch signal.sizeUnit {
                case .usd:
                    guard let quoteNotional = signal.size.convertedBackChecked(at: quoteUSD, .down),
                          let o = pricer.price(notional: quoteNotional, basis: basis) else { return outOfRange(signal, p, now) }
                    want = o.quantity
                case .base: want = instrument.roundLot(Quantity(raw: signal.size.raw))
                }
            }
            let q = Quantity.min(want, limit)
            guard notionalInRange(q, basis, quoteUSD) else { return outOfRange(signal, p, now) }
            order = pricer.price(quantity: q, basis: basis)
            requestedUSD = signal.sizeUnit == .usd && !fullClose ? signal.size : order.cost.converted(at: quoteUSD)
        }
        guard order.quantity.isPositive else {
            return reject(.belowMinimumSize, signal, p, now, "quantity rounds to zero lots")
        }
        // 4. Settle.
        return .success(settle(signal, order: order, p: p, now: now, quoteUSD: quoteUSD, capped: capped,
                               requestedUSD: requestedUSD, trigger: trigger, quoteIsCash: market.accountCurrency.quoteIsCash(symbol)))
    }

    private func outOfRange(_ s: Signal, _ p: Portfolio, _ now: Timestamp) -> Result<Fill, ExecutionRejection> {
        reject(.invalidSize, s, p, now, "order quantity or notional out of range")
    }

    /// Guards exact products against absurd quantity × price (ARCHITECTURE: notionals up to 1e13 USD).
    private func notionalInRange(_ q: Quantity, _ basis: PriceBasis, _ quoteUSD: Price) -> Bool {
        let px: Price
        switch basis {
        case .single(let p): px = p
        case .book(let levels): px = levels.last.map { Price.max($0.price, levels[0].price) } ?? .zero
        }
        let estimate = q.doubleValue * px.doubleValue * 1.01
        return q <= FillPricer.maxQuantity && estimate < FillPricer.maxNotional && estimate * quoteUSD.doubleValue < FillPricer.maxNotional
    }

    private func protectiveLevelError(_ s: Signal) -> String? {
        switch s.action {
        case .buy:
            if let sl = s.stopLoss, !(sl.isPositive && sl < s.price) { return "long stop-loss \(sl) must be in (0, \(s.price))" }
            if let tp = s.takeProfit, !(tp > s.price) { return "long take-profit \(tp) must be above \(s.price)" }
        case .short:
            if let sl = s.stopLoss, !(sl > s.price) { return "short stop-loss \(sl) must be above \(s.price)" }
            if let tp = s.takeProfit, !(tp.isPositive && tp < s.price) { return "short take-profit \(tp) must be in (0, \(s.price))" }
        default: break
        }
        return nil
    }
}
