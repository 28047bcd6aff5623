import Testing
import TradingCore
import MarketData
@testable import PaperExchange

/// Engine §8 automatic-exit scenarios 14–19 (values from scripts/derive_engine_values.py).
@Suite struct ExitScenarioTests {
    let ex = makeExchange()

    func exitAndExecute(_ p: Portfolio, _ m: TestMarket, ex: PaperExchange? = nil) -> [Fill] {
        let x = ex ?? self.ex
        return x.exitOrders(for: p, market: m.state).compactMap {
            x.execute($0.signal, for: p, market: m.state, now: m.t, venue: $0.venue, trigger: $0.trigger).fill
        }
    }

    /// Scenario 14: long stop-loss.
    @Test func longStopLoss() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        _ = ex.execute(signal(.buy, "50", sl: "2.30"), for: p, market: m.bookAt("2.35").state, now: m.t)
        ex.updateDrawdown(p, market: m.state)
        m.bookAt("2.29")
        let orders = ex.exitOrders(for: p, market: m.state)
        #expect(orders.count == 1)
        let o = try #require(orders.first)
        #expect(o.signal.action == .sell && o.signal.closeFullPosition && o.trigger == .stopLoss)
        #expect(o.signal.size == M("48.6783405254"))
        #expect(o.signal.reason == "stop_loss triggered at 2.290000")
        let f = try #require(ex.execute(o.signal, for: p, market: m.state, now: m.t, venue: o.venue, trigger: o.trigger).fill)
        #expect(f.price == P("2.2878555") && f.size == Q("21.25691726"))
        #expect(f.fee == M("0.04863275506633593"))
        #expect(f.pnl == M("-1.46587767321403506"))
        #expect(f.trigger == .stopLoss)
        #expect(p.cash == M("98.53412232678596494"))
        #expect(p.position(XRP) == nil && p.losses == 1)
        ex.updateDrawdown(p, market: m.state)
        #expect(abs(p.maxDrawdown - 0.0146587767321403506) < 1e-15)
    }

    /// Scenario 15: take-profit, and stop-loss precedence.
    @Test func takeProfitAndPrecedence() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        _ = ex.execute(signal(.buy, "50", tp: "2.40"), for: p, market: m.bookAt("2.35").state, now: m.t)
        m.bookAt("2.41")
        let o = try #require(ex.exitOrders(for: p, market: m.state).first)
        #expect(o.trigger == .takeProfit && o.signal.reason == "take_profit triggered at 2.410000")

        let q = ex.makePortfolio(strategy: "u")
        q.setPositionForTesting(Position(symbol: XRP, side: .long, size: Q("10"), costBasis: M("23.5"), entryTime: T0,
                                         stopLoss: P("2.50"), takeProfit: P("2.20"), highestPrice: P("2.35"), lowestPrice: P("2.35"), entryFee: .zero))
        let both = ex.exitOrders(for: q, market: TestMarket().bookAt("2.35").state)
        #expect(both.count == 1 && both[0].trigger == .stopLoss)
    }

    /// Scenario 16: a short stop-loss closes the whole position.
    @Test func shortStopClosesCompletely() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        let s = try #require(ex.execute(signal(.short, "50", sl: "2.40", tp: "2.30"), for: p, market: m.bookAt("2.35").state, now: m.t).fill)
        #expect(s.size == Q("21.29630162") && p.position(XRP)?.entryPrice == P("2.3478255"))
        #expect(p.cash == M("149.94999999912818269"))
        m.bookAt("2.41")
        let fills = exitAndExecute(p, m)
        #expect(fills.count == 1)
        let f = fills[0]
        #expect(f.side == .cover && f.trigger == .stopLoss && f.signalReason == "stop_loss triggered at 2.410000")
        #expect(f.price == P("2.4122055") && f.size == Q("21.29630162"))
        #expect(f.fee == M("0.05137105589742291"))
        #expect(f.pnl == M("-1.47242695419215022"))
        #expect(p.cash == M("98.52757304580784978"))
        #expect(p.positions.isEmpty && p.assetBalance("XRP") == .zero)
        #expect(exitAndExecute(p, m).isEmpty)
    }

    /// Scenarios 17 and 18: margin-call threshold and the liquidation fill.
    @Test func marginCall() throws {
        let x = makeExchange(fee: "0", slippage: "0", longLev: "2")
        let p = x.makePortfolio(strategy: "t"), m = TestMarket()
        let f = try #require(x.execute(signal(.buy, "180"), for: p, market: m.bookAt("2.35").state, now: m.t).fill)
        #expect(f.price == P("2.351") && f.size == Q("76.56316461"))
        #expect(p.cash == M("-79.99999999811"))
        m.bookAt("1.394")
        #expect(Valuation(market: m.state).equity(p) == M("26.72905146823"))
        #expect(x.exitOrders(for: p, market: m.state).isEmpty)
        m.bookAt("1.393")
        #expect(Valuation(market: m.state).equity(p) == M("26.65248830362"))
        let o = try #require(x.exitOrders(for: p, market: m.state).first)
        #expect(o.trigger == .marginCall && o.signal.action == .sell)
        #expect(o.signal.reason == "MARGIN CALL: equity below maintenance margin at 1.393000")

        let p2 = x.makePortfolio(strategy: "t"), m2 = TestMarket()
        _ = x.execute(signal(.buy, "180"), for: p2, market: m2.bookAt("2.35").state, now: m2.t)
        m2.bookAt("1.30")
        let liq = exitAndExecute(p2, m2, ex: x)
        #expect(liq.count == 1)
        #expect(liq[0].price == P("1.299") && liq[0].trigger == .marginCall)
        #expect(liq[0].pnl == M("-80.54444916972"))
        #expect(p2.cash == M("19.45555083028"))
        #expect(p2.positions.isEmpty && p2.assetBalance("XRP") == .zero)
    }

    /// Scenario 19: high/low tracking.
    @Test func tracking() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        _ = ex.execute(signal(.buy, "50"), for: p, market: m.bookAt("2.35").state, now: m.t)
        ex.updateTracking(p, market: m.bookAt("2.40").state)
        ex.updateTracking(p, market: m.bookAt("2.30").state)
        ex.updateTracking(p, market: MarketState(symbols: [XRP]))
        let pos = try #require(p.position(XRP))
        #expect(pos.highestPrice == P("2.40") && pos.lowestPrice == P("2.30"))
    }

    /// Backtest B6 scenarios 7 and 8 at the exchange: the phases of one bar, the stop wins, a gap fills at the open.
    @Test func barPhasesStopBeatsTargetAndGaps() throws {
        let x = makeExchange(fee: "0", slippage: "0.0005")
        func position() -> Portfolio {
            let p = x.makePortfolio(strategy: "t")
            p.setPositionForTesting(Position(symbol: XRP, side: .long, size: Q("1"), costBasis: M("100"), entryTime: T0,
                                             stopLoss: P("98"), takeProfit: P("104"), highestPrice: P("100"), lowestPrice: P("100"), entryFee: .zero))
            return p
        }
        func market(_ o: String, _ h: String, _ l: String, _ c: String) -> MarketState {
            let m = MarketState(symbols: [XRP])
            m.applyBar(Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: T0, open: P(o), high: P(h), low: P(l), close: P(c), volume: Q("1"))))
            return m
        }
        let m = market("99", "105", "97", "103")
        #expect(x.exitOrders(for: position(), market: m, phase: .open).isEmpty)
        let both = x.exitOrders(for: position(), market: m, phase: .adverse)
        #expect(both.count == 1 && both[0].trigger == .stopLoss && both[0].venue == .at(P("98")) && both[0].time == T0)
        #expect(x.exitOrders(for: position(), market: m, phase: .favourable).first?.trigger == .takeProfit)
        let gap = x.exitOrders(for: position(), market: market("96", "97", "95", "96.5"), phase: .open)
        #expect(gap.count == 1 && gap[0].venue == .at(P("96")))
        let p = position()
        p.assets["XRP"] = Q("1")
        let f = try #require(x.execute(gap[0].signal, for: p, market: MarketState(symbols: [XRP]), now: T0, venue: gap[0].venue, trigger: gap[0].trigger).fill)
        #expect(f.price == P("95.952"))
        // Without a bar the later phases find nothing (a live tick is judged once).
        #expect(x.exitOrders(for: position(), market: MarketState(symbols: [XRP]), phase: .adverse).isEmpty)
    }
}

/// Engine §8 metric scenarios 20–25.
@Suite struct PortfolioMetricTests {
    let ex = makeExchange()

    /// Scenario 20.
    @Test func drawdownAndROI() {
        let p = ex.makePortfolio(strategy: "t"), m = MarketState(symbols: [XRP])
        ex.updateDrawdown(p, market: m)
        p.setCashForTesting(Money(120)); ex.updateDrawdown(p, market: m)
        #expect(p.peakEquity == Money(120))
        p.setCashForTesting(Money(96)); ex.updateDrawdown(p, market: m)
        #expect(abs(p.maxDrawdown - 0.2) < 1e-15)
    }

    /// Scenario 21: win rate, profit factor, Sharpe over closing fills.
    @Test func winRateProfitFactorSharpe() {
        let p = ex.makePortfolio(strategy: "t")
        for pnl in ["1", "-1", "2"] { p.recordClosedForTesting(pnl: M(pnl), symbol: XRP) }
        #expect(p.wins == 2 && p.losses == 1)
        #expect(abs(p.winRate - 66.666666666) < 1e-6)
        #expect(p.profitFactor == 3.0)
        #expect(abs(p.sharpePerFill - 0.4364357805) < 1e-10)
        let q = ex.makePortfolio(strategy: "u")
        q.recordClosedForTesting(pnl: M("1"), symbol: XRP)
        #expect(q.profitFactor == nil)
        #expect(ex.makePortfolio(strategy: "v").winRate == 0)
    }

    /// Backtest §B7's daily Sharpe through the daily equity: end-of-day equities give the returns
    /// [0.01, −0.005, 0.02, 0] plus a flat partial day; mean / sample stdev × √365 = 9.5524866 (Python:
    /// statistics.mean(r) / statistics.stdev(r) * math.sqrt(365)).
    @Test func dailySharpe() {
        let p = ex.makePortfolio(strategy: "t")
        let day: Int64 = 86_400_000_000_000
        let t0 = Timestamp(iso8601: "2024-03-01T00:00:00Z")!.nanoseconds
        // Equity 100 → 101 → 100.495 → 102.5049 → 102.5049 at the day ends; ticks inside a day do not count.
        for (i, e) in [100.7, 101, 100.0, 100.495, 102.5049, 102.5049].enumerated() {
            let end = [1, 1, 2, 2, 3, 4][i]
            let t = Timestamp(nanoseconds: t0 + Int64(end) * day - (i == 0 || i == 2 ? 3_600_000_000_000 : 0))
            p.noteDailyEquity(e, at: t)
        }
        p.noteDailyEquity(102.5049, at: Timestamp(nanoseconds: t0 + 4 * day + 1))   // the next day starts, flat
        #expect(p.dailyReturns == 5)
        let s = p.sharpe ?? .nan
        #expect(abs(s - 9.5524866) < 1e-6, "\(s)")
        #expect(ex.makePortfolio(strategy: "u").sharpe == nil)
    }

    /// Scenario 22: per-symbol stats only count non-zero P&L.
    @Test func perSymbol() {
        let p = ex.makePortfolio(strategy: "t")
        for pnl in ["2", "-1", "0"] { p.recordClosedForTesting(pnl: M(pnl), symbol: XRP) }
        #expect(p.tradesBySymbol[XRP] == 2 && p.winsBySymbol[XRP] == 1 && p.lossesBySymbol[XRP] == 1)
        #expect(p.pnlBySymbol[XRP] == M("1"))
        #expect(p.breakeven == 1)
    }

    /// Scenario 24: the history bound never limits running metrics.
    @Test func historyBound() {
        var c = ExchangeConfig()
        c.feeRate = .zero; c.slippageRate = .zero; c.fillModel = .topOfBook; c.maxLongLeverage = Rate(10)
        c.startingCapital = Money(1_000_000)
        let x = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        let p = x.makePortfolio(strategy: "t"), m = TestMarket().book(bid: "2", ask: "2")
        for i in 0..<1001 {
            let s = i % 2 == 0 ? signal(.buy, "10", price: "2") : signal(.sell, "10", price: "2", full: true)
            _ = x.execute(s, for: p, market: m.state, now: m.t)
        }
        #expect(p.fills.count == 1000 && p.totalFills == 1001)
        #expect(p.fills.first?.fillId == "t-F000002")
    }

    /// Scenario 25: the baseline includes starting assets once they have a price.
    @Test func startingAssetBaseline() {
        var c = ExchangeConfig()
        c.startingAssets = ["XRP": Q("500")]
        let usdt = Symbol("XRP/USDT")!
        let x = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [usdt])
        let p = x.makePortfolio(strategy: "t")
        let m = MarketState(symbols: [usdt])
        x.updateDrawdown(p, market: m)
        #expect(!p.baselineSet)
        m.apply(.ticker(Ticker(symbol: usdt, time: T0, bid: .zero, ask: .zero, last: P("2.35"), volume24h: .zero)))
        x.updateDrawdown(p, market: m)
        #expect(p.baselineEquity == Money(1275))
        #expect(Valuation(market: m).equity(p) == p.baselineEquity)
    }
}

/// Engine §8 scenario 23: aggregate and leaderboard.
@Suite struct AggregateTests {
    @Test func totalsAndLeaderboard() {
        let ex = makeExchange()
        let m = MarketState(symbols: [XRP])
        func portfolio(_ name: String, pnl: [String]) -> Portfolio {
            let p = ex.makePortfolio(strategy: name)
            for v in pnl { p.recordClosedForTesting(pnl: M(v), symbol: XRP) }
            return p
        }
        // a: +10 over 3 wins / 2 losses; b: −5 over 1 / 2; c: 0 over 1 / 1.
        let a = portfolio("a", pnl: ["4", "4", "4", "-1", "-1"])
        let b = portfolio("b", pnl: ["1", "-3", "-3"])
        let c = portfolio("c", pnl: ["1", "-1"])
        let agg = PortfolioAggregate([a, b, c], valuation: Valuation(market: m))
        #expect(agg.totalStrategies == 3)
        #expect(agg.totalCapital == Money(300))
        #expect(agg.totalPnl == Money(5))
        #expect(agg.winRate == 50.0)
        #expect(agg.leaderboard == ["a", "c", "b"])
        let c2 = portfolio("c", pnl: ["15"])
        #expect(PortfolioAggregate([a, b, c2], valuation: Valuation(market: m)).leaderboard == ["c", "a", "b"])
        #expect(PortfolioAggregate([], valuation: Valuation(market: m)).winRate == 0)
    }
}

/// Engine §2.9: the USD price lookup order of the one equity function.
@Suite struct ValuationOrderTests {
    @Test func usdThenUsdtThenCrossThenNothing() {
        let syms = ["XRP/USD", "XRP/USDT", "XRP/BTC", "BTC/USDT", "ETH/BTC"].map { Symbol($0)! }
        let m = MarketState(symbols: syms)
        let v = Valuation(market: m)
        func last(_ s: String, _ p: String) {
            m.apply(.ticker(Ticker(symbol: Symbol(s)!, time: T0, bid: .zero, ask: .zero, last: P(p), volume24h: .zero)))
        }
        #expect(v.usdPrice("XRP") == nil)
        #expect(v.usdPrice("USDT") == .one)
        last("XRP/BTC", "0.00002")
        last("BTC/USDT", "100000")
        #expect(v.usdPrice("XRP") == P("2"))
        last("XRP/USDT", "2.5")
        #expect(v.usdPrice("XRP") == P("2.5"))
        last("XRP/USD", "2.4")
        #expect(v.usdPrice("XRP") == P("2.4"))
        #expect(v.usdPrice("ETH") == nil)
        last("ETH/BTC", "0.03")
        #expect(v.usdPrice("ETH") == P("3000"))
        #expect(v.quoteUSD(Symbol("XRP/BTC")!) == P("100000"))
    }
}

/// The adverse sweep continues from where the last exit left the marks (review finding): a stop part-way down
/// that leaves the account under margin triggers the margin call at that point, never back at the better opens.
@Suite struct AdverseSweepTests {
    @Test func marginCallAfterAStopIsAtTheStopsPoint() throws {
        let xrp = Symbol("XRP/USD")!, btc = Symbol("BTC/USD")!
        var c = ExchangeConfig()
        c.feeRate = .zero; c.slippageRate = Rate("0.5")!; c.fillModel = .topOfBook
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [xrp, btc])
        let p = ex.makePortfolio(strategy: "t")
        // Cash −790; 100 XRP (stop 0.9) and 0.01 BTC. Surplus f = cash + 0.75 × (100 x + 0.01 b):
        // 35 at the opens (1, 100000); at the stop's point (x 0.9, b 98000: a fifth of the way to the lows 0.5
        // and 90000) 12.5 before the stop and −10 after it (it sells at 0.9 × 0.5 = 0.45).
        p.setCashForTesting(Money(-790))
        p.assets = ["XRP": Quantity(100), "BTC": Quantity("0.01")!]
        p.setPositionForTesting(Position(symbol: xrp, side: .long, size: Quantity(100), costBasis: Money(100), entryTime: T0,
                                         stopLoss: P("0.9"), takeProfit: nil, highestPrice: P("1"), lowestPrice: P("1"), entryFee: .zero))
        p.setPositionForTesting(Position(symbol: btc, side: .long, size: Q("0.01"), costBasis: Money(1000), entryTime: T0,
                                         stopLoss: nil, takeProfit: nil, highestPrice: P("100000"), lowestPrice: P("100000"), entryFee: .zero))
        let m = MarketState(symbols: [xrp, btc])
        m.applyBar(Bar(symbol: xrp, timeframe: .m1, candle: Candle(start: T0, open: P("1"), high: P("1"), low: P("0.5"), close: P("0.6"), volume: Q("1"))))
        m.applyBar(Bar(symbol: btc, timeframe: .m1, candle: Candle(start: T0, open: P("100000"), high: P("100000"), low: P("90000"), close: P("95000"), volume: Q("1"))))
        #expect(ex.exitOrders(for: p, market: m, phase: .open).isEmpty)
        var path = AdversePath()
        let first = ex.exitOrders(for: p, market: m, phase: .adverse, excluding: [], path: &path)
        #expect(first.count == 1 && first[0].trigger == .stopLoss && first[0].venue == .at(P("0.9")))
        let stop = try #require(ex.execute(first[0].signal, for: p, market: m, now: T0, venue: first[0].venue, trigger: .stopLoss).fill)
        #expect(stop.price == P("0.45"))
        let second = ex.exitOrders(for: p, market: m, phase: .adverse, excluding: [xrp], path: &path)
        #expect(second.count == 1 && second[0].trigger == .marginCall)
        // At the stop's point (98000), not where a restart from the opens would put it (99333.33…).
        #expect(second[0].venue == .at(P("98000")))
    }
}
