import Foundation
import Testing
import TradingCore
import Indicators
@testable import Strategies

/// mean_reversion.md §17: every acceptance scenario, with the spec's own figures (hand-computed there) as the expected
/// values. Where Swift fixes a reference weakness the scenario's Swift expectation is the one checked.
@Suite struct MeanReversionTests {
    let xrp = Symbol("XRP/USDT")!, btc = Symbol("BTC/USDT")!, xrpbtc = Symbol("XRP/BTC")!
    let T0 = Timestamp(iso8601: "2025-01-06T10:00:00Z")!
    let DOWN = Array(repeating: 2.00, count: 19) + [1.98]
    let UP = Array(repeating: 2.00, count: 19) + [2.02]
    let FLAT = Array(repeating: 2.00, count: 20)

    func make(_ params: [String: String] = [:], perPair: [Symbol: [String: String]] = [:]) throws -> (ScenarioRunner, MeanReversionStrategy) {
        var p = try StrategyParameters.resolve(strategy: "mean_reversion", specs: MeanReversionStrategy.parameters, layers: [params])
        try p.resolveSymbols(strategy: "mean_reversion", layers: [MeanReversionStrategy.symbolDefaults, perPair])
        let s = try MeanReversionStrategy(parameters: p, symbols: MeanReversionStrategy.defaultSymbols)
        return (ScenarioRunner(s, at: T0, precise: [xrp, btc, xrpbtc]), s)
    }

    /// Scenario 2's market: DOWN, price 1.985, BUY50.
    func oversold(_ r: ScenarioRunner, price: Double = 1.985, tape: TakerSide = .buy) {
        r.market.setCloses(.m5, xrp, DOWN, end: T0)
        r.market.prices[xrp] = px(price)
        r.market.setTrades(xrp, count: 50, price: 2.00, size: 10, side: tape, at: T0)
    }

    /// Scenario 4's market: UP, price 2.015, SELL50.
    func overbought(_ r: ScenarioRunner) {
        r.market.setCloses(.m5, xrp, UP, end: T0)
        r.market.prices[xrp] = px(2.015)
        r.market.setTrades(xrp, count: 50, price: 2.00, size: 10, side: .sell, at: T0)
    }

    func expect(_ s: Signal?, _ action: SignalAction, size: Double? = nil, full: Bool = false, sl: Double? = nil, tp: Double? = nil,
                _ note: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        guard let s else { Issue.record("no signal (\(note))", sourceLocation: sourceLocation); return }
        #expect(s.action == action && s.symbol == xrp, "\(s) \(note)", sourceLocation: sourceLocation)
        #expect(s.closeFullPosition == full, "\(s) \(note)", sourceLocation: sourceLocation)
        if let size { #expect(close(s.size.doubleValue, size), "size \(s.size) \(note)", sourceLocation: sourceLocation) }
        if let sl { #expect(close(s.stopLoss?.doubleValue, sl), "SL \(String(describing: s.stopLoss)) \(note)", sourceLocation: sourceLocation) } else {
            #expect(s.stopLoss == nil, "SL \(String(describing: s.stopLoss)) \(note)", sourceLocation: sourceLocation)
        }
        if let tp { #expect(close(s.takeProfit?.doubleValue, tp), "TP \(String(describing: s.takeProfit)) \(note)", sourceLocation: sourceLocation) } else {
            #expect(s.takeProfit == nil, "TP \(String(describing: s.takeProfit)) \(note)", sourceLocation: sourceLocation)
        }
    }

    @Test func s01EmptySnapshotWarmsUpEverySymbol() throws {
        let (r, s) = try make()
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.counts == ["warming_up": 3])
        for sym in [xrp, btc, xrpbtc] { #expect(s.rejections.countsBySymbol[sym] == ["warming_up": 1]) }
    }

    @Test func s02OversoldLong() throws {
        let (r, _) = try make()
        oversold(r)
        let sig = try r.decide(at: T0)
        expect(sig, .buy, size: 20, sl: 1.975075, tp: 1.994925)
        #expect(sig?.reason.contains("regime LOW") == true)
    }

    @Test func s03OversoldButTheTapeDisagrees() throws {
        let (r, s) = try make()
        oversold(r, tape: .sell)
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["trade_flow_not_aligned": 1, "no_signal_conditions": 1])
        // [OPT W9] one reason per symbol per tick.
        let (r2, s2) = try make(["single_rejection_reason": "true"])
        oversold(r2, tape: .sell)
        #expect(try r2.decide(at: T0) == nil)
        #expect(s2.rejections.countsBySymbol[xrp] == ["trade_flow_not_aligned": 1])
    }

    @Test func s04OverboughtShort() throws {
        let (r, _) = try make()
        overbought(r)
        expect(try r.decide(at: T0), .short, size: 20, sl: 2.025075, tp: 2.004925)
    }

    @Test(arguments: [30.0, 45.0, 50.0]) func s05to07OverboughtWhileLongClosesTwentyWhateverTheRoom(held: Double) throws {
        // 5: room 20; 6 (W13): room 5, Swift closes min(adjusted 20, 45) = 20 (the reference 5); 7 (W13): at the cap,
        // the close is still allowed (the reference refused it with max_position).
        let (r, _) = try make()
        overbought(r)
        r.portfolio.hold(xrp, .long, usd: held, entry: 2.00, since: T0)
        expect(try r.decide(at: T0), .sell, size: 20, "position \(held)")
    }

    @Test func s08AShortAddRespectsTheCap() throws {
        // W5: available = 50 − |−40| = 10 (the reference added 20 and overshot to −60).
        let (r, _) = try make()
        overbought(r)
        r.portfolio.hold(xrp, .short, usd: 40, entry: 2.00, since: T0)
        expect(try r.decide(at: T0), .short, size: 10, sl: 2.025075, tp: 2.004925)
    }

    @Test func s09Cooldown() throws {
        let (r, s) = try make()
        oversold(r)
        expect(try r.decide(at: T0), .buy, size: 20, sl: 1.975075, tp: 1.994925)
        #expect(try r.decide(at: T0 + .seconds(5)) == nil)
        #expect(s.rejections.counts["time_cooldown"] == 1 && s.rejections.countsBySymbol[xrp] == nil)
        expect(try r.decide(at: T0 + .seconds(10)), .buy, size: 20, sl: 1.975075, tp: 1.994925, "elapsed = cooldown passes")
    }

    @Test func s10CircuitBreaker() throws {
        let (r, s) = try make()
        oversold(r)
        for k in 0..<3 { r.fill(xrp, .sell, pnl: -0.1, at: T0 + .seconds(Int64(k))) }
        #expect(try r.decide(at: T0 + .minutes(14) + .seconds(59)) == nil)
        #expect(s.rejections.counts["circuit_breaker"] == 1)
        expect(try r.decide(at: T0 + .minutes(15) + .seconds(2)), .buy, size: 20, sl: 1.975075, tp: 1.994925)
    }

    @Test func s11MaxPositionAnd12InsufficientSize() throws {
        let (r, s) = try make()
        oversold(r)
        r.portfolio.hold(xrp, .long, usd: 50, entry: 2.00, since: T0)
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["max_position": 1])
        let (r2, s2) = try make()
        oversold(r2)
        r2.portfolio.hold(xrp, .long, usd: 46, entry: 2.00, since: T0)
        #expect(try r2.decide(at: T0) == nil)
        #expect(s2.rejections.countsBySymbol[xrp] == ["insufficient_size": 1])
    }

    func alternating(_ a: Double, _ b: Double, _ n: Int) -> [Double] { (0..<n).map { $0 % 2 == 0 ? a : b } }

    @Test func s13to16VolatilityRegimes() throws {
        // 13 HIGH: threshold 0.65, size 16.
        var (r, s) = try make()
        oversold(r)
        r.market.setCloses(.m1, xrp, alternating(2.00, 2.02, 21), end: T0)
        expect(try r.decide(at: T0), .buy, size: 16, sl: 1.975075, tp: 1.994925, "HIGH")
        // 14 HIGH, deviation −0.5903 % does not reach −0.65 %.
        (r, s) = try make()
        oversold(r, price: 1.9872)
        r.market.setCloses(.m1, xrp, alternating(2.00, 2.02, 21), end: T0)
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["no_signal_conditions": 1])
        // 15 MEDIUM: threshold 0.5, size 20.
        (r, s) = try make()
        oversold(r)
        r.market.setCloses(.m1, xrp, alternating(2.00, 2.01, 21), end: T0)
        expect(try r.decide(at: T0), .buy, size: 20, sl: 1.975075, tp: 1.994925, "MEDIUM")
        // 16 EXTREME: paused.
        (r, s) = try make()
        oversold(r)
        r.market.setCloses(.m1, xrp, alternating(2.00, 2.04, 21), end: T0)
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["regime_pause": 1])
    }

    @Test func s13bTheRegimesVolatilityFigures() throws {
        // The spec's volatility values for the three 1m fixtures (population std of 20 returns × 100).
        func vol(_ closes: [Double]) -> Double? {
            var v = Indicators.Volatility(lookback: 20)
            for c in closes { _ = v.update(c) }
            return v.value
        }
        #expect(close(vol(alternating(2.00, 2.02, 21)), 0.99505, 1e-5))
        #expect(close(vol(alternating(2.00, 2.01, 21)), 0.49876, 1e-5))
        #expect(close(vol(alternating(2.00, 2.04, 21)), 1.98039, 1e-5))
    }

    @Test func s17FeeUnprofitable() throws {
        let (r, s) = try make(["estimated_fee_rate": "0.003"])
        oversold(r)
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["fee_unprofitable": 1, "no_signal_conditions": 1])
    }

    @Test func s18AGlobalOverrideShadowedByThePerPairTableIsWarnedAbout() throws {
        let (r, s) = try make(["deviation_threshold": "2.0"])
        oversold(r)
        expect(try r.decide(at: T0), .buy, size: 20, sl: 1.975075, tp: 1.994925, "per-pair 0.5 wins (resolution 32)")
        #expect(s.startupWarnings.contains { $0.contains("deviation_threshold") && $0.contains("XRP/USDT") })
        // The per-pair form does apply: threshold 2.0 × 0.8 = 1.6 → no entry.
        let (r2, s2) = try make(perPair: [xrp: ["deviation_threshold": "2.0"]])
        oversold(r2)
        #expect(try r2.decide(at: T0) == nil)
        #expect(s2.rejections.countsBySymbol[xrp] == ["no_signal_conditions": 1])
        #expect(!s2.startupWarnings.contains { $0.contains("does not apply") })
        // A parameter nobody shadows gets no such warning.
        let (_, s3) = try make(["cooldown_seconds": "3", "vwap_lookback": "40"])
        #expect(s3.startupWarnings.filter { $0.contains("vwap_lookback") }.isEmpty)
        // The global cooldown is the one used (W2: one timer) unless per_symbol_cooldown; then the table's win.
        #expect(s3.startupWarnings.filter { $0.contains("cooldown_seconds") }.isEmpty)
        let (_, s4) = try make(["cooldown_seconds": "3", "per_symbol_cooldown": "true"])
        #expect(s4.startupWarnings.contains { $0.hasPrefix("cooldown_seconds = 3") && $0.contains("does not apply") })
        let (_, s5) = try make(perPair: [xrp: ["cooldown_seconds": "30"]])
        #expect(s5.startupWarnings.contains { $0.contains("cooldown_seconds set for XRP/USDT has no effect") })
    }

    @Test func s19VWAPReversionLong() throws {
        let (r, _) = try make()
        r.market.setCloses(.m5, xrp, alternating(2.00, 2.01, 20), end: T0)
        r.market.prices[xrp] = px(2.00)
        r.market.setTrades(xrp, count: 50, price: 2.01, size: 10, side: .sell, at: T0)
        let sig = try r.decide(at: T0)
        expect(sig, .buy, size: 10, sl: 1.99, tp: 2.01)
        // The fixture's RSI: 53.13 (the spec's figure).
        var rsi = RSI(period: 14, flatValue: 50)
        for c in alternating(2.00, 2.01, 20) { _ = rsi.update(c) }
        #expect(close(rsi.value, 53.13, 1e-4))
    }

    @Test func s20to23PositionDecay() throws {
        // 20: 20 min old → stage 1, ×0.85 → TP 2.0085; 2.009 reaches it.
        var (r, s) = try make()
        r.market.setCloses(.m5, xrp, FLAT, end: T0)
        r.market.prices[xrp] = px(2.009)
        r.portfolio.hold(xrp, .long, usd: 20, entry: 2.00, since: T0 - .minutes(20))
        let sig = try r.decide(at: T0)
        expect(sig, .sell, full: true)
        #expect(sig?.reason.contains("85%") == true)
        // 21: 14 min old → no decay; entries: deviation +0.45 % but RSI 50 < 65.
        (r, s) = try make()
        r.market.setCloses(.m5, xrp, FLAT, end: T0)
        r.market.prices[xrp] = px(2.009)
        r.portfolio.hold(xrp, .long, usd: 20, entry: 2.00, since: T0 - .minutes(14))
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["no_signal_conditions": 1])
        // 22: 31 min old → ×0.5 → TP 2.005.
        (r, _) = try make()
        r.market.setCloses(.m5, xrp, FLAT, end: T0)
        r.market.prices[xrp] = px(2.0051)
        r.portfolio.hold(xrp, .long, usd: 20, entry: 2.00, since: T0 - .minutes(31))
        expect(try r.decide(at: T0), .sell, full: true)
        // 23: a short, 25 min old → ×0.7 → TP 1.993; 1.9929 reaches it.
        (r, _) = try make()
        r.market.setCloses(.m5, xrp, FLAT, end: T0)
        r.market.prices[xrp] = px(1.9929)
        r.portfolio.hold(xrp, .short, usd: 20, entry: 2.00, since: T0 - .minutes(25))
        let s23 = try r.decide(at: T0)
        expect(s23, .cover, full: true)
        #expect(s23?.reason.contains("70%") == true)
    }

    @Test func w8DecayExitsAreNotBlockedByTheBreakerTheCooldownOrAPause() throws {
        let (r, _) = try make()
        r.market.setCloses(.m5, xrp, FLAT, end: T0)
        r.market.setCloses(.m1, xrp, alternating(2.00, 2.04, 21), end: T0)   // EXTREME: entries paused
        r.market.prices[xrp] = px(2.009)
        r.portfolio.hold(xrp, .long, usd: 20, entry: 2.00, since: T0 - .minutes(20))
        expect(try r.decide(at: T0), .sell, full: true, "decay exit under the EXTREME pause")
        // The exit started the cooldown; with the breaker tripped as well, the exit is still there 1 s later.
        for k in 0..<3 { r.fill(btc, .sell, pnl: -1, at: T0 - .seconds(Int64(3 - k))) }
        expect(try r.decide(at: T0 + .seconds(1)), .sell, full: true, "decay exit under cooldown, breaker and pause")
    }

    @Test func s24TrendConfirmationCountsEvaluations() throws {
        let (r, s) = try make()
        let closes = (0..<50).map { 2.300 + 0.002 * Double($0) }
        r.market.setCloses(.m5, xrp, closes, end: T0)
        r.market.prices[xrp] = px(2.398)
        #expect(close(trendSlope(closes, period: 50), 0.08514, 1e-4))
        #expect(try r.decide(at: T0) == nil)
        #expect(try r.decide(at: T0 + .seconds(1)) == nil)
        #expect(s.trendConfirmationCounts[xrp] == 2)
        #expect(try r.decide(at: T0 + .seconds(2)) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["trade_flow_not_aligned": 2, "no_signal_conditions": 2, "trending_market": 1])
        #expect(s.trendConfirmationCounts[xrp] == 3)
        // [OPT W6] per closed candle: the same candle three times is one confirmation.
        let (r2, s2) = try make(["trend_confirm_per_candle": "true"])
        r2.market.setCloses(.m5, xrp, closes, end: T0)
        r2.market.prices[xrp] = px(2.398)
        for k in 0..<3 { _ = try r2.decide(at: T0 + .seconds(Int64(k))) }
        #expect(s2.trendConfirmationCounts[xrp] == 1 && s2.rejections.countsBySymbol[xrp]?["trending_market"] == nil)
    }

    /// 30 rising 5m candles ending at T0: close_i = from + step·i, open = close − body, high/low = close ± wick; +DM =
    /// step on every bar and −DM = 0, so ADX is 100 (scenario 25's construction).
    func trending(from: Double, step: Double, body: Double, wick: Double) -> [Candle] {
        (0..<30).map { i in
            let c = from + step * Double(i)
            return Candle(start: T0 - .minutes(Int64(5 * (30 - i))), open: px(c - body), high: px(c + wick), low: px(c - wick), close: px(c), volume: Quantity(1))
        }
    }

    @Test func s25ADXFilterOnBTC() throws {
        let (r, s) = try make()
        let list = trending(from: 100_000, step: 300, body: 100, wick: 150)
        r.market.candleLists[.m5, default: [:]][btc] = list
        r.market.prices[btc] = list.last!.close
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.countsBySymbol[btc] == ["strong_trend_adx": 1])
        #expect(close(s.adxBySymbol[btc], 100, 1e-9))
    }

    @Test func s26XRPBTCCorrelationPause() throws {
        let (r, s) = try make()
        let xs = (0..<60).map { 2.35 + 0.05 * sin(0.3 * Double($0)) }, bs = (0..<60).map { 100_000 - 2000 * sin(0.3 * Double($0)) }
        r.market.setCloses(.m5, xrp, xs, end: T0)
        r.market.setCloses(.m5, btc, bs, end: T0)
        r.market.setCloses(.m5, xrpbtc, Array(repeating: 0.0000225, count: 20), end: T0)
        r.market.prices = [xrp: px(xs.last!), btc: px(bs.last!), xrpbtc: px(0.0000225)]
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.countsBySymbol[xrpbtc] == ["low_correlation": 1])
        #expect(close(s.correlation, -0.99979, 1e-4) && s.correlationHistory.count == 1)
    }

    @Test func s27DecayTimingAnd28TrailingStop() {
        let m = [1.0, 0.85, 0.7, 0.5]
        #expect([5.0, 15, 20, 25, 30].map { MeanReversionStrategy.decayMultiplier(ageMinutes: $0, start: 15, interval: 5, multipliers: m) } == [1.0, 1.0, 0.85, 0.7, 0.5])
        func stop(long: Bool, high: Double, low: Double) -> Double? {
            MeanReversionStrategy.trailingStop(entry: 2.35, long: long, high: high, low: low, activation: 0.4, distance: 0.3)
        }
        #expect(stop(long: true, high: 2.35 * 1.003, low: 2.35) == nil)
        #expect(close(stop(long: true, high: 2.35 * 1.005, low: 2.35), 2.35466475))
        #expect(close(stop(long: false, high: 2.35, low: 2.35 * 0.995), 2.34526475))
    }

    @Test func s29WinsResetTheLossCountAndTheTruthIsThePortfolio() throws {
        // Two losses, a win, two losses: never three in a row, so no breaker.
        let (r, s) = try make()
        oversold(r)
        for (k, pnl) in [-0.1, -0.1, 0.3, -0.1, -0.1].enumerated() { r.fill(xrp, .sell, pnl: pnl, at: T0 - .seconds(Int64(10 - k))) }
        expect(try r.decide(at: T0), .buy, size: 20, sl: 1.975075, tp: 1.994925)
        #expect(s.rejections.counts["circuit_breaker"] == nil)
        // W3: a position the engine closed (stop loss) is gone from the portfolio, so it blocks nothing.
        let (r2, s2) = try make()
        oversold(r2)
        r2.portfolio.hold(xrp, .long, usd: 50, entry: 2.00, since: T0)
        #expect(try r2.decide(at: T0) == nil && s2.rejections.countsBySymbol[xrp] == ["max_position": 1])
        r2.portfolio.positions[xrp] = nil
        expect(try r2.decide(at: T0 + .seconds(30)), .buy, size: 20, sl: 1.975075, tp: 1.994925)
    }

    @Test func w5OversoldWhileShortCovers() throws {
        let (r, _) = try make()
        oversold(r)
        r.portfolio.hold(xrp, .short, usd: 30, entry: 2.00, since: T0)
        expect(try r.decide(at: T0), .cover, size: 20, "min(adjusted 20, |−30|)")
        let (r2, _) = try make()
        oversold(r2)
        r2.portfolio.hold(xrp, .short, usd: 12, entry: 2.00, since: T0)
        expect(try r2.decide(at: T0), .cover, full: true, "the whole short when it is less than the size")
    }

    @Test func trailingStopExitThroughTheDecision() throws {
        let (r, _) = try make(["use_trailing_stop": "true"])
        r.market.setCloses(.m5, xrp, FLAT, end: T0)
        r.portfolio.hold(xrp, .long, usd: 20, entry: 2.00, since: T0)
        r.market.prices[xrp] = px(2.011)   // +0.55 % ≥ 0.4 %: armed at 2.011 × 0.997 = 2.004967
        #expect(try r.decide(at: T0)?.closeFullPosition != true)
        r.market.prices[xrp] = px(2.0049)
        let sig = try r.decide(at: T0 + .seconds(20))
        expect(sig, .sell, full: true)
        #expect(sig?.reason.contains("trailing stop 2.005") == true)
    }

    @Test func optionalBehaviours() throws {
        // W2 per_symbol_cooldown: the pair's own 10 s; rejected under its name.
        var (r, s) = try make(["per_symbol_cooldown": "true"])
        oversold(r)
        expect(try r.decide(at: T0), .buy, size: 20, sl: 1.975075, tp: 1.994925)
        #expect(try r.decide(at: T0 + .seconds(6)) == nil)
        #expect(s.rejections.countsBySymbol[xrp]?["time_cooldown"] == 1 && s.rejections.counts["time_cooldown"] == 1)
        // W7 insufficient_volatility_regime: medium (threshold 0.5, not 0.4).
        (r, _) = try make(["insufficient_volatility_regime": "medium"])
        oversold(r)
        #expect(try r.decide(at: T0)?.reason.contains("regime MEDIUM") == true)
        (r, s) = try make(["insufficient_volatility_regime": "medium"])
        oversold(r, price: 1.9895)   // deviation −0.475 %: beyond 0.4, not beyond 0.5
        #expect(try r.decide(at: T0) == nil && s.rejections.countsBySymbol[xrp] == ["no_signal_conditions": 1])
        // W10 pause_on_unknown_correlation: XRP/BTC without its legs' history pauses; by default it does not.
        for (option, paused) in [("false", false), ("true", true)] {
            let (r, s) = try make(["pause_on_unknown_correlation": option])
            r.market.setCloses(.m5, xrpbtc, Array(repeating: 0.0000225, count: 20), end: T0)
            r.market.prices[xrpbtc] = px(0.0000225)
            _ = try r.decide(at: T0)
            #expect((s.rejections.countsBySymbol[xrpbtc]?["low_correlation"] != nil) == paused, "option \(option)")
        }
        // adx_filter_all_symbols: XRP/USDT's strong trend is filtered too.
        for (option, filtered) in [("false", false), ("true", true)] {
            let (r, s) = try make(["adx_filter_all_symbols": option])
            let list = trending(from: 2.0, step: 0.006, body: 0.002, wick: 0.003)
            r.market.candleLists[.m5, default: [:]][xrp] = list
            r.market.prices[xrp] = list.last!.close
            _ = try r.decide(at: T0)
            #expect((s.rejections.countsBySymbol[xrp]?["strong_trend_adx"] != nil) == filtered, "option \(option)")
        }
    }

    /// The [OPT]s of W6 (adds), W11, W12 and W18, each off by default (the reference), each changing the outcome when on.
    @Test func moreOptionalBehaviours() throws {
        // W12: the scenario-19 VWAP buy with the checks on: the tape (all sells) does not confirm it.
        var (r, s) = try make(["vwap_entry_checks": "true"])
        r.market.setCloses(.m5, xrp, alternating(2.00, 2.01, 20), end: T0)
        r.market.prices[xrp] = px(2.00)
        r.market.setTrades(xrp, count: 50, price: 2.01, size: 10, side: .sell, at: T0)
        #expect(try r.decide(at: T0) == nil && s.rejections.countsBySymbol[xrp]?["trade_flow_not_aligned"] == 1)
        // W12: the mirror short, 1 % above a 2.00 VWAP (the bands do not fire: RSI 53); size 20 × 0.5, target the VWAP.
        (r, _) = try make(["vwap_short_entries": "true"])
        r.market.setCloses(.m5, xrp, alternating(2.00, 2.01, 20), end: T0)
        r.market.prices[xrp] = px(2.02)
        r.market.setTrades(xrp, count: 50, price: 2.00, size: 10, side: .sell, at: T0)
        expect(try r.decide(at: T0), .short, size: 10, sl: 2.02 * 1.005, tp: 2.00)
        // W11: scenario 2 with a 0.2015 % book spread: 0.5 − 0.2 fees − 0.1 slippage − 0.2015 < 0.05.
        for (costs, refused) in [(false, false), (true, true)] {
            (r, s) = try make(["fee_check_costs": "\(costs)"])
            oversold(r)
            r.market.setBook(xrp, bid: 1.983, ask: 1.987)
            let sig = try r.decide(at: T0)
            #expect((sig == nil) == refused && (s.rejections.countsBySymbol[xrp]?["fee_unprofitable"] != nil) == refused, "costs \(costs)")
        }
        // W18: bands of 25 candles on a 20-candle warm-up: silent by default, counted with the option.
        for (count, expected) in [(false, nil), (true, 1)] as [(Bool, Int?)] {
            (r, s) = try make(["count_silent_declines": "\(count)", "bb_period": "25"])
            oversold(r)
            #expect(try r.decide(at: T0) == nil && s.rejections.countsBySymbol[xrp]?["insufficient_candles"] == expected)
        }
        // W6: a falling market confirms a trend on the third tick; a long may keep adding unless `block_adds_in_trend`.
        for block in [false, true] {
            (r, s) = try make(["block_adds_in_trend": "\(block)", "trend_sma_period": "5", "cooldown_seconds": "0"], perPair: [xrp: ["cooldown_seconds": "0"]])
            r.market.setCloses(.m5, xrp, (0..<20).map { 2.10 - 0.11 * Double($0) / 19 }, end: T0)
            r.market.prices[xrp] = px(1.985)
            r.market.setTrades(xrp, count: 50, price: 2.00, size: 10, side: .buy, at: T0)
            r.portfolio.hold(xrp, .long, usd: 10, entry: 2.00, since: T0)
            let outcomes = try (0..<3).map { try r.decide(at: T0 + .seconds(Int64($0)))?.action }
            #expect(outcomes[0] == .buy, "\(outcomes) \(s.rejections.countsBySymbol)")
            #expect((outcomes[2] == nil) == block && (s.rejections.countsBySymbol[xrp]?["trending_market"] != nil) == block, "block \(block): \(outcomes)")
        }
    }

    /// W13: the overbought close of a long is `min(adjusted, position)` and must reach the 5 USD minimum too.
    @Test func w13ACloseUnderTheMinimumIsNotSent() throws {
        let (r, s) = try make()
        overbought(r)
        r.portfolio.hold(xrp, .long, usd: 4, entry: 2.00, since: T0)
        #expect(try r.decide(at: T0) == nil && s.rejections.countsBySymbol[xrp]?["insufficient_size"] == 1)
    }

    @Test func w17AWarmUpShorterThanRSINeedsIsRefused() {
        #expect(throws: ParameterError.self) { _ = try make(["lookback_candles": "10", "rsi_period": "14"]) }
        #expect(throws: ParameterError.self) { _ = try make(["decay_multipliers": "1.0,zero"]) }
    }

    @Test func startupWarningsFollowTheReferencesChecks() throws {
        let (_, s) = try make()
        // Default TP = SL: reward:risk 1 → an Info line per pair; nothing else.
        #expect(s.startupWarnings.count == 3 && s.startupWarnings.allSatisfy { $0.hasPrefix("Info:") })
        let (_, w) = try make(perPair: [xrp: ["rsi_oversold": "70", "take_profit_pct": "0.2"]])
        #expect(w.startupWarnings.contains { $0.contains("rsi_oversold 70.0 is not below") })
        #expect(w.startupWarnings.contains { $0.hasPrefix("Warning: XRP/USDT reward:risk") })
    }
}
