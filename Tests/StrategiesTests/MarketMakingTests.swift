import Foundation
import Testing
import TradingCore
import Indicators
@testable import Strategies

/// market_making.md §16 (the reference's taker algorithm, `mode: legacy`): every acceptance scenario with the spec's
/// hand-computed figures; where Swift fixes a reference weakness, the Swift expectation is checked.
@Suite struct MarketMakingTests {
    let xrp = Symbol("XRP/USDT")!, btc = Symbol("BTC/USDT")!, xrpbtc = Symbol("XRP/BTC")!
    let T0 = Timestamp(iso8601: "2025-01-06T10:00:00Z")!

    func make(_ params: [String: String] = [:], at t: Timestamp? = nil, legacy: Bool = true) throws -> (ScenarioRunner, MarketMakingStrategy) {
        var layer = params
        if legacy && layer["mode"] == nil { layer["mode"] = "legacy" }
        var p = try StrategyParameters.resolve(strategy: "market_making", specs: MarketMakingStrategy.parameters, layers: [layer])
        try p.resolveSymbols(strategy: "market_making", layers: [MarketMakingStrategy.symbolDefaults, [:]])
        let s = try MarketMakingStrategy(parameters: p, symbols: MarketMakingStrategy.defaultSymbols)
        let r = ScenarioRunner(s, at: t ?? T0, precise: [xrp, btc, xrpbtc])
        r.market.prices[xrp] = px(2.0)
        return (r, s)
    }

    func book(_ r: ScenarioRunner, _ s: Symbol, _ bid: Double, _ ask: Double, _ bidSize: Double = 100, _ askSize: Double = 100) {
        r.market.books[s] = OrderBook(bids: [BookLevel(price: px(bid), size: Quantity(rounding: bidSize, toDecimals: 8)!)],
                                      asks: [BookLevel(price: px(ask), size: Quantity(rounding: askSize, toDecimals: 8)!)])
    }
    func bidHeavy(_ r: ScenarioRunner) { book(r, xrp, 1.994, 2.006, 300, 100) }
    func askHeavy(_ r: ScenarioRunner) { book(r, xrp, 1.994, 2.006, 100, 300) }
    func tape(_ r: ScenarioRunner, _ s: Symbol, _ side: TakerSide, price: Double = 2.00) { r.market.setTrades(s, count: 50, price: price, size: 10, side: side, at: T0) }

    func decide(_ r: ScenarioRunner, at t: Timestamp) throws -> Signal? {
        let out = try r.intents(at: t)
        #expect(out.count <= 1, "legacy places at most one order: \(out)")
        guard case .place(let s)? = out.first else { return nil }
        return s
    }

    func expect(_ sig: Signal?, _ action: SignalAction, _ symbol: Symbol? = nil, size: Double, full: Bool = false, price: Double,
                sl: Double? = nil, tp: Double? = nil, _ note: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        guard let sig else { Issue.record("no signal \(note)", sourceLocation: sourceLocation); return }
        #expect(sig.action == action && sig.symbol == (symbol ?? xrp) && sig.closeFullPosition == full && sig.orderType == .market,
                "\(sig) \(note)", sourceLocation: sourceLocation)
        #expect(close(sig.size.doubleValue, size, 1e-6), "size \(sig.size) ≠ \(size) \(note)", sourceLocation: sourceLocation)
        #expect(close(sig.price.doubleValue, price), "price \(sig.price) \(note)", sourceLocation: sourceLocation)
        #expect(sl.map { close(sig.stopLoss?.doubleValue, $0) } ?? (sig.stopLoss == nil), "SL \(String(describing: sig.stopLoss)) \(note)", sourceLocation: sourceLocation)
        #expect(tp.map { close(sig.takeProfit?.doubleValue, $0) } ?? (sig.takeProfit == nil), "TP \(String(describing: sig.takeProfit)) \(note)", sourceLocation: sourceLocation)
    }

    @Test func s01EmptySnapshot() throws {
        let (r, s) = try make()
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.counts == ["no_orderbook": 3])
    }

    @Test func s02ImbalanceBuyAnd26MicroPrice() throws {
        let (r, s) = try make()
        bidHeavy(r); tape(r, xrp, .buy)
        let sig = try decide(r, at: T0)
        expect(sig, .buy, size: 20, price: 2.006, sl: 1.99597, tp: 2.01603)
        #expect(sig?.metadata["expected_profit_pct"].flatMap(Double.init).map { close($0, 0.1) } == true)
        #expect(sig?.metadata["session"] == "EUROPE")
        #expect(close(s.indicators["micro_price_XRP/USDT"], 2.003))
        #expect(s.rejections.counts.isEmpty)   // the first pair's signal wins; the others are not evaluated
        // §16 #26, the helper: sizes pull the micro-price towards the thinner side.
        #expect(close(microPrice(bid: 100, bidSize: 1000, ask: 101, askSize: 100), 100.909090909))
        #expect(close(microPrice(bid: 100, bidSize: 100, ask: 101, askSize: 1000), 100.090909091))
    }

    @Test func s03ImbalanceShort() throws {
        let (r, _) = try make()
        askHeavy(r); tape(r, xrp, .sell)
        expect(try decide(r, at: T0), .short, size: 20, price: 1.994, sl: 2.00397, tp: 1.98403)
    }

    @Test func s04FlowMisaligned() throws {
        let (r, s) = try make()
        bidHeavy(r); tape(r, xrp, .sell)
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.counts == ["trade_flow_not_aligned": 1, "no_orderbook": 2])   // resolution 31's spelling
    }

    @Test func s05FeeUnprofitableAnd06SpreadTooNarrow() throws {
        var (r, s) = try make()
        book(r, xrp, 1.997, 2.003, 300, 100); tape(r, xrp, .buy)   // 0.3 %: 0.15 − 0.2 = −0.05
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["fee_unprofitable": 1])
        (r, s) = try make()
        book(r, xrp, 1.9996, 2.0004, 300, 100); tape(r, xrp, .buy)   // 0.04 % < 0.05
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["spread_too_narrow": 1])
    }

    /// W22: at exactly 0.5 % the fee gate's expected profit is exactly 0.05 and passes (`≥` on exact decimals; binary
    /// floating point makes it 0.0499999… and the reference rejects).
    @Test func w22TheFeeGateBoundaryIsExact() throws {
        let spreadPct: Double = (2.005 - 1.995) / 2.0 * 100
        #expect(spreadPct / 2 - 0.2 < 0.05)   // the reference's arithmetic
        let (r, _) = try make()
        book(r, xrp, 1.995, 2.005, 300, 100); tape(r, xrp, .buy)
        expect(try decide(r, at: T0), .buy, size: 20, price: 2.005, sl: 2.005 * 0.995, tp: 2.005 * 1.005)
        // §16 #27's other fee case: 0.1 % → 0.05 − 0.2 = −0.15, refused.
        let (r2, s2) = try make()
        book(r2, xrp, 1.999, 2.001, 300, 100); tape(r2, xrp, .buy)
        #expect(try decide(r2, at: T0) == nil && s2.rejections.countsBySymbol[xrp] == ["fee_unprofitable": 1])
    }

    @Test func s07InventorySkew() throws {
        let (r, _) = try make()
        bidHeavy(r); tape(r, xrp, .buy)
        r.portfolio.hold(xrp, .long, usd: 50, entry: 2.0, since: T0)
        expect(try decide(r, at: T0), .buy, size: 15, price: 2.006, sl: 1.99597, tp: 2.01603)   // skew 1 − 0.5 × 0.5
    }

    @Test func s08ReduceLongOnSellPressure() throws {
        let (r, _) = try make()
        askHeavy(r); tape(r, xrp, .buy)   // flow against the sell: not enforced on reductions (W17 off)
        r.portfolio.hold(xrp, .long, usd: 30, entry: 2.0, since: T0)
        expect(try decide(r, at: T0), .sell, size: 17, price: 1.994, sl: 2.00397, tp: 1.98403)
        // W17 [OPT]: with the flow gate on reductions it waits for the tape.
        let (r2, s2) = try make(["flow_gate_reductions": "true"])
        askHeavy(r2); tape(r2, xrp, .buy)
        r2.portfolio.hold(xrp, .long, usd: 30, entry: 2.0, since: T0)
        #expect(try decide(r2, at: T0) == nil && s2.rejections.countsBySymbol[xrp] == ["trade_flow_not_aligned": 1])
    }

    @Test func s09ReduceShortOnBuyPressureCovers() throws {
        let (r, _) = try make()
        bidHeavy(r); tape(r, xrp, .sell)
        r.portfolio.hold(xrp, .short, usd: 30, entry: 2.0, since: T0)
        expect(try decide(r, at: T0), .cover, size: 17, price: 2.006, sl: 1.99597, tp: 2.01603)   // W8: the reference says buy
    }

    @Test func s10AtTheInventoryCapSaysNothingUnlessAsked() throws {
        var (r, s) = try make()
        bidHeavy(r); tape(r, xrp, .buy)
        r.portfolio.hold(xrp, .long, usd: 100, entry: 2.0, since: T0)
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.counts == ["no_orderbook": 2])
        (r, s) = try make(["count_silent_declines": "true"])   // W16 [OPT]
        bidHeavy(r); tape(r, xrp, .buy)
        r.portfolio.hold(xrp, .long, usd: 100, entry: 2.0, since: T0)
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["max_position": 1])
    }

    @Test func s11Sessions() throws {
        for (hour, size, threshold, name) in [(3, 16.0, 0.12, "ASIA"), (15, 22.0, 0.085, "US_EUROPE_OVERLAP"), (19, 20.0, 0.1, "US"), (23, 12.0, 0.13, "OFF_HOURS"),
                                              (21, 20.0, 0.1, "US")] {   // resolution 33: MM's US is [17, 22)
            let t = T0 + .minutes(Int64(60 * (hour - 10)))
            let (r, s) = try make(at: t)
            bidHeavy(r); tape(r, xrp, .buy)
            let sig = try decide(r, at: t)
            expect(sig, .buy, size: size, price: 2.006, sl: 1.99597, tp: 2.01603, "\(hour):00")
            #expect(sig?.metadata["session"] == name, "\(hour):00")
            #expect(close(s.lastReading[0]?.effectiveThreshold, threshold), "\(hour):00 threshold \(String(describing: s.lastReading[0]?.effectiveThreshold))")
        }
    }

    func alternating(_ a: Double, _ b: Double, _ n: Int = 21) -> [Double] { (0..<n).map { $0 % 2 == 0 ? a : b } }

    @Test func s12HighAnd13ExtremeAnd14LowRegimes() throws {
        var (r, s) = try make()
        bidHeavy(r); tape(r, xrp, .buy)
        r.market.setCloses(.m1, xrp, alternating(2.00, 2.02), end: T0)
        expect(try decide(r, at: T0), .buy, size: 14, price: 2.006, sl: 1.99597, tp: 2.01603)
        let high = try #require(s.lastReading[0])
        #expect(high.regime == .high && close(high.volatility, 0.99505, 1e-5) && close(high.volMult, 1.5))
        #expect(close(high.effectiveMinSpread, 0.075) && close(high.effectiveThreshold, 0.195))

        (r, s) = try make()
        bidHeavy(r); tape(r, xrp, .buy)
        r.market.setCloses(.m1, xrp, alternating(2.00, 2.04), end: T0)
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["extreme_volatility": 1])

        (r, s) = try make()
        bidHeavy(r); tape(r, xrp, .buy)
        r.market.setCloses(.m1, xrp, alternating(2.000, 2.002), end: T0)
        expect(try decide(r, at: T0), .buy, size: 20, price: 2.006, sl: 1.99597, tp: 2.01603)
        #expect(s.lastReading[0]?.regime == .low && close(s.lastReading[0]?.volatility, 0.09995, 1e-4) && close(s.lastReading[0]?.effectiveThreshold, 0.09))
    }

    @Test func s15Cooldown() throws {
        let (r, s) = try make()
        bidHeavy(r); tape(r, xrp, .buy)
        #expect(try decide(r, at: T0)?.action == .buy)
        #expect(try decide(r, at: T0 + .milliseconds(4900)) == nil)
        #expect(s.rejections.counts["time_cooldown"] == 1)
        expect(try decide(r, at: T0 + .seconds(5)), .buy, size: 20, price: 2.006, sl: 1.99597, tp: 2.01603)
    }

    @Test func s16CircuitBreaker() throws {
        let (r, s) = try make()
        for k in 0..<3 { r.fill(xrp, .sell, pnl: -0.1, at: T0 + .seconds(Int64(k))) }
        #expect(s.breaker.consecutiveLosses == 3 && s.breaker.trippedAt == T0 + .seconds(2))
        // The portfolio is the truth (W9): inventory −60 is a 60 USD short.
        r.portfolio.hold(xrp, .short, usd: 60, entry: 2.0, since: T0)
        bidHeavy(r); tape(r, xrp, .sell)
        #expect(try decide(r, at: T0 + .minutes(10)) == nil)
        #expect(s.rejections.counts == ["circuit_breaker": 1])
        // Breaker over: inventory −60, I = +0.5 > 0.2 → S = 20 × (1 − 0.6 × 0.5) = 14, covered (W8).
        expect(try decide(r, at: T0 + .minutes(15) + .seconds(2)), .cover, size: 14, price: 2.006, sl: 1.99597, tp: 2.01603)
        #expect(s.breaker.consecutiveLosses == 0)
    }

    @Test func s17StalePositionExitsBeforeTheSpreadGateAnd18NotYet() throws {
        var (r, _) = try make()
        book(r, xrp, 2.0055, 2.0065)
        r.market.prices[xrp] = px(2.006)
        r.portfolio.hold(xrp, .long, usd: 20, entry: 2.00, since: T0 - .seconds(301))
        let sig = try decide(r, at: T0)
        expect(sig, .sell, size: 20, full: true, price: 2.0055)   // profit 0.3 % ≥ 0.5 × 0.5
        #expect(sig?.metadata["position_decay"] == "true")
        let s: MarketMakingStrategy
        (r, s) = try make()
        book(r, xrp, 2.0055, 2.0065)
        r.market.prices[xrp] = px(2.006)
        r.portfolio.hold(xrp, .long, usd: 20, entry: 2.00, since: T0 - .seconds(299))
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["spread_too_narrow": 1])
    }

    /// W14: the stale-position exit runs through the circuit breaker and the cooldown too.
    @Test func w14ExitsRunThroughTheBreakerAndTheCooldown() throws {
        let (r, s) = try make()
        for k in 0..<3 { r.fill(xrp, .sell, pnl: -0.1, at: T0) }
        book(r, xrp, 2.0055, 2.0065)
        r.market.prices[xrp] = px(2.006)
        r.portfolio.hold(xrp, .long, usd: 20, entry: 2.00, since: T0 - .seconds(400))
        #expect(try decide(r, at: T0 + .seconds(1))?.closeFullPosition == true)
        #expect(s.rejections.counts.isEmpty)
    }

    func crossMarket(_ r: ScenarioRunner, heavy: TakerSide) {
        r.market.prices[btc] = px(90_000)
        r.market.prices[xrpbtc] = px(0.00002243)
        r.market.books[xrp] = nil
        book(r, xrpbtc, 0.00002236, 0.00002250, heavy == .buy ? 3000 : 1000, heavy == .buy ? 1000 : 3000)
        tape(r, xrpbtc, heavy, price: 0.00002243)
    }

    @Test func s19CrossBuyAnd22FallbackPrice() throws {
        var (r, s) = try make()
        crossMarket(r, heavy: .buy)
        var sig = try decide(r, at: T0)
        expect(sig, .buy, xrpbtc, size: 50, price: 0.0000225, sl: 0.00002241, tp: 0.00002259)   // W7: USD, converted by the engine
        #expect(sig?.metadata["xrp_size"].flatMap(Double.init) == 25)
        #expect(close(s.lastReading[2]?.spreadPct, 0.6241640660, 1e-6))
        (r, s) = try make()
        crossMarket(r, heavy: .buy)
        r.market.prices[xrp] = nil
        sig = try decide(r, at: T0)
        expect(sig, .buy, xrpbtc, size: 62.5, price: 0.0000225, sl: 0.00002241, tp: 0.00002259)
        #expect(sig?.metadata["xrp_size"].flatMap(Double.init) == 25)
    }

    /// Resolution 34: a cash-only portfolio holds no XRP of its own, so the flat XRP/BTC sell of §16 #20 is skipped.
    @Test func s20CrossSellWhileFlatIsSkipped() throws {
        let (r, s) = try make()
        crossMarket(r, heavy: .sell)
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrpbtc] == ["no_inventory": 1])
    }

    @Test func s21CrossReductionUnits() throws {
        let (r, _) = try make()
        crossMarket(r, heavy: .sell)
        r.portfolio.hold(xrpbtc, .long, size: 100, entry: 0.00002243, since: T0)
        let sig = try decide(r, at: T0)
        // W6: S = 50 × (1 − 100/150 × 0.5) = 33.3333 USD = 16.6667 XRP; min(16.6667, 100) XRP = 33.3333 USD (the
        // reference sells 66.6667).
        expect(sig, .sell, xrpbtc, size: 100.0 / 3, price: 0.00002236, sl: 0.00002236 * 1.004, tp: 0.00002236 * 0.996)
        #expect(sig?.metadata["xrp_size"].flatMap(Double.init).map { close($0, 50.0 / 3, 1e-6) } == true)
    }

    @Test func s23CorrelationPause() throws {
        let (r, s) = try make()
        crossMarket(r, heavy: .buy)
        r.market.setCloses(.m1, xrp, (0..<30).map { 2.35 + 0.05 * sin(0.3 * Double($0)) }, end: T0)
        r.market.setCloses(.m1, btc, (0..<30).map { 100_000 - 2000 * sin(0.3 * Double($0)) }, end: T0)
        #expect(try decide(r, at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrpbtc] == ["low_correlation": 1])
        #expect(close(s.correlation, -0.9998, 1e-3), "\(String(describing: s.correlation))")
    }

    @Test func s24TrendFilterCountsEvaluations() throws {
        let (r, s) = try make()
        bidHeavy(r); tape(r, xrp, .sell)
        r.market.setCloses(.m1, xrp, (0...20).map { 2.000 + 0.002 * Double($0) }, end: T0)
        #expect(abs(trendSlope((0...20).map { 2.000 + 0.002 * Double($0) }, period: 20)! - 0.09896) < 1e-4)
        for k in 0..<4 { #expect(try decide(r, at: T0 + .seconds(Int64(10 * k))) == nil) }
        #expect(s.rejections.countsBySymbol[xrp] == ["trade_flow_not_aligned": 2, "trending_market": 2])
        #expect(s.trendCount[0] == 4)
    }

    @Test func s25InsufficientSize() throws {
        let t = T0 + .minutes(13 * 60)   // 23:00, OFF_HOURS
        let (r, s) = try make(at: t)
        bidHeavy(r); tape(r, xrp, .buy)
        r.market.setCloses(.m1, xrp, alternating(2.00, 2.02), end: t)
        r.portfolio.hold(xrp, .long, usd: 99, entry: 2.0, since: t)
        #expect(try decide(r, at: t) == nil)   // 20 × 0.505 × 0.7 × 0.6 = 4.242 < 5
        #expect(s.rejections.countsBySymbol[xrp] == ["insufficient_size": 1])
    }

    @Test func s27DecayAges() throws {
        // Age 60 s: not stale; 400 s: stale, target ×0.5 (0.25 %), reached at 0.3 %.
        for (age, exits) in [(60, false), (400, true)] {
            let (r, _) = try make()
            book(r, xrp, 2.0055, 2.0065)
            r.market.prices[xrp] = px(2.006)
            r.portfolio.hold(xrp, .long, usd: 20, entry: 2.00, since: T0 - .seconds(Int64(age)))
            #expect((try decide(r, at: T0)?.metadata["position_decay"] == "true") == exits, "age \(age)")
        }
    }

    @Test func s28TrailingStop() throws {
        #expect(trailingStop(entry: 100, bestPrice: 100.1, side: .long, activationPct: 0.2, trailPct: 0.15) == nil)
        #expect(close(trailingStop(entry: 100, bestPrice: 100.5, side: .long, activationPct: 0.2, trailPct: 0.15), 100.34925))
        #expect(close(trailingStop(entry: 100, bestPrice: 99.5, side: .short, activationPct: 0.2, trailPct: 0.15), 99.64925))
        let (r, _) = try make(["use_trailing_stop": "true"])
        book(r, xrp, 2.0028, 2.0030)
        r.market.prices[xrp] = px(2.0029)
        r.portfolio.hold(xrp, .long, size: 10, entry: 2.00, since: T0 - .seconds(60), high: 2.006)
        let sig = try decide(r, at: T0)   // stop 2.006 × 0.9985 = 2.002991 ≥ 2.0029 (W5: the reference raises)
        expect(sig, .sell, size: 20, full: true, price: 2.0028)
        #expect(sig?.metadata["trailing_stop"] == "true")
    }

    @Test func s29ReservationPriceHelper() {
        #expect(MarketMakingStrategy.referenceReservationPrice(mid: 100, inventory: 0, maxInventory: 100, gamma: 0.1, volatilityPct: 0.5) == 100)
        #expect(close(MarketMakingStrategy.referenceReservationPrice(mid: 100, inventory: 50, maxInventory: 100, gamma: 0.1, volatilityPct: 0.5), 99.9875))
        #expect(close(MarketMakingStrategy.referenceReservationPrice(mid: 100, inventory: -50, maxInventory: 100, gamma: 0.1, volatilityPct: 0.5), 100.0125))
    }

    /// §16 #30 with the portfolio as the truth: a 42.5 XRP long bought at 2.35 is 99.875 USD of inventory.
    @Test func s30InventoryIsThePortfoliosPosition() throws {
        let (r, s) = try make()
        bidHeavy(r); tape(r, xrp, .sell)
        r.portfolio.hold(xrp, .long, size: 42.5, entry: 2.35, since: T0)
        _ = try decide(r, at: T0)
        #expect(close(s.lastReading[0]?.inventory, 99.875))
        r.fill(xrp, .buy, pnl: 0, at: T0, size: 42.5, price: 2.35)
        r.fill(xrp, .sell, pnl: 2.125, at: T0, size: 42.5, price: 2.40)
        #expect(s.breaker.consecutiveLosses == 0 && s.takerFills == 2)
    }

    @Test func startupWarnings() throws {
        let (_, legacy) = try make()
        #expect(legacy.startupWarnings.contains { $0.contains("legacy fee gate") && $0.contains("0.5%") })   // W2
        let (_, quote) = try make(["min_spread_pct": "0.02", "gamma": "5"], legacy: false)
        #expect(!quote.startupWarnings.contains { $0.contains("legacy fee gate") })
        #expect(quote.startupWarnings.contains { $0.hasPrefix("min_spread_pct = 0.02 does not apply to XRP/USDT, BTC/USDT, XRP/BTC") })   // W12
        #expect(quote.startupWarnings.contains { $0.contains("gamma 5.0 is outside") })
        #expect(throws: ParameterError.self) { try make(["mode": "aggressive"]) }
    }
}
