import Testing
import TradingCore
import MarketData
@testable import PaperExchange

/// The resting-order model (issue "Orders that rest", docs/orders.md). Every expected figure is the hand product of
/// quantity × price × rate (no code under test computes them): maker 0.0025, taker 0.004, no slippage, capital 1000.
@Suite struct MatchingEngineTests {
    let ex = makeOrderExchange()

    /// bookAt("2.35"): bids 2.349 ×100, 2.348 ×200; asks 2.351 ×100, 2.352 ×200.
    func market() -> TestMarket { TestMarket().bookAt("2.35") }

    func limit(_ a: SignalAction, _ qty: String, at px: String, postOnly: Bool = false, tif: TimeInForce = .goodTillCancel,
               tag: String? = nil) -> Signal {
        try! Signal.limit(a, XRP, size: M(qty), sizeUnit: .base, at: P(px), reason: "test", postOnly: postOnly, timeInForce: tif, clientTag: tag)
    }

    func trade(_ m: TestMarket, _ px: String, _ size: String, _ p: Portfolio, side: TakerSide = .sell) -> [OrderActivity] {
        m.t = m.t + .seconds(1)
        let t = Trade(symbol: XRP, time: m.t, price: P(px), size: Q(size), side: side)
        m.state.apply(.trade(t))
        var out: [OrderActivity] = []
        ex.match(trade: t, for: p, market: m.state, now: m.t, into: &out)
        return out
    }

    func place(_ s: Signal, _ p: Portfolio, _ m: TestMarket) -> [OrderActivity] {
        var out: [OrderActivity] = []
        ex.place(s, for: p, market: m.state, now: m.t, into: &out)
        return out
    }

    func fills(_ out: [OrderActivity]) -> [Fill] { out.compactMap { if case .fill(let f) = $0 { f } else { nil } } }

    @Test func aTradeAboveARestingBidDoesNotFillIt() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "100", at: "2.348"), p, m)
        #expect(fills(trade(m, "2.349", "500", p)).isEmpty)
        #expect(p.openOrders.count == 1 && p.openOrders[0].remaining == Q("100") && p.cash == M("1000"))
    }

    @Test func aTradeBelowFillsUpToThePrintedSizeAtTheLimitAsMaker() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        let accepted = place(limit(.buy, "100", at: "2.348", tag: "grid-1"), p, m)
        guard case .event(.accepted(let o))? = accepted.first else { Issue.record("not accepted"); return }
        #expect(o.queueAhead == Q("200"))           // the size displayed at 2.348 when it was placed
        let f = fills(trade(m, "2.347", "30", p))
        #expect(f.count == 1)
        #expect(f[0].size == Q("30") && f[0].price == P("2.348") && f[0].liquidity == .maker)
        #expect(f[0].fee == M("0.1761"))                            // 30 × 2.348 × 0.0025
        #expect(f[0].orderId == o.id && f[0].clientTag == "grid-1")
        #expect(p.cash == M("1000") - M("70.44") - M("0.1761"))     // 30 × 2.348 = 70.44
        #expect(p.openOrders[0].remaining == Q("70") && p.openOrders[0].filled == Q("30"))
        #expect(p.makerFills == 1 && p.takerFills == 0)
    }

    @Test func aTradeAtThePriceConsumesTheQueueAheadFirst() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "100", at: "2.348"), p, m)
        #expect(fills(trade(m, "2.348", "150", p)).isEmpty)        // 200 ahead → 50 ahead
        #expect(p.openOrders[0].queueAhead == Q("50"))
        let a = fills(trade(m, "2.348", "80", p))                  // 50 of it is the queue, 30 reaches us
        #expect(a.map(\.size) == [Q("30")] && a[0].fee == M("0.1761"))
        let b = fills(trade(m, "2.348", "100", p))                 // nothing ahead: 70 left to fill
        #expect(b.map(\.size) == [Q("70")] && b[0].fee == M("0.4109"))   // 70 × 2.348 × 0.0025
        #expect(p.openOrders.isEmpty && p.restingCount == 0)
        #expect(p.position(XRP)?.size == Q("100"))
    }

    @Test func aPriceBeyondTheShownDepthOnlyFillsOnTradesThrough() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "10", at: "2.300"), p, m)            // below the deepest shown bid: queue unknown
        #expect(p.openOrders[0].queueAhead == nil)
        #expect(fills(trade(m, "2.300", "1000", p)).isEmpty)
        #expect(fills(trade(m, "2.299", "4", p)).map(\.size) == [Q("4")])
    }

    @Test func postOnlyThatWouldCrossIsRejectedAndChangesNothing() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        let out = place(limit(.buy, "10", at: "2.351", postOnly: true), p, m)
        guard case .rejection(let r)? = out.first else { Issue.record("not rejected"); return }
        #expect(r.reason == .postOnlyWouldCross && out.count == 1)
        #expect(p.openOrders.isEmpty && p.cash == M("1000") && p.positions.isEmpty && p.rejections[.postOnlyWouldCross] == 1)
        // One tick inside the spread rests.
        #expect(place(limit(.buy, "10", at: "2.350", postOnly: true), p, m).count == 1 && p.openOrders.count == 1)
        // Sells mirror it.
        let s = ex.makePortfolio(strategy: "s")
        let shortOut = place(limit(.short, "10", at: "2.349", postOnly: true), s, m)
        var reason: RejectionReason?
        if case .rejection(let r)? = shortOut.first { reason = r.reason }
        #expect(reason == .postOnlyWouldCross)
    }

    @Test func aMarketableLimitTakesTheCrossingLevelsAsTakerAndRestsTheRest() {
        let m = market()
        let p = ex.makePortfolio(strategy: "t")
        let f = fills(place(limit(.buy, "40", at: "2.351"), p, m))
        #expect(f.count == 1 && f[0].size == Q("40") && f[0].price == P("2.351") && f[0].liquidity == .taker)
        #expect(f[0].fee == M("0.37616"))                           // 40 × 2.351 × 0.004
        #expect(p.openOrders.isEmpty && p.takerFills == 1)
        // Through two levels: 100 × 2.351 + 50 × 2.352 = 352.7, fee 352.7 × 0.004 = 1.4108; never worse than the limit.
        let q = ex.makePortfolio(strategy: "q")
        let g = fills(place(limit(.buy, "150", at: "2.352"), q, m))
        #expect(g.count == 1 && g[0].size == Q("150") && g[0].fee == M("1.4108"))
        #expect(q.cash == M("1000") - M("352.7") - M("1.4108"))
    }

    @Test func crossingPartThenRestingRemainder() {
        let m = TestMarket().book(bid: "2.349", ask: "2.351", size: "25")
        let p = ex.makePortfolio(strategy: "t")
        let out = place(limit(.buy, "40", at: "2.351"), p, m)
        #expect(fills(out).map(\.size) == [Q("25")])
        #expect(p.openOrders.count == 1 && p.openOrders[0].remaining == Q("15") && p.openOrders[0].queueAhead == Q("0"))
        // The feed still shows the ask it took: a new book event with the same ask does not fill it again.
        var again: [OrderActivity] = []
        m.book(bid: "2.349", ask: "2.351", size: "25")
        ex.match(bookOf: XRP, for: p, market: m.state, now: m.t, into: &again)
        #expect(fills(again).isEmpty)
        // The ask lifts away, then comes back down through the bid: a new crossing fills the rest, as maker.
        m.book(bid: "2.349", ask: "2.36")
        ex.match(bookOf: XRP, for: p, market: m.state, now: m.t, into: &again)
        m.book(bid: "2.340", ask: "2.345", size: "1000")
        ex.match(bookOf: XRP, for: p, market: m.state, now: m.t, into: &again)
        let f = fills(again)
        #expect(f.count == 1 && f[0].size == Q("15") && f[0].price == P("2.351") && f[0].liquidity == .maker)
        #expect(f[0].fee == M("0.08816250"))                        // 15 × 2.351 × 0.0025
    }

    /// A bid of 100 at 2.348, then the ask moves to 2.345 × 60 (under the bid).
    func crossedBid() -> (TestMarket, Portfolio, [OrderActivity]) {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "100", at: "2.348"), p, m)
        var out: [OrderActivity] = []
        m.book(bid: "2.340", ask: "2.345", size: "60")
        ex.match(bookOf: XRP, for: p, market: m.state, now: m.t, into: &out)
        return (m, p, out)
    }

    @Test func theBookMovingThroughABidFillsTheDisplayedLiquidityOnce() {
        let (m, p, first) = crossedBid()
        #expect(fills(first).map(\.size) == [Q("60")] && fills(first)[0].price == P("2.348"))
        var out: [OrderActivity] = []
        out = []
        m.book(bid: "2.340", ask: "2.345", size: "60")
        ex.match(bookOf: XRP, for: p, market: m.state, now: m.t, into: &out)
        #expect(fills(out).isEmpty)
        // A trade strictly through still reaches it while the book stays crossed.
        #expect(fills(trade(m, "2.344", "5", p)).map(\.size) == [Q("5")])
        #expect(p.openOrders[0].remaining == Q("35"))
    }

    @Test func replaceLosesQueuePosition() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "100", at: "2.348"), p, m)
        _ = trade(m, "2.348", "150", p)
        #expect(p.openOrders[0].queueAhead == Q("50"))
        let id = p.openOrders[0].id
        var out: [OrderActivity] = []
        ex.replace(id, price: nil, size: M("100"), for: p, market: m.state, now: m.t, into: &out)
        guard case .event(.replaced(let o))? = out.first else { Issue.record("not replaced: \(out)"); return }
        #expect(o.id == id && o.queueAhead == Q("200"))             // the back of the queue shown at 2.348 now
        #expect(fills(trade(m, "2.348", "100", p)).isEmpty)
        // A new price: queue measured there (2.349 shows 100).
        out = []
        ex.replace(id, price: P("2.349"), size: nil, for: p, market: m.state, now: m.t, into: &out)
        #expect(p.openOrders[0].limitPrice == P("2.349") && p.openOrders[0].queueAhead == Q("100"))
        // An unknown id is said, counted, and changes nothing.
        out = []
        ex.replace(OrderID(99), price: P("2.3"), size: nil, for: p, market: m.state, now: m.t, into: &out)
        #expect(out.count == 1 && p.rejections[.unknownOrder] == 1 && p.openOrders.count == 1)
    }

    @Test func goodTillTimeExpiresOnTheEngineClock() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        let until = m.t + .seconds(5)
        _ = place(limit(.buy, "10", at: "2.348", tif: .goodTillTime(until)), p, m)
        #expect(ex.nextExpiry(of: p) == until)
        var out: [OrderActivity] = []
        ex.expireOrders(for: p, now: until - .milliseconds(1), into: &out)
        #expect(out.isEmpty && p.openOrders.count == 1)
        ex.expireOrders(for: p, now: until, into: &out)
        guard case .event(.ended(let o, .expired, _))? = out.first else { Issue.record("not expired"); return }
        #expect(o.remaining == Q("10") && p.openOrders.isEmpty && ex.nextExpiry(of: p) == nil)
    }

    @Test func reservationsHoldHeadroomAndCancellingReleasesIt() {
        let m = TestMarket().book(bid: "1.99", ask: "2.01"), p = ex.makePortfolio(strategy: "t")
        let v = Valuation(market: m.state)
        // Equity 1000 × 1.5 = 1500 USD of long headroom.
        #expect(ex.availableHeadroomUSD(.long, for: p, market: m.state) == M("1500"))
        _ = place(limit(.buy, "500", at: "1.98"), p, m)            // reserves 500 × 1.98 = 990
        #expect(p.reservedUSD(.long, valuation: v) == M("990"))
        #expect(ex.availableHeadroomUSD(.long, for: p, market: m.state) == M("510"))
        // A second order is capped to the 510 left: 510 / 2 = 255.
        _ = place(limit(.buy, "300", at: "2.00"), p, m)
        let second = p.openOrders.last!
        #expect(second.remaining == Q("255") && p.openOrderCount(XRP) == 2 && p.openOrderCount(Symbol("BTC/USDT")!) == 0)
        #expect(ex.availableHeadroomUSD(.long, for: p, market: m.state) == .zero)
        // A market buy counts the reservations too: nothing is left, and nothing changes.
        let r = ex.execute(signal(.buy, "10", price: "2.01"), for: p, market: m.state, now: m.t)
        #expect(r.rejection?.reason == .leverageLimit && p.positions.isEmpty && p.cash == M("1000"))
        // Cancelling releases: 1500 − 255 × 2 = 990, then all of it.
        var out: [OrderActivity] = []
        ex.cancel(p.openOrders[0].id, for: p, now: m.t, into: &out)
        #expect(ex.availableHeadroomUSD(.long, for: p, market: m.state) == M("990"))
        ex.cancel(second.id, for: p, now: m.t, into: &out)
        #expect(ex.availableHeadroomUSD(.long, for: p, market: m.state) == M("1500"))
        #expect(p.reservedUSD(.long, valuation: v) == .zero && out.count == 2)
        // Short reservations are separate: 1000 × 2 = 2000, less a resting short of 100 × 2.02.
        _ = place(limit(.short, "100", at: "2.02"), p, m)
        #expect(ex.availableHeadroomUSD(.short, for: p, market: m.state) == M("1798"))
        #expect(ex.availableHeadroomUSD(.long, for: p, market: m.state) == M("1500"))
    }

    @Test func aRestingSellReducesTheLongAndEndsWhenThePositionIsGone() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = ex.execute(signal(.buy, "20", sizeUnit: .base, price: "2.35"), for: p, market: m.state, now: m.t)
        #expect(p.position(XRP)?.size == Q("20"))
        _ = place(limit(.sell, "15", at: "2.360"), p, m)
        // Resting reducing orders together never claim more than the position.
        let over = place(limit(.sell, "10", at: "2.370"), p, m)
        #expect(p.openOrders.map(\.remaining) == [Q("15"), Q("5")] && fills(over).isEmpty)
        let f = fills(trade(m, "2.361", "6", p, side: .buy))
        #expect(f.map(\.size) == [Q("6")] && f[0].price == P("2.360") && f[0].liquidity == .maker && f[0].isClosing)
        // A market sell closes the rest; the resting sells can no longer fill and end.
        _ = ex.execute(signal(.sell, "0", price: "2.35", full: true), for: p, market: m.state, now: m.t)
        var out: [OrderActivity] = []
        ex.releaseUnfillable(XRP, for: p, now: m.t, into: &out)
        #expect(out.count == 2 && p.openOrders.isEmpty)
        if case .event(.ended(_, let why, _))? = out.first { #expect(why == .unfillable) } else { Issue.record("not ended") }
    }

    @Test func barsFillOnlyWhenTheRangeTradesStrictlyThrough() {
        let m = TestMarket().last("2.35", symbol: XRP), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "10", at: "2.30"), p, m)
        func bar(_ o: String, _ h: String, _ l: String, _ c: String, _ v: String = "1000") -> [OrderActivity] {
            let b = Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: m.t, open: P(o), high: P(h), low: P(l), close: P(c), volume: Q(v)))
            var out: [OrderActivity] = []
            ex.match(bar: b, opening: true, for: p, market: m.state, now: m.t, into: &out)
            m.state.applyBar(b)   // as the kernel does after matching: the market stays fresh bar by bar
            m.t = m.t + .minutes(1)
            return out
        }
        #expect(fills(bar("2.35", "2.36", "2.30", "2.31")).isEmpty)          // a touch is not a fill (decision 22)
        let f = fills(bar("2.32", "2.33", "2.29", "2.30", "4"))               // through; volume bounds it
        #expect(f.map(\.size) == [Q("4")] && f[0].price == P("2.30") && f[0].liquidity == .maker)
        let g = fills(bar("2.25", "2.31", "2.24", "2.30"))                    // opens better than the limit: at the open
        #expect(g.map(\.size) == [Q("6")] && g[0].price == P("2.25"))
        #expect(g[0].fee == M("0.03375"))                                     // 6 × 2.25 × 0.0025
    }

    @Test func aBuyerLiftingAsksUnderABidIsNotASellerHittingIt() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "10", at: "2.348"), p, m)
        // A buy-side print below the bid lifted an ask the book showed under our bid: that is the book crossing it
        // (matched from the book), not a seller reaching our bid.
        #expect(fills(trade(m, "2.347", "50", p, side: .buy)).isEmpty)
        #expect(fills(trade(m, "2.347", "4", p, side: .sell)).map(\.size) == [Q("4")])
    }

    @Test func replaceKeepsWhatRemainsAndWhatFilled() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "100", at: "2.348"), p, m)
        _ = trade(m, "2.347", "30", p)
        let id = p.openOrders[0].id
        var out: [OrderActivity] = []
        ex.replace(id, price: P("2.349"), size: nil, for: p, market: m.state, now: m.t, into: &out)
        #expect(p.openOrders[0].remaining == Q("70") && p.openOrders[0].filled == Q("30"))
        // Reserved: 70 × 2.349 = 164.43.
        #expect(p.reservedUSD(.long, valuation: Valuation(market: m.state)) == M("164.43"))
        // A new size is what remains to fill.
        ex.replace(id, price: nil, size: M("20"), for: p, market: m.state, now: m.t, into: &out)
        #expect(p.openOrders[0].remaining == Q("20") && p.openOrders[0].filled == Q("30"))
    }

    @Test func aNewOrderCannotRetakeLiquidityARestingOrderTookInTheSameCrossing() {
        let (m, p, out) = crossedBid()
        #expect(fills(out).map(\.size) == [Q("60")])
        // The feed still shows ask 2.345 × 60: a new buy through it finds nothing left to take, and rests.
        let again = place(limit(.buy, "60", at: "2.346"), p, m)
        #expect(fills(again).isEmpty && p.openOrders.count == 2)
    }

    @Test func goodTillATimeAlreadyPastNeverTrades() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        let out = place(limit(.buy, "10", at: "2.352", tif: .goodTillTime(m.t)), p, m)
        #expect(fills(out).isEmpty && p.openOrders.isEmpty && p.positions.isEmpty)
        guard case .event(.ended(_, .expired, _))? = out.first else { Issue.record("\(out)"); return }
    }

    @Test func aLimitThroughThePriceWithoutABookIsATakerAtTheNextOpen() {
        let m = TestMarket().last("2.35", symbol: XRP), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "10", at: "2.40"), p, m)                  // above the last price: marketable
        var out: [OrderActivity] = []
        let b = Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: m.t, open: P("2.36"), high: P("2.37"), low: P("2.33"), close: P("2.34"), volume: Q("1000")))
        ex.match(bar: b, opening: true, for: p, market: m.state, now: m.t, into: &out)
        let f = fills(out)
        #expect(f.count == 1 && f[0].price == P("2.36") && f[0].liquidity == .taker)
        #expect(f[0].fee == M("0.0944"))                                 // 10 × 2.36 × 0.004
    }

    @Test func aRestingSellForAPositionNeverSellsOtherHoldings() {
        var c = ex.config
        c.startingAssets = ["XRP": Q("50")]
        let ex2 = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        let m = market(), p = ex2.makePortfolio(strategy: "t")
        // A long of 20 on top of 50 held: the resting sell is for the position.
        _ = ex2.execute(signal(.buy, "20", sizeUnit: .base, price: "2.35"), for: p, market: m.state, now: m.t)
        var out: [OrderActivity] = []
        ex2.place(limit(.sell, "20", at: "2.360"), for: p, market: m.state, now: m.t, into: &out)
        #expect(p.openOrders.count == 1)
        _ = ex2.execute(signal(.sell, "0", price: "2.35", full: true), for: p, market: m.state, now: m.t)
        out = []
        ex2.releaseUnfillable(XRP, for: p, now: m.t, into: &out)
        #expect(p.openOrders.isEmpty && p.assetBalance("XRP") == Q("50"))
    }

    @Test func ourOwnOrdersAtOnePriceShareWhatReachesTheFront() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "100", at: "2.348"), p, m)              // A: 200 ahead
        _ = place(limit(.buy, "100", at: "2.348"), p, m)              // B: 200 ahead (and A)
        // 250 print at 2.348: 200 is the queue, 50 reach A, nothing reaches B.
        let f = fills(trade(m, "2.348", "250", p))
        #expect(f.map(\.size) == [Q("50")] && f[0].orderId == p.openOrders[0].id)
        #expect(p.openOrders.map(\.remaining) == [Q("50"), Q("100")])
    }

    @Test func displayedLiquidityIsTakenOnceWhateverOrderAsks() {
        let m = TestMarket().book(bid: "2.349", ask: "2.351", size: "100")
        let p = ex.makePortfolio(strategy: "t")
        // Two crossing limits in one go: the second finds only what the first left.
        #expect(fills(place(limit(.buy, "60", at: "2.351"), p, m)).map(\.size) == [Q("60")])
        #expect(fills(place(limit(.buy, "60", at: "2.351"), p, m)).map(\.size) == [Q("40")])
        #expect(p.openOrders.map(\.remaining) == [Q("20")])
        // Cancel and place again while the feed still shows the ask: nothing more to take.
        var out: [OrderActivity] = []
        ex.cancel(p.openOrders[0].id, for: p, now: m.t, into: &out)
        #expect(fills(place(limit(.buy, "20", at: "2.351"), p, m)).isEmpty && p.openOrders.count == 1)
        // The ask leaves and comes back: new liquidity.
        m.book(bid: "2.349", ask: "2.360", size: "100")
        ex.match(bookOf: XRP, for: p, market: m.state, now: m.t, into: &out)
        m.book(bid: "2.349", ask: "2.351", size: "100")
        out = []
        ex.match(bookOf: XRP, for: p, market: m.state, now: m.t, into: &out)
        #expect(fills(out).map(\.size) == [Q("20")] && fills(out)[0].liquidity == .maker)
    }

    @Test func aReplaceGoesBehindOwnOrdersAtItsNewPriceEvenAtTheSameTime() {
        let m = market(), p = ex.makePortfolio(strategy: "t")
        _ = place(limit(.buy, "10", at: "2.348"), p, m)               // A
        _ = place(limit(.buy, "10", at: "2.347"), p, m)               // B
        let a = p.openOrders[0].id, b = p.openOrders[1].id
        var out: [OrderActivity] = []
        ex.replace(a, price: P("2.347"), size: nil, for: p, market: m.state, now: m.t, into: &out)
        let f = fills(trade(m, "2.346", "10", p))
        #expect(f.count == 1 && f[0].orderId == b)
    }

    @Test func aBarsVolumeBoundsBothPasses() {
        var c = ex.config
        c.startingAssets = ["XRP": Q("50")]
        let ex2 = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        let m = TestMarket().last("2.35", symbol: XRP), p = ex2.makePortfolio(strategy: "t")
        var out: [OrderActivity] = []
        ex2.place(limit(.short, "8", at: "2.36"), for: p, market: m.state, now: m.t, into: &out)    // opening
        ex2.place(limit(.sell, "8", at: "2.37"), for: p, market: m.state, now: m.t, into: &out)     // sells held XRP
        #expect(p.openOrders.count == 2)
        out = []
        let b = Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: m.t, open: P("2.35"), high: P("2.40"), low: P("2.34"), close: P("2.38"), volume: Q("10")))
        var used = BarVolumeUsed()
        ex2.match(bar: b, opening: true, for: p, market: m.state, now: m.t, used: &used, into: &out)
        ex2.match(bar: b, opening: false, for: p, market: m.state, now: m.t, used: &used, into: &out)
        #expect(fills(out).map(\.size) == [Q("8"), Q("2")])
    }

    @Test func aMarketableLimitsTakerFillAtTheOpenPaysSlippageUpToItsLimit() {
        var c = ex.config
        c.slippageRate = Rate("0.001")!
        let ex2 = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        for (lim, expected) in [("2.40", "2.36236"), ("2.361", "2.361")] {       // 2.36 × 1.001 = 2.36236, capped at the limit
            let m = TestMarket().last("2.35", symbol: XRP), p = ex2.makePortfolio(strategy: "t")
            var out: [OrderActivity] = []
            ex2.place(limit(.buy, "10", at: lim), for: p, market: m.state, now: m.t, into: &out)
            out = []
            let b = Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: m.t, open: P("2.36"), high: P("2.37"), low: P("2.33"), close: P("2.34"), volume: Q("1000")))
            ex2.match(bar: b, opening: true, for: p, market: m.state, now: m.t, into: &out)
            #expect(fills(out).map(\.price) == [P(expected)] && fills(out)[0].liquidity == .taker, "limit \(lim)")
        }
    }
}
