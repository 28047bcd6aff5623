import TradingCore

/// What the pre-trade check established about an order before it is priced or rests.
struct CheckedOrder {
    let instrument: Instrument
    let position: Position?
    /// Units of the base held outside any position (a sell without a position sells these).
    let free: Quantity
    /// A sell/cover that closes the whole position.
    let fullClose: Bool

    /// The most a reducing order may take now: this pair's position, or (a sell without one) the free inventory.
    var reducibleLimit: Quantity {
        guard let position else { return free }
        return position.size
    }
}

extension PaperExchange {
    /// The checks that do not depend on prices, in the fixed order of engine §2.6; the first failure wins and nothing
    /// changes. Market and limit orders (and a limit order again when it fills) pass the same ones. `market` nil skips
    /// the availability check (a resting order judged for what its portfolio allows, not for whether it can trade now).
    func check(_ signal: Signal, _ p: Portfolio, _ now: Timestamp, limitAllowed: Bool, market: (any MarketView)?) -> Result<CheckedOrder, ExecutionRejection> {
        let action = signal.action
        let symbol = signal.symbol
        let fullClose = signal.closeFullPosition && (action == .sell || action == .cover)
        if !fullClose && !signal.size.isPositive { return reject(.invalidSize, signal, p, now) }
        if signal.size.doubleValue > (signal.sizeUnit == .usd ? FillPricer.maxNotional : FillPricer.maxQuantity.doubleValue) {
            return reject(.invalidSize, signal, p, now, "size \(signal.size) is out of range")
        }
        if signal.orderType == .limit {
            if !limitAllowed { return reject(.unsupportedOrderType, signal, p, now, "limit orders rest through place(), not execute()") }
            if let lp = signal.limitPrice, !(lp.isPositive && lp.doubleValue < 1e12) {
                return reject(.invalidSize, signal, p, now, "limit price \(lp) is out of range")
            }
        }
        guard sessionSymbols.contains(symbol), let instrument = instruments[symbol] else {
            return reject(.unknownSymbol, signal, p, now, "\(symbol) is not a session symbol")
        }
        if let t = p.tradable, !t.contains(symbol) {
            return reject(.unknownSymbol, signal, p, now, "\(symbol) is not one of this strategy's pairs (it is in the session only to value a quote currency)")
        }
        if let why = market?.unavailability(symbol, at: now) { return reject(.marketUnavailable, signal, p, now, "\(symbol): \(why)") }
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
        return .success(CheckedOrder(instrument: instrument, position: position?.side == (action == .sell ? .long : .short) ? position : nil,
                                     free: free, fullClose: fullClose))
    }

    /// Leverage headroom of an opening action in USD (engine §2.4.5 rule 2): equity × cap − the exposure on that side
    /// − the notional resting orders on that side reserve (`excluding` one of them: the order being filled or replaced).
    func headroomUSD(_ action: SignalAction, _ p: Portfolio, _ valuation: Valuation, excluding: OrderID? = nil) -> Money {
        let side: PositionSide = action == .buy ? .long : .short
        let equity = valuation.equity(p)
        var exposure = Money.zero
        for pos in p.positions.values where pos.side == side { exposure += valuation.markUSD(pos) }
        let limit = side == .long ? config.maxLongLeverage : config.maxShortLeverage
        return equity.scaled(by: limit) - exposure - p.reservedUSD(side, valuation: valuation, excluding: excluding)
    }

    /// Free leverage headroom per side after resting reservations (what a strategy can still open), in USD.
    public func availableHeadroomUSD(_ side: PositionSide, for p: Portfolio, market: any MarketView) -> Money {
        headroomUSD(side == .long ? .buy : .short, p, Valuation(market: market))
    }
}
