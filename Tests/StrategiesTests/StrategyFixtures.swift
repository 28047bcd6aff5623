import TradingCore

/// The market a strategy scenario sets: prices, closed candles per timeframe, the tape. Nothing else.
final class ScenarioMarket: MarketView {
    var prices: [Symbol: Price] = [:]
    var candleLists: [Timeframe: [Symbol: [Candle]]] = [:]
    var tape: [Symbol: [Trade]] = [:]
    var usd: [String: Price] = [:]
    var books: [Symbol: OrderBook] = [:]
    /// Tapes that persist between decisions (their `appended` count is the pair's trade sequence), 100 trades held.
    var rings: [Symbol: RingBuffer<Trade>] = [:]
    var symbols: [Symbol] { Array(Set(prices.keys).union(candleLists.values.flatMap(\.keys))).sorted() }
    func price(_ symbol: Symbol) -> Price? { prices[symbol] }
    func book(_ symbol: Symbol) -> OrderBook? { books[symbol] }
    func ticker(_ symbol: Symbol) -> Ticker? { nil }
    func trades(_ symbol: Symbol) -> RingBuffer<Trade> {
        if let r = rings[symbol] { return r }
        let list = tape[symbol] ?? []
        var r = RingBuffer<Trade>(capacity: max(1, list.count))
        for t in list { r.append(t) }
        return r
    }
    func candles(_ timeframe: Timeframe, _ symbol: Symbol) -> RingBuffer<Candle> {
        let list = candleLists[timeframe]?[symbol] ?? []
        var r = RingBuffer<Candle>(capacity: max(1, list.count))
        for c in list { r.append(c) }
        return r
    }
    func formingCandle(_ timeframe: Timeframe, _ symbol: Symbol) -> Candle? { nil }
    func lastTrade(_ symbol: Symbol) -> Trade? { tape[symbol]?.last }
    func directUSDPrice(_ asset: String) -> Price? { usd[asset] }
    func barRange(_ symbol: Symbol) -> BarRange? { nil }
    var hasBarRanges: Bool { false }
    var accountCurrency: AccountCurrency { .usd }

    /// Closed candles from closes only (spec convention: open = previous close, high/low = max/min of open and close),
    /// the newest ending at `end`.
    func setCloses(_ tf: Timeframe, _ s: Symbol, _ closes: [Double], end: Timestamp) {
        var list: [Candle] = []
        for (i, c) in closes.enumerated() {
            let o = i == 0 ? c : closes[i - 1]
            let start = end - .minutes(Int64(tf.minutes * (closes.count - i)))
            list.append(Candle(start: start, open: px(o), high: px(max(o, c)), low: px(min(o, c)), close: px(c), volume: Quantity(1)))
        }
        candleLists[tf, default: [:]][s] = list
    }

    /// Appends to the pair's persistent 100-trade tape.
    func append(_ s: Symbol, _ trades: [(price: Double, size: Double, side: TakerSide)], at t: Timestamp) {
        var r = rings[s] ?? RingBuffer<Trade>(capacity: 100)
        for x in trades { r.append(Trade(symbol: s, time: t, price: px(x.price), size: Quantity(rounding: x.size, toDecimals: 8)!, side: x.side)) }
        rings[s] = r
    }

    func setBook(_ s: Symbol, bid: Double, ask: Double) {
        books[s] = OrderBook(bids: [BookLevel(price: px(bid), size: Quantity(1000))], asks: [BookLevel(price: px(ask), size: Quantity(1000))])
    }

    func setTrades(_ s: Symbol, count: Int, price: Double, size: Double, side: TakerSide, at t: Timestamp) {
        tape[s] = (0..<count).map { _ in Trade(symbol: s, time: t, price: px(price), size: Quantity(rounding: size, toDecimals: 8)!, side: side) }
    }
}

func px(_ v: Double) -> Price { Price(rounding: v, toDecimals: 12)! }

/// A portfolio holding the positions a scenario names.
final class ScenarioPortfolio: PortfolioView {
    var positions: [Symbol: Position] = [:]
    var cash: Money { Money(10_000) }
    func position(_ symbol: Symbol) -> Position? { positions[symbol] }
    func positionSide(_ symbol: Symbol) -> PositionSide? { positions[symbol]?.side }
    func assetBalance(_ asset: String) -> Quantity { .zero }
    /// Resting orders a scenario names (bids then asks per symbol is the caller's job).
    var orders: [OpenOrder] = []
    var openOrders: [OpenOrder] { orders }
    func openOrders(_ symbol: Symbol) -> [OpenOrder] { orders.filter { $0.symbol == symbol } }
    func openOrderCount(_ symbol: Symbol) -> Int { orders.filter { $0.symbol == symbol }.count }

    /// A position of `size` base units at `entry` (in the pair's quote), cost basis `size × entry`, with its high/low marks.
    func hold(_ s: Symbol, _ side: PositionSide, size: Double, entry: Double, since time: Timestamp, high: Double? = nil, low: Double? = nil) {
        let q = Quantity(rounding: size, toDecimals: 12)!
        positions[s] = Position(symbol: s, side: side, size: q, costBasis: Money(rounding: size * entry, toDecimals: 18)!, entryTime: time,
                                stopLoss: nil, takeProfit: nil, highestPrice: px(high ?? entry), lowestPrice: px(low ?? entry), entryFee: .zero)
    }

    /// A position worth `usd` at `entry` (quote = USD), opened at `time`.
    func hold(_ s: Symbol, _ side: PositionSide, usd: Double, entry: Double, since time: Timestamp) {
        let size = Quantity(rounding: usd / entry, toDecimals: 12)!
        positions[s] = Position(symbol: s, side: side, size: size, costBasis: Money(rounding: usd, toDecimals: 12)!, entryTime: time,
                                stopLoss: nil, takeProfit: nil, highestPrice: px(entry), lowestPrice: px(entry), entryFee: .zero)
    }
}

/// Drives one strategy against a scenario market: each call is one decision at `t`.
final class ScenarioRunner {
    let market = ScenarioMarket()
    let portfolio = ScenarioPortfolio()
    let clock: ManualClock
    let context: StrategyContext
    let strategy: any Strategy

    init(_ strategy: any Strategy, at t: Timestamp, precise: [Symbol]) {
        self.strategy = strategy
        clock = ManualClock(t)
        // Eight price decimals: the scenarios' levels are checked to 1e-9, not to an exchange tick.
        let instruments = InstrumentRegistry(precise.map { Instrument(symbol: $0, priceDecimals: 8, lotDecimals: 8) })
        context = StrategyContext(strategyName: type(of: strategy).name, clock: clock, instruments: instruments, portfolio: portfolio)
        strategy.onStart(context)
    }

    func decide(at t: Timestamp) throws -> Signal? {
        clock.advance(to: t)
        return try strategy.generateSignal(DataSnapshot(timestamp: t, market: market), context)
    }

    /// One decision of an `OrderStrategy`: its intents.
    func intents(at t: Timestamp) throws -> [OrderIntent] {
        clock.advance(to: t)
        return try (strategy as! any OrderStrategy).decide(DataSnapshot(timestamp: t, market: market), context)
    }

    func fill(_ s: Symbol, _ side: SignalAction, pnl: Double, at t: Timestamp, size: Double = 1, price: Double = 2) {
        let f = Fill(fillId: "F1", timestamp: t, symbol: s, side: side, size: Quantity(rounding: size, toDecimals: 12)!, price: px(price), fee: .zero, feeUSD: .zero,
                     pnl: Money(rounding: pnl, toDecimals: 12)!, strategy: type(of: strategy).name, signalReason: "", trigger: nil,
                     requestedNotionalUSD: .zero, capped: false, beyondVisibleDepth: false, quoteUSD: .one, isClosing: pnl != 0)
        strategy.onFill(f, context)
    }
}

func close(_ a: Double?, _ b: Double, _ rel: Double = 1e-9) -> Bool {
    guard let a else { return false }
    return abs(a - b) <= rel * max(1, abs(b))
}
