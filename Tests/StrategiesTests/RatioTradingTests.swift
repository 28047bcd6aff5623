import Testing
import TradingCore
import Indicators
@testable import Strategies

/// ratio_trading.md §16: every acceptance scenario with the spec's hand-computed figures (conventions: the default
/// config with RSI confirmation off; the fee check is off by default here, resolution 35). Where Swift fixes a
/// reference weakness, the Swift expectation is checked.
@Suite struct RatioTradingTests {
    let pair = Symbol("XRP/BTC")!, btc = Symbol("BTC/USDT")!, btcusd = Symbol("BTC/USD")!
    let T0 = Timestamp(iso8601: "2025-01-06T10:00:00Z")!
    let P = 0.00002

    func make(_ params: [String: String] = ["use_rsi_confirmation": "false"], price: Double? = nil, candles: [Double]? = nil) throws -> (ScenarioRunner, RatioTradingStrategy) {
        let p = try StrategyParameters.resolve(strategy: "ratio_trading", specs: RatioTradingStrategy.parameters, layers: [params])
        let s = try RatioTradingStrategy(parameters: p, symbols: [pair])
        let r = ScenarioRunner(s, at: T0, precise: [pair])
        r.market.prices[pair] = px(price ?? 0.996 * P)
        r.market.prices[btc] = px(100_000)
        r.market.usd["BTC"] = px(100_000)
        r.market.setCloses(.m1, pair, candles ?? C, end: T0)
        r.market.books[pair] = OrderBook(bids: [BookLevel(price: px(0.00001992), size: Quantity(1000))], asks: [BookLevel(price: px(0.00001993), size: Quantity(1000))])
        return (r, s)
    }

    /// 25 closes alternating P × 1.002 (even) and P × 0.998 (odd): SMA P, σ 4e-8, volatility 0.4 % (MEDIUM).
    var C: [Double] { (0..<25).map { $0 % 2 == 0 ? P * 1.002 : P * 0.998 } }

    /// A long worth `usd` at BTC 100,000, bought at `entry`.
    func hold(_ r: ScenarioRunner, usd: Double, entry: Double? = nil, since: Timestamp? = nil, high: Double? = nil) {
        let e = entry ?? P
        r.portfolio.hold(pair, .long, size: usd / (e * 100_000), entry: e, since: since ?? T0 - .minutes(2), high: high)
    }

    func expect(_ sig: Signal?, _ action: SignalAction, size: Double, full: Bool = false, sl: Double? = nil, tp: Double? = nil,
                _ note: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        guard let sig else { Issue.record("no signal \(note)", sourceLocation: sourceLocation); return }
        #expect(sig.action == action && sig.symbol == pair && sig.closeFullPosition == full, "\(sig) \(note)", sourceLocation: sourceLocation)
        #expect(close(sig.size.doubleValue, size, 1e-6), "size \(sig.size) ≠ \(size) \(note)", sourceLocation: sourceLocation)
        #expect(sl.map { close(sig.stopLoss?.doubleValue, $0) } ?? (sig.stopLoss == nil), "SL \(String(describing: sig.stopLoss)) \(note)", sourceLocation: sourceLocation)
        #expect(tp.map { close(sig.takeProfit?.doubleValue, $0) } ?? (sig.takeProfit == nil), "TP \(String(describing: sig.takeProfit)) \(note)", sourceLocation: sourceLocation)
    }

    @Test func s01TheReferenceDefaultsBlockEverything() throws {
        let (r, s) = try make(["use_fee_profitability_check": "true"])
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.counts == ["fee_unprofitable": 1])   // 0.6 − 2 × 0.26 = 0.08 < 0.10 (resolution 31's spelling)
        #expect(s.startupWarnings.contains { $0.contains("the fee check refuses every entry") && $0.contains("0.62") })   // W1
        let (_, shipped) = try make([:])
        #expect(!shipped.startupWarnings.contains { $0.contains("fee check") })
    }

    @Test func s02Buy() throws {
        let (r, s) = try make()
        let sig = try r.decide(at: T0)
        expect(sig, .buy, size: 15, sl: 0.00001980048, tp: 0.00002003952)   // z = (0.00001992 − 0.00002) / 4e-8 = −2
        #expect(sig?.metadata["z_score"].flatMap(Double.init) == -2 && sig?.metadata["regime"] == "MEDIUM")
        #expect(close(s.indicators["volatility"], 0.4, 1e-5))
        #expect(sig?.sizeUnit == .usd)   // W3: USD, converted to BTC by the engine at BTC's USD price
    }

    /// Resolution 34: the flat sell of §16 #3 would sell XRP a cash-only portfolio does not hold; skipped.
    @Test func s03SellWhileFlatIsSkippedAnd04SellWithAPosition() throws {
        var (r, s) = try make(price: 1.004 * P)
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.counts == ["no_inventory": 1])
        (r, s) = try make(price: 1.004 * P)
        hold(r, usd: 20)
        expect(try r.decide(at: T0), .sell, size: 15, sl: 0.00002020048, tp: 0.00001995952)
    }

    @Test func s05MeanReversionPartialExit() throws {
        for (held, size) in [(30.0, 15.0), (20.0, 10.0)] {
            let (r, _) = try make(price: P)
            hold(r, usd: held)
            let sig = try r.decide(at: T0)
            expect(sig, .sell, size: size, "held \(held)")
            #expect(sig?.metadata["signal_type"] == "exit")
        }
    }

    @Test func s06TrailingStopAnd07NotHit() throws {
        var (r, s) = try make(price: 0.000020058)
        hold(r, usd: 20, high: 0.0000201)
        let sig = try r.decide(at: T0)   // stop 0.0000201 × 0.998 = 0.0000200598 ≥ price
        expect(sig, .sell, size: 15)
        #expect(sig?.metadata["trailing_stop_price"] == "0.00002006")
        #expect(s.exitCounts == ["trailing_stop": 1])
        (r, s) = try make(price: 0.000020062)
        hold(r, usd: 20, high: 0.0000201)
        expect(try r.decide(at: T0), .sell, size: 15, sl: 0.000020062 * 1.006, tp: 0.000020062 * 0.994)   // z = 1.55 > 1.5
        #expect(s.exitCounts.isEmpty)
    }

    @Test func s08PositionDecayAnd09NotYet() throws {
        var (r, s) = try make(price: 1.0012 * P)
        hold(r, usd: 20, since: T0 - .minutes(11))
        let sig = try r.decide(at: T0)   // z = 0.6 < 0.75
        expect(sig, .sell, size: 10)
        #expect(sig?.metadata["minutes_held"].flatMap(Double.init) == 11)
        #expect(s.exitCounts == ["position_decay": 1])
        (r, s) = try make(price: 1.0012 * P)
        hold(r, usd: 20, since: T0 - .minutes(9))
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.counts == ["no_signal_conditions": 1])
    }

    @Test func s10RSINotConfirmedAnd11Confirmed() throws {
        var (r, s) = try make([:])
        #expect(try r.decide(at: T0) == nil)
        #expect(close(s.indicators["rsi"], 50.97, 1e-4))
        #expect(s.rejections.counts == ["rsi_not_confirmed": 1, "no_signal_conditions": 1])   // W11: the reference counts both
        let closes = (0..<24).map { $0 % 2 == 0 ? P : P * 1.001 }
        (r, s) = try make([:], price: 0.994 * P, candles: closes + [0.994 * P])
        let sig = try r.decide(at: T0)
        expect(sig, .buy, size: 15, sl: 0.00001976072, tp: 0.00001999928)
        #expect(close(s.indicators["rsi"], 34.32, 1e-4) && close(s.indicators["z_score"], -4.124, 1e-3) && close(s.indicators["volatility"], 0.1818, 1e-3))
        #expect(sig?.metadata["regime"] == "LOW")
        (r, s) = try make([:], price: 0.995 * P, candles: closes + [0.995 * P])
        #expect(try r.decide(at: T0) == nil)
        #expect(close(s.indicators["rsi"], 36.13, 1e-4))
        #expect(s.rejections.counts == ["rsi_not_confirmed": 1, "no_signal_conditions": 1])
        // W11 [OPT]: one reason.
        (r, s) = try make(["single_rejection_reason": "true"])
        #expect(try r.decide(at: T0) == nil && s.rejections.counts == ["rsi_not_confirmed": 1])
    }

    @Test func s12StrongDowntrendBlocksTheBuy() throws {
        let closes = (0..<25).map { P * (1 - 0.0004 * Double($0)) }
        let (r, s) = try make(price: closes.last! * 0.997, candles: closes)
        #expect(try r.decide(at: T0) == nil)
        #expect(close(s.indicators["z_score"], -2.936, 1e-3))
        #expect(s.rejections.counts == ["strong_trend_detected": 1, "no_signal_conditions": 1])
    }

    @Test func s13SpreadTooWide() throws {
        let (r, s) = try make()
        r.market.books[pair] = OrderBook(bids: [BookLevel(price: px(0.0000199), size: Quantity(1000))], asks: [BookLevel(price: px(0.00001994), size: Quantity(1000))])
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.counts == ["spread_too_wide": 1])
    }

    @Test func s14MaxPosition() throws {
        for (held, outcome) in [(50.0, "max_position"), (46.0, "insufficient_size"), (40.0, "buy 10")] {
            let (r, s) = try make()
            hold(r, usd: held)
            let sig = try r.decide(at: T0)
            if outcome == "buy 10" { expect(sig, .buy, size: 10, sl: 0.00001980048, tp: 0.00002003952) }
            else { #expect(sig == nil && s.rejections.counts == [outcome: 1], "held \(held): \(s.rejections.counts)") }
        }
    }

    @Test func s15Cooldown() throws {
        let (r, s) = try make()
        #expect(try r.decide(at: T0)?.action == .buy)
        #expect(try r.decide(at: T0 + .seconds(29)) == nil)
        #expect(s.rejections.counts == ["time_cooldown": 1])
        expect(try r.decide(at: T0 + .seconds(30)), .buy, size: 15, sl: 0.00001980048, tp: 0.00002003952)
    }

    @Test func s16ExtremePauseAnd17WarmUp() throws {
        var (r, s) = try make(candles: (0..<25).map { $0 % 2 == 0 ? P * 1.01 : P * 0.99 })
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.counts == ["regime_pause": 1] && close(s.indicators["volatility"], 2.0002, 1e-4))
        (r, s) = try make(candles: Array(C.prefix(9)))
        #expect(try r.decide(at: T0) == nil && s.rejections.counts == ["warming_up": 1])
        (r, s) = try make(candles: Array(C.prefix(15)))
        #expect(try r.decide(at: T0) == nil && s.rejections.counts.isEmpty)   // W9: bands need 20, silently
        (r, s) = try make(["use_rsi_confirmation": "false", "count_silent_declines": "true"], candles: Array(C.prefix(15)))
        #expect(try r.decide(at: T0) == nil && s.rejections.counts == ["insufficient_candles": 1])
    }

    @Test func s18CorrelationPauseAnd19Fine() throws {
        var (r, s) = try make()
        s.btcHistory = (0..<20).map { $0 % 2 == 0 ? 100_000 : 101_000 }
        #expect(try r.decide(at: T0) == nil)
        #expect(s.rejections.counts == ["correlation_too_low": 1])
        #expect(s.correlationHistory.count == 1 && close(s.correlationHistory[0], -1.0) && s.correlationWarnings == 1)
        (r, s) = try make()
        s.btcHistory = (0..<20).map { $0 % 2 == 0 ? 101_000 : 100_000 }
        expect(try r.decide(at: T0), .buy, size: 15, sl: 0.00001980048, tp: 0.00002003952)
        #expect(close(s.correlation, 0.9757, 1e-4) && s.correlationWarnings == 0)
    }

    /// Resolution 24: the z > E sell that reduces a long passes the breaker, the cooldown and the spread gate; partial
    /// exits fire once per visit to their zone (they pass the cooldown too, so without that a long would be sold off tick
    /// by tick), and a zone re-arms once z has left it.
    @Test func reductionsPassTheGatesOncePerVisitToTheirZone() throws {
        let (r, s) = try make(price: 1.004 * P)   // z = +2
        hold(r, usd: 20)
        s.lastBTCUSD = 100_000
        for k in 0..<3 { r.fill(pair, .sell, pnl: -0.01, at: T0 + .seconds(Int64(k)), size: 1000, price: P) }   // breaker tripped
        r.market.books[pair] = OrderBook(bids: [BookLevel(price: px(0.0000199), size: Quantity(1000))], asks: [BookLevel(price: px(0.00001994), size: Quantity(1000))])
        expect(try r.decide(at: T0 + .seconds(5)), .sell, size: 15, sl: 0.00002020048, tp: 0.00001995952)
        #expect(try r.decide(at: T0 + .seconds(6)) == nil)   // still stretched: that reduction is taken
        #expect(s.rejections.counts["circuit_breaker"] == 1)   // taken: an entry-side decision now, gated
        r.market.prices[pair] = px(P)   // z = 0: back at the mean, min(15, 20 × 0.5) = 10 (inside the cooldown, breaker on)
        expect(try r.decide(at: T0 + .seconds(7)), .sell, size: 10, "mean exit")
        #expect(try r.decide(at: T0 + .seconds(8)) == nil)
        r.market.prices[pair] = px(1.002 * P)   // z = 1: out of the mean and decay zones
        #expect(try r.decide(at: T0 + .seconds(9)) == nil)
        r.market.prices[pair] = px(P)
        expect(try r.decide(at: T0 + .seconds(10)), .sell, size: 10, "the mean zone re-armed")
    }

    /// The optional trade-flow confirmation: the scenario-2 buy needs the tape leaning its way (value-weighted,
    /// 50 trades, imbalance above 0.10).
    @Test func tradeFlowConfirmation() throws {
        for (buys, outcome) in [(35, "buy"), (15, "trade_flow_not_aligned")] {
            let (r, s) = try make(["use_rsi_confirmation": "false", "use_trade_flow_confirmation": "true"])
            r.market.append(pair, Array(repeating: (0.996 * P, 100.0, TakerSide.buy), count: buys)
                            + Array(repeating: (0.996 * P, 100.0, TakerSide.sell), count: 50 - buys), at: T0)
            let sig = try r.decide(at: T0)
            if outcome == "buy" { #expect(sig?.action == .buy) } else { #expect(sig == nil && s.rejections.counts == [outcome: 1], "\(s.rejections.counts)") }
        }
    }

    @Test func s20CircuitBreaker() throws {
        let (r, s) = try make()
        s.lastBTCUSD = 100_000
        for k in 0..<3 { r.fill(pair, .sell, pnl: -0.01, at: T0 + .seconds(Int64(k)), size: 1000, price: P) }
        #expect(try r.decide(at: T0 + .minutes(14)) == nil)
        #expect(s.rejections.counts == ["circuit_breaker": 1])
        expect(try r.decide(at: T0 + .minutes(15) + .seconds(3)), .buy, size: 15, sl: 0.00001980048, tp: 0.00002003952)
    }

    /// W2 [FIX]: a fill's USD value is size × price × BTC/USD (the reference adds the XRP count as "USD").
    @Test func s21FillValuesAreUSD() throws {
        let (r, s) = try make()
        s.lastBTCUSD = 100_000
        r.fill(pair, .buy, pnl: 0, at: T0, size: 663_385.12, price: 0.0000226113)
        #expect(close(s.xrpAccumulated, 663_385.12) && close(s.xrpAccumulatedUSD, 663_385.12 * 0.0000226113 * 100_000))
        #expect(close(s.xrpAccumulatedUSD, 1_500_000, 1e-4))
        // W10: a fill before any evaluation uses the fallback BTC price instead of crashing.
        let (r2, s2) = try make()
        r2.fill(pair, .sell, pnl: 0, at: T0, size: 100, price: P)
        #expect(close(s2.btcAccumulated, 0.002) && close(s2.btcAccumulatedUSD, 200))
    }

    @Test func s22ConversionAnd23BTCPriceResolution() throws {
        #expect(close(RatioTradingStrategy.xrpAmount(usd: 15, btcUSD: 100_000, price: 0.00002), 7.5))
        #expect(RatioTradingStrategy.xrpAmount(usd: 0, btcUSD: 100_000, price: 0.00002) == 0)
        #expect(RatioTradingStrategy.xrpAmount(usd: 15, btcUSD: -1, price: 0.00002) == 0)
        let (r, s) = try make()
        func resolved(_ prices: [Symbol: Double]) -> Double {
            r.market.prices = [pair: px(P)]
            for (k, v) in prices { r.market.prices[k] = Price(rounding: v, toDecimals: 8) }
            return s.btcUSD(DataSnapshot(timestamp: T0, market: r.market))
        }
        #expect(resolved([btcusd: 95_000]) == 95_000)
        #expect(resolved([btc: 0, btcusd: 95_000]) == 95_000)
        #expect(resolved([:]) == 100_000)
    }

    @Test func optionalBehavioursAndWarnings() throws {
        // W7: full exits close the whole position at the mean.
        let (r, _) = try make(["use_rsi_confirmation": "false", "full_exits": "true"], price: P)
        hold(r, usd: 20)
        #expect(try r.decide(at: T0)?.closeFullPosition == true)
        // W8: the z-score of the last close instead of the live price (the last close of C is P × 1.002: z = +1).
        let (r2, s2) = try make(["use_rsi_confirmation": "false", "zscore_on_close": "true"])
        _ = try r2.decide(at: T0)
        #expect(close(s2.indicators["z_score"], 1.0, 1e-6))
        // W4 warned; W15 keys that do nothing are warned when set.
        let (_, s3) = try make(["rebalance_threshold": "0.4"])
        #expect(s3.startupWarnings.contains { $0.contains("correlation_series reference") })
        #expect(s3.startupWarnings.contains { $0.hasPrefix("rebalance_threshold has no effect") })
        #expect(throws: ParameterError.self) { try make(["btc_price_symbols": "ETH/USDT"]) }
        #expect(throws: ParameterError.self) { try make(["correlation_series": "hourly"]) }
    }
}
