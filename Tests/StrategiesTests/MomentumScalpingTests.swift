import Testing
import TradingCore
import Indicators
@testable import Strategies

/// momentum_scalping.md §17: every acceptance scenario, with the spec's figures (recipe MS-A of 1m candles and its
/// mirror MS-M; tick 1 at 10:00:00 UTC on candles 0…62, tick 2 one second later on 0…63; no 5m candles unless stated).
@Suite struct MomentumScalpingTests {
    let xrp = Symbol("XRP/USDT")!, btc = Symbol("BTC/USDT")!, xrpbtc = Symbol("XRP/BTC")!
    let T = Timestamp(iso8601: "2025-01-06T10:00:00Z")!

    func make(_ params: [String: String] = [:], at t: Timestamp? = nil) throws -> (ScenarioRunner, MomentumScalpingStrategy) {
        var p = try StrategyParameters.resolve(strategy: "momentum_scalping", specs: MomentumScalpingStrategy.parameters, layers: [params])
        try p.resolveSymbols(strategy: "momentum_scalping", layers: [MomentumScalpingStrategy.symbolDefaults, [:]])
        let s = try MomentumScalpingStrategy(parameters: p, symbols: MomentumScalpingStrategy.defaultSymbols)
        return (ScenarioRunner(s, at: t ?? T, precise: [xrp, btc, xrpbtc]), s)
    }

    /// Recipe MS-A: (open, high, low, close, volume) of candles 0…63.
    static let recipeA: [(Double, Double, Double, Double, Double)] = {
        let closes = (0..<60).map { 100 + 0.05 * Double($0) } + [102.83, 102.71, 102.59, 102.65]
        return closes.indices.map { i in
            let o = i == 0 ? closes[0] : closes[i - 1], c = closes[i]
            return (o, max(o, c) + 0.02, min(o, c) - 0.02, c, i == 63 ? 200 : 100)
        }
    }()
    static let recipeM = recipeA.map { (200 - $0.0, 200 - $0.2, 200 - $0.1, 200 - $0.3, $0.4) }

    func candles(_ r: ScenarioRunner, _ s: Symbol, _ recipe: [(Double, Double, Double, Double, Double)], through last: Int, scale: Double = 1,
                 end: Timestamp, price: Double? = nil) {
        let n = last + 1
        r.market.candleLists[.m1, default: [:]][s] = (0..<n).map { k in
            let (o, h, l, c, v) = recipe[k]
            return Candle(start: end - .minutes(Int64(n - k)), open: px(o * scale), high: px(h * scale), low: px(l * scale), close: px(c * scale),
                          volume: Quantity(rounding: v, toDecimals: 8)!)
        }
        r.market.prices[s] = px(price ?? recipe[last].3 * scale)
    }

    func trades(_ r: ScenarioRunner, _ s: Symbol, buys: Int, sells: Int, at t: Timestamp) {
        let p = r.market.prices[s]!.doubleValue
        r.market.tape[s] = nil; r.market.rings[s] = nil
        r.market.append(s, Array(repeating: (p, 10.0, TakerSide.buy), count: buys) + Array(repeating: (p, 10.0, TakerSide.sell), count: sells), at: t)
    }

    /// Ticks 1 and 2 of a recipe on one pair; returns tick 2's decision.
    func twoTicks(_ r: ScenarioRunner, _ s: Symbol, _ recipe: [(Double, Double, Double, Double, Double)] = recipeA, scale: Double = 1,
                  buys: Int = 30, sells: Int = 20, first: Int = 62, at t: Timestamp? = nil) throws -> (Signal?, Signal?) {
        let t1 = t ?? T
        candles(r, s, recipe, through: first, scale: scale, end: t1)
        trades(r, s, buys: buys, sells: sells, at: t1)
        let a = try r.decide(at: t1)
        candles(r, s, recipe, through: first + 1, scale: scale, end: t1 + .seconds(1))
        trades(r, s, buys: buys, sells: sells, at: t1 + .seconds(1))
        return (a, try r.decide(at: t1 + .seconds(1)))
    }

    func expectSignal(_ sig: Signal?, _ action: SignalAction, _ s: Symbol, size: Double, sl: Double?, tp: Double?, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let sig else { Issue.record("no signal", sourceLocation: sourceLocation); return }
        #expect(sig.action == action && sig.symbol == s, "\(sig)", sourceLocation: sourceLocation)
        #expect(close(sig.size.doubleValue, size, 1e-9), "size \(sig.size)", sourceLocation: sourceLocation)
        #expect(sl.map { close(sig.stopLoss?.doubleValue, $0, 1e-9) } ?? (sig.stopLoss == nil), "SL \(String(describing: sig.stopLoss))", sourceLocation: sourceLocation)
        #expect(tp.map { close(sig.takeProfit?.doubleValue, $0, 1e-9) } ?? (sig.takeProfit == nil), "TP \(String(describing: sig.takeProfit))", sourceLocation: sourceLocation)
    }

    @Test func theRecipesReferenceValues() throws {
        let (r, s) = try make()
        _ = try twoTicks(r, xrp)
        let i = s.indicators
        #expect(close(i["rsi_XRP/USDT"], 51.50, 1e-3) && close(i["ema_fast_XRP/USDT"], 102.71226, 1e-6))
        #expect(close(i["ema_slow_XRP/USDT"], 102.52524, 1e-6) && close(i["ema_filter_XRP/USDT"], 101.86796, 1e-6))
        #expect(close(i["volatility_XRP/USDT"], 0.0593, 1e-2) && close(i["atr_XRP/USDT"], 0.103672, 1e-5))
        #expect(close(i["volume_ratio_XRP/USDT"], 200 / ((19 * 100 + 200) / 20.0), 1e-9))   // 1.9048 (MS-W1 fixed)
        #expect((i["adx_XRP/USDT"] ?? 0) > 30)
    }

    @Test func s01Long() throws {
        let (r, s) = try make()
        let (a, b) = try twoTicks(r, xrp)
        #expect(a == nil)
        #expect(s.rejections.countsBySymbol[xrp]?["no_signal_conditions"] == 1)   // no previous RSI at tick 1
        expectSignal(b, .buy, xrp, size: 25, sl: 102.65 * 0.996, tp: 102.65 * 1.008)
        #expect(b?.reason == "MS: Long (RSI momentum rising in mid-range, vol=1.9x, LOW)" && b?.metadata["signal_strength"] == "0.25")
    }

    @Test func s02BalancedS03NoTradesS04LowVolume() throws {
        for (buys, sells, reason) in [(25, 25, "trade_flow_not_aligned"), (0, 0, "trade_flow_not_aligned")] {
            let (r, s) = try make()
            let (_, b) = try twoTicks(r, xrp, buys: buys, sells: sells)
            #expect(b == nil && s.rejections.countsBySymbol[xrp]?[reason] == 1, "\(buys)/\(sells)")
        }
        var low = Self.recipeA
        low[63].4 = 120
        let (r, s) = try make()
        let (_, b) = try twoTicks(r, xrp, low)
        #expect(b == nil && s.rejections.countsBySymbol[xrp]?["volume_not_confirmed"] == 1)
    }

    @Test func s05Sessions() throws {
        for (iso, size) in [("2025-01-06T22:00:00Z", 12.5), ("2025-01-06T03:00:00Z", 20.0)] {
            let t = Timestamp(iso8601: iso)!
            let (r, _) = try make(at: t)
            let (_, b) = try twoTicks(r, xrp, at: t)
            expectSignal(b, .buy, xrp, size: size, sl: 102.65 * 0.996, tp: 102.65 * 1.008)
        }
    }

    @Test func s06ShortS07NotAligned() throws {
        var (r, s) = try make()
        let (_, b) = try twoTicks(r, xrp, Self.recipeM, buys: 20, sells: 30)
        expectSignal(b, .short, xrp, size: 25, sl: 97.35 * 1.004, tp: 97.35 * 0.992)
        (r, s) = try make()
        let (_, c) = try twoTicks(r, xrp, buys: 20, sells: 30, first: 61)   // RSI 57.65 → 45.82: falling, a short against the ribbon
        #expect(c == nil && s.rejections.countsBySymbol[xrp]?["trend_not_aligned"] == 1)
    }

    @Test func s08s09FiveMinuteFilter() throws {
        for (count, close5, entry) in [(30, 100.0, false), (60, 100.0, true), (60, 110.0, false)] {
            let (r, s) = try make()
            r.market.candleLists[.m5, default: [:]][xrp] = (0..<count).map {
                Candle(start: T - .minutes(Int64(5 * (count - $0))), open: px(close5), high: px(close5), low: px(close5), close: px(close5), volume: Quantity(1))
            }
            let (_, b) = try twoTicks(r, xrp)
            if entry { expectSignal(b, .buy, xrp, size: 25, sl: 102.65 * 0.996, tp: 102.65 * 1.008) }
            else { #expect(b == nil && s.rejections.countsBySymbol[xrp]?["timeframe_misalignment"] == 1, "\(count) at \(close5)") }
        }
    }

    @Test func s10ADXOnBTCAndS11XRPBTCVolume() throws {
        var (r, s) = try make()
        let (a, b) = try twoTicks(r, btc)
        #expect(a == nil && b == nil && s.rejections.countsBySymbol[btc] == ["adx_strong_trend": 2])
        (r, s) = try make()
        let (_, c) = try twoTicks(r, xrpbtc, scale: 0.00002)
        #expect(c == nil && s.rejections.countsBySymbol[xrpbtc]?["volume_not_confirmed"] == 1)   // 1.905 < 2.0
    }

    @Test func s12CorrelationBreakdown() throws {
        let (r, s) = try make()
        var x = [1.0], b = [100_000.0]
        for k in 1...100 {
            x.append(x.last! * (k % 2 == 1 ? 1.01 : 0.99))
            b.append(b.last! * ([1, 2].contains(k % 4) ? 1.01 : 0.99))
        }
        func five(_ v: [Double]) -> [Candle] { v.indices.map { Candle(start: T - .minutes(Int64(5 * (v.count - $0))), open: px(v[$0]), high: px(v[$0]), low: px(v[$0]), close: px(v[$0]), volume: Quantity(1)) } }
        r.market.candleLists[.m5, default: [:]][xrp] = five(x)
        r.market.candleLists[.m5, default: [:]][btc] = five(b)
        candles(r, xrpbtc, Self.recipeA, through: 63, scale: 0.00002, end: T)
        #expect(try r.decide(at: T) == nil)
        #expect(s.correlationPaused && abs(s.correlation ?? 1) < 0.1)
        #expect(s.rejections.countsBySymbol == [xrp: ["warming_up": 1], btc: ["warming_up": 1], xrpbtc: ["correlation_breakdown": 1]])
    }

    @Test func s13ExtremeVolatility() throws {
        let (r, s) = try make()
        r.market.candleLists[.m1, default: [:]][xrp] = (0..<64).map { k in
            let c = k % 2 == 0 ? 100.0 : 101.5, o = k % 2 == 0 ? 101.5 : 100.0
            return Candle(start: T - .minutes(Int64(64 - k)), open: px(o), high: px(max(o, c)), low: px(min(o, c)), close: px(c), volume: Quantity(100))
        }
        r.market.prices[xrp] = px(101.5)
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["regime_pause": 1] && close(s.indicators["volatility_XRP/USDT"], 1.489, 1e-3))
    }

    /// MS-S14–S20: the exits, from the recorded position (MS-A tick-2 candles unless stated).
    @Test func s14toS20Exits() throws {
        let cases: [(side: PositionSide, entry: Double, ago: Int64, price: Double, last: Int, highest: Double?, exit: String)] = [
            (.long, 100.0, 30, 99.60, 63, nil, "stop_loss"),
            (.long, 100.0, 30, 100.81, 63, nil, "take_profit"),
            (.long, 102.5, 181, 102.6, 63, nil, "time_exit"),
            (.long, 102.5, 100, 102.6, 63, nil, "ema_cross"),
            (.long, 102.5, 30, 102.9, 59, nil, "momentum_exhaustion"),
            (.long, 102.0, 30, 102.55, 63, 102.75, "trailing_stop"),
            (.short, 100.0, 30, 100.4, 63, nil, "stop_loss"),
        ]
        for k in cases {
            let (r, s) = try make()
            candles(r, xrp, Self.recipeA, through: k.last, end: T, price: k.price)
            s.book.set(0, side: k.side, notional: 25, entry: k.entry, at: T - .seconds(k.ago))
            if let h = k.highest { s.book.track(0, price: h) }
            let sig = try r.decide(at: T)
            expectSignal(sig, k.side == .long ? .sell : .cover, xrp, size: 25, sl: nil, tp: nil)
            #expect(sig?.metadata["exit_type"] == k.exit && sig?.closeFullPosition == true, "\(k.exit): \(String(describing: sig?.metadata))")
            if k.exit == "trailing_stop" { #expect(close(sig?.metadata["trail_price"].flatMap(Double.init), 102.75 - 1.5 * 0.103672, 1e-6)) }
        }
    }

    @Test func s21CooldownS22Breaker() throws {
        var (r, s) = try make()
        let (_, b) = try twoTicks(r, xrp)
        #expect(b != nil)
        #expect(try r.decide(at: T + .seconds(20)) == nil && s.rejections.counts["time_cooldown"] == 1)
        (r, s) = try make()
        for k in 0..<3 { r.fill(xrp, .sell, pnl: -1, at: T + .seconds(Int64(k)), size: 1, price: 100) }
        candles(r, xrp, Self.recipeA, through: 63, end: T)
        #expect(try r.decide(at: T + .seconds(601)) == nil && s.rejections.counts["circuit_breaker"] == 1)
        _ = try r.decide(at: T + .seconds(602))
        #expect(s.rejections.counts["circuit_breaker"] == 1 && s.rejections.countsBySymbol[xrp] != nil)   // reset: evaluated
    }

    @Test func s23WarmUpS26Empty() throws {
        var (r, s) = try make()
        candles(r, xrp, Self.recipeA, through: 49, end: T)
        #expect(try r.decide(at: T) == nil && s.rejections.countsBySymbol[xrp] == ["warming_up": 1])
        (r, s) = try make()
        #expect(try r.decide(at: T) == nil)
        #expect(s.correlation == nil && !s.correlationPaused)
        #expect(s.rejections.countsBySymbol == [xrp: ["warming_up": 1], btc: ["warming_up": 1], xrpbtc: ["warming_up": 1]])
    }

    @Test func s24MomentumAndS25HighRegime() throws {
        let a = MomentumScalpingStrategy.momentum(rsi: 32, prev: 25, crossover: nil, overbought: 70, oversold: 30)
        #expect(a.long && !a.short && a.strength == 0.5)
        let b = MomentumScalpingStrategy.momentum(rsi: 50, prev: 45, crossover: .bullish, overbought: 70, oversold: 30)
        #expect(b.long && b.strength == 0.5)
        let c = MomentumScalpingStrategy.momentum(rsi: 50, prev: nil, crossover: .bearish, overbought: 70, oversold: 30)
        #expect(c.short && !c.long && close(c.strength, 0.4))
        // HIGH (0.8 %): the bands widen to 75/25 and sizes are × 0.75: prev 24, RSI 26 crosses 25 (not 30 → no mid-range).
        let d = MomentumScalpingStrategy.momentum(rsi: 26, prev: 24, crossover: nil, overbought: 75, oversold: 25)
        #expect(d.long && d.strength == 0.5)
        #expect(!MomentumScalpingStrategy.momentum(rsi: 26, prev: 24, crossover: nil, overbought: 70, oversold: 30).long)
        // Regime HIGH sizing: alternating ±0.8 % closes give a 0.8 % volatility; 25 × 0.75 = 18.75 in EUROPE.
        let (r, s) = try make(["require_ema_alignment": "false", "use_trade_flow_confirmation": "false", "require_volume_confirmation": "false"])
        var closes = [100.0]
        for k in 1..<64 { closes.append(closes.last! * (k % 2 == 1 ? 1.008 : 1 / 1.008)) }
        func set(_ n: Int, _ t: Timestamp) {
            r.market.candleLists[.m1, default: [:]][xrp] = (0..<n).map { Candle(start: t - .minutes(Int64(n - $0)), open: px($0 == 0 ? closes[0] : closes[$0 - 1]),
                high: px(max(closes[$0], $0 == 0 ? closes[0] : closes[$0 - 1])), low: px(min(closes[$0], $0 == 0 ? closes[0] : closes[$0 - 1])), close: px(closes[$0]), volume: Quantity(100)) }
            r.market.prices[xrp] = px(closes[n - 1])
        }
        set(63, T)
        var sig = try r.decide(at: T)
        if sig == nil { set(64, T + .seconds(1)); sig = try r.decide(at: T + .seconds(1)) }
        let vol = s.indicators["volatility_XRP/USDT"] ?? 0
        #expect(vol > 0.6 && vol < 1.2, "volatility \(vol)")
        if let sig { #expect(close(sig.size.doubleValue, 18.75), "\(sig)") } else { Issue.record("no HIGH-regime entry: \(s.rejections.countsBySymbol)") }
    }

    /// Paths beyond §17's table: the breakeven exhaustion exit, a short's trailing stop, the caps and the fee check,
    /// the unknown-correlation option, the regime-widened bands through the strategy.
    @Test func morePaths() throws {
        var (r, s) = try make(["exit_breakeven_on_momentum_exhaustion": "true"])
        candles(r, xrp, Self.recipeA, through: 59, end: T, price: 102.65)   // RSI 100; pnl −0.05 %
        s.book.set(0, side: .long, notional: 25, entry: 102.7, at: T - .seconds(30))
        #expect(try r.decide(at: T)?.metadata["exit_type"] == "momentum_breakeven")
        (r, s) = try make()
        candles(r, xrp, Self.recipeA, through: 63, end: T, price: 102.5)
        s.book.set(0, side: .short, notional: 25, entry: 103.0, at: T - .seconds(30))
        s.book.track(0, price: 102.3)   // pnl +0.485 %; trail 102.3 + 1.5 × 0.103672 = 102.4555 ≤ 102.5
        let trail = try r.decide(at: T)
        #expect(trail?.action == .cover && trail?.metadata["exit_type"] == "trailing_stop")
        #expect(close(trail?.metadata["trail_price"].flatMap(Double.init), 102.3 + 1.5 * 0.103672, 1e-6))
        // Caps: 75 USD open elsewhere (BTC/USDT, no data) leaves no room.
        (r, s) = try make()
        s.book.set(1, side: .long, notional: 75, entry: 100_000, at: T - .minutes(1))
        _ = try twoTicks(r, xrp)
        #expect(s.rejections.countsBySymbol[xrp]?["max_position"] == 2 && s.status[0] == "position_limit_total_limit")
        (r, s) = try make(["fee_rate": "0.004"])   // 0.8 − 0.8 < 0.1
        _ = try twoTicks(r, xrp)
        #expect(s.rejections.countsBySymbol[xrp]?["fee_unprofitable"] == 2)
        // Exposure: another pair long 90 USD; 25 × 0.75 = 18.75 → capped at 10 → allowed; at 97, 3 < 5 → correlation_limit.
        for (held, outcome) in [(90.0, "buy 10"), (97.0, "correlation_limit")] {
            (r, s) = try make(["max_position_usd": "1000", "max_position_per_symbol_usd": "1000"])
            s.book.set(1, side: .long, notional: held, entry: 100_000, at: T - .minutes(1))
            let (_, b) = try twoTicks(r, xrp)
            if outcome == "buy 10" { #expect(close(b?.size.doubleValue, 10)) } else { #expect(b == nil && s.rejections.countsBySymbol[xrp]?[outcome] == 1) }
        }
        // MS-W3 option: an unknown correlation pauses XRP/BTC.
        (r, s) = try make(["pause_on_unknown_correlation": "true"])
        candles(r, xrpbtc, Self.recipeA, through: 63, scale: 0.00002, end: T)
        _ = try r.decide(at: T)
        #expect(s.correlationPaused && s.rejections.countsBySymbol[xrpbtc] == ["correlation_breakdown": 1])
        // MS-W8 option: the previous candle's RSI, so tick 1 already sees the turn (45.82 → 51.50 needs no warm tick).
        (r, s) = try make(["candle_based_prev_rsi": "true"])
        candles(r, xrp, Self.recipeA, through: 63, end: T)
        trades(r, xrp, buys: 30, sells: 20, at: T)
        #expect(try r.decide(at: T)?.action == .buy)
    }
}
