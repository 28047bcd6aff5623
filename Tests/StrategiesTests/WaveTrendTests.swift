import Foundation
import Testing
import TradingCore
@testable import Strategies

/// wavetrend.md §17: every acceptance scenario, with the spec's reference values (5m candles of recipe WT-A and its
/// mirror WT-M; tolerance 1e-6 relative). Tick 10:00:00 UTC (EUROPE, ×1.0) unless stated; 50 trades at the price, size
/// 10, 25 buys then 25 sells, unless stated.
@Suite struct WaveTrendTests {
    let xrp = Symbol("XRP/USDT")!, btc = Symbol("BTC/USDT")!, xrpbtc = Symbol("XRP/BTC")!
    let T = Timestamp(iso8601: "2025-01-06T10:00:00Z")!

    func make(_ params: [String: String] = [:], at t: Timestamp? = nil, pairs: [Symbol: [String: String]] = [:]) throws -> (ScenarioRunner, WaveTrendStrategy) {
        var p = try StrategyParameters.resolve(strategy: "wavetrend", specs: WaveTrendStrategy.parameters, layers: [params])
        try p.resolveSymbols(strategy: "wavetrend", layers: [WaveTrendStrategy.symbolDefaults, pairs])
        let s = try WaveTrendStrategy(parameters: p, symbols: WaveTrendStrategy.defaultSymbols)
        return (ScenarioRunner(s, at: t ?? T, precise: [xrp, btc, xrpbtc]), s)
    }

    /// Recipe WT-A: (open, high, low, close) of candles 0…57.
    static let recipeA: [(Double, Double, Double, Double)] = {
        var closes: [Double] = (0..<40).map { 1.0 + 0.002 * sin(Double($0)) }
        for _ in 40...51 { closes.append(closes.last! * 0.99) }
        for _ in 52...57 { closes.append(closes.last! * 1.006) }
        return closes.indices.map { i in
            let o = i == 0 ? closes[0] : closes[i - 1], c = closes[i]
            return (o, max(o, c) + 0.001, min(o, c) - 0.001, c)
        }
    }()
    static let recipeM = recipeA.map { (2 - $0.0, 2 - $0.2, 2 - $0.1, 2 - $0.3) }

    /// The first `n` candles of `recipe` × `scale` as the pair's 5m candles, the last closing at `end`; the price is its
    /// last close unless given.
    func candles(_ r: ScenarioRunner, _ s: Symbol, _ recipe: [(Double, Double, Double, Double)], prefix n: Int, scale: Double = 1,
                 end: Timestamp, price: Double? = nil) {
        let list = (0..<n).map { i -> Candle in
            let (o, h, l, c) = recipe[i]
            return Candle(start: end - .minutes(Int64(5 * (n - i))), open: px(o * scale), high: px(h * scale), low: px(l * scale),
                          close: px(c * scale), volume: Quantity(100))
        }
        r.market.candleLists[.m5, default: [:]][s] = list
        r.market.prices[s] = px(price ?? recipe[n - 1].3 * scale)
    }

    func trades(_ r: ScenarioRunner, _ s: Symbol, buys: Int = 25, sells: Int = 25, at t: Timestamp) {
        let p = r.market.prices[s]!.doubleValue
        r.market.tape[s] = nil; r.market.rings[s] = nil
        r.market.append(s, Array(repeating: (p, 10.0, TakerSide.buy), count: buys) + Array(repeating: (p, 10.0, TakerSide.sell), count: sells), at: t)
    }

    func expectSignal(_ sig: Signal?, _ action: SignalAction, _ s: Symbol, size: Double, sl: Double?, tp: Double?,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        guard let sig else { Issue.record("no signal", sourceLocation: sourceLocation); return }
        #expect(sig.action == action && sig.symbol == s, "\(sig)", sourceLocation: sourceLocation)
        #expect(close(sig.size.doubleValue, size, 1e-6), "size \(sig.size) ≠ \(size)", sourceLocation: sourceLocation)
        #expect(sl.map { close(sig.stopLoss?.doubleValue, $0, 1e-6) } ?? (sig.stopLoss == nil), "SL \(String(describing: sig.stopLoss))", sourceLocation: sourceLocation)
        #expect(tp.map { close(sig.takeProfit?.doubleValue, $0, 1e-6) } ?? (sig.takeProfit == nil), "TP \(String(describing: sig.takeProfit))", sourceLocation: sourceLocation)
    }

    let p53 = 0.893422019769888, m53 = 1.106577980230112

    @Test func referenceValuesOfTheRecipe() {
        func wt(_ n: Int, _ recipe: [(Double, Double, Double, Double)] = WaveTrendTests.recipeA) -> WaveTrendMath.Values? {
            let c = recipe.prefix(n)
            return WaveTrendMath.compute(high: c.map(\.1), low: c.map(\.2), close: c.map(\.3), lc: 10, la: 21, lm: 4)
        }
        let v52 = wt(52)!, v53 = wt(53)!, v50 = wt(50)!, v43 = wt(43)!
        #expect(close(v52.wt1, -81.62079, 1e-6) && close(v52.wt2, -80.68576, 1e-6))
        #expect(close(v53.wt1, -80.38578, 1e-6) && close(v53.wt2, -80.96708, 1e-6) && close(v53.prevWT1, -81.62079, 1e-6) && close(v53.prevWT2, -80.68576, 1e-6))
        #expect(close(v50.wt1, -80.55909, 1e-6) && close(v50.wt2, -77.83210, 1e-6))
        #expect(close(v43.wt1, -45.0018, 1e-5) && close(v43.wt2, -19.8095, 1e-5))
        #expect(wt(42) == nil && WaveTrendMath.minimumCandles(10, 21, 4) == 43)
        #expect(close(wt(53, Self.recipeM)!.wt1, 80.38578, 1e-6))   // the mirror negates
        #expect(close(Self.recipeA[52].3, p53, 1e-12))
    }

    @Test func s01LongAfterAWarmTickAnd02Without() throws {
        var (r, s) = try make()
        candles(r, xrp, Self.recipeA, prefix: 52, end: T)
        trades(r, xrp, at: T)
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["no_crossover": 1])
        #expect(s.rejections.countsBySymbol[btc] == ["insufficient_candles": 1])
        candles(r, xrp, Self.recipeA, prefix: 53, end: T + .seconds(1))
        trades(r, xrp, at: T + .seconds(1))
        let sig = try r.decide(at: T + .seconds(1))
        expectSignal(sig, .buy, xrp, size: 25, sl: p53 * 0.985, tp: p53 * 1.03)
        #expect(sig?.metadata["confidence"] == "0.80" && sig?.metadata["zone"] == "extreme_oversold" && sig?.metadata["divergence"] == "null")
        #expect(sig?.metadata["entry_type"] == "wavetrend_long")
        // WT-S2: no warm tick; the previous candle's zone gives the same 0.80 (the reference: 0.70).
        (r, _) = try make()
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, at: T)
        #expect(try r.decide(at: T)?.metadata["confidence"] == "0.80")
    }

    @Test func s03FlowAgainstAnd04TooFewTrades() throws {
        var (r, s) = try make()
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, buys: 20, sells: 30, at: T)
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["trade_flow_not_aligned": 1])
        (r, _) = try make()
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, buys: 0, sells: 4, at: T)
        expectSignal(try r.decide(at: T), .buy, xrp, size: 25, sl: p53 * 0.985, tp: p53 * 1.03)
    }

    @Test func s05Cooldown() throws {
        let (r, s) = try make()
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, at: T)
        #expect(try r.decide(at: T) != nil)
        #expect(try r.decide(at: T + .seconds(30)) == nil)
        #expect(s.rejections.counts["time_cooldown"] == 1)
    }

    @Test func s06Short() throws {
        let (r, _) = try make()
        candles(r, xrp, Self.recipeM, prefix: 52, end: T)
        trades(r, xrp, at: T)
        _ = try r.decide(at: T)
        candles(r, xrp, Self.recipeM, prefix: 53, end: T + .seconds(1))
        let sig = try r.decide(at: T + .seconds(1))
        expectSignal(sig, .short, xrp, size: 20, sl: m53 * 1.015, tp: m53 * 0.97)
        #expect(sig?.metadata["confidence"] == "0.75")
    }

    @Test func s07BTC() throws {
        let (r, _) = try make()
        candles(r, btc, Self.recipeA, prefix: 53, scale: 100_000, end: T, price: 89342.2019769888)
        trades(r, btc, at: T)
        let sig = try r.decide(at: T)
        expectSignal(sig, .buy, btc, size: 50, sl: 89342.2019769888 * 0.99, tp: 89342.2019769888 * 1.02)
        #expect(sig?.metadata["zone"] == "extreme_oversold" && sig?.metadata["confidence"] == "0.80")
    }

    @Test func s08s09Sessions() throws {
        for (iso, size) in [("2025-01-06T22:00:00Z", 12.5), ("2025-01-06T03:00:00Z", 20.0), ("2025-01-06T15:00:00Z", 27.5)] {
            let t = Timestamp(iso8601: iso)!
            let (r, _) = try make(at: t)
            candles(r, xrp, Self.recipeA, prefix: 53, end: t)
            trades(r, xrp, at: t)
            expectSignal(try r.decide(at: t), .buy, xrp, size: size, sl: p53 * 0.985, tp: p53 * 1.03)
        }
        // WT-W6: with session awareness off the size is the base.
        let t = Timestamp(iso8601: "2025-01-06T22:00:00Z")!
        let (r, _) = try make(["use_session_awareness": "false"], at: t)
        candles(r, xrp, Self.recipeA, prefix: 53, end: t)
        trades(r, xrp, at: t)
        #expect(close(try r.decide(at: t)?.size.doubleValue, 25))
    }

    /// WT-S10/S11: a BTC position on the same returns (r = 1).
    @Test func s10CorrelatedLongBlocksAnd11AShortIsCoveredFirst() throws {
        var (r, s) = try make()
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, at: T)
        candles(r, btc, Self.recipeA, prefix: 53, scale: 100_000, end: T, price: 89342.2)
        s.book.set(1, side: .long, notional: 50, entry: 89_000, at: T - .minutes(30))
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["correlation_limit": 1] && s.rejections.countsBySymbol[btc] == ["existing_position": 1])
        (r, s) = try make()
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, at: T)
        candles(r, btc, Self.recipeA, prefix: 53, scale: 100_000, end: T, price: 89342.2)
        s.book.set(1, side: .short, notional: 40, entry: 89_000, at: T - .minutes(30))
        let sig = try r.decide(at: T)
        expectSignal(sig, .cover, btc, size: 40, sl: nil, tp: nil)
        #expect(sig?.closeFullPosition == true && sig?.metadata["exit_type"] == "crossover_reversal")
    }

    @Test func s12SameSideExposureAnd13TheTotalCap() throws {
        for (side, notional, size) in [(PositionSide.long, 50.0, 18.75), (.short, 60.0, 15.0)] {
            let (r, s) = try make()
            candles(r, xrp, Self.recipeA, prefix: 53, end: T)
            trades(r, xrp, at: T)
            r.market.candleLists[.m5]![btc] = (0..<53).map { Candle(start: T - .minutes(Int64(5 * (53 - $0))), open: px(100_000), high: px(100_000),
                                                                    low: px(100_000), close: px(100_000), volume: Quantity(1)) }
            r.market.prices[btc] = px(100_000)
            s.book.set(1, side: side, notional: notional, entry: 100_000, at: T - .minutes(30))
            expectSignal(try r.decide(at: T), .buy, xrp, size: size, sl: p53 * 0.985, tp: p53 * 1.03)
        }
    }

    /// WT-S14–S19: the exits, from the recorded position.
    @Test func s14toS19Exits() throws {
        let cases: [(recipe: [(Double, Double, Double, Double)], prefix: Int, side: PositionSide, notional: Double, entry: Double, price: Double, exit: String?)] = [
            (Self.recipeA, 50, .long, 25, 1.0, 0.9850, "stop_loss"),
            (Self.recipeA, 50, .long, 25, 1.0, 0.9851, nil),
            (Self.recipeA, 50, .long, 25, 1.0, 1.0300, "take_profit"),
            (Self.recipeA, 53, .short, 20, 0.9, 0.893422, "crossover_reversal"),
            (Self.recipeA, 53, .short, 20, 0.88, 0.893422, "stop_loss"),
            (Self.recipeM, 50, .long, 25, 1.08, 1.093875, "extreme_zone_profit_take"),
        ]
        for k in cases {
            let (r, s) = try make()
            candles(r, xrp, k.recipe, prefix: k.prefix, end: T, price: k.price)
            trades(r, xrp, at: T)
            s.book.set(0, side: k.side, notional: k.notional, entry: k.entry, at: T - .minutes(30))
            let sig = try r.decide(at: T)
            if let exit = k.exit {
                expectSignal(sig, k.side == .long ? .sell : .cover, xrp, size: k.notional, sl: nil, tp: nil)
                #expect(sig?.metadata["exit_type"] == exit && sig?.closeFullPosition == true, "\(k.entry) \(k.price)")
            } else {
                #expect(sig == nil && s.rejections.countsBySymbol[xrp] == ["existing_position": 1])
            }
        }
    }

    @Test func s20ABlockingRatioDisablesTrading() throws {
        let (r, s) = try make(["stop_loss_pct": "2.0", "take_profit_pct": "1.0"])
        #expect(!s.configValid && s.startupWarnings.contains { $0.hasPrefix("BLOCKING:") && $0.contains("0.5:1") })
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, at: T)
        #expect(try r.decide(at: T) == nil)
        #expect(s.status.allSatisfy { $0 == "config_invalid" } && s.rejections.counts.isEmpty)
    }

    @Test func s21CircuitBreaker() throws {
        let (r, s) = try make()
        for m in [0, 5, 10] { r.fill(xrp, .sell, pnl: -1, at: T + .minutes(Int64(m)), size: 1, price: 1) }
        let t1 = Timestamp(iso8601: "2025-01-06T10:39:59Z")!, t2 = Timestamp(iso8601: "2025-01-06T10:40:00Z")!
        candles(r, xrp, Self.recipeA, prefix: 53, end: t1)
        trades(r, xrp, at: t1)
        #expect(try r.decide(at: t1) == nil)
        #expect(s.rejections.counts == ["circuit_breaker": 1])
        let sig = try r.decide(at: t2)
        expectSignal(sig, .buy, xrp, size: 25, sl: p53 * 0.985, tp: p53 * 1.03)
        #expect(sig?.metadata["confidence"] == "0.80")
    }

    @Test func s22FewCandlesAnd23WarmingUpAnd24Flat() throws {
        var (r, s) = try make()
        candles(r, xrp, Self.recipeA, prefix: 49, end: T)
        #expect(try r.decide(at: T) == nil && s.rejections.countsBySymbol[xrp] == ["insufficient_candles": 1])
        (r, s) = try make(["min_candle_buffer": "30"])
        candles(r, xrp, Self.recipeA, prefix: 42, end: T)
        #expect(try r.decide(at: T) == nil && s.rejections.countsBySymbol[xrp] == ["warming_up": 1] && s.status[0] == "wt_calc_failed")
        candles(r, xrp, Self.recipeA, prefix: 43, end: T + .minutes(5))
        _ = try r.decide(at: T + .minutes(5))
        #expect(close(s.indicators["wt1_XRP/USDT"], -45.0018, 1e-5) && close(s.indicators["wt2_XRP/USDT"], -19.8095, 1e-5))
        // With warmup_from_indicators the gate is 43, not 30: prefix 42 is refused before the computation.
        (r, s) = try make(["min_candle_buffer": "30", "warmup_from_indicators": "true"])
        candles(r, xrp, Self.recipeA, prefix: 42, end: T)
        #expect(try r.decide(at: T) == nil && s.rejections.countsBySymbol[xrp] == ["insufficient_candles": 1])
        (r, s) = try make()
        r.market.candleLists[.m5, default: [:]][xrp] = (0..<60).map { Candle(start: T - .minutes(Int64(5 * (60 - $0))), open: px(1), high: px(1), low: px(1), close: px(1), volume: Quantity(1)) }
        r.market.prices[xrp] = px(1)
        #expect(try r.decide(at: T) == nil)
        #expect(s.indicators["wt1_XRP/USDT"] == 0 && s.indicators["wt2_XRP/USDT"] == 0 && s.indicators["prev_wt1_XRP/USDT"] == 0)
        #expect(s.rejections.countsBySymbol[xrp] == ["no_crossover": 1])
    }

    @Test func s25Crossover26Zones27Confidence28Fees() {
        #expect(WaveTrendMath.crossover(wt1: -50, wt2: -52, prevWT1: -55, prevWT2: -55) == .bullish)
        #expect(WaveTrendMath.crossover(wt1: -50, wt2: -50, prevWT1: -55, prevWT2: -53) == .none)
        let zones = [-75, -74.9, -60, -59.9, 60, 74.9, 75].map { WaveTrendMath.zone($0, ob: 60, os: -60, xob: 75, xos: -75) }
        #expect(zones == [.extremeOversold, .oversold, .oversold, .neutral, .overbought, .overbought, .extremeOverbought])
        #expect(close(WaveTrendStrategy.confidence(long: true, zone: .neutral, prevZone: .extremeOversold, divergence: .bullish, cap: 0.92), 0.90))
        #expect(close(WaveTrendStrategy.confidence(long: false, zone: .neutral, prevZone: .extremeOverbought, divergence: .bearish, cap: 0.88), 0.85))
        #expect(WaveTrendStrategy.confidence(long: true, zone: .neutral, prevZone: .neutral, divergence: .none, cap: 0.92) == 0.55)
        #expect(WaveTrendStrategy.feeOK(takeProfitPct: 3.0, feeRate: 0.001, minNetPct: 0.1))
        #expect(!WaveTrendStrategy.feeOK(takeProfitPct: 0.25, feeRate: 0.001, minNetPct: 0.1))
    }

    @Test func s29FillsAnd30EmptySnapshot() throws {
        var (r, s) = try make()
        r.fill(xrp, .buy, pnl: 0, at: T, size: 25, price: 1.0)
        #expect(close(s.book.notional[0], 25) && s.book.entries[0]?.side == .long && close(s.book.entries[0]?.entryPrice, 1.0))
        r.fill(xrp, .sell, pnl: 0.7, at: T + .minutes(5), size: 25, price: 1.03)
        #expect(s.book.notional[0] == 0 && s.book.entries[0] == nil && s.book.wins[0] == 1 && s.book.trades[0] == 2)
        // An engine stop at a loss: the exit's value (24.5) is under the entry's, but the portfolio holds nothing any
        // more, so the record goes (the reference kept 0.5 USD of it and refused new entries forever).
        (r, s) = try make()
        r.fill(xrp, .buy, pnl: 0, at: T, size: 25, price: 1.0)
        r.fill(xrp, .sell, pnl: -0.5, at: T + .minutes(5), size: 25, price: 0.98)
        #expect(s.book.notional[0] == 0 && s.book.entries[0] == nil && s.book.total == 0 && s.book.losses[0] == 1)
        // A partial close with the position still held keeps the rest.
        (r, s) = try make()
        r.fill(xrp, .buy, pnl: 0, at: T, size: 25, price: 1.0)
        r.portfolio.hold(xrp, .long, size: 15, entry: 1.0, since: T)
        r.fill(xrp, .sell, pnl: 0.1, at: T + .minutes(5), size: 10, price: 1.01)
        #expect(close(s.book.notional[0], 14.9) && s.book.entries[0] != nil)
        (r, s) = try make()
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.countsBySymbol == [xrp: ["insufficient_candles": 1], btc: ["insufficient_candles": 1], xrpbtc: ["insufficient_candles": 1]])
    }

    /// WT-W10 (option): a crossover candle is acted upon once per pair.
    @Test func oneEntryPerCrossoverCandle() throws {
        for (once, second) in [(false, true), (true, false)] {
            let (r, s) = try make(["one_entry_per_crossover": "\(once)", "cooldown_seconds": "0"])
            candles(r, xrp, Self.recipeA, prefix: 53, end: T)
            trades(r, xrp, at: T)
            #expect(try r.decide(at: T) != nil)
            #expect((try r.decide(at: T + .seconds(1)) != nil) == second)   // the position was never filled: flat again
            _ = s
        }
    }

    /// Paths beyond §17's table: a crossover outside its zone, the caps, the correlation size scaling, the layering.
    @Test func morePaths() throws {
        // Zone bounds a user sets for XRP/USDT beat the built-in table: at −90/−95 the −80.4 crossover is outside.
        var (r, s) = try make(pairs: [xrp: ["wt_oversold": "-90", "wt_extreme_oversold": "-95"]])
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, at: T)
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["zone_not_confirmed": 1] && s.status[0] == "zone_not_confirmed_long")
        // A user's global value does not beat the table (resolution 32) and is warned about.
        (_, s) = try make(["wt_oversold": "-40"])
        #expect(s.startupWarnings.contains { $0.contains("wt_oversold") })
        // 75 USD already open (BTC/USDT, no data): XRP is refused by the total cap.
        (r, s) = try make()
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, at: T)
        s.book.set(1, side: .long, notional: 75, entry: 100_000, at: T - .minutes(30))
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.countsBySymbol[xrp] == ["max_position": 1] && s.status[0] == "position_limit_total_limit")
        // 0.5 < r < 0.85 on the same side scales the size by 1 − (r − 0.5): BTC's returns are XRP's plus a
        // counter-moving part, so r is in between; the expected size is the formula on the measured r.
        (r, s) = try make(["same_direction_size_mult": "1"])
        candles(r, xrp, Self.recipeA, prefix: 53, end: T)
        trades(r, xrp, at: T)
        let mixed = (0..<53).map { i -> (Double, Double, Double, Double) in
            let (o, h, l, c) = Self.recipeA[i]
            let wiggle = i % 2 == 0 ? 1.004 : 0.996
            return (o * 100_000 * wiggle, h * 100_000 * wiggle * 1.01, l * 100_000 * wiggle * 0.99, c * 100_000 * wiggle)
        }
        r.market.candleLists[.m5]![btc] = mixed.enumerated().map { i, v in
            Candle(start: T - .minutes(Int64(5 * (53 - i))), open: px(v.0), high: px(v.1), low: px(v.2), close: px(v.3), volume: Quantity(1))
        }
        r.market.prices[btc] = px(mixed[52].3)
        s.book.set(1, side: .long, notional: 10, entry: mixed[52].3, at: T - .minutes(30))
        let corr = try #require(s.correlation(xrp, btc, DataSnapshot(timestamp: T, market: r.market)))
        let sig = try r.decide(at: T)
        if corr > 0.5 && corr < 0.85 {
            #expect(close(sig?.size.doubleValue, 25 * max(0.5, 1 - (corr - 0.5)), 1e-6), "r \(corr): \(String(describing: sig))")
        } else {
            Issue.record("the crafted series gave r = \(corr), outside (0.5, 0.85)")
        }
    }
}
