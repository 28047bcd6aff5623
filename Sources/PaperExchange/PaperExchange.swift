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

    /// Executes a market signal for `portfolio` at engine time `now`. A rejection changes nothing and is counted.
    /// (Limit orders go to `place`; here they are `unsupported_order_type`.)
    public func execute(_ signal: Signal, for portfolio: Portfolio, market: any MarketView, now: Timestamp,
                        venue: Venue = .market, trigger: ExitTrigger? = nil) -> Result<Fill, ExecutionRejection> {
        let r = executeUncounted(signal, for: portfolio, market: market, now: now, venue: venue, trigger: trigger)
        if case .failure(let rej) = r { portfolio.rejections[rej.reason, default: 0] += 1 }
        return r
    }

    func reject<T>(_ reason: RejectionReason, _ signal: Signal, _ p: Portfolio, _ now: Timestamp, _ detail: String? = nil) -> Result<T, ExecutionRejection> {
        .failure(ExecutionRejection(reason: reason, strategy: p.strategy, signal: signal, timestamp: now, detail: detail))
    }

    private func executeUncounted(_ signal: Signal, for p: Portfolio, market: any MarketView, now: Timestamp,
                                  venue: Venue, trigger: ExitTrigger?) -> Result<Fill, ExecutionRejection> {
        // 1. The pre-trade checks in the fixed order of engine §2.6 (this is the market path: limits go to `place`).
        let checked: CheckedOrder
        // A `.at` venue is a price inside a bar that is there (next open, intrabar exits): that bar is the market's data.
        let judged: (any MarketView)? = { if case .at = venue { return nil } else { return market } }()
        switch check(signal, p, now, limitAllowed: false, market: judged) {
        case .success(let c): checked = c
        case .failure(let r): return .failure(r)
        }
        let action = signal.action
        let symbol = signal.symbol
        let instrument = checked.instrument
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
            // Cumulative leverage headroom (engine §2.4.5 rule 2), resting orders' reservations included.
            let headroom = headroomUSD(action, p, valuation)
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
            // which realizes no P&L. A market order may use what resting orders claim: those are clipped when they fill.
            let limit = checked.reducibleLimit
            let want: Quantity
            if checked.fullClose {
                want = checked.position!.size
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
            requestedUSD = signal.sizeUnit == .usd && !checked.fullClose ? signal.size : order.cost.converted(at: quoteUSD)
        }
        guard order.quantity.isPositive else {
            return reject(.belowMinimumSize, signal, p, now, "quantity rounds to zero lots")
        }
        // 4. Settle.
        return .success(settle(signal, order: order, p: p, now: now, quoteUSD: quoteUSD, capped: capped,
                               requestedUSD: requestedUSD, trigger: trigger, quoteIsCash: market.accountCurrency.quoteIsCash(symbol),
                               orderId: p.nextOrderId(), liquidity: .taker))
    }

    func outOfRange(_ s: Signal, _ p: Portfolio, _ now: Timestamp) -> Result<Fill, ExecutionRejection> {
        reject(.invalidSize, s, p, now, "order quantity or notional out of range")
    }

    /// Guards exact products against absurd quantity × price (ARCHITECTURE: notionals up to 1e13 USD).
    func notionalInRange(_ q: Quantity, _ basis: PriceBasis, _ quoteUSD: Price) -> Bool {
        let px: Price
        switch basis {
        case .single(let p): px = p
        case .book(let levels): px = levels.last.map { Price.max($0.price, levels[0].price) } ?? .zero
        }
        let estimate = q.doubleValue * px.doubleValue * 1.01
        return q <= FillPricer.maxQuantity && estimate < FillPricer.maxNotional && estimate * quoteUSD.doubleValue < FillPricer.maxNotional
    }

    func protectiveLevelError(_ s: Signal) -> String? {
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
