import TradingCore

/// A pair's open position as mean reversion and order flow size against it: USD at cost (the quote converted at its
/// direct USD price), from the portfolio, so engine exits are always reflected. Nil when flat or when a non-USD
/// quote has no price yet.
struct PositionExposure {
    let usd: Double
    let side: PositionSide
    let position: Position

    init?(_ s: Symbol, _ snapshot: DataSnapshot, _ context: StrategyContext) {
        guard let pos = context.portfolio.position(s), pos.size.isPositive else { return nil }
        let quoteUSD: Double
        if snapshot.market.accountCurrency.quoteIsCash(s) { quoteUSD = 1 } else {
            guard let q = snapshot.market.directUSDPrice(s.quote) else { return nil }
            quoteUSD = q.doubleValue
        }
        usd = pos.costBasis.doubleValue * quoteUSD
        side = pos.side
        position = pos
    }

    /// Long positive, short negative.
    var signedUSD: Double { side == .long ? usd : -usd }
}
