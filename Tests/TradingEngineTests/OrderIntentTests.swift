import Testing
import TradingCore
import MarketData
import PaperExchange
@testable import TradingEngine

/// A strategy that returns order intents from a closure and records what comes back.
class IntentScript: OrderStrategy {
    class var name: String { "intents" }
    static let version = "0"
    static let summary = "test"
    static let defaultSymbols = [XRP]
    static let parameters: [ParameterSpec] = []
    var rejections = RejectionTracker()
    var plan: (DataSnapshot, StrategyContext) throws -> [OrderIntent] = { _, _ in [] }
    var events: [OrderEvent] = []
    var fills: [Fill] = []
    var decisions: [Timestamp] = []
    /// Fills and order events in the order they arrived ("fill O3", "accepted O3", …).
    var sequence: [String] = []
    required init(parameters: StrategyParameters, symbols: [Symbol]) throws {}
    func decide(_ s: DataSnapshot, _ c: StrategyContext) throws -> [OrderIntent] {
        decisions.append(s.timestamp)
        return try plan(s, c)
    }
    func onFill(_ f: Fill, _ c: StrategyContext) { fills.append(f); sequence.append("fill \(f.orderId)") }
    func onOrderEvent(_ e: OrderEvent, _ c: StrategyContext) {
        events.append(e)
        if case .accepted(let o) = e { sequence.append("accepted \(o.id)") }
    }
}

/// A second scripted strategy (its own name, its own portfolio).
final class IntentScriptB: IntentScript {
    override class var name: String { "intents_b" }
}

/// A market maker in miniature: a post-only bid one tick under the best bid while flat, a post-only ask one tick over
/// the best ask while long; it requotes (replace) every 25 decisions and cancels everything every 200.
func quoter() throws -> IntentScript {
    let s = try IntentScript(parameters: .defaults([]), symbols: [XRP])
    var n = 0
    s.plan = { snap, ctx in
        n += 1
        guard let book = snap.book(XRP), let bid = book.bids.first?.price, let ask = book.asks.first?.price else { return [] }
        let tick = Price("0.00001")!
        let open = ctx.portfolio.openOrders(XRP)
        if n % 200 == 0 { return [.cancelAll(XRP)] }
        if let o = open.first, n % 25 == 0 {
            return [.replace(o.id, price: o.action == .buy ? bid - tick : ask + tick, size: nil)]
        }
        guard open.isEmpty else { return [] }
        if let pos = ctx.portfolio.position(XRP) {
            return [.place(try .limit(.sell, XRP, size: Money(raw: pos.size.raw), sizeUnit: .base, at: ask + tick, reason: "ask", postOnly: true))]
        }
        return [.place(try .limit(.buy, XRP, size: Money(20), at: bid - tick, reason: "bid", postOnly: true, clientTag: "q\(n)"))]
    }
    return s
}

func simulatedEvents(minutes: Int, seed: UInt64 = 3) -> [MarketEvent] {
    var sim = SimulatedMarket(symbols: [XRP], seed: seed, tick: .milliseconds(100), start: T0, depth: 5, instruments: [InstrumentRegistry()[XRP]!])
    var out: [MarketEvent] = []
    for _ in 0..<(minutes * 600) {
        sim.step { out.append($0) }
        out.append(.timer(sim.now))
    }
    return out
}

func orderKernel(_ s: [any Strategy], latencyMs: Int = 0, engine: EngineConfig = EngineConfig()) -> Kernel {
    var c = ExchangeConfig()
    c.latencyMs = latencyMs
    c.startingCapital = Money(1000)
    var md = MarketDataConfig()
    md.bookDepth = 5
    let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
    let k = Kernel(market: MarketState(symbols: [XRP], config: md), exchange: ex, strategies: s, clock: ManualClock(T0), config: engine)
    k.start()
    return k
}

final class Lines: KernelObserver {
    var fills: [String] = []
    var events: [String] = []
    func kernelDidFill(_ f: Fill, portfolio: Portfolio) { fills.append(f.canonicalLine + "|" + f.liquidity.rawValue + "|" + f.orderId.description) }
    func kernelOrderEvent(_ e: OrderEvent, strategy: String) { events.append("\(strategy) \(e)") }
}

/// A started kernel for one scripted strategy on XRP/USD (`bars`: a bar backtest's next-bar-open timing).
func scriptKernel(_ s: IntentScript, _ c: ExchangeConfig = ExchangeConfig(), bars: Bool = false) -> Kernel {
    var e = EngineConfig()
    e.nextBarOpenFills = bars
    let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
    let k = Kernel(market: MarketState(symbols: [XRP]), exchange: ex, strategies: [s], clock: ManualClock(T0), config: e)
    k.start()
    return k
}

/// A scripted strategy that places one order, on its first decision.
func placeOnce(_ make: @escaping (DataSnapshot) throws -> Signal) throws -> IntentScript {
    let s = try IntentScript(parameters: .defaults([]), symbols: [XRP])
    var placed = false
    s.plan = { snap, _ in
        guard !placed else { return [] }
        placed = true
        return [.place(try make(snap))]
    }
    return s
}

@Suite struct OrderIntentTests {
    func run(_ events: [MarketEvent], latencyMs: Int = 0) throws -> (lines: Lines, strategy: IntentScript, kernel: Kernel) {
        let s = try quoter()
        let k = orderKernel([s], latencyMs: latencyMs)
        let audit = k.enableVisibilityAudit()
        let l = Lines()
        k.addObserver(l)
        for e in events { k.handle(e) }
        k.stop()
        #expect(audit.violations.isEmpty, "\(audit.violations.prefix(3))")
        #expect(audit.decisionsChecked > 1000)
        return (l, s, k)
    }

    @Test func aQuoterRestsOrdersAndGetsMakerFills() throws {
        let r = try run(simulatedEvents(minutes: 30))
        let p = r.kernel.runner("intents")!.portfolio
        #expect(p.makerFills > 10, "maker fills \(p.makerFills)")
        #expect(p.takerFills == 0)                       // post-only never takes
        #expect(r.strategy.fills.allSatisfy { $0.liquidity == .maker && $0.orderId.value > 0 })
        // Every (maker) fill reaches the strategy after its order was accepted, with the order's id.
        var seen = Set<String>()
        for entry in r.strategy.sequence {
            let parts = entry.split(separator: " ")
            if parts[0] == "accepted" { seen.insert(String(parts[1])) } else { #expect(seen.contains(String(parts[1])), "\(entry) before its acceptance") }
        }
        #expect(r.strategy.events.contains { if case .replaced = $0 { true } else { false } })
        #expect(r.strategy.events.contains { if case .ended(_, .cancelled, _) = $0 { true } else { false } })
        // Maker fees: 0.25 % of each fill's value, exactly.
        for f in r.strategy.fills { #expect(f.fee == (f.size * f.price).scaled(by: Rate("0.0025")!)) }
        #expect(r.kernel.restingOrders == p.restingCount)
    }

    @Test func latencyChangesFillsAndEachSettingIsReproducible() throws {
        let events = simulatedEvents(minutes: 30)
        let a = try run(events), a2 = try run(events)
        let b = try run(events, latencyMs: 250), b2 = try run(events, latencyMs: 250)
        #expect(a.lines.fills == a2.lines.fills && a.lines.events == a2.lines.events)
        #expect(b.lines.fills == b2.lines.fills && b.lines.events == b2.lines.events)
        #expect(!a.lines.fills.isEmpty && !b.lines.fills.isEmpty)
        #expect(a.lines.fills != b.lines.fills)
    }

    @Test func anOrderDecidedAtTExecutesAgainstTheFirstEventAtOrAfterTPlusLatency() throws {
        let s = try IntentScript(parameters: .defaults([]), symbols: [XRP])
        var done = false
        s.plan = { snap, _ in
            if done { return [] }
            done = true
            return [.place(try Signal(action: .buy, symbol: XRP, size: Money(1), sizeUnit: .base, price: snap.price(XRP)!, reason: "now"))]
        }
        var c = ExchangeConfig()
        c.latencyMs = 250
        c.slippageRate = .zero
        c.fillModel = .topOfBook
        c.takerFeeRate = .zero
        let k = scriptKernel(s, c)
        k.handle(bookAt("2.35", T0))                               // ask 2.351
        k.handle(.timer(T0 + .milliseconds(100)))                  // decided here: due at +350 ms
        k.handle(bookAt("2.40", T0 + .milliseconds(200)))
        #expect(s.fills.isEmpty)
        k.handle(.timer(T0 + .milliseconds(300)))
        #expect(s.fills.isEmpty)
        k.handle(bookAt("2.45", T0 + .milliseconds(400)))          // the first event at or after +350 ms
        k.handle(bookAt("2.50", T0 + .milliseconds(500)))
        #expect(s.fills.count == 1)
        #expect(s.fills.first?.price == Price("2.451")! && s.fills.first?.timestamp == T0 + .milliseconds(400))
    }

    @Test func aCancelInFlightArrivesAfterTheOrderItCancels() throws {
        let s = try IntentScript(parameters: .defaults([]), symbols: [XRP])
        var step = 0
        s.plan = { _, ctx in
            step += 1
            if step == 1 { return [.place(try .limit(.buy, XRP, size: Money(10), at: Price("2.30")!, reason: "rest"))] }
            if step == 2 { return ctx.portfolio.openOrders.map { .cancel($0.id) } }   // not yet at the engine: nothing to cancel
            if step == 3 { return [.cancel(OrderID(1))] }
            return []
        }
        var c = ExchangeConfig(); c.latencyMs = 150
        let k = scriptKernel(s, c)
        k.handle(bookAt("2.35", T0))
        for i in 1...6 { k.handle(.timer(T0 + .milliseconds(Int64(100 * i)))) }
        let kinds = s.events.map { e -> String in
            switch e { case .accepted: "accepted"; case .ended(_, let r, _): r.rawValue; case .replaced: "replaced"; case .unknownOrder: "unknown" }
        }
        // Placed at 100 ms, at the engine at 250 ms (the 300 ms tick); the cancel decided at 300 ms lands at 450 ms.
        #expect(kinds == ["accepted", "cancelled"])
        #expect(k.runner("intents")!.portfolio.openOrders.isEmpty)
    }

    @Test func barBacktestsFillRestingOrdersOnLaterBarsThatTradeThrough() throws {
        let s = try IntentScript(parameters: .defaults([]), symbols: [XRP])
        var placed = false
        s.plan = { snap, _ in
            guard !placed, let px = snap.price(XRP) else { return [] }
            placed = true
            // 1 % under the close, good for ten minutes.
            let limit = Price(rounding: px.doubleValue * 0.99, toDecimals: 5)!
            return [.place(try .limit(.buy, XRP, size: Money(5), sizeUnit: .base, at: limit, reason: "dip",
                                      timeInForce: .goodTillTime(snap.timestamp + .minutes(10))))]
        }
        var c = ExchangeConfig(); c.makerFeeRate = Rate("0.001")!
        let k = scriptKernel(s, c, bars: true)
        let audit = k.enableVisibilityAudit()
        func bar(_ i: Int, _ o: String, _ h: String, _ l: String, _ c: String) {
            let start = T0 + .minutes(Int64(i))
            let b = Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: start, open: Price(o)!, high: Price(h)!, low: Price(l)!, close: Price(c)!, volume: Quantity(100)))
            k.handle(.bar(b))
            k.handle(.timer(b.closeTime))
        }
        bar(0, "2.00", "2.01", "1.99", "2.00")      // decided at its close: limit 1.98
        bar(1, "2.00", "2.00", "1.98", "1.99")      // touches 1.98: no fill (decision 22)
        #expect(s.fills.isEmpty)
        bar(2, "1.99", "1.99", "1.97", "1.98")      // trades through: fills at 1.98, stamped at the bar's start
        #expect(s.fills.count == 1)
        let f = try #require(s.fills.first)
        #expect(f.price == Price("1.98")! && f.size == Quantity(5) && f.liquidity == .maker && f.timestamp == T0 + .minutes(2))
        #expect(f.fee == Money("0.0099")!)                          // 5 × 1.98 × 0.001
        #expect(audit.violations.isEmpty && audit.fillsChecked == 1)
    }

    /// A stop beats a resting target in the same bar (decision 37's pessimistic order): the long is stopped at 1.95 and
    /// the resting sell at 2.05 ends unfillable, although the bar reached 2.06 too.
    @Test func inABarAStopBeatsARestingTarget() throws {
        let s = try IntentScript(parameters: .defaults([]), symbols: [XRP])
        var step = 0
        s.plan = { _, ctx in
            step += 1
            if step == 1 { return [.place(try Signal(action: .buy, symbol: XRP, size: Money(10), sizeUnit: .base, price: Price(2), reason: "in", stopLoss: Price("1.95")!))] }
            if step == 2, let pos = ctx.portfolio.position(XRP) {
                return [.place(try .limit(.sell, XRP, size: Money(raw: pos.size.raw), sizeUnit: .base, at: Price("2.05")!, reason: "target"))]
            }
            return []
        }
        var c = ExchangeConfig(); c.slippageRate = .zero
        let k = scriptKernel(s, c, bars: true)
        func bar(_ i: Int, _ o: String, _ h: String, _ l: String, _ cl: String) {
            let b = Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: T0 + .minutes(Int64(i)), open: Price(o)!, high: Price(h)!, low: Price(l)!, close: Price(cl)!, volume: Quantity(100)))
            k.handle(.bar(b)); k.handle(.timer(b.closeTime))
        }
        bar(0, "2.00", "2.00", "2.00", "2.00")     // decides the buy
        bar(1, "2.00", "2.01", "1.99", "2.00")     // bought at the open; decides the target
        bar(2, "2.00", "2.06", "1.94", "2.00")     // both reachable: the stop wins
        let triggers = s.fills.map { $0.trigger?.rawValue ?? $0.liquidity.rawValue }
        #expect(triggers == ["taker", "stop_loss"], "\(triggers)")
        #expect(s.events.contains { if case .ended(_, .unfillable, _) = $0 { true } else { false } })
        #expect(k.runner("intents")!.portfolio.openOrders.isEmpty)
    }

    /// A good-till-time order is gone at its time: a trade at exactly that time (market data sorts before the timer)
    /// does not fill it.
    @Test func anOrderIsGoneAtItsExpiryEvenForATradeAtThatTime() throws {
        let s = try placeOnce { snap in
            try .limit(.buy, XRP, size: Money(5), sizeUnit: .base, at: Price("2.30")!, reason: "gtt", timeInForce: .goodTillTime(snap.timestamp + .seconds(1)))
        }
        let k = scriptKernel(s)
        k.handle(bookAt("2.35", T0))
        k.handle(.timer(T0 + .milliseconds(100)))                      // placed, good till +1.1 s
        k.handle(.trade(Trade(symbol: XRP, time: T0 + .milliseconds(1100), price: Price("2.29")!, size: Quantity(10), side: .sell)))
        #expect(s.fills.isEmpty)
        if case .ended(_, .expired, _)? = s.events.last {} else { Issue.record("\(s.events)") }
    }

    /// With latency a cancel that arrived before a trade beats it.
    @Test func aCancelThatArrivedFirstBeatsTheNextTrade() throws {
        let s = try IntentScript(parameters: .defaults([]), symbols: [XRP])
        var step = 0
        s.plan = { _, ctx in
            step += 1
            if step == 1 { return [.place(try .limit(.buy, XRP, size: Money(5), sizeUnit: .base, at: Price("2.30")!, reason: "rest"))] }
            if step == 3 { return ctx.portfolio.openOrders.map { .cancel($0.id) } }
            return []
        }
        var c = ExchangeConfig(); c.latencyMs = 250
        let k = scriptKernel(s, c)
        k.handle(bookAt("2.35", T0))
        k.handle(.timer(T0 + .milliseconds(100)))      // place, at the engine at 350
        k.handle(.timer(T0 + .milliseconds(400)))      // arrives; step 2
        k.handle(.timer(T0 + .milliseconds(500)))      // step 3: cancel, at the engine at 750
        k.handle(.trade(Trade(symbol: XRP, time: T0 + .milliseconds(760), price: Price("2.29")!, size: Quantity(10), side: .sell)))
        #expect(s.fills.isEmpty)
        if case .ended(_, .cancelled, _)? = s.events.last {} else { Issue.record("\(s.events)") }
    }

    @Test func goodTillTimeOrdersExpireInBarSessionsToo() throws {
        let s = try placeOnce { snap in
            try .limit(.buy, XRP, size: Money(5), sizeUnit: .base, at: Price("1.50")!, reason: "far", timeInForce: .goodTillTime(snap.timestamp + .minutes(2)))
        }
        let k = scriptKernel(s, bars: true)
        for i in 0..<5 {
            let b = Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: T0 + .minutes(Int64(i)), open: Price(2)!, high: Price(2)!, low: Price(2)!, close: Price(2)!, volume: Quantity(1)))
            k.handle(.bar(b))
            k.handle(.timer(b.closeTime))
        }
        #expect(s.events.count == 2)
        if case .ended(let o, .expired, _)? = s.events.last { #expect(o.remaining == Quantity(5)) } else { Issue.record("\(s.events)") }
        #expect(k.restingOrders == 0)
    }

    /// With latency, one strategy's placement in flight never holds back another strategy's cancel (decision 26).
    @Test func anotherStrategysPlacementInFlightDoesNotDelayACancel() throws {
        let a = try IntentScript(parameters: .defaults([]), symbols: [XRP])
        let b = try IntentScriptB(parameters: .defaults([]), symbols: [XRP])
        var stepA = 0, stepB = 0
        a.plan = { _, _ in
            stepA += 1
            return stepA == 3 ? [.place(try .limit(.buy, XRP, size: Money(5), sizeUnit: .base, at: Price("2.10")!, reason: "a"))] : []
        }
        b.plan = { _, ctx in
            stepB += 1
            if stepB == 1 { return [.place(try .limit(.buy, XRP, size: Money(5), sizeUnit: .base, at: Price("2.30")!, reason: "b"))] }
            if stepB == 3 { return ctx.portfolio.openOrders.map { .cancel($0.id) } }
            return []
        }
        var c = ExchangeConfig(); c.latencyMs = 250
        let ex = PaperExchange(config: c, instruments: InstrumentRegistry(), sessionSymbols: [XRP])
        let k = Kernel(market: MarketState(symbols: [XRP]), exchange: ex, strategies: [a, b], clock: ManualClock(T0))
        k.start()
        k.handle(bookAt("2.35", T0))
        for ms in [100, 400, 500] { k.handle(.timer(T0 + .milliseconds(Int64(ms)))) }   // a's place and b's cancel: due 750
        k.handle(.trade(Trade(symbol: XRP, time: T0 + .milliseconds(760), price: Price("2.29")!, size: Quantity(10), side: .sell)))
        #expect(b.fills.isEmpty)
        if case .ended(_, .cancelled, _)? = b.events.last {} else { Issue.record("\(b.events)") }
    }

    /// A cancel that arrived before the order's expiry cancels it (no `unknown_order`): time order, not kind order.
    @Test func aCancelDueBeforeTheExpiryWins() throws {
        let s = try IntentScript(parameters: .defaults([]), symbols: [XRP])
        var step = 0
        s.plan = { snap, ctx in
            step += 1
            if step == 1 {
                return [.place(try .limit(.buy, XRP, size: Money(5), sizeUnit: .base, at: Price("2.30")!, reason: "gtt",
                                          timeInForce: .goodTillTime(T0 + .milliseconds(800))))]
            }
            if step == 3 { return ctx.portfolio.openOrders.map { .cancel($0.id) } }              // decided at 500, due 750
            return []
        }
        var c = ExchangeConfig(); c.latencyMs = 250
        let k = scriptKernel(s, c)
        k.handle(bookAt("2.35", T0))
        for ms in [100, 400, 500] { k.handle(.timer(T0 + .milliseconds(Int64(ms)))) }
        k.handle(bookAt("2.35", T0 + .milliseconds(900)))
        if case .ended(_, .cancelled, _)? = s.events.last {} else { Issue.record("\(s.events)") }
        #expect(k.runner("intents")!.portfolio.rejections[.unknownOrder] == nil)
    }

    /// Both passes judge a bar from its start: a resting target good till inside the bar still fills in it.
    @Test func aReducingOrderExpiringInsideABarStillTradesInIt() throws {
        let s = try IntentScript(parameters: .defaults([]), symbols: [XRP])
        var step = 0
        s.plan = { snap, ctx in
            step += 1
            if step == 1 { return [.place(try Signal(action: .buy, symbol: XRP, size: Money(10), sizeUnit: .base, price: Price(2), reason: "in"))] }
            if step == 2, let pos = ctx.portfolio.position(XRP) {
                return [.place(try .limit(.sell, XRP, size: Money(raw: pos.size.raw), sizeUnit: .base, at: Price("2.05")!, reason: "target",
                                          timeInForce: .goodTillTime(snap.timestamp + .seconds(30))))]
            }
            return []
        }
        var c = ExchangeConfig(); c.slippageRate = .zero
        let k = scriptKernel(s, c, bars: true)
        for (i, h) in [(0, "2.00"), (1, "2.01"), (2, "2.06")] {
            let b = Bar(symbol: XRP, timeframe: .m1, candle: Candle(start: T0 + .minutes(Int64(i)), open: Price(2), high: Price(h)!, low: Price("1.99")!, close: Price(2), volume: Quantity(100)))
            k.handle(.bar(b)); k.handle(.timer(b.closeTime))
        }
        #expect(s.fills.map(\.liquidity) == [.taker, .maker] && s.fills.last?.price == Price("2.05")!)
        #expect(k.runner("intents")!.portfolio.positions.isEmpty)
    }
}

/// The audit catches what it is for: a market view that shows a candle or a trade from after the decision.
@Suite struct VisibilityAuditTests {
    final class Leaky: MarketView {
        let symbols = [XRP]
        let now: Timestamp
        init(now: Timestamp) { self.now = now }
        func price(_ symbol: Symbol) -> Price? { Price(2) }
        func book(_ symbol: Symbol) -> OrderBook? { nil }
        func ticker(_ symbol: Symbol) -> Ticker? { nil }
        func trades(_ symbol: Symbol) -> RingBuffer<Trade> {
            var r = RingBuffer<Trade>(capacity: 2)
            r.append(Trade(symbol: XRP, time: now + .seconds(1), price: Price(2), size: Quantity(1), side: .buy))
            return r
        }
        func candles(_ timeframe: Timeframe, _ symbol: Symbol) -> RingBuffer<Candle> {
            var r = RingBuffer<Candle>(capacity: 2)
            // A 1m candle that closes 30 s after the decision.
            if timeframe == .m1 { r.append(Candle(start: now - .seconds(30), open: Price(2), high: Price(2), low: Price(2), close: Price(2), volume: Quantity(1))) }
            return r
        }
        func formingCandle(_ timeframe: Timeframe, _ symbol: Symbol) -> Candle? { nil }
        func lastTrade(_ symbol: Symbol) -> Trade? { nil }
        func directUSDPrice(_ asset: String) -> Price? { nil }
        func barRange(_ symbol: Symbol) -> BarRange? { nil }
        var hasBarRanges: Bool { false }
        var accountCurrency: AccountCurrency { AccountCurrency(code: "USD") }
    }

    @Test func futureCandlesTradesAndEarlyFillsAreViolations() {
        let a = VisibilityAudit()
        a.afterDecision("x", at: T0, market: Leaky(now: T0))
        #expect(a.violations.count == 2)
        #expect(a.violations[0].contains("1m candle") && a.violations[1].contains("trade at"))
        let f = Fill(fillId: "x-F1", timestamp: T0 - .milliseconds(1), symbol: XRP, side: .buy, size: Quantity(1), price: Price(2), fee: .zero,
                     feeUSD: .zero, pnl: .zero, strategy: "x", signalReason: "r", trigger: nil, requestedNotionalUSD: .zero, capped: false,
                     beyondVisibleDepth: false, quoteUSD: .one, isClosing: false)
        a.checkFill(f, decidedAt: T0)
        #expect(a.violations.count == 3 && a.fillsChecked == 1)
    }
}