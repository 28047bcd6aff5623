import Testing
import TradingCore
@testable import Strategies

/// market_making's default `mode: quote` (market_making.md §6.1): the quotes it wants from crafted books, positions
/// and candles (figures by hand below each test), and its lifecycle against resting orders a scenario names.
@Suite struct MarketMakingQuoteTests {
    let xrp = Symbol("XRP/USDT")!, btc = Symbol("BTC/USDT")!, xrpbtc = Symbol("XRP/BTC")!
    let T0 = Timestamp(iso8601: "2025-01-06T10:00:00Z")!

    func make(_ params: [String: String] = [:]) throws -> (ScenarioRunner, MarketMakingStrategy) {
        var p = try StrategyParameters.resolve(strategy: "market_making", specs: MarketMakingStrategy.parameters, layers: [params])
        try p.resolveSymbols(strategy: "market_making", layers: [MarketMakingStrategy.symbolDefaults, [:]])
        let s = try MarketMakingStrategy(parameters: p, symbols: MarketMakingStrategy.defaultSymbols)
        let r = ScenarioRunner(s, at: T0, precise: [xrp, btc, xrpbtc])
        r.market.prices[xrp] = px(2.0)
        book(r, xrp, 1.999, 2.001)
        return (r, s)
    }

    func book(_ r: ScenarioRunner, _ s: Symbol, _ bid: Double, _ ask: Double) {
        r.market.books[s] = OrderBook(bids: [BookLevel(price: px(bid), size: Quantity(1000))], asks: [BookLevel(price: px(ask), size: Quantity(1000))])
    }

    func order(_ id: UInt64, _ action: SignalAction, _ price: Double, placed: Timestamp, symbol: Symbol? = nil) -> OpenOrder {
        OpenOrder(id: OrderID(id), symbol: symbol ?? xrp, action: action, limitPrice: px(price), remaining: Quantity(10), filled: .zero, postOnly: true,
                  timeInForce: .goodTillCancel, clientTag: action.takerSide == .buy ? "bid" : "ask", placedAt: placed, queueAhead: nil)
    }

    /// Intents as text: "place buy XRP/USDT 1.994 20 usd post SL 1.98403", "cancel O1", "replace O2 2.001988", "cancelAll XRP/USDT".
    func text(_ intents: [OrderIntent]) -> [String] {
        intents.map { i in
            switch i {
            case .place(let s):
                var t = "place \(s.action.rawValue) \(s.symbol) \(s.orderType == .limit ? "\(s.limitPrice!.doubleValue)" : "market")"
                t += s.closeFullPosition ? " full" : " \(s.size.doubleValue) \(s.sizeUnit.rawValue)"
                if s.postOnly { t += " post" }
                if let sl = s.stopLoss { t += " SL \(sl.doubleValue)" }
                return t
            case .cancel(let id): return "cancel \(id)"
            case .replace(let id, let p, _): return "replace \(id) \(p.map { "\($0.doubleValue)" } ?? "-")"
            case .cancelAll(let s): return "cancelAll \(s)"
            }
        }
    }

    /// Flat, no candles (σ 0: r = micro = 2.0): δ = max(0.05 % × 2, 0.25 % × 2 + 0.05 % × 2) = 0.006.
    @Test func aFlatBookGetsABidAndAnAskAroundTheMicroPrice() throws {
        let (r, s) = try make()
        #expect(text(try r.intents(at: T0)) == ["place buy XRP/USDT 1.994 20.0 usd post SL 1.98403",     // 1.994 × 0.995
                                                "place short XRP/USDT 2.006 20.0 usd post SL 2.01603"])  // 2.006 × 1.005
        #expect(s.rejections.counts == ["no_orderbook": 2])
    }

    /// Long 50 USD (q = 0.5), 1m closes alternating 2.00/2.02: σ = 0.02 per minute, volatility 0.995 % (HIGH: size ×0.7).
    /// r = 2.0 − 0.5 × 0.1 × 0.0004 × 1 = 1.99998; bid r − 0.006 = 1.99398 for 14 × (1 − 0.5 × 0.5) = 10.5 USD;
    /// the ask r + 0.006 = 2.00598 is below the break-even exit 2.0 × 1.003 / 0.9975 = 2.011027568…, so 2.01102757,
    /// closing 14 USD of the long (no stop on a closing quote).
    @Test func inventorySkewsTheReservationPriceTheSizesAndTheExitFloor() throws {
        let (r, s) = try make()
        r.market.setCloses(.m1, xrp, (0..<21).map { $0 % 2 == 0 ? 2.00 : 2.02 }, end: T0)
        r.portfolio.hold(xrp, .long, usd: 50, entry: 2.0, since: T0)
        #expect(text(try r.intents(at: T0)) == ["place buy XRP/USDT 1.99398 10.5 usd post SL 1.9840101",   // 1.99398 × 0.995
                                                "place sell XRP/USDT 2.01102757 14.0 usd post"])
        #expect(s.lastReading[0]?.regime == .high && close(s.lastReading[0]?.sigmaPrice, 0.02))
    }

    /// A long past the cap quotes no bid; a position smaller than the ask's size is closed whole (base units).
    @Test func theCapStopsTheBidAndASmallPositionIsClosedWhole() throws {
        var (r, _) = try make()
        r.portfolio.hold(xrp, .long, usd: 95, entry: 2.0, since: T0)   // bid 20 × (1 − 0.95 × 0.5) = 10.5: 95 + 10.5 > 100
        #expect(text(try r.intents(at: T0)) == ["place sell XRP/USDT 2.01102757 20.0 usd post"])
        (r, _) = try make()
        r.portfolio.hold(xrp, .long, size: 4, entry: 2.0, since: T0)   // 8 USD < the 20 USD ask
        #expect(text(try r.intents(at: T0)) == ["place buy XRP/USDT 1.994 19.2 usd post SL 1.98403", "place sell XRP/USDT 2.01102757 4.0 base post"])
    }

    /// A quote the market moves towards stays (that is how it fills); one the market leaves behind moves (cancelled and
    /// placed anew, with a fresh stop level). Book 1.995/1.997 (mid 1.996): δ = 0.003 × 1.996 = 0.005988, bid 1.990012,
    /// ask 2.001988; the threshold is 0.05 % × 1.996 = 0.000998; the ask's stop 2.001988 × 1.005 = 2.01199794.
    @Test func quotesStayWhileTheMarketComesAndMoveWhenItLeaves() throws {
        let (r, _) = try make()
        r.portfolio.orders = [order(1, .buy, 1.994, placed: T0), order(2, .short, 2.006, placed: T0)]
        #expect(text(try r.intents(at: T0 + .seconds(1))) == [])   // both where they should be
        book(r, xrp, 1.995, 1.997)
        r.market.prices[xrp] = px(1.996)
        #expect(text(try r.intents(at: T0 + .seconds(10))) == ["cancel O2", "place short XRP/USDT 2.001988 20.0 usd post SL 2.01199794"])
        // With requote_towards_pct 0.1 (0.001996 here) the bid, 0.003988 above where it should be, moves down too.
        let (t, _) = try make(["requote_towards_pct": "0.1"])
        t.portfolio.orders = [order(1, .buy, 1.994, placed: T0), order(2, .short, 2.006, placed: T0)]
        book(t, xrp, 1.995, 1.997)
        t.market.prices[xrp] = px(1.996)
        #expect(text(try t.intents(at: T0 + .seconds(10))) == ["cancel O1", "place buy XRP/USDT 1.990012 20.0 usd post SL 1.98006194",
                                                               "cancel O2", "place short XRP/USDT 2.001988 20.0 usd post SL 2.01199794"])
        // Older than requote_interval_seconds (300): both re-centred, fresh sizes.
        let (r2, _) = try make()
        r2.portfolio.orders = [order(1, .buy, 1.994, placed: T0), order(2, .short, 2.006, placed: T0)]
        book(r2, xrp, 1.995, 1.997)
        r2.market.prices[xrp] = px(1.996)
        #expect(text(try r2.intents(at: T0 + .seconds(301))) == ["cancel O1", "place buy XRP/USDT 1.990012 20.0 usd post SL 1.98006194",
                                                                 "cancel O2", "place short XRP/USDT 2.001988 20.0 usd post SL 2.01199794"])
    }

    /// A bid never reaches the ask (post-only would be refused): one tick under it. Short 50 USD (q = −0.5) with γ = 1
    /// and σ = 0.02 lifts r to 2.0 + 0.5 × 0.0004 = 2.0002, above the 2.0001 ask; with no fees, edge or floor the bid
    /// (a cover of 14 USD: HIGH ×0.7) goes one tick under the ask, and the ask (a short of 14 × 0.75) stays at r.
    @Test func quotesNeverCross() throws {
        let (r, _) = try make(["maker_fee_rate": "0", "quote_edge_pct": "0", "min_half_spread_pct": "0", "gamma": "1", "exit_at_breakeven": "false"])
        book(r, xrp, 1.9999, 2.0001)
        r.market.setCloses(.m1, xrp, (0..<21).map { $0 % 2 == 0 ? 2.00 : 2.02 }, end: T0)
        r.portfolio.hold(xrp, .short, usd: 50, entry: 2.0, since: T0)
        let out = text(try r.intents(at: T0))
        #expect(out == ["place cover XRP/USDT 2.00009999 14.0 usd post", "place short XRP/USDT 2.0002 10.5 usd post SL 2.010201"], "\(out)")
    }

    /// When a fill turns the pair long, the resting short-opening ask is cancelled and a closing sell placed.
    @Test func aQuoteOfTheWrongKindIsReplacedByANewOne() throws {
        let (r, _) = try make()
        r.portfolio.orders = [order(1, .buy, 1.994, placed: T0), order(2, .short, 2.006, placed: T0)]
        r.portfolio.hold(xrp, .long, usd: 30, entry: 2.0, since: T0)
        // q = 0.3: bid size 20 × 0.85 = 17 (the resting bid's price is unchanged: kept).
        #expect(text(try r.intents(at: T0 + .seconds(1))) == ["cancel O2", "place sell XRP/USDT 2.01102757 20.0 usd post"])
    }

    @Test func pausesCancelEveryQuoteOnce() throws {
        var (r, s) = try make()
        r.portfolio.orders = [order(1, .buy, 1.994, placed: T0), order(2, .short, 2.006, placed: T0)]
        r.market.setCloses(.m1, xrp, (0..<21).map { $0 % 2 == 0 ? 2.00 : 2.04 }, end: T0)   // 1.98 %: EXTREME
        #expect(text(try r.intents(at: T0)) == ["cancelAll XRP/USDT"])
        #expect(text(try r.intents(at: T0 + .milliseconds(100))) == [])   // the cancel is on its way
        #expect(s.rejections.countsBySymbol[xrp] == ["extreme_volatility": 2])
        // The circuit breaker cancels too, on every pair with quotes.
        (r, s) = try make()
        r.portfolio.orders = [order(1, .buy, 1.994, placed: T0)]
        for _ in 0..<3 { r.fill(xrp, .sell, pnl: -0.1, at: T0) }
        #expect(text(try r.intents(at: T0 + .seconds(1))) == ["cancelAll XRP/USDT"])
        #expect(s.rejections.counts == ["circuit_breaker": 1])
        r.portfolio.orders = []
        #expect(text(try r.intents(at: T0 + .minutes(16))).count == 2)   // over: quoting again
    }

    @Test func aPositionBeyondTheHardLimitIsFlattenedAtMarket() throws {
        let (r, s) = try make()
        r.portfolio.orders = [order(1, .buy, 1.994, placed: T0)]
        r.portfolio.hold(xrp, .long, usd: 160, entry: 2.0, since: T0)   // q = 1.6 > 1.5
        #expect(text(try r.intents(at: T0)) == ["cancelAll XRP/USDT", "place sell XRP/USDT market full"])
        #expect(s.flattened == 1)
    }

    /// The flatten is an exit: neither the circuit breaker nor an EXTREME pause keeps it open (decision 3).
    @Test func theHardLimitFlattenPassesTheBreakerAndThePauses() throws {
        var (r, s) = try make()
        for _ in 0..<3 { r.fill(xrp, .sell, pnl: -0.1, at: T0) }
        r.portfolio.hold(xrp, .short, usd: 160, entry: 2.0, since: T0)
        #expect(text(try r.intents(at: T0 + .seconds(1))) == ["place cover XRP/USDT market full"])
        #expect(s.flattened == 1)
        (r, s) = try make()
        r.market.setCloses(.m1, xrp, (0..<21).map { $0 % 2 == 0 ? 2.00 : 2.04 }, end: T0)   // EXTREME
        r.portfolio.hold(xrp, .long, usd: 160, entry: 2.0, since: T0)
        r.portfolio.orders = [order(1, .short, 2.006, placed: T0)]
        #expect(text(try r.intents(at: T0)) == ["cancelAll XRP/USDT", "place sell XRP/USDT market full"])
    }

    /// A resting quote sized for a smaller inventory is re-placed at the size wanted now: a bid of 10 XRP at 1.994
    /// (19.94 USD) while long 80 USD (q = 0.8) should be 20 × (1 − 0.8 × 0.5) = 12 USD, more than a quarter less.
    @Test func aQuoteWhoseSizeNoLongerFitsIsReplaced() throws {
        let (r, _) = try make()
        r.portfolio.hold(xrp, .long, usd: 80, entry: 2.0, since: T0)
        r.portfolio.orders = [order(1, .buy, 1.994, placed: T0)]
        let out = text(try r.intents(at: T0))
        #expect(Array(out.prefix(2)) == ["cancel O1", "place buy XRP/USDT 1.994 12.0 usd post SL 1.98403"], "\(out)")
    }

    /// XRP/BTC alone (no XRP/USDT price): XRP's USD price is XRP/BTC × BTC/USDT = 0.00002 × 90,000 = 1.8, so the bid is
    /// 25 XRP × 1.8 = 45 USD (the 2.50 fallback would make it 62.5).
    @Test func xrpBTCQuotesValueXRPThroughBTC() throws {
        let (r, _) = try make()
        r.market.books[xrp] = nil
        r.market.prices[xrp] = nil
        r.market.prices[btc] = px(90000)
        r.market.prices[xrpbtc] = px(0.00002)
        book(r, xrpbtc, 0.00001999, 0.00002001)
        let intents = try r.intents(at: T0)
        #expect(text(intents) == ["place buy XRP/BTC 1.994e-05 45.0 usd post SL 1.986e-05"])
        if case .place(let sig)? = intents.first { #expect(sig.metadata["xrp_size"].flatMap(Double.init) == 25) }
    }

    /// XRP/BTC flat: a bid only (resolution 34: no XRP of its own to sell; XRP/BTC never shorts). 25 XRP × 2.0 = 50 USD.
    @Test func xrpBTCQuotesOnlyABidWhileFlat() throws {
        let (r, _) = try make()
        r.market.books[xrp] = nil
        r.market.prices[xrpbtc] = px(0.00002)
        book(r, xrpbtc, 0.00001999, 0.00002001)
        // δ = 0.003 × 0.00002 = 0.00000006: bid 0.00001994.
        let intents = try r.intents(at: T0)
        #expect(text(intents) == ["place buy XRP/BTC 1.994e-05 50.0 usd post SL 1.986e-05"])
        if case .place(let sig)? = intents.first { #expect(sig.metadata["xrp_size"].flatMap(Double.init) == 25) }
    }

    /// Intents on their way are not sent again; an order that never shows up is retried after two seconds.
    @Test func pendingIntentsAreNotRepeated() throws {
        let (r, s) = try make()
        let first = try r.intents(at: T0)
        #expect(first.count == 2)
        #expect(try r.intents(at: T0 + .milliseconds(100)).isEmpty)
        let bid = order(1, .buy, 1.994, placed: T0), ask = order(2, .short, 2.006, placed: T0)
        s.onOrderEvent(.accepted(bid), r.context); s.onOrderEvent(.accepted(ask), r.context)
        r.portfolio.orders = [bid, ask]
        #expect(try r.intents(at: T0 + .milliseconds(200)).isEmpty)
        r.portfolio.orders = []
        #expect(try r.intents(at: T0 + .milliseconds(300)).count == 2)   // accepted, then gone (filled or ended): quote again
        #expect(try r.intents(at: T0 + .milliseconds(400)).isEmpty)
        #expect(try r.intents(at: T0 + .milliseconds(2400)).count == 2)  // never acknowledged: retried
    }

    /// In quoting mode the stale-position exit must clear both fees (maker in, taker out: 0.65 %) before its target.
    @Test func theStaleExitCountsTheFees() throws {
        for (price, exits) in [(2.006, false), (2.0185, true)] {   // +0.3 %: under 0.65 + 0.25; +0.925 %: over
            let (r, _) = try make()
            r.market.prices[xrp] = px(price)
            book(r, xrp, price - 0.001, price + 0.001)
            r.portfolio.hold(xrp, .long, usd: 20, entry: 2.0, since: T0 - .seconds(400))
            let out = text(try r.intents(at: T0))
            #expect(out.contains("place sell XRP/USDT market full") == exits, "\(price): \(out)")
        }
        // The short mirror: covered at market once 0.925 % below the entry, not at 0.3 %.
        for (price, exits) in [(1.994, false), (1.9815, true)] {
            let (r, _) = try make()
            r.market.prices[xrp] = px(price)
            book(r, xrp, price - 0.001, price + 0.001)
            r.portfolio.hold(xrp, .short, usd: 20, entry: 2.0, since: T0 - .seconds(400))
            let out = text(try r.intents(at: T0))
            #expect(out.contains("place cover XRP/USDT market full") == exits, "\(price): \(out)")
        }
    }

    /// The trailing stop of a short (cover): 0.5 % in favour at the low arms it; 1.99 × 1.0015 = 1.992985 ≤ 1.9935.
    @Test func aShortsTrailingStopCovers() throws {
        for (price, exits) in [(1.9935, true), (1.9925, false)] {
            let (r, _) = try make(["use_trailing_stop": "true"])
            r.market.prices[xrp] = px(price)
            book(r, xrp, price - 0.0005, price + 0.0005)
            r.portfolio.hold(xrp, .short, size: 10, entry: 2.0, since: T0 - .seconds(10), low: 1.99)
            let out = text(try r.intents(at: T0))
            #expect(out.contains("place cover XRP/USDT market full") == exits, "\(price): \(out)")
        }
    }
}

