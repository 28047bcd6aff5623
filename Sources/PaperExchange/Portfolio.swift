import TradingCore

/// Per-pair figures of one portfolio, in the account currency (USD unless the session says otherwise).
public struct PairStats: Sendable, Equatable {
    public var fills = 0
    public var realizedPnl: Money = .zero
    public var fees: Money = .zero
    /// Σ executed notional.
    public var volume: Money = .zero

    public init(fills: Int = 0, realizedPnl: Money = .zero, fees: Money = .zero, volume: Money = .zero) {
        self.fills = fills; self.realizedPnl = realizedPnl; self.fees = fees; self.volume = volume
    }
}

/// One strategy's isolated paper account: cash (USD and USDT pooled), asset balances (negative =
/// borrowed), positions, and running metrics that never depend on the bounded fill history.
public final class Portfolio: PortfolioView {
    public let strategy: String
    public let startingCapital: Money
    public let startingAssets: [String: Quantity]
    public internal(set) var cash: Money { didSet { refreshExitChecks() } }
    /// Base and non-cash quote balances by asset code.
    public internal(set) var assets: [String: Quantity] { didSet { refreshExitChecks() } }
    public internal(set) var positions: [Symbol: Position] = [:] { didSet { refreshExitChecks() } }
    public internal(set) var fills: RingBuffer<Fill>

    // Counters (engine §2.11, Swift definitions).
    public internal(set) var totalFills = 0
    public internal(set) var wins = 0
    public internal(set) var losses = 0
    public internal(set) var breakeven = 0
    public internal(set) var cappedFills = 0
    public internal(set) var totalPnl: Money = .zero
    public internal(set) var grossProfit: Money = .zero
    public internal(set) var grossLoss: Money = .zero
    public internal(set) var feesUSD: Money = .zero
    public internal(set) var lastTradeAt: Timestamp?
    public internal(set) var pnlBySymbol: [Symbol: Money] = [:]
    public internal(set) var tradesBySymbol: [Symbol: Int] = [:]
    public internal(set) var winsBySymbol: [Symbol: Int] = [:]
    public internal(set) var lossesBySymbol: [Symbol: Int] = [:]
    public internal(set) var rejections: [RejectionReason: Int] = [:]
    public internal(set) var pairs: [Symbol: PairStats] = [:]
    /// Engine exits by trigger.
    public internal(set) var exits: [ExitTrigger: Int] = [:]
    /// Flat → position → flat on a pair (backtest.md §B7, decision 30).
    public internal(set) var roundTrips = 0
    /// The pairs this portfolio's strategy may trade (nil: every session pair). Data-only pairs (a quote's
    /// valuation pair the user did not list) are not among them.
    public let tradable: Set<Symbol>?
    /// Starting assets no session pair can value: left out of the baseline and the equity alike (reported once).
    public internal(set) var excludedAssets: Set<String> = []

    // Drawdown and baseline (engine §2.10).
    public internal(set) var baselineEquity: Money
    public internal(set) var baselineSet: Bool
    public internal(set) var peakEquity: Money { didSet { peakDouble = peakEquity.doubleValue } }
    /// `peakEquity` as a Double, for the cheap per-tick screen of `updateDrawdown`.
    var peakDouble: Double
    public internal(set) var maxDrawdown: Double = 0

    // Welford over per-closing-fill returns pnl / startingCapital (`sharpePerFill`).
    var returnCount = 0
    var returnMean = 0.0
    var returnM2 = 0.0

    // Daily returns from UTC end-of-day equity at the ticks' closes (resolution 48, backtest.md §B7).
    var day: Int64?
    /// Last nanosecond of the current day (a tick at or before it belongs to it).
    var dayEnd: Int64 = .min
    var dayStartEquity = 0.0
    var lastEquity = 0.0
    var dailyCount = 0
    var dailyMean = 0.0
    var dailyM2 = 0.0

    var fillSequence = 0
    var orderSequence: UInt64 = 0

    /// Resting orders by symbol (the matching engine's book for this portfolio).
    var orders: [Symbol: SymbolOrders] = [:]
    /// How many orders rest (the kernel skips matching when none do).
    public internal(set) var restingCount = 0
    /// Book levels this portfolio already took, per symbol (never taken twice while the feed still shows them).
    var taken: [Symbol: TakenLiquidity] = [:]
    /// Arrival order of resting orders (a replace takes a new one: the back of the queue at its price).
    var bookSequence: UInt64 = 0
    /// Fills by liquidity: resting orders are maker; market orders, the crossing part of a limit and a marketable
    /// limit's first fill are taker.
    public internal(set) var makerFills = 0
    public internal(set) var takerFills = 0

    /// Assets that had no USD price when equity was computed (valued at 0), in the order first seen.
    public internal(set) var unpricedAssets: [String] = []

    /// Equity at the marks of record: raises the peak or deepens the drawdown.
    func noteEquity(_ e: Money) {
        if e >= peakEquity { peakEquity = e; return }
        noteAdverseEquity(e)
    }

    /// Equity at a worse point than the marks of record (a bar's adverse extremes): drawdown only, never a peak.
    func noteAdverseEquity(_ e: Money) {
        guard peakEquity.isPositive, e < peakEquity else { return }
        let dd = (peakEquity - e).doubleValue / peakEquity.doubleValue
        if dd > maxDrawdown { maxDrawdown = dd }
    }

    func noteUnpriced(_ assets: [String]) {
        for a in assets where !unpricedAssets.contains(a) { unpricedAssets.append(a) }
    }

    public init(strategy: String, startingCapital: Money, startingAssets: [String: Quantity] = [:], maxFillsHistory: Int = 1000,
                tradable: Set<Symbol>? = nil) {
        self.strategy = strategy
        self.tradable = tradable
        self.startingCapital = startingCapital
        self.startingAssets = startingAssets.filter { !$0.value.isZero }
        self.cash = startingCapital
        self.assets = self.startingAssets
        self.fills = RingBuffer(capacity: maxFillsHistory)
        self.baselineEquity = startingCapital
        self.baselineSet = self.startingAssets.isEmpty
        self.peakEquity = startingCapital
        self.peakDouble = startingCapital.doubleValue
    }

    public func position(_ symbol: Symbol) -> Position? {
        guard let i = positionIndex(symbol) else { return nil }
        return positions.values[i]
    }
    public func positionSide(_ symbol: Symbol) -> PositionSide? {
        guard let i = positionIndex(symbol) else { return nil }
        return positions.values[i].side
    }
    /// Strategies ask every tick; with a handful of positions a scan of short keys beats hashing.
    private func positionIndex(_ symbol: Symbol) -> Dictionary<Symbol, Position>.Index? {
        if positions.isEmpty { return nil }
        if positions.count <= 8 {
            var i = positions.startIndex
            while i != positions.endIndex {
                if positions.keys[i].text == symbol.text { return i }
                i = positions.index(after: i)
            }
            return nil
        }
        return positions.index(forKey: symbol)
    }
    public func assetBalance(_ asset: String) -> Quantity { assets[asset] ?? .zero }

    public var openOrders: [OpenOrder] {
        guard restingCount > 0 else { return [] }
        return orders.values.flatMap(\.all).sorted { $0.id < $1.id }.map(\.view)
    }

    public func openOrders(_ symbol: Symbol) -> [OpenOrder] {
        guard restingCount > 0, let i = orderSlot(symbol) else { return [] }
        return orders.values[i].all.map(\.view)
    }

    /// Whether the order with `id` rests.
    public func isOpen(_ id: OrderID) -> Bool {
        restingCount > 0 && orders.values.contains { $0.find(id) != nil }
    }

    public func openOrderCount(_ symbol: Symbol) -> Int {
        guard restingCount > 0, let i = orderSlot(symbol) else { return 0 }
        return orders.values[i].count
    }

    /// The index of `symbol`'s resting orders. Matching asks on every market event; with a few pairs a scan of short
    /// keys beats hashing (as `positionSide` does).
    @inline(__always) func orderSlot(_ symbol: Symbol) -> Dictionary<Symbol, SymbolOrders>.Index? {
        if orders.count <= 8 {
            var i = orders.startIndex
            while i != orders.endIndex {
                if orders.keys[i].text == symbol.text { return i }
                i = orders.index(after: i)
            }
            return nil
        }
        return orders.index(forKey: symbol)
    }

    /// Quote notional reserved by resting orders that would open `side` exposure, in USD at today's quote prices.
    /// `excluding` leaves one order out (the one being filled or replaced).
    public func reservedUSD(_ side: PositionSide, valuation: Valuation, excluding: OrderID? = nil) -> Money {
        guard restingCount > 0 else { return .zero }
        var total = Money.zero
        for (symbol, book) in orders {
            var quote = Money.zero
            for o in side == .long ? book.bids : book.asks where o.id != excluding { quote += o.reservedQuote }
            guard !quote.isZero else { continue }
            total += quote.converted(at: valuation.quoteUSD(symbol) ?? .one)
        }
        return total
    }

    /// Base units resting reducing orders (sell, cover) on `symbol` already claim, except `excluding`.
    func committedReducing(_ symbol: Symbol, _ action: SignalAction, excluding: OrderID? = nil) -> Quantity {
        guard restingCount > 0, let book = orders[symbol] else { return .zero }
        var q = Quantity.zero
        for o in action.takerSide == .buy ? book.bids : book.asks where o.action == action && o.id != excluding { q += o.remaining }
        return q
    }

    func nextOrderId() -> OrderID {
        orderSequence += 1
        return OrderID(orderSequence)
    }

    /// Units of `asset` held outside every position on a pair with that base (starting assets, residues):
    /// the balance less longs plus shorts. Negative when a position's units were spent elsewhere (as a quote).
    public func freeInventory(_ asset: String) -> Quantity {
        var free = assets[asset] ?? .zero
        for (s, pos) in positions where s.hasBase(asset) { free = pos.side == .long ? free - pos.size : free + pos.size }
        return free
    }

    /// Decided closing trades.
    public var closedTrades: Int { wins + losses + breakeven }

    /// wins / (wins + losses) × 100; 0 without decided trades.
    public var winRate: Double { wins + losses == 0 ? 0 : Double(wins) / Double(wins + losses) * 100 }

    /// Gross profit / gross loss: 0 without wins, nil (JSON null + `profit_factor_infinite`) with wins and no losses.
    public var profitFactor: Double? {
        if grossProfit.isZero { return 0 }
        return grossLoss.isZero ? nil : grossProfit.doubleValue / grossLoss.doubleValue
    }

    public var averageTradePnl: Money { closedTrades == 0 ? .zero : totalPnl.divided(by: closedTrades) }

    /// Sharpe ratio of daily returns (UTC end-of-day equity at closes, the last day partial), × √365; nil with
    /// fewer than two returns or no variation.
    public var sharpe: Double? {
        var n = dailyCount, mean = dailyMean, m2 = dailyM2
        if day != nil, dayStartEquity > 0 {
            // The current (partial) day.
            let r = lastEquity / dayStartEquity - 1
            n += 1
            let delta = r - mean
            mean += delta / Double(n)
            m2 += delta * (r - mean)
        }
        guard n >= 2 else { return nil }
        let variance = m2 / Double(n - 1)
        guard variance > 0 else { return nil }
        return mean / variance.squareRoot() * 365.0.squareRoot()
    }

    /// Daily returns so far, the current partial day included.
    public var dailyReturns: Int { dailyCount + (day != nil && dayStartEquity > 0 ? 1 : 0) }

    /// Records the equity at a tick's closes; a UTC day ends at the last tick at or before its midnight.
    /// Records the equity (as a Double: it only feeds the daily-return statistics) at a tick's closes.
    public func noteDailyEquity(_ e: Double, at t: Timestamp) {
        guard baselineSet else { return }
        // Most ticks fall in the current day: one comparison.
        if t.nanoseconds <= dayEnd { lastEquity = e; return }
        // A close at exactly 00:00 is the end of the previous day.
        let d = (t.nanoseconds - 1) / 86_400_000_000_000
        dayEnd = (d + 1) * 86_400_000_000_000
        if day == nil {
            day = d
            dayStartEquity = baselineEquity.doubleValue
        } else if d != day! {
            if dayStartEquity > 0 {
                let r = lastEquity / dayStartEquity - 1
                dailyCount += 1
                let delta = r - dailyMean
                dailyMean += delta / Double(dailyCount)
                dailyM2 += delta * (r - dailyMean)
            }
            dayStartEquity = lastEquity
            day = d
        }
        lastEquity = e
    }

    /// mean / sample standard deviation of per-closing-fill returns (engine §2.11); 0 with fewer than two.
    public var sharpePerFill: Double {
        guard returnCount >= 2 else { return 0 }
        let variance = returnM2 / Double(returnCount - 1)
        guard variance > 0 else { return 0 }
        return returnMean / variance.squareRoot()
    }

    public var totalRejections: Int { rejections.values.reduce(0, +) }

    /// True when the account borrows (negative cash or a negative balance): margin is checked then.
    public var hasLeverage: Bool { cash.isNegative || assets.values.contains { $0.isNegative } }

    /// Whether any automatic exit could trigger: a borrowing account or a position with a stop or target.
    /// Balances and positions change only through fills (and test hooks), so it is cached and refreshed there.
    public private(set) var needsExitChecks = false

    func refreshExitChecks() {
        needsExitChecks = !positions.isEmpty && (hasLeverage || positions.values.contains { $0.stopLoss != nil || $0.takeProfit != nil })
    }

    func nextFillId() -> String {
        fillSequence += 1
        var n = String(fillSequence)
        if n.count < 6 { n = String(repeating: "0", count: 6 - n.count) + n }
        return "\(strategy)-F\(n)"
    }

    func recordReturn(_ r: Double) {
        returnCount += 1
        let d = r - returnMean
        returnMean += d / Double(returnCount)
        returnM2 += d * (r - returnMean)
    }

    /// Test hook (engine §8 scenario 11): sets cash directly.
    public func setCashForTesting(_ c: Money) { cash = c }
    /// Test hook: installs a position directly.
    public func setPositionForTesting(_ p: Position) { positions[p.symbol] = p }
    /// Test hook: records a closing P&L without a fill (metric scenarios).
    public func recordClosedForTesting(pnl: Money, symbol: Symbol) { recordClose(pnlUSD: pnl, symbol: symbol) }

    func recordClose(pnlUSD: Money, symbol: Symbol) {
        totalPnl += pnlUSD
        if pnlUSD.isPositive { wins += 1; grossProfit += pnlUSD }
        else if pnlUSD.isNegative { losses += 1; grossLoss -= pnlUSD }
        else { breakeven += 1 }
        if !pnlUSD.isZero {
            pnlBySymbol[symbol, default: .zero] += pnlUSD
            tradesBySymbol[symbol, default: 0] += 1
            if pnlUSD.isPositive { winsBySymbol[symbol, default: 0] += 1 } else { lossesBySymbol[symbol, default: 0] += 1 }
            recordReturn(pnlUSD.doubleValue / startingCapital.doubleValue)
        }
    }
}
