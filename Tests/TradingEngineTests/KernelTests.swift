import Testing
import TradingCore
import MarketData
import PaperExchange
@testable import TradingEngine

let XRP = Symbol("XRP/USD")!
let T0 = Timestamp(iso8601: "2025-01-15T00:00:00Z")!

struct Boom: Error {}

/// A scripted strategy for kernel tests.
/// The strategy's name as a type, so suites running in parallel never share mutable state.
protocol ScriptName { static var value: String { get } }
enum NameA: ScriptName { static let value = "a" }
enum NameS: ScriptName { static let value = "s" }

final class Scripted<N: ScriptName>: Strategy {
    static var name: String { N.value }
    static var version: String { "0" }
    static var summary: String { "test" }
    static var defaultSymbols: [Symbol] { [XRP] }
    static var parameters: [ParameterSpec] { [] }
    var rejections = RejectionTracker()
    var decide: (DataSnapshot, StrategyContext) throws -> Signal? = { _, _ in nil }
    var log: [String] = []
    var fills: [Fill] = []
    init(parameters: StrategyParameters, symbols: [Symbol]) throws {}
    func generateSignal(_ s: DataSnapshot, _ c: StrategyContext) throws -> Signal? {
        log.append("tick")
        return try decide(s, c)
    }
    func onFill(_ f: Fill, _ c: StrategyContext) { log.append("fill:\(f.trigger?.rawValue ?? "own")"); fills.append(f) }
    func onStop(_ c: StrategyContext) { log.append("stop") }
}

/// Distinct names for two scripted strategies in one kernel.
final class ScriptedB: Strategy {
    static let name = "b"
    static let version = "0"
    static let summary = "test"
    static let defaultSymbols = [XRP]
    static let parameters: [ParameterSpec] = []
    var rejections = RejectionTracker()
    var count = 0
    init(parameters: StrategyParameters, symbols: [Symbol]) throws {}
    func generateSignal(_ s: DataSnapshot, _ c: StrategyContext) throws -> Signal? {
        count += 1
        return try Signal(action: count % 2 == 1 ? .buy : .sell, symbol: XRP, size: Money(10), price: s.price(XRP)!, reason: "b",
                          closeFullPosition: count % 2 == 0)
    }
}

func makeKernel(_ strategies: [any Strategy], engine: EngineConfig = EngineConfig(), fill: FillModel = .topOfBook, grace: Interval = .seconds(2), start: Timestamp = T0) -> Kernel {
    var c = ExchangeConfig()
    c.fillModel = fill
    var md = MarketDataConfig()
    md.candleCloseGrace = grace
    let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
    let k = Kernel(market: MarketState(symbols: [XRP], config: md), exchange: ex, strategies: strategies, clock: ManualClock(start), config: engine)
    k.start()
    return k
}

/// A scripted strategy named "s" that buys `size` USD of `symbol` once, on its first tick.
func buyOnce(size: Int, stopLoss: String? = nil, symbol: Symbol = XRP) throws -> Scripted<NameS> {
    let s = try Scripted<NameS>(parameters: .defaults([]), symbols: [symbol])
    var done = false
    s.decide = { snap, _ in
        if done { return nil }
        done = true
        return try Signal(action: .buy, symbol: symbol, size: Money(size), price: snap.price(symbol)!, reason: "entry",
                          stopLoss: stopLoss.map { Price($0)! })
    }
    return s
}

func bookAt(_ p: String, _ t: Timestamp) -> MarketEvent {
    let px = Price(p)!, d = Price("0.001")!
    return .book(BookUpdate(symbol: XRP, time: t, isSnapshot: true, bids: [BookLevel(price: px - d, size: Quantity(1000))],
                            asks: [BookLevel(price: px + d, size: Quantity(1000))]))
}

@Suite(.serialized) struct KernelTests {
    /// Engine §8 scenario 29 (first half): a throwing strategy is isolated and counted.
    @Test func errorIsolation() throws {
        let a = try Scripted<NameA>(parameters: .defaults([]), symbols: [XRP])
        a.decide = { _, _ in throw Boom() }
        let b = try ScriptedB(parameters: .defaults([]), symbols: [XRP])
        let k = makeKernel([a, b])
        var t = T0
        for _ in 0..<5 {
            t = t + .seconds(1)
            k.handle(bookAt("2.35", t))
            k.handle(.timer(t))
        }
        let ra = try #require(k.runner("a")), rb = try #require(k.runner("b"))
        #expect(ra.errors == 5 && !ra.paused)
        #expect(rb.signals == 5 && rb.portfolio.totalFills == 5)
        #expect(ra.portfolio.cash == Money(100) && ra.portfolio.totalFills == 0)
    }

    @Test func pausesAfterTooManyErrors() throws {
        let a = try Scripted<NameA>(parameters: .defaults([]), symbols: [XRP])
        a.decide = { _, _ in throw Boom() }
        var e = EngineConfig(); e.maxStrategyErrors = 3
        let k = makeKernel([a], engine: e)
        var t = T0
        for _ in 0..<10 { t = t + .seconds(1); k.handle(bookAt("2.35", t)); k.handle(.timer(t)) }
        #expect(k.runner("a")!.errors == 3 && k.runner("a")!.paused)
        #expect(a.log.count == 3)
    }

    /// Engine §8 scenario 29 (second half): exits run before strategies and reach onFill first.
    @Test func exitsBeforeStrategiesAndDelivered() throws {
        let s = try buyOnce(size: 50, stopLoss: "2.30")
        let k = makeKernel([s])
        k.handle(bookAt("2.35", T0 + .seconds(1)))
        k.handle(.timer(T0 + .seconds(1)))        // tick N: buy, the stop is not evaluated yet
        #expect(s.log == ["tick", "fill:own"])
        k.handle(bookAt("2.29", T0 + .seconds(2)))
        k.handle(.timer(T0 + .seconds(2)))        // tick N+1: the stop fills before the strategy runs
        #expect(s.log == ["tick", "fill:own", "fill:stop_loss", "tick"])
        #expect(s.fills.last?.trigger == .stopLoss)
        #expect(k.runner("s")!.portfolio.positions.isEmpty)
        #expect(k.fillCount == 2 && k.ticks == 2)
    }

    /// Engine §8 scenario 30 (shutdown part).
    @Test(arguments: [false, true])
    func shutdownClosesOnlyWhenAsked(close: Bool) throws {
        let s = try buyOnce(size: 50)
        var e = EngineConfig(); e.closePositionsOnShutdown = close
        let k = makeKernel([s], engine: e)
        k.handle(bookAt("2.35", T0 + .seconds(1)))
        k.handle(.timer(T0 + .seconds(1)))
        k.stop()
        let p = k.runner("s")!.portfolio
        if close {
            #expect(p.positions.isEmpty)
            #expect(s.log.suffix(2) == ["fill:shutdown", "stop"])
        } else {
            #expect(p.positions.count == 1)
            #expect(s.log.last == "stop")
        }
    }

    /// W9: drawdown is measured every tick, not only at fills.
    @Test func drawdownEveryTick() throws {
        let s = try buyOnce(size: 100)
        let k = makeKernel([s])
        var t = T0
        for p in ["2.35", "1.80", "2.35"] {
            t = t + .seconds(1)
            k.handle(bookAt(p, t))
            k.handle(.timer(t))
        }
        #expect(k.runner("s")!.portfolio.maxDrawdown > 0.2)
        #expect(k.runner("s")!.portfolio.totalFills == 1)
    }

    /// Backtest B6 scenario 4: a decision at a bar's close fills at the next bar's open.
    @Test func nextBarOpenFill() throws {
        let s = try buyOnce(size: 50)
        var e = EngineConfig(); e.nextBarOpenFills = true
        let t1000 = Timestamp(iso8601: "2024-05-01T10:00:00Z")!
        let k = makeKernel([s], engine: e, grace: .seconds(0), start: t1000)
        func bar(_ start: Timestamp, _ o: String) -> MarketEvent {
            .bar(Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: start, open: Price(o)!, high: Price(o)! + Price(1), low: Price(o)! - Price(1), close: Price(o)!, volume: Quantity(1))))
        }
        k.handle(bar(t1000, "99"))
        k.handle(.timer(t1000 + .minutes(1)))
        #expect(k.runner("s")!.portfolio.totalFills == 0)
        k.handle(bar(t1000 + .minutes(1), "100.00"))
        k.handle(.timer(t1000 + .minutes(2)))
        let f = try #require(k.runner("s")!.portfolio.fills.first)
        #expect(f.price == Price("100.05")!)
        #expect(f.size == Quantity("0.49975012")!)
        #expect(f.timestamp == t1000 + .minutes(1))
        #expect(k.runner("s")!.portfolio.cash == Money(100) - f.value - f.fee)
    }

    /// Decision 8: a strategy never sees a candle before it closes.
    @Test func noCandleFromTheFuture() throws {
        let s = try Scripted<NameS>(parameters: .defaults([]), symbols: [XRP])
        var violations = 0
        s.decide = { snap, _ in
            for c in snap.candles(.m1, XRP) where c.start + .minutes(1) > snap.timestamp { violations += 1 }
            for c in snap.candles(.m5, XRP) where c.start + .minutes(5) > snap.timestamp { violations += 1 }
            return nil
        }
        let k = makeKernel([s])
        var t = T0
        for i in 0..<3000 {
            t = t + .milliseconds(100)
            if i % 3 == 0 { k.handle(.trade(Trade(symbol: XRP, time: t, price: Price(2), size: Quantity(1), side: .buy))) }
            k.handle(.timer(t))
        }
        #expect(violations == 0)
        #expect(k.market.candles(.m1, XRP).count == 4)
    }
}

final class WarningCollector: KernelObserver {
    var warnings: [String] = []
    func kernelWarning(_ message: String) { warnings.append(message) }
}

@Suite(.serialized) struct UnpricedAssetTests {
    /// Engine §2.9 step 5 with the hardening issue's item 5: a starting asset no session pair can value is left out
    /// of the baseline and the equity alike, and reported once, so ROI and drawdown stay true.
    @Test func warnedOncePerAsset() throws {
        let s = try Scripted<NameS>(parameters: .defaults([]), symbols: [XRP])
        var c = ExchangeConfig()
        c.startingAssets = ["DOGE": Quantity(10)]
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        let k = Kernel(market: MarketState(symbols: [XRP]), exchange: ex, strategies: [s], clock: ManualClock(T0))
        let w = WarningCollector()
        k.addObserver(w)
        k.start()
        var t = T0
        for _ in 0..<5 { t = t + .seconds(1); k.handle(bookAt("2.35", t)); k.handle(.timer(t)) }
        #expect(w.warnings == ["s: DOGE has no USD price in this session; it is left out of the baseline and the equity"])
        let p = k.runner("s")!.portfolio
        #expect(p.baselineSet && p.baselineEquity == Money(100))
        #expect(Valuation(market: k.market).equity(p) == Money(100))
        #expect(p.maxDrawdown == 0)
    }
}
