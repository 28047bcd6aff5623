import Testing
import TradingCore
@testable import Strategies

/// ema9_trend_flip.md §17: every acceptance scenario, with the spec's hand-computed figures. The hourly recipe: 60 one-
/// minute candles per hour from 2025-01-06 00:00 UTC with open = high = low = close = the hour's value, and the engine's
/// hourly candles of the same hours; the tick is at 16:00:30 UTC unless stated.
@Suite struct EMA9TrendFlipTests {
    let btc = Symbol("BTC/USDT")!
    let day = Timestamp(iso8601: "2025-01-06T00:00:00Z")!
    let T = Timestamp(iso8601: "2025-01-06T16:00:30Z")!

    func make(_ params: [String: String] = [:]) throws -> (ScenarioRunner, EMA9TrendFlipStrategy) {
        let p = try StrategyParameters.resolve(strategy: "ema9_trend_flip", specs: EMA9TrendFlipStrategy.parameters, layers: [params])
        let s = try EMA9TrendFlipStrategy(parameters: p, symbols: [btc])
        return (ScenarioRunner(s, at: T, precise: [btc]), s)
    }

    func flat(_ start: Timestamp, _ v: Double) -> Candle {
        Candle(start: start, open: px(v), high: px(v), low: px(v), close: px(v), volume: Quantity(1))
    }

    /// The recipe: hourly candles (closed) and their 1m candles; `hourly: false` leaves only the 1m candles, from which
    /// the strategy must build the same buckets.
    func recipe(_ r: ScenarioRunner, _ opens: [Double], price: Double?, hourly: Bool = true) {
        var m1: [Candle] = [], h1: [Candle] = []
        for (h, v) in opens.enumerated() {
            let hour = day + .minutes(60 * (Int64(h)))
            h1.append(flat(hour, v))
            for m in 0..<60 { m1.append(flat(hour + .minutes(Int64(m)), v)) }
        }
        r.market.candleLists[.m1, default: [:]][btc] = m1
        r.market.candleLists[.h1, default: [:]][btc] = hourly ? h1 : []
        r.market.prices[btc] = price.map(px)
    }

    var s1: [Double] { Array(repeating: 100, count: 10) + Array(repeating: 98, count: 5) + [101] }
    var s2: [Double] { Array(repeating: 100, count: 10) + Array(repeating: 102, count: 5) + [99] }

    func expectEntry(_ sig: Signal?, _ action: SignalAction, size: Double, sl: Double, tp: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let sig else { Issue.record("no signal", sourceLocation: sourceLocation); return }
        #expect(sig.action == action && sig.symbol == btc && sig.sizeUnit == .usd, "\(sig)", sourceLocation: sourceLocation)
        #expect(close(sig.size.doubleValue, size), "size \(sig.size)", sourceLocation: sourceLocation)
        #expect(close(sig.stopLoss?.doubleValue, sl) && close(sig.takeProfit?.doubleValue, tp), "SL \(String(describing: sig.stopLoss)) TP \(String(describing: sig.takeProfit))",
                sourceLocation: sourceLocation)
    }

    @Test func s01LongFlip() throws {
        for hourly in [true, false] {
            let (r, s) = try make()
            recipe(r, s1, price: 101.5, hourly: hourly)
            let sig = try r.decide(at: T)
            expectEntry(sig, .buy, size: 50, sl: 100.485, tp: 103.53)
            #expect(sig?.reason == "EMA9: Long flip (3 candles below, now above EMA=99.12)")
            #expect(sig?.metadata["entry_type"] == "ema_flip_long" && sig?.metadata["consecutive_candles"] == "3")
            #expect(close(s.indicators["ema_9_BTC/USDT"], 99.124288) && s.indicators["hourly_candle_count_BTC/USDT"] == 16, "hourly \(hourly)")
            #expect(s.indicators["current_position_BTC/USDT"] == 1 && s.indicators["prev_position_BTC/USDT"] == -1)
        }
        // The EMA series from index 8 (§5.2): 100, 100, 99.6, 99.28, 99.024, 98.8192, 98.65536, 99.124288.
        let e = EMA9Math.emaSeries(s1, period: 9)
        #expect(e.prefix(8).allSatisfy { $0 == nil })
        for (k, v) in [100, 100, 99.6, 99.28, 99.024, 98.8192, 98.65536, 99.124288].enumerated() { #expect(close(e[8 + k], v), "e\(8 + k)") }
    }

    @Test func s02ShortFlip() throws {
        let (r, s) = try make()
        recipe(r, s2, price: 98.5)
        let sig = try r.decide(at: T)
        expectEntry(sig, .short, size: 50, sl: 99.485, tp: 96.53)
        #expect(close(s.indicators["ema_9_BTC/USDT"], 100.875712))
        #expect(sig?.reason == "EMA9: Short flip (3 candles above, now below EMA=100.88)")
    }

    /// E9-W2: the bucket right before the current one (100.5 against 99.15536) is ABOVE: no run of three below.
    @Test func s03TheCandleBeforeTheCurrentOneCounts() throws {
        let (r, s) = try make()
        recipe(r, Array(repeating: 100, count: 10) + Array(repeating: 98, count: 4) + [100.5, 101], price: 101.5)
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.counts == ["no_flip_signal": 1])
    }

    @Test func s04InsideTheBufferIsNeutral() throws {
        let (r, s) = try make()
        recipe(r, Array(repeating: 100, count: 10) + Array(repeating: 98, count: 5) + [98.7], price: 98.7)
        #expect(try r.decide(at: T) == nil)
        #expect(close(s.indicators["ema_9_BTC/USDT"], 98.664288) && s.indicators["current_position_BTC/USDT"] == 0)
        #expect(s.rejections.counts == ["no_flip_signal": 1])
    }

    @Test func s05WarmingUpAnd09FiveMinutes() throws {
        var (r, s) = try make()
        recipe(r, Array(repeating: 100, count: 14), price: 100)
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.counts == ["warming_up": 1] && s.status == ["warming_up"])
        #expect(s.indicators["hourly_candle_count_BTC/USDT"] == 14 && s.indicators["required_candles"] == 15)
        (r, s) = try make()
        r.market.prices[btc] = px(100)
        r.market.candleLists[.m1, default: [:]][btc] = (0..<5).map { flat(T - .minutes(Int64(6 - $0)), 100) }
        #expect(try r.decide(at: T) == nil)
        #expect(s.status == ["warming_up"])
    }

    @Test func s06CooldownAnd07AfterALoss() throws {
        var (r, s) = try make()
        recipe(r, s1, price: 101.5)
        s.lastSignalTime = T - .minutes(5)
        #expect(try r.decide(at: T) == nil)
        #expect(s.status == ["cooldown"] && s.rejections.counts == ["time_cooldown": 1])
        for (ago, entry) in [(45, false), (61, true)] {
            (r, s) = try make()
            recipe(r, s1, price: 101.5)
            s.lastTradeWasLoss = true
            s.lastSignalTime = T - .minutes(Int64(ago))
            let sig = try r.decide(at: T)
            if entry { expectEntry(sig, .buy, size: 50, sl: 100.485, tp: 103.53) } else { #expect(sig == nil && s.status == ["cooldown"]) }
        }
    }

    @Test func s08EmptySnapshot() throws {
        let (r, s) = try make()
        #expect(try r.decide(at: T) == nil)
        #expect(s.rejections.counts == ["no_price_data": 1])
    }

    func held(_ notional: Double, entry: Double, since: Timestamp, side: PositionSide = .long) -> EMA9TrendFlipStrategy.Held {
        EMA9TrendFlipStrategy.Held(side: side, notional: notional, entryPrice: entry, entryTime: since, stopLoss: nil, takeProfit: nil)
    }

    func reading(_ current: EMA9Side, ema: Double) -> EMA9TrendFlipStrategy.Reading {
        EMA9TrendFlipStrategy.Reading(key: [], buckets: 16, ema: ema, current: current)
    }

    @Test func s10FlipExitAnd11TimeExit() throws {
        var (_, s) = try make()
        var sig = try s.exitSignal(0, btc, held(50, entry: 100_000, since: T - .minutes(60 * (1))), reading(.below, ema: 99_500), px(99_000), ema: 99_500, now: T)
        #expect(sig?.action == .sell && sig?.size.doubleValue == 50 && sig?.closeFullPosition == true)
        #expect(sig?.reason.contains("EMA flip") == true && sig?.metadata["exit_type"] == "ema_flip" && sig?.metadata["pnl_pct"] == "-1.00")
        (_, s) = try make(["max_hold_hours": "24"])
        sig = try s.exitSignal(0, btc, held(50, entry: 100_000, since: T - .minutes(60 * (25))), reading(.above, ema: 99_500), px(100_500), ema: 99_500, now: T)
        #expect(sig?.action == .sell && sig?.size.doubleValue == 50)
        #expect(sig?.reason.contains("Max hold time (24h) reached") == true && sig?.metadata["exit_type"] == "time_exit")
    }

    @Test func s12s13SizingAnd14s15Stops() throws {
        var (_, s) = try make(["position_size_usd": "100", "max_position_usd": "50"])
        #expect(s.entrySize(0, recorded: 30) == 20)
        (_, s) = try make()
        #expect(s.entrySize(0, recorded: 95) == nil)   // 5 left < 10
        (_, s) = try make(["use_atr_stops": "true"])
        let atr = s.stops(0, long: true, price: 100_000, atr: 500)
        #expect(atr.sl == 99_250 && atr.tp == 101_500)
        (_, s) = try make()
        let short = s.stops(0, long: false, price: 100_000, atr: nil)
        #expect(close(short.sl, 101_000) && close(short.tp, 98_000))
    }

    @Test func s16CandlePosition() {
        #expect([100, 97, 99.05].map { EMA9Side.of($0, ema: 99, bufferPct: 0.1) } == [.above, .below, .neutral])
        #expect([101, 102, 100.5].map { EMA9Side.of($0, ema: 100, bufferPct: 1) } == [.neutral, .above, .neutral])
    }

    @Test func s17EMAAnd18ATR() {
        let e = EMA9Math.emaSeries((10...20).map(Double.init), period: 9)
        #expect(e.count == 11 && e.prefix(8).allSatisfy { $0 == nil } && e[8] == 14 && e[9] == 15 && e[10] == 16)
        let b = (0..<20).map { EMA9Bucket(start: day + .minutes(60 * (Int64($0))), open: 100, high: 102, low: 98, close: 101) }
        #expect(EMA9Math.atr(b) == 4)
        #expect(EMA9Math.atr(Array(b.prefix(14))) == nil)
    }

    /// §5.1 from 1m candles only: 120 starting 10:30 make 10:00 (partial), 11:00, 12:00 (partial); from 10:00, two.
    @Test func s19Aggregation() {
        for (startMinute, count) in [(30, 3), (0, 2)] {
            var ring = RingBuffer<Candle>(capacity: 120)
            for m in 0..<120 { ring.append(flat(day + .minutes(60 * (10)) + .minutes(Int64(startMinute + m)), Double(m))) }
            let b = EMA9Math.buckets(closed: RingBuffer(capacity: 1), minutes: ring, timeframe: .h1)
            #expect(b.count == count)
            #expect(b.first?.start == day + .minutes(60 * (10)) && b.first?.open == 0 && b.first?.close == Double(59 - startMinute))
        }
        // Closed hourly candles first, then only the 1m candles after them.
        var h1 = RingBuffer<Candle>(capacity: 2), m1 = RingBuffer<Candle>(capacity: 90)
        h1.append(flat(day + .minutes(60 * (10)), 1)); h1.append(flat(day + .minutes(60 * (11)), 2))
        for m in 0..<90 { m1.append(flat(day + .minutes(60 * (11)) + .minutes(Int64(m)), 3)) }
        let b = EMA9Math.buckets(closed: h1, minutes: m1, timeframe: .h1)
        #expect(b.map(\.open) == [1, 2, 3] && b.last?.start == day + .minutes(60 * (12)))
    }

    @Test func s20s21BookedFromTheFills() throws {
        var (r, s) = try make()
        r.fill(btc, .buy, pnl: 0, at: T, size: 0.0005, price: 100_000)
        #expect(s.held[0]?.side == .long && close(s.held[0]?.notional, 50) && close(s.held[0]?.entryPrice, 100_000))
        r.fill(btc, .sell, pnl: 25, at: T + .minutes(60 * (1)), size: 0.0005, price: 100_500)
        #expect(s.held[0] == nil && s.tradeCount == 1 && s.winCount == 1 && s.totalPnl == 25)
        (r, s) = try make()
        r.fill(btc, .buy, pnl: 0, at: T, size: 0.0005, price: 100_000)
        r.fill(btc, .sell, pnl: -50, at: T + .minutes(60 * (1)), size: 0.0005, price: 99_000)
        #expect(s.lossCount == 1 && s.lastTradeWasLoss && s.totalPnl == -50)
    }

    /// E9-W3/W4: engine-shaped fills (size and price, `short`/`cover`) are booked, with the fill's own time.
    @Test func s22s23EngineShapedFills() throws {
        var (r, s) = try make()
        r.fill(btc, .buy, pnl: 0, at: T - .minutes(7), size: 0.0005, price: 100_000)
        #expect(close(s.held[0]?.notional, 50) && s.held[0]?.side == .long && s.held[0]?.entryTime == T - .minutes(7))
        (r, s) = try make()
        r.fill(btc, .short, pnl: 0, at: T, size: 0.0005, price: 100_000)
        #expect(s.held[0]?.side == .short && close(s.held[0]?.notional, 50))
        r.fill(btc, .cover, pnl: 1, at: T + .minutes(1), size: 0.0005, price: 99_800)
        #expect(s.held[0] == nil && s.winCount == 1)
    }

    /// E9-W5: an exit inside the cooldown goes out; a position with nothing to do is `in_position`, nothing counted.
    @Test func s24ExitsBypassTheCooldownAnd25InPosition() throws {
        var (r, s) = try make()
        recipe(r, s2, price: 98.5)
        s.setHeld(0, held(50, entry: 100, since: T - .minutes(10)))
        s.lastSignalTime = T - .minutes(10)
        let sig = try r.decide(at: T)
        #expect(sig?.action == .sell && sig?.size.doubleValue == 50 && sig?.metadata["exit_type"] == "ema_flip" && sig?.metadata["pnl_pct"] == "-1.50")
        (r, s) = try make()
        recipe(r, s1, price: 101.5)
        s.setHeld(0, held(50, entry: 100, since: T - .minutes(60 * (2))))
        s.lastSignalTime = T - .minutes(60 * (2))
        #expect(try r.decide(at: T) == nil)
        #expect(s.status == ["in_position"] && s.rejections.counts.isEmpty)
    }

    @Test func s26RejectionTracking() throws {
        let (r, s) = try make()
        recipe(r, Array(repeating: 100, count: 14), price: 100)
        _ = try r.decide(at: T); _ = try r.decide(at: T + .seconds(1))
        recipe(r, s1 + [101], price: 101)   // 17 buckets, current 101 above, previous three 98, 98, 101: mixed
        _ = try r.decide(at: T + .minutes(60 * (1)))
        #expect(s.rejections.counts == ["warming_up": 2, "no_flip_signal": 1])
    }

    /// The options: the strategy's own stop (E9-W6) and dropping a first bucket that began before the data (E9-W9).
    @Test func optionalStopExitsAndPartialFirstBucket() throws {
        let (r, s) = try make(["strategy_stop_exits": "true"])
        var h = held(50, entry: 100, since: T - .minutes(60 * (1)))
        h.stopLoss = 99; h.takeProfit = 102
        let sig = try s.exitSignal(0, btc, h, reading(.above, ema: 98), px(98.9), ema: 98, now: T)
        #expect(sig?.metadata["exit_type"] == "stop_loss")
        _ = r
        // Data from 00:30: with the option the 00:00 bucket (half an hour) is dropped, 15 buckets are left.
        for (drop, count, hourly) in [(false, 16.0, false), (true, 15.0, false), (false, 16.0, true), (true, 15.0, true)] {
            let (r2, s2) = try make(["drop_partial_first_bucket": "\(drop)"])
            recipe(r2, s1, price: 101.5, hourly: hourly)   // with hourly candles the 00:00 one starts on the hour regardless
            r2.market.candleLists[.m1]![btc]!.removeFirst(30)
            _ = try r2.decide(at: T)
            #expect(s2.indicators["hourly_candle_count_BTC/USDT"] == count)
        }
    }

    @Test func aBucketTimeframeThatIsNotAnEngineTimeframeIsRefused() {
        #expect(throws: ParameterError.self) { try make(["candle_timeframe_minutes": "45"]) }
        #expect(throws: Never.self) { try make(["candle_timeframe_minutes": "240"]) }
    }
}
