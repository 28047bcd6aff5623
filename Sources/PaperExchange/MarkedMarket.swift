import TradingCore

/// The market with some symbols' prices replaced by marks on a bar's path (its open, its adverse extreme
/// or a point between), so the one equity function (engine §2.9) values a portfolio anywhere inside a bar.
final class MarkedMarket: MarketView {
    let base: any MarketView
    /// Few entries (one per symbol that printed a bar): a scan beats hashing.
    let marks: [(symbol: Symbol, price: Price)]

    init(_ base: any MarketView, marks: [(symbol: Symbol, price: Price)]) {
        self.base = base
        self.marks = marks
    }

    var symbols: [Symbol] { base.symbols }

    func price(_ symbol: Symbol) -> Price? {
        for m in marks where m.symbol.text == symbol.text { return m.price }
        return base.price(symbol)
    }

    func directUSDPrice(_ asset: String) -> Price? {
        // Same order as MarketState: the USD pair when it has a price, else the USDT pair.
        for quote in base.accountCurrency.cashQuotes {
            for s in base.symbols where s.hasBase(asset) && s.hasQuote(quote) {
                if let p = price(s), p.isPositive { return p }
            }
        }
        return nil
    }

    func book(_ symbol: Symbol) -> OrderBook? { base.book(symbol) }
    func ticker(_ symbol: Symbol) -> Ticker? { base.ticker(symbol) }
    func trades(_ symbol: Symbol) -> RingBuffer<Trade> { base.trades(symbol) }
    func candles(_ timeframe: Timeframe, _ symbol: Symbol) -> RingBuffer<Candle> { base.candles(timeframe, symbol) }
    func formingCandle(_ timeframe: Timeframe, _ symbol: Symbol) -> Candle? { base.formingCandle(timeframe, symbol) }
    func lastTrade(_ symbol: Symbol) -> Trade? { base.lastTrade(symbol) }
    func barRange(_ symbol: Symbol) -> BarRange? { base.barRange(symbol) }
    var hasBarRanges: Bool { base.hasBarRanges }
    var accountCurrency: AccountCurrency { base.accountCurrency }
    func unavailability(_ symbol: Symbol, at now: Timestamp) -> MarketUnavailability? { base.unavailability(symbol, at: now) }
}
