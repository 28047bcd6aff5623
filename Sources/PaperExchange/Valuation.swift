import TradingCore

/// The one equity function (engine §2.9) used for ROI, drawdown, margin and leverage.
public struct Valuation {
    public let market: any MarketView

    public init(market: any MarketView) { self.market = market }

    /// USD per unit of `asset`: cash → 1; A/USD; A/USDT; first A/Q (by name) whose Q resolves; else nil.
    public func usdPrice(_ asset: String) -> Price? {
        usdPrice(asset, depth: 0)
    }

    private func usdPrice(_ asset: String, depth: Int) -> Price? {
        if market.accountCurrency.isCash(asset) { return .one }
        if let p = market.directUSDPrice(asset) { return p }
        guard depth < 2 else { return nil }
        let symbols = market.symbols
        let account = market.accountCurrency
        for s in symbols where !account.quoteIsCash(s) && s.hasBase(asset) {
            if let p = market.price(s), p.isPositive, let q = usdPrice(s.quote, depth: depth + 1) {
                return p.converted(at: q)
            }
        }
        return nil
    }

    /// Whether any session pair can ever value `asset` (structurally, prices aside): cash, a USD or USDT pair,
    /// or a pair whose quote can be valued (two hops at most, like `usdPrice`).
    public func canPrice(_ asset: String, depth: Int = 0) -> Bool {
        let account = market.accountCurrency
        if account.isCash(asset) { return true }
        for s in market.symbols where s.hasBase(asset) {
            if account.quoteIsCash(s) { return true }
            if depth < 2, canPrice(s.quote, depth: depth + 1) { return true }
        }
        return false
    }

    /// USD per quote unit of a symbol (1 for USD/USDT quotes).
    public func quoteUSD(_ symbol: Symbol) -> Price? {
        market.accountCurrency.quoteIsCash(symbol) ? .one : usdPrice(symbol.quote)
    }

    /// cash + Σ amount × usdPrice over every non-cash asset, negative balances included.
    /// Unresolved assets count 0 (`unresolved` lists them so the caller can warn once).
    /// Starting assets that no session pair can value are left out (and out of the baseline too).
    public func equity(_ p: Portfolio, unresolved: inout [String]) -> Money {
        var e = p.cash
        let excluded = p.excludedAssets
        for (asset, amount) in p.assets where !amount.isZero {
            if !excluded.isEmpty && excluded.contains(asset) { continue }
            if let u = usdPrice(asset) { e += amount * u } else { unresolved.append(asset) }
        }
        return e
    }

    public func equity(_ p: Portfolio) -> Money {
        var ignored: [String] = []
        return equity(p, unresolved: &ignored)
    }

    /// USD mark of a symbol's base unit: price × quoteUSD, falling back to the position's entry.
    public func markUSD(_ position: Position) -> Money {
        let q = quoteUSD(position.symbol) ?? .zero
        if let p = market.price(position.symbol), p.isPositive { return (position.size * p).converted(at: q) }
        return position.costBasis.converted(at: q)
    }
}
