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

    public func makePortfolio(strategy: String) -> Portfolio {
        Portfolio(strategy: strategy, startingCapital: config.startingCapital, startingAssets: config.startingAssets,
                  maxFillsHistory: config.maxFillsHistory)
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
        if signal.orderType == .limit { return reject(.unsupportedOrderType, signal, p, now) }
        guard sessionSymbols.contains(symbol), let instrument = instruments[symbol] else {
            return reject(.unknownSymbol, signal, p, now, "\(symbol) is not a session symbol")
        }
        if config.validateProtectiveLevels, let e = protectiveLevelError(signal) {
            return reject(.invalidProtectiveLevels, signal, p, now, e)
        }
        let position = p.positions[symbol]
        if action == .buy, position?.side == .short { return reject(.oppositePositionOpen, signal, p, now) }
        if action == .short, position?.side == .long { return reject(.oppositePositionOpen, signal, p, now) }
        let holdings = p.assets[symbol.base] ?? .zero
        switch action {
        case .sell:
            if fullClose && position?.side != .long { return reject(.noPosition, signal, p, now) }
            if !holdings.isPositive { return reject(.noHoldings, signal, p, now) }
        case .cover:
            if position?.side != .short { return reject(.noPosition, signal, p, now) }
        default: break
        }
        // 2. Price basis.
        let pricer = FillPricer(lot: instrument.lot, lotDecimals: instrument.lotDecimals, slippage: config.slippageRate, takerSide: action.takerSide)
        let basis: PriceBasis
        switch venue {
        case .at(let ref):
            guard ref.isPositive else { return reject(.noPrice, signal, p, now) }
            basis = .single(pricer.slipped(ref))
        case .market:
            let book = market.book(symbol)
            let levels = action.takerSide == .buy ? (book?.asks ?? []) : (book?.bids ?? [])
            if let top = levels.first, top.price.isPositive {
                basis = config.fillModel == .bookWalk ? .book(levels) : .single(pricer.slipped(top.price))
            } else {
                guard signal.price.isPositive else { return reject(.noPrice, signal, p, now, "no book and no signal price") }
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
                order = pricer.price(notional: signal.size.convertedBack(at: quoteUSD, .down), basis: basis)
            case .base:
                let q = instrument.roundLot(Quantity(raw: signal.size.raw))
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
                order = pricer.price(notional: headroom.convertedBack(at: quoteUSD, .down), basis: basis)
                capped = true
            }
        case .sell:
            let pos = position?.side == .long ? position : nil
            if fullClose {
                order = pricer.price(quantity: Quantity.min(pos!.size, holdings), basis: basis)
                requestedUSD = signal.size
            } else {
                let want: Quantity
                switch signal.sizeUnit {
                case .usd: want = pricer.price(notional: signal.size.convertedBack(at: quoteUSD, .down), basis: basis).quantity
                case .base: want = instrument.roundLot(Quantity(raw: signal.size.raw))
                }
                // Never more than held; a position's exact size may sit off the lot after dust handling.
                order = pricer.price(quantity: Quantity.min(want, holdings), basis: basis)
                requestedUSD = signal.size
            }
        case .cover:
            let pos = position!
            if fullClose {
                order = pricer.price(quantity: pos.size, basis: basis)
            } else {
                let want: Quantity
                switch signal.sizeUnit {
                case .usd: want = pricer.price(notional: signal.size.convertedBack(at: quoteUSD, .down), basis: basis).quantity
                case .base: want = instrument.roundLot(Quantity(raw: signal.size.raw))
                }
                order = pricer.price(quantity: Quantity.min(want, pos.size), basis: basis)
            }
            requestedUSD = signal.size
        }
        guard order.quantity.isPositive else {
            return reject(.belowMinimumSize, signal, p, now, "quantity rounds to zero lots")
        }
        // 4. Settle.
        return .success(settle(signal, order: order, p: p, now: now, quoteUSD: quoteUSD, capped: capped,
                               requestedUSD: requestedUSD, trigger: trigger))
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
