import Testing
import TradingCore
import MarketData
@testable import PaperExchange

/// Resolution 19 / issue 8 rule 2: while a pair's book is invalid, its data is stale, or it or the feed is not online,
/// its orders are rejected with `market_unavailable` (nothing changes) and its resting orders do not fill; the same
/// rule in live sessions and backtests.
@Suite struct MarketAvailabilityTests {
    let ex = makeOrderExchange()

    func buy(_ m: TestMarket, _ p: Portfolio) -> Result<Fill, ExecutionRejection> {
        ex.execute(signal(.buy, "10", sizeUnit: .base), for: p, market: m.state, now: m.t)
    }

    func restingBid(_ m: TestMarket, _ p: Portfolio) {
        var out: [OrderActivity] = []
        ex.place(try! Signal.limit(.buy, XRP, size: M("10"), sizeUnit: .base, at: P("2.340"), reason: "t"), for: p, market: m.state, now: m.t, into: &out)
        #expect(p.openOrders.count == 1)
    }

    func sellerPrint(_ m: TestMarket, _ p: Portfolio, at px: String = "2.339") -> [OrderActivity] {
        m.t = m.t + .milliseconds(100)
        let t = Trade(symbol: XRP, time: m.t, price: P(px), size: Q("50"), side: .sell)
        m.state.apply(.trade(t))
        var out: [OrderActivity] = []
        ex.match(trade: t, for: p, market: m.state, now: m.t, into: &out)
        return out
    }

    @Test func anInvalidBookRejectsUntilItsNextSnapshot() {
        let m = TestMarket().bookAt("2.35"), p = ex.makePortfolio(strategy: "t")
        m.state.apply(.bookInvalidated(BookInvalidation(time: m.t, symbol: XRP)))
        // Market-data §3.6: the invalid book is not shown.
        #expect(m.state.book(XRP) == nil && m.state.invalidBooks == [XRP])
        let r = buy(m, p).rejection
        #expect(r?.reason == .marketUnavailable && r?.detail?.contains("book invalid") == true)
        #expect(p.cash == M("1000") && p.totalFills == 0 && p.rejections[.marketUnavailable] == 1)
        // An update does not revalidate it; the snapshot does.
        m.t = m.t + .milliseconds(10)
        m.state.apply(.book(BookUpdate(symbol: XRP, time: m.t, isSnapshot: false, bids: [BookLevel(price: P("2.349"), size: Q("5"))], asks: [])))
        #expect(m.state.book(XRP) == nil && buy(m, p).rejection?.reason == .marketUnavailable)
        m.bookAt("2.35")
        #expect(buy(m, p).fill != nil)
    }

    @Test func staleDataRejectsStrictlyAfterTheLimit() {
        // data.stale_after_s 10 (default): fresh at exactly 10 s, stale after (the reference's strict comparison).
        let m = TestMarket().bookAt("2.35"), p = ex.makePortfolio(strategy: "t")
        let last = m.t
        m.t = last + .seconds(10)
        #expect(m.state.unavailability(XRP, at: m.t) == nil)
        m.t = last + .seconds(10) + Interval(nanoseconds: 1)
        #expect(m.state.unavailability(XRP, at: m.t) == .stale(lastData: last))
        #expect(buy(m, p).rejection?.reason == .marketUnavailable)
        // Heartbeats or feed status never make a symbol fresh (A20); market data does.
        m.state.apply(.feedStatus(FeedStatus(time: m.t, status: .online)))
        #expect(m.state.unavailability(XRP, at: m.t) != nil)
        m.state.apply(.trade(Trade(symbol: XRP, time: m.t, price: P("2.35"), size: Q("1"), side: .buy)))
        #expect(m.state.unavailability(XRP, at: m.t) == nil)
    }

    @Test func aPairOrFeedNotOnlineRejects() {
        let m = TestMarket().bookAt("2.35"), p = ex.makePortfolio(strategy: "t")
        m.state.apply(.feedStatus(FeedStatus(time: m.t, symbol: XRP, status: .cancelOnly)))
        #expect(buy(m, p).rejection?.detail == "XRP/USD: pair status cancel_only")
        m.state.apply(.feedStatus(FeedStatus(time: m.t, symbol: XRP, status: .online)))
        m.state.apply(.feedStatus(FeedStatus(time: m.t, status: .maintenance)))
        #expect(buy(m, p).rejection?.detail == "XRP/USD: feed maintenance")
        m.state.apply(.feedStatus(FeedStatus(time: m.t, status: .online)))
        #expect(buy(m, p).fill != nil)
    }

    @Test func earlierChecksStillComeFirst() {
        // The fixed order: an unknown pair is unknown_symbol even while the feed is down; a bad size is invalid_size.
        let m = TestMarket().bookAt("2.35"), p = ex.makePortfolio(strategy: "t")
        m.state.apply(.feedStatus(FeedStatus(time: m.t, status: .disconnected)))
        #expect(ex.execute(signal(.buy, "10", symbol: Symbol("DOGE/USD")!), for: p, market: m.state, now: m.t).rejection?.reason == .unknownSymbol)
        #expect(ex.execute(signal(.buy, "100000000000000000"), for: p, market: m.state, now: m.t).rejection?.reason == .invalidSize)
        #expect(buy(m, p).rejection?.reason == .marketUnavailable)
    }

    @Test func restingOrdersDoNotFillWhileUnavailableAndStayResting() {
        let m = TestMarket().bookAt("2.35"), p = ex.makePortfolio(strategy: "t")
        restingBid(m, p)
        m.state.apply(.bookInvalidated(BookInvalidation(time: m.t, symbol: XRP)))
        #expect(sellerPrint(m, p).isEmpty)
        #expect(p.openOrders.count == 1 && p.totalFills == 0)
        // Placing while unavailable is refused like any order.
        var out: [OrderActivity] = []
        ex.place(try! Signal.limit(.buy, XRP, size: M("1"), sizeUnit: .base, at: P("2.30"), reason: "t"), for: p, market: m.state, now: m.t, into: &out)
        #expect(out.contains { if case .rejection(let r) = $0 { r.reason == .marketUnavailable } else { false } })
        m.bookAt("2.35")
        let f = sellerPrint(m, p).compactMap { if case .fill(let f) = $0 { f } else { nil } }
        // 10 × 2.340 at the maker rate: fee 0.0585.
        #expect(f.map(\.size) == [Q("10")] && f[0].price == P("2.340") && f[0].fee == M("0.0585"))
    }

    @Test func barsStayFreshUntilTheirSuccessorIsDue() {
        // A 1m bar closing at T keeps its pair fresh until T + 1 min + stale_after (one missing bar is not yet stale).
        let m = TestMarket(), p = ex.makePortfolio(strategy: "t")
        let b = Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: T0, open: P("2.35"), high: P("2.36"), low: P("2.34"), close: P("2.35"), volume: Q("100")))
        m.state.applyBar(b)
        let close = T0 + .minutes(1)
        #expect(m.state.unavailability(XRP, at: close + .minutes(1) + .seconds(10)) == nil)
        #expect(m.state.unavailability(XRP, at: close + .minutes(1) + .seconds(11)) == .stale(lastData: close))
        m.t = close + .minutes(2)
        #expect(buy(m, p).rejection?.reason == .marketUnavailable)
    }

    @Test func staleAfterNilNeverStales() {
        var c = MarketDataConfig()
        c.staleAfter = nil
        let s = MarketState(symbols: [XRP], config: c)
        s.apply(.trade(Trade(symbol: XRP, time: T0, price: P("2.35"), size: Q("1"), side: .buy)))
        #expect(s.unavailability(XRP, at: T0 + .minutes(600)) == nil)
    }
}
