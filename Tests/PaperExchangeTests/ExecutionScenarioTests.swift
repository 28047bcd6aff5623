import Testing
import TradingCore
import MarketData
@testable import PaperExchange

/// Engine §8 executor scenarios. Expected values come from scripts/derive_engine_values.py (our rounding
/// rules: lots rounded down, exact cost and fee, pro-rating half-even at 1e-18).
@Suite struct ExecutionScenarioTests {
    let ex = makeExchange()

    func buy50(_ p: Portfolio, _ m: TestMarket, sl: String? = nil, tp: String? = nil) -> Fill {
        ex.execute(signal(.buy, "50", sl: sl, tp: tp), for: p, market: m.bookAt("2.35").state, now: m.t).fill!
    }

    /// Scenario 4.
    @Test func buy50() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        let f = buy50(p, m)
        #expect(f.price == P("2.3521755"))
        #expect(f.size == Q("21.25691726"))
        #expect(f.fee == M("0.04999999998449913"))
        #expect(f.pnl == .zero && f.side == .buy && !f.isClosing)
        #expect(p.cash == M("49.95000001551637087"))
        let pos = try #require(p.position(XRP))
        #expect(pos.side == .long && pos.size == Q("21.25691726") && pos.entryPrice == P("2.3521755"))
        #expect(pos.entryFee == M("0.04999999998449913"))
        #expect(pos.highestPrice == P("2.3521755") && pos.lowestPrice == P("2.3521755"))
        #expect(p.totalFills == 1)
        let equity = Valuation(market: m.state).equity(p)
        #expect(equity == M("99.90375557651637087"))
        #expect(equity - M("100") == pos.unrealizedPnl(at: P("2.35")))
    }

    /// Scenario 5: partial close by USD size, then the full-close variant.
    @Test func partialSell() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        _ = buy50(p, m)
        let f = try #require(ex.execute(signal(.sell, "50", price: "2.40"), for: p, market: m.bookAt("2.40").state, now: m.t).fill)
        #expect(f.price == P("2.3978005"))
        #expect(f.size == Q("20.85244372"))
        #expect(f.fee == M("0.04999999997803786"))
        #expect(f.pnl == M("0.85234413751364928"))
        #expect(p.cash == M("99.89999999357619301"))
        let pos = try #require(p.position(XRP))
        #expect(pos.size == Q("0.40447354"))
        #expect(pos.entryFee == M("0.00095139275118627"))
        #expect(p.wins == 1)
        #expect(p.pnlBySymbol[XRP] == M("0.85234413751364928"))
        #expect(p.tradesBySymbol[XRP] == 1)

        let p2 = ex.makePortfolio(strategy: "t"), m2 = TestMarket()
        _ = buy50(p2, m2)
        let full = try #require(ex.execute(signal(.sell, "50", price: "2.40", full: true), for: p2, market: m2.bookAt("2.40").state, now: m2.t).fill)
        #expect(full.size == Q("21.25691726"))
        #expect(full.pnl == M("0.86887700316851424"))
        #expect(p2.position(XRP) == nil)
        #expect(p2.assetBalance("XRP") == .zero)
        #expect(p2.cash - p2.startingCapital == p2.totalPnl)
    }

    /// Scenario 6: the long cap, then the cumulative cap.
    @Test func longLeverageCaps() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        let f = try #require(ex.execute(signal(.buy, "200"), for: p, market: m.bookAt("2.35").state, now: m.t).fill)
        #expect(f.capped)
        #expect(f.size == Q("63.77075179"))
        #expect(f.fee == M("0.149999999977019145"))
        #expect(p.cash == M("-50.149999976996164145"))
        #expect(p.cappedFills == 1)
        let r = try #require(ex.execute(signal(.buy, "200"), for: p, market: m.state, now: m.t).rejection)
        #expect(r.reason == .leverageLimit)
        #expect(r.detail == "headroom -0.2943666122 USD")
        #expect(p.rejections[.leverageLimit] == 1)
        #expect(p.totalFills == 1)
    }

    /// Scenario 7: a short, valued with its liability.
    @Test func short150() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        let f = try #require(ex.execute(signal(.short, "150"), for: p, market: m.bookAt("2.35").state, now: m.t).fill)
        #expect(f.price == P("2.3478255") && f.size == Q("63.88890486") && f.fee == M("0.14999999999738193") && !f.capped)
        #expect(p.cash == M("249.84999999738454807"))
        #expect(p.assetBalance("XRP") == -Q("63.88890486"))
        #expect(Valuation(market: m.state).equity(p) == M("99.71107357638454807"))
    }

    /// Scenario 8: short cap and cumulative short cap.
    @Test func shortCaps() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        let f = try #require(ex.execute(signal(.short, "300"), for: p, market: m.bookAt("2.35").state, now: m.t).fill)
        #expect(f.capped && f.size == Q("85.18520648") && f.fee == M("0.19999999999650924"))
        #expect(p.cash == M("299.79999999651273076"))
        let r = try #require(ex.execute(signal(.short, "1000"), for: p, market: m.state, now: m.t).rejection)
        #expect(r.reason == .leverageLimit)
        #expect(r.detail == "headroom -0.9557056910 USD")
    }

    /// Scenario 9: profitable short round trip without fees or slippage.
    @Test func shortRoundTrip() throws {
        let ex0 = makeExchange(fee: "0", slippage: "0")
        let p = ex0.makePortfolio(strategy: "t"), m = TestMarket()
        let s = try #require(ex0.execute(signal(.short, "40", price: "2"), for: p, market: m.book(bid: "1.999", ask: "2.001").state, now: m.t).fill)
        #expect(s.size == Q("20.010005"))
        #expect(p.cash == M("139.999999995"))
        let c = try #require(ex0.execute(signal(.cover, "40", price: "1.8"), for: p, market: m.book(bid: "1.79", ask: "1.81").state, now: m.t).fill)
        #expect(c.size == Q("20.010005"))
        #expect(c.pnl == M("3.781890945"))
        #expect(p.cash == M("103.781890945"))
        #expect(p.position(XRP) == nil && p.assetBalance("XRP") == .zero)
        #expect(p.wins == 1 && p.totalFills == 2)
    }

    /// Scenario 10: averaging in.
    @Test func averagingIn() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        _ = buy50(p, m)
        let entryTime = p.position(XRP)!.entryTime
        let f = try #require(ex.execute(signal(.buy, "30", price: "2.45"), for: p, market: m.bookAt("2.45").state, now: m.t + .seconds(5)).fill)
        #expect(f.size == Q("12.23378518"))
        let pos = try #require(p.position(XRP))
        #expect(pos.size == Q("33.49070244"))
        #expect(pos.entryPrice == P("2.388722664379482033"))
        #expect(pos.entryFee == M("0.07999999996441722"))
        #expect(p.cash == M("19.92000003561836278"))
        #expect(pos.entryTime == entryTime)
        #expect(pos.highestPrice == P("2.4522255") && pos.lowestPrice == P("2.3521755"))
    }

    /// Scenario 11: a cover is never capped by cash.
    @Test func coverNotCappedByCash() throws {
        let ex0 = makeExchange(slippage: "0")
        let p = ex0.makePortfolio(strategy: "t"), m = TestMarket()
        m.book(bid: "2.0", ask: "2.0")
        let s = try #require(ex0.execute(signal(.short, "100", price: "2"), for: p, market: m.state, now: m.t).fill)
        #expect(s.size == Q("50") && s.fee == M("0.1") && p.cash == M("199.9"))
        p.setCashForTesting(M("50"))
        let c = try #require(ex0.execute(signal(.cover, "100", price: "2"), for: p, market: m.state, now: m.t).fill)
        #expect(c.size == Q("50") && c.fee == M("0.1"))
        #expect(p.cash == M("-50.1"))
        #expect(c.pnl == M("-0.2"))
        #expect(p.position(XRP) == nil && p.losses == 1)
    }

    /// Scenario 12: no book → signal price.
    @Test func noBookUsesSignalPrice() throws {
        let p = ex.makePortfolio(strategy: "t")
        let m = MarketState(symbols: [XRP])
        let f = try #require(ex.execute(signal(.buy, "10", price: "2.5"), for: p, market: m, now: T0).fill)
        #expect(f.price == P("2.50125"))
        #expect(f.size == Q("3.99800099"))
    }

    /// Scenario 13: rejections, each counted, none changing the portfolio.
    @Test func rejections() throws {
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket().bookAt("2.35")
        func reason(_ s: Signal, market: MarketState? = nil) -> RejectionReason? {
            ex.execute(s, for: p, market: market ?? m.state, now: m.t).rejection?.reason
        }
        #expect(reason(signal(.sell, "10")) == .noHoldings)
        #expect(reason(signal(.cover, "10")) == .noPosition)
        #expect(reason(signal(.buy, "10", type: .limit)) == .unsupportedOrderType)
        #expect(reason(signal(.buy, "10", symbol: Symbol("DOGE/USD")!)) == .unknownSymbol)
        #expect(reason(signal(.buy, "10", price: "0"), market: MarketState(symbols: [XRP])) == .noPrice)
        #expect(reason(signal(.buy, "10", sl: "2.40")) == .invalidProtectiveLevels)
        #expect(reason(signal(.buy, "10", sl: "0")) == .invalidProtectiveLevels)
        #expect(reason(signal(.short, "10", tp: "2.40")) == .invalidProtectiveLevels)
        #expect(reason(signal(.sell, "10", full: true)) == .noPosition)
        #expect(reason(signal(.buy, "0.00000001")) == .belowMinimumSize)
        #expect(p.cash == Money(100) && p.positions.isEmpty && p.totalFills == 0)
        _ = ex.execute(signal(.buy, "10"), for: p, market: m.state, now: m.t)
        #expect(reason(signal(.short, "10")) == .oppositePositionOpen)
        let x = makeExchange()
        let p2 = x.makePortfolio(strategy: "t")
        _ = x.execute(signal(.short, "10"), for: p2, market: m.state, now: m.t)
        #expect(x.execute(signal(.buy, "10"), for: p2, market: m.state, now: m.t).rejection?.reason == .oppositePositionOpen)
        #expect(p.rejections.count == 8)
        #expect(p.rejections.values.allSatisfy { $0 >= 1 })
        #expect(p.totalRejections == 11)
    }

    /// Scenario 26: cross-quoted buy settles in BTC and is sized in USD.
    @Test func crossQuotedBuy() throws {
        let xrpbtc = Symbol("XRP/BTC")!, btc = Symbol("BTC/USDT")!
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        m.last("104500", symbol: btc).book(bid: "0.0000224", ask: "0.0000226", symbol: xrpbtc)
        #expect(m.state.price(xrpbtc) == P("0.0000225"))
        let f = try #require(ex.execute(signal(.buy, "20", price: "0.0000225", symbol: xrpbtc), for: p, market: m.state, now: m.t).fill)
        #expect(f.price == P("0.0000226113"))
        #expect(f.size == Q("8.46424397"))
        #expect(f.fee == M("0.000000191387559679"))
        #expect(f.feeUSD == M("0.0199999999864555"))
        #expect(p.assetBalance("BTC") == Q("-0.00019157894723854"))
        #expect(p.cash == Money(100))
        #expect(p.position(xrpbtc)?.side == .long)
        #expect(f.quoteUSD == P("104500"))
        let noUSD = TestMarket().book(bid: "0.0000224", ask: "0.0000226", symbol: xrpbtc)
        #expect(ex.execute(signal(.buy, "20", price: "0.0000225", symbol: xrpbtc), for: p, market: noUSD.state, now: T0).rejection?.reason == .noUSDConversion)
    }

    @Test func bookWalkPricesDepthAndMarksTheRest() throws {
        let walk = makeExchange(slippage: "0.001", model: .bookWalk)
        let p = walk.makePortfolio(strategy: "t"), m = TestMarket().bookAt("2.35")
        // 100 at 2.351, 200 at 2.352: $100 fits the first level → no slippage.
        let small = try #require(walk.execute(signal(.buy, "100"), for: p, market: m.state, now: m.t).fill)
        #expect(small.price == P("2.351") && !small.beyondVisibleDepth)
        // Base-sized: 350 units = 100 @2.351 + 200 @2.352 + 50 beyond at 2.352 × 1.001.
        var big = try Signal(action: .buy, symbol: XRP, size: Money(350), sizeUnit: .base, price: P("2.35"), reason: "t")
        big.stopLoss = nil
        let bigExchange = makeExchange(slippage: "0.001", longLev: "20", model: .bookWalk)
        let p2 = bigExchange.makePortfolio(strategy: "t")
        let f = try #require(bigExchange.execute(big, for: p2, market: m.state, now: m.t).fill)
        #expect(f.size == Q("350"))
        #expect(f.beyondVisibleDepth)
        #expect(p2.cash == M("-724.0408176"))
    }
}

/// Engine §2.4.5 rule 3 with per-pair inventory (hardening issue, item 4): a sell closes this pair's long only;
/// starting assets are sold only by a sell without a position, and realize no P&L.
@Suite struct InventorySaleTests {
    @Test func positionAndFreeInventoryAreSoldSeparately() throws {
        var c = ExchangeConfig()
        c.fillModel = .topOfBook
        c.feeRate = .zero
        c.slippageRate = .zero
        c.startingAssets = ["XRP": Q("10")]
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket()
        m.book(bid: "2", ask: "2")
        _ = try #require(ex.execute(signal(.buy, "20", price: "2"), for: p, market: m.state, now: m.t).fill) // 10 XRP long
        #expect(p.assetBalance("XRP") == Q("20") && p.freeInventory("XRP") == Q("10"))
        m.book(bid: "3", ask: "3")
        let f = try #require(ex.execute(signal(.sell, "60", price: "3"), for: p, market: m.state, now: m.t).fill)
        #expect(f.size == Q("10"))         // the position only, though $60 would buy 20
        #expect(f.pnl == M("10"))          // (3 − 2) × 10
        #expect(p.position(XRP) == nil && p.roundTrips == 1)
        #expect(p.assetBalance("XRP") == Q("10"))
        #expect(p.cash == M("110"))        // 100 − 20 + 30
        // Now an explicit sell of the starting asset: no position, free inventory 10, no P&L.
        let g = try #require(ex.execute(signal(.sell, "60", price: "3"), for: p, market: m.state, now: m.t).fill)
        #expect(g.size == Q("10") && g.pnl == .zero && !g.isClosing)
        #expect(p.cash == M("140") && p.assetBalance("XRP") == .zero)
        #expect(ex.execute(signal(.sell, "1", price: "3"), for: p, market: m.state, now: m.t).rejection?.reason == .noHoldings)
        #expect(p.pairs[XRP] == PairStats(fills: 3, realizedPnl: M("10"), fees: .zero, volume: M("80")))
    }

    /// XRP bought on XRP/USDT and on XRP/BTC are two positions: closing one never touches the other's units.
    @Test func twoPairsOfOneBaseAreTwoPositions() throws {
        let xrpusdt = Symbol("XRP/USDT")!, xrpbtc = Symbol("XRP/BTC")!, btc = Symbol("BTC/USDT")!
        var c = ExchangeConfig()
        c.fillModel = .topOfBook; c.feeRate = .zero; c.slippageRate = .zero
        c.startingCapital = Money(1000)
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [xrpusdt, xrpbtc, btc])
        let p = ex.makePortfolio(strategy: "t")
        let m = MarketState(symbols: [xrpusdt, xrpbtc, btc])
        func book(_ s: Symbol, _ px: String) {
            m.apply(.book(BookUpdate(symbol: s, time: T0, isSnapshot: true, bids: [BookLevel(price: P(px), size: Q("100000"))], asks: [BookLevel(price: P(px), size: Q("100000"))])))
        }
        book(xrpusdt, "2"); book(btc, "100000"); book(xrpbtc, "0.00002")
        _ = try #require(ex.execute(signal(.buy, "20", price: "2", symbol: xrpusdt), for: p, market: m, now: T0).fill)     // 10 XRP
        _ = try #require(ex.execute(signal(.buy, "40", price: "0.00002", symbol: xrpbtc), for: p, market: m, now: T0).fill) // 20 XRP
        #expect(p.assetBalance("XRP") == Q("30") && p.freeInventory("XRP") == .zero)
        let f = try #require(ex.execute(signal(.sell, "1000", price: "2", symbol: xrpusdt), for: p, market: m, now: T0).fill)
        #expect(f.size == Q("10"))
        #expect(p.position(xrpbtc)?.size == Q("20") && p.assetBalance("XRP") == Q("20"))
        #expect(ex.execute(signal(.sell, "1", price: "2", symbol: xrpusdt), for: p, market: m, now: T0).rejection?.reason == .noHoldings)
    }
}

@Suite struct AbsurdInputTests {
    @Test func hugeOrdersAreRejectedNotTrapped() throws {
        var c = ExchangeConfig()
        c.maxLongLeverage = Rate(50)
        c.startingCapital = Money(1_000_000_000)
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket().book(bid: "0.25", ask: "0.25")
        #expect(ex.execute(signal(.buy, "50000000000000000000", price: "0.25"), for: p, market: m.state, now: m.t).rejection?.reason == .invalidSize)
        #expect(ex.execute(signal(.buy, "999999999999999", price: "0.25"), for: p, market: m.state, now: m.t).rejection?.reason == .invalidSize)
        let base = try Signal(action: .buy, symbol: XRP, size: Money("9999999999999")!, sizeUnit: .base, price: P("0.25"), reason: "t")
        #expect(ex.execute(base, for: p, market: TestMarket().book(bid: "900000000000", ask: "900000000000").state, now: m.t).rejection?.reason == .invalidSize)
        #expect(p.totalFills == 0 && p.cash == Money(1_000_000_000))
    }

    @Test func zeroLevelsMeanNoneWithoutValidation() throws {
        var c = ExchangeConfig()
        c.validateProtectiveLevels = false
        c.fillModel = .topOfBook
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        let p = ex.makePortfolio(strategy: "t"), m = TestMarket().bookAt("2.35")
        _ = try #require(ex.execute(signal(.buy, "10", sl: "0", tp: "0"), for: p, market: m.state, now: m.t).fill)
        #expect(p.position(XRP)?.stopLoss == nil && p.position(XRP)?.takeProfit == nil)
        #expect(ex.exitOrders(for: p, market: m.bookAt("2.36").state).isEmpty)
    }

    @Test func profitFactorWithoutTradesIsZero() {
        #expect(makeExchange().makePortfolio(strategy: "t").profitFactor == 0)
    }
}

/// A pair in the session only to value a quote (data only) is refused to a strategy that does not trade it.
@Suite struct DataOnlyPairTests {
    @Test func ordersOnDataOnlyPairsAreUnknownSymbols() throws {
        let xrpbtc = Symbol("XRP/BTC")!, btc = Symbol("BTC/USDT")!
        var c = ExchangeConfig()
        c.fillModel = .topOfBook
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [xrpbtc, btc])
        let p = ex.makePortfolio(strategy: "t", tradable: [xrpbtc])
        let m = MarketState(symbols: [xrpbtc, btc])
        m.apply(.book(BookUpdate(symbol: btc, time: T0, isSnapshot: true, bids: [BookLevel(price: P("99999"), size: Q("10"))], asks: [BookLevel(price: P("100001"), size: Q("10"))])))
        m.apply(.book(BookUpdate(symbol: xrpbtc, time: T0, isSnapshot: true, bids: [BookLevel(price: P("0.0000224"), size: Q("100000"))], asks: [BookLevel(price: P("0.0000226"), size: Q("100000"))])))
        let r = try #require(ex.execute(signal(.buy, "20", price: "100000", symbol: btc), for: p, market: m, now: T0).rejection)
        #expect(r.reason == .unknownSymbol && r.detail?.contains("only to value a quote currency") == true)
        #expect(ex.execute(signal(.buy, "20", price: "0.0000225", symbol: xrpbtc), for: p, market: m, now: T0).fill != nil)
        #expect(ex.makePortfolio(strategy: "u").tradable == nil)
    }
}

/// A short on XRP/USDT must not trap a long on XRP/BTC: the XRP balance is shared by both pairs.
@Suite struct SharedBalanceTests {
    @Test func longOnOnePairClosesDespiteAShortOnAnother() throws {
        let xrpusdt = Symbol("XRP/USDT")!, xrpbtc = Symbol("XRP/BTC")!, btc = Symbol("BTC/USDT")!
        var c = ExchangeConfig()
        c.fillModel = .topOfBook
        c.startingCapital = Money(1000)
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [xrpusdt, xrpbtc, btc])
        let p = ex.makePortfolio(strategy: "t")
        let m = MarketState(symbols: [xrpusdt, xrpbtc, btc])
        func book(_ s: Symbol, _ bid: String, _ ask: String) {
            m.apply(.book(BookUpdate(symbol: s, time: T0, isSnapshot: true, bids: [BookLevel(price: P(bid), size: Q("100000"))], asks: [BookLevel(price: P(ask), size: Q("100000"))])))
        }
        book(xrpusdt, "2.349", "2.351"); book(btc, "104499", "104501"); book(xrpbtc, "0.0000224", "0.0000226")
        _ = try #require(ex.execute(signal(.short, "235", price: "2.35", symbol: xrpusdt), for: p, market: m, now: T0).fill)
        _ = try #require(ex.execute(signal(.buy, "141", price: "0.0000225", symbol: xrpbtc, sl: "0.000022"), for: p, market: m, now: T0).fill)
        #expect(p.assetBalance("XRP").isNegative)
        book(xrpbtc, "0.0000210", "0.0000212")
        let exits = ex.exitOrders(for: p, market: m)
        let o = try #require(exits.first { $0.signal.symbol == xrpbtc })
        let f = try #require(ex.execute(o.signal, for: p, market: m, now: T0, venue: o.venue, trigger: o.trigger).fill)
        #expect(f.trigger == .stopLoss)
        #expect(p.position(xrpbtc) == nil)
        #expect(p.assetBalance("XRP") == -p.position(xrpusdt)!.size)
        // Without a long position, a sell still needs holdings.
        #expect(ex.execute(signal(.sell, "10", price: "0.0000211", symbol: xrpbtc), for: p, market: m, now: T0).rejection?.reason == .noHoldings)
    }
}
