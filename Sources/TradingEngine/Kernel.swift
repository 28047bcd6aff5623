import TradingCore
import MarketData
import PaperExchange
import Regime

/// The trading kernel: synchronous and single-threaded. Every driver (simulator, bar replay, event
/// replay, live feed) calls `handle(_:)` with `MarketEvent`s in time order; nothing here can tell which
/// driver it is. Per decision tick: automatic exits (margin, then stop/take-profit), position marks,
/// strategies by name (exits before gates inside each), then drawdown.
public final class Kernel {
    public let market: MarketState
    public let exchange: PaperExchange
    public let clock: ManualClock
    public let config: EngineConfig
    public private(set) var runners: [StrategyRunner]
    public private(set) var eventsProcessed = 0
    public private(set) var ticks = 0
    public private(set) var signalCount = 0
    public private(set) var fillCount = 0
    public private(set) var started = false
    public private(set) var stopped = false

    private var observers: [any KernelObserver] = []
    /// Next-bar-open orders, in decision order, with their decision time (the visibility audit checks fills against it).
    private var pending: [(runner: Int, signal: Signal, decidedAt: Timestamp)] = []
    /// Intents on their way to the matching engine (`execution.latency_ms` > 0), in decision order: due times never
    /// decrease, so the front is always the next one due.
    private var inflight: [InFlight] = []
    private var inflightHead = 0
    /// Resting orders across portfolios, and the earliest good-till-time expiry among them: with none, market
    /// events cost one comparison more than before orders could rest.
    public private(set) var restingOrders = 0
    private var nextExpiry: Timestamp?
    private let latency: Interval
    /// Checks what every decision could see and when its fills happened (backtest.md §B4.6); nil = off.
    public private(set) var audit: VisibilityAudit?
    /// Bars received since the last decision tick (one close time).
    private var barBatch: [Bar] = []
    /// This close time's bars, for the resting reducing orders matched after the tick's exits.
    private var barsForReducing: [(bar: Bar, used: [BarVolumeUsed])] = []
    /// Created on first need: a strategy that reads the regime, or `readRegime()` (dashboard, logs).
    /// The detector and router behind one reference, created on first need, so a tick that reads no regime pays
    /// one flag test (an inline detector made every tick's code copy and destroy it).
    private var regimeStage: RegimeStage?
    public var regimeDetector: RegimeDetector? { regimeStage?.detector }
    private var regimeReaders = 0 { didSet { regimeActive = regimeReaders > 0 && config.regime?.enabled == true } }
    private var latestSentiment: ExternalSentiment?
    /// The pairs the detector analyses, in configuration order (the first gives the multi-timeframe reading).
    public let regimeSymbols: [Symbol]
    /// Per-regime multipliers for routed strategies (regime.md §11).
    public let router: ParameterRouter

    /// `tradable`: the pairs each strategy (by name) may trade; a strategy not named may trade every session pair.
    public init(market: MarketState, exchange: PaperExchange, strategies: [any Strategy], clock: ManualClock,
                config: EngineConfig = EngineConfig(), tradable: [String: [Symbol]] = [:], regimeSymbols: [Symbol]? = nil,
                regimeRouted: Set<String> = []) {
        self.market = market
        self.exchange = exchange
        self.clock = clock
        self.config = config
        self.regimeSymbols = regimeSymbols ?? market.symbols
        router = config.router
        // Bar backtests time orders by bars (next open, later bars' ranges); latency applies to event sessions.
        latency = config.nextBarOpenFills ? Interval(nanoseconds: 0) : .milliseconds(Int64(exchange.config.latencyMs))
        let sorted = strategies.sorted { type(of: $0).name < type(of: $1).name }
        runners = sorted.map { s in
            let name = type(of: s).name
            let p = exchange.makePortfolio(strategy: name, tradable: tradable[name])
            return StrategyRunner(name: name, strategy: s, portfolio: p,
                                  context: StrategyContext(strategyName: name, clock: clock, instruments: exchange.instruments, portfolio: p))
        }
        precondition(Set(runners.map(\.name)).count == runners.count, "duplicate strategy names")
        for r in runners where regimeRouted.contains(r.name) { r.regimeRouted = true; r.readsRegime = true }
        regimeReaders = runners.filter(\.readsRegime).count
        regimeActive = regimeReaders > 0 && config.regime?.enabled == true   // observers do not run in init
    }

    /// Whether the detector runs: enabled in the configuration and read by someone (kept as a flag: the tick reads it).
    public private(set) var regimeActive = false

    /// Registers a reader outside the strategies (the dashboard, the logs): the detector runs from the next tick,
    /// catching up on the closed candles the market holds.
    public func readRegime() { regimeReaders += 1 }

    /// The latest regime reading (nil until the detector has run).
    public var regime: RegimeSnapshot? {
        guard let d = regimeStage?.detector, d.snapshot != nil else { return nil }
        return d.reading(at: clock.now)
    }

    public func addObserver(_ o: any KernelObserver) { observers.append(o) }

    /// Switches on the per-decision visibility audit (any test can): violations collect in `audit.violations`.
    @discardableResult
    public func enableVisibilityAudit() -> VisibilityAudit {
        if let a = audit { return a }
        let a = VisibilityAudit()
        audit = a
        return a
    }

    public func runner(_ name: String) -> StrategyRunner? { runners.first { $0.name == name } }

    /// Calls every strategy's `onStart`.
    public func start() {
        guard !started else { return }
        started = true
        for r in runners {
            r.strategy.onStart(r.context)
            for w in r.strategy.startupWarnings { for o in observers { o.kernelWarning("\(r.name): \(w)") } }
        }
    }

    /// Processes one event.
    public func handle(_ event: consuming MarketEvent) {
        eventsProcessed += 1
        switch consume event {
        case .timer(let t):
            flushBars()
            clock.advance(to: t)
            market.advance(to: clock.now)
            // Bar sessions expire orders after the tick's reducing pass (both passes judge a bar from its start).
            if !config.nextBarOpenFills && (restingOrders > 0 || inflightHead < inflight.count) { ordersDue() }
            tick()
        case .sentiment(let s):
            flushBars()
            clock.advance(to: s.time)
            latestSentiment = s.sentiment
            regimeStage?.detector.apply(s.sentiment)
        case .bar(let bar):
            // With next-bar-open orders waiting, the bars of one close time are a batch: the orders of
            // every symbol fill at their bar's open before any of the batch's data is applied. Pending
            // orders only appear at ticks, so without them a bar is applied at once.
            if pending.isEmpty && barBatch.isEmpty {
                applyBar(bar)
            } else {
                barBatch.append(bar)
            }
        case let other:
            flushBars()
            clock.advance(to: other.time)
            if restingOrders == 0 && inflightHead == inflight.count {
                market.apply(other)
            } else {
                let e = other
                // Before the event: orders whose time has come expire, and cancels and replaces that arrived before it
                // take effect (a cancel that got there first beats the event's trade).
                ordersDue(before: true)
                market.apply(other)
                // Resting orders match on what the event shows; then what was in flight arrives (it executes against the
                // state of the first event at or after its arrival, but not against that event's trade).
                matchResting(e)
                ordersDue()
            }
        }
    }

    /// Expiries and intents in flight whose time has come, in time order (an intent due before an expiry goes first; at
    /// equal times the expiry), each intent in decision order. `before` an event: only cancels and replaces due strictly
    /// before now, and never ahead of an earlier placement of the same strategy; they act at their arrival time, on the
    /// market as it was then.
    @inline(never)
    private func ordersDue(before: Bool = false) {
        let now = clock.now
        var blocked: Set<Int> = []
        var j = inflightHead
        while true {
            // The next intent that may go now.
            var next: Int?
            while j < inflight.count, before ? inflight[j].due < now : inflight[j].due <= now {
                if inflight[j].done { j += 1; continue }
                if before, case .place = inflight[j].intent { blocked.insert(inflight[j].runner); j += 1; continue }
                if before, blocked.contains(inflight[j].runner) { j += 1; continue }
                next = j
                break
            }
            if let t = nextExpiry, t <= now, next == nil || t <= inflight[next!].due {
                for r in runners where r.portfolio.restingCount > 0 {
                    var out: [OrderActivity] = []
                    exchange.expireOrders(for: r.portfolio, now: t, into: &out)
                    if !out.isEmpty { deliver(out, runner: r) }
                }
                refreshOrderState()
                continue
            }
            guard let k = next else { break }
            inflight[k].done = true
            let f = inflight[k]
            submit(f.intent, runner: runners[f.runner], index: f.runner, at: before ? f.due : now, decidedAt: f.decidedAt)
            j = k + 1
        }
        while inflightHead < inflight.count, inflight[inflightHead].done { inflightHead += 1 }
        if inflightHead > 0 && (inflightHead == inflight.count || inflightHead >= 1024) {
            // Compact: with a latency longer than the tick the queue never drains.
            inflight.removeFirst(inflightHead)
            inflightHead = 0
        }
    }

    /// One pass of a bar over every portfolio's resting orders; `used` carries the bar's volume between the passes.
    @inline(never)
    private func matchBar(_ bar: Bar, opening: Bool, used: inout [BarVolumeUsed]) {
        guard restingOrders > 0 else { return }
        let at = bar.candle.start   // decision 37: inside a bar, at its start (orders placed later are skipped)
        for (i, r) in runners.enumerated() where r.portfolio.restingCount > 0 {
            var out: [OrderActivity] = []
            exchange.match(bar: bar, opening: opening, for: r.portfolio, market: market, now: at, used: &used[i], into: &out)
            if !out.isEmpty { deliver(out, runner: r) }
        }
    }

    @inline(never)
    private func matchResting(_ e: MarketEvent) {
        guard restingOrders > 0 else { return }
        let now = clock.now
        for r in runners where r.portfolio.restingCount > 0 {
            var out: [OrderActivity] = []
            switch e {
            case .trade(let t): exchange.match(trade: t, for: r.portfolio, market: market, now: now, into: &out)
            case .book(let b): exchange.match(bookOf: b.symbol, for: r.portfolio, market: market, now: now, into: &out)
            default: return
            }
            if !out.isEmpty { deliver(out, runner: r) }
        }
    }

    /// Fills next-bar-open orders at each batched bar's open (before any of the batch's data is seen),
    /// then applies the bars.
    private func flushBars() {
        guard !barBatch.isEmpty else { return }
        if !pending.isEmpty {
            for i in barBatch.indices {
                let symbol = barBatch[i].symbol
                let due = pending.filter { $0.signal.symbol == symbol }
                guard !due.isEmpty else { continue }
                pending.removeAll { $0.signal.symbol == symbol }
                let open = barBatch[i].candle.open, start = barBatch[i].candle.start
                clock.advance(to: start)
                // The market still shows the previous closes: the drawdown waits for the tick, which judges the
                // new bar (its open, adverse extreme and close), so a gap makes neither a false drawdown nor a false peak.
                for o in due {
                    execute(o.signal, runner: runners[o.runner], venue: .at(open), at: Swift.max(start, clock.now), trigger: nil,
                            judgeDrawdown: false, decidedAt: o.decidedAt)
                }
            }
        }
        for i in barBatch.indices { applyBar(barBatch[i]) }
        barBatch.removeAll(keepingCapacity: true)
    }

    /// The market keeps each symbol's bar range until the next tick has judged it.
    private func applyBar(_ bar: Bar) {
        if restingOrders > 0 { restingBar(bar) }
        clock.advance(to: bar.closeTime)
        market.applyBar(bar)
    }

    /// Resting orders fill inside the bar, stamped at its start like intrabar exits (decision 37): opening ones now
    /// (the bar's stops then judge what they opened), reducing ones after the bar's exits (a stop beats a resting target).
    @inline(never)
    private func restingBar(_ bar: Bar) {
        var used = [BarVolumeUsed](repeating: BarVolumeUsed(), count: runners.count)
        matchBar(bar, opening: true, used: &used)
        barsForReducing.append((bar, used))
    }


    /// One decision tick at the clock's time.
    func tick() {
        ticks += 1
        guard market.hasAnyPrice else { market.clearBarRanges(); return }
        let now = clock.now
        // 1. Automatic exits per portfolio, along each bar's path (a live tick has one price and one phase).
        for r in runners where r.portfolio.needsExitChecks { runExits(r, now: now) }
        if !barsForReducing.isEmpty {
            for k in barsForReducing.indices { matchBar(barsForReducing[k].bar, opening: false, used: &barsForReducing[k].used) }
            barsForReducing.removeAll(keepingCapacity: true)
        }
        // Bar sessions: orders whose time came inside the bars just judged end now.
        if config.nextBarOpenFills, restingOrders > 0, let t = nextExpiry, t <= now { ordersDue() }
        // 2. High/low marks.
        for r in runners where !r.portfolio.positions.isEmpty { exchange.updateTracking(r.portfolio, market: market) }
        // 3. The regime, if anyone reads it, then strategies by name (a strategy sees it only if it declared it).
        let snapshot = DataSnapshot(timestamp: now, market: market)
        let withRegime = regimeActive ? stage().snapshot(market, at: now, observers: observers) : nil
        for (i, r) in runners.enumerated() where !r.paused {
            do {
                if let os = r.orderStrategy {
                    let intents: [OrderIntent]
                    if r.readsRegime, let w = withRegime { intents = try os.decide(w, r.context) } else { intents = try os.decide(snapshot, r.context) }
                    audit?.afterDecision(r.name, at: now, market: market)
                    for intent in intents {
                        guard case .place(var s) = intent else {
                            if latency.nanoseconds > 0 { inflight.append(InFlight(due: now + latency, runner: i, intent: intent, decidedAt: now)) } else { submit(intent, runner: r, index: i, at: now, decidedAt: now) }
                            continue
                        }
                        decided(&s, runner: r, index: i, at: now, withRegime)
                    }
                } else {
                    // Passed as they are (no conditional temporary): this call happens on every tick.
                    let signal: Signal?
                    if r.readsRegime, let w = withRegime {
                        signal = try r.strategy.generateSignal(w, r.context)
                    } else {
                        signal = try r.strategy.generateSignal(snapshot, r.context)
                    }
                    audit?.afterDecision(r.name, at: now, market: market)
                    if var s = signal { decided(&s, runner: r, index: i, at: now, withRegime) }
                }
            } catch {
                r.errors += 1
                r.lastError = "\(error)"
                if config.maxStrategyErrors > 0 && r.errors >= config.maxStrategyErrors { r.paused = true }
                for o in observers { o.kernelStrategyFailed(r.name, message: "\(error)", paused: r.paused) }
                continue
            }
        }
        // 4. Drawdown at this tick's marks, after the bars' adverse extremes (engine §2.9: an asset without a USD
        //    price counts 0, said once).
        for r in runners {
            if let e = exchange.updateDrawdown(r.portfolio, market: market) { r.portfolio.noteDailyEquity(e, at: now) }
            if r.portfolio.unpricedAssets.count > r.warnedUnpriced {
                for a in r.portfolio.unpricedAssets[r.warnedUnpriced...] {
                    for o in observers { o.kernelWarning("\(r.name): \(a) has no USD price in this session; it is left out of the baseline and the equity") }
                }
                r.warnedUnpriced = r.portfolio.unpricedAssets.count
            }
        }
        market.clearBarRanges()
    }

    private func stage() -> RegimeStage {
        if let s = regimeStage { return s }
        let s = RegimeStage(detector: RegimeDetector(config: config.regime ?? RegimeConfig(), symbols: regimeSymbols), router: router)
        if let v = latestSentiment { s.detector.apply(v) }
        regimeStage = s
        return s
    }

    /// Margin calls, stops and targets in path order: the open, then towards the adverse extremes (earliest
    /// event first, repeated until none is left), then the favourable extremes. A position exits at most once.
    private func runExits(_ r: StrategyRunner, now: Timestamp) {
        var done = Set<Symbol>()
        var path = AdversePath()
        for phase in ExitPhase.allCases {
            if phase != .open && !market.hasBarRanges { return }
            if phase == .favourable { exchange.noteIntrabarDrawdown(r.portfolio, market: market) }
            while true {
                let orders = exchange.exitOrders(for: r.portfolio, market: market, phase: phase, excluding: done, path: &path)
                if orders.isEmpty { break }
                for e in orders {
                    done.insert(e.signal.symbol)
                    execute(e.signal, runner: r, venue: e.venue, at: e.time ?? now, trigger: e.trigger)
                }
                if phase != .adverse { break }
            }
        }
    }

    /// One intent reaching the matching engine at `now`.
    /// A decided order: routed (entries of routed strategies), counted, then in flight or placed at once.
    @inline(never)
    private func decided(_ s: inout Signal, runner r: StrategyRunner, index i: Int, at now: Timestamp, _ withRegime: DataSnapshot?) {
        if r.regimeRouted, s.action.isOpening, let w = withRegime, !regimeStage!.route(&s, runner: r, w, observers: observers) { return }
        signalCount += 1
        r.signals += 1
        s.metadata["strategy"] = r.name
        if latency.nanoseconds > 0 { inflight.append(InFlight(due: now + latency, runner: i, intent: .place(s), decidedAt: now)) } else { place(s, runner: r, index: i, at: now, decidedAt: now) }
    }

    /// A placement reaching the exchange at `now`: a market order executes (or waits for the next bar's open), a limit
    /// order is checked, crosses what it may and rests.
    @inline(never)
    private func place(_ s: Signal, runner r: StrategyRunner, index: Int, at now: Timestamp, decidedAt: Timestamp) {
        if !s.isLimit {
            if config.nextBarOpenFills { pending.append((index, s, decidedAt)) } else { execute(s, runner: r, venue: .market, at: now, trigger: nil, decidedAt: decidedAt) }
            return
        }
        var out: [OrderActivity] = []
        exchange.place(s, for: r.portfolio, market: market, now: now, into: &out)
        if !out.isEmpty {
            audit?.noteDecision(r.name, out, decidedAt: decidedAt)
            deliver(out, runner: r)
        }
    }

    @inline(never)
    private func submit(_ intent: OrderIntent, runner r: StrategyRunner, index: Int, at now: Timestamp, decidedAt: Timestamp) {
        var out: [OrderActivity] = []
        switch intent {
        case .place(let s):
            place(s, runner: r, index: index, at: now, decidedAt: decidedAt)
            return
        case .cancel(let id): exchange.cancel(id, for: r.portfolio, now: now, into: &out)
        case .replace(let id, let price, let size): exchange.replace(id, price: price, size: size, for: r.portfolio, market: market, now: now, into: &out)
        case .cancelAll(let symbol): exchange.cancelAll(symbol, for: r.portfolio, now: now, into: &out)
        }
        if !out.isEmpty {
            audit?.noteDecision(r.name, out, decidedAt: decidedAt)
            deliver(out, runner: r)
        }
    }

    /// Reports what the exchange did to the strategy (fills, then order events, in the order they happened) and observers.
    @inline(never)
    private func deliver(_ out: [OrderActivity], runner r: StrategyRunner) {
        for a in out {
            switch a {
            case .fill(let fill):
                if let au = audit, let d = au.decision(r.name, fill.orderId) {
                    au.checkFill(fill, decidedAt: d)
                    if !r.portfolio.isOpen(fill.orderId) { au.forget(r.name, fill.orderId) }
                }
                didFill(fill, runner: r, judgeDrawdown: true)
            case .event(let e):
                if let au = audit, case .ended(let o, _, _) = e { au.forget(r.name, o.id) }
                r.strategy.onOrderEvent(e, r.context)
                for o in observers { o.kernelOrderEvent(e, strategy: r.name) }
            case .rejection(let rej):
                for o in observers { o.kernelDidReject(rej) }
            }
        }
        refreshOrderState()
    }

    @inline(never)
    private func refreshOrderState() {
        var n = 0
        var expiry: Timestamp?
        for r in runners where r.portfolio.restingCount > 0 {
            n += r.portfolio.restingCount
            if let t = exchange.nextExpiry(of: r.portfolio), expiry == nil || t < expiry! { expiry = t }
        }
        restingOrders = n
        nextExpiry = expiry
    }

    @inline(never)
    private func execute(_ s: Signal, runner r: StrategyRunner, venue: Venue, at now: Timestamp, trigger: ExitTrigger?, judgeDrawdown: Bool = true,
                         decidedAt: Timestamp? = nil) {
        switch exchange.execute(s, for: r.portfolio, market: market, now: now, venue: venue, trigger: trigger) {
        case .success(let fill):
            if let a = audit, let d = decidedAt { a.checkFill(fill, decidedAt: d) }
            didFill(fill, runner: r, judgeDrawdown: judgeDrawdown)
        case .failure(let rej):
            for o in observers { o.kernelDidReject(rej) }
        }
    }

    @inline(never)
    private func didFill(_ fill: Fill, runner r: StrategyRunner, judgeDrawdown: Bool) {
        fillCount += 1
        r.strategy.onFill(fill, r.context)
        // Inside a bar only the drawdown moves; the peak waits for the tick's closes.
        if judgeDrawdown {
            if market.hasBarRanges { exchange.noteIntrabarDrawdown(r.portfolio, market: market) }
            else { exchange.updateDrawdown(r.portfolio, market: market) }
        }
        for o in observers { o.kernelDidFill(fill, portfolio: r.portfolio) }
        // Reducing orders whose position this fill closed can no longer fill.
        if r.portfolio.restingCount > 0 {
            var out: [OrderActivity] = []
            exchange.releaseUnfillable(fill.symbol, for: r.portfolio, now: fill.timestamp, into: &out)
            if !out.isEmpty { deliver(out, runner: r) }
        }
    }

    /// Ends the session: optionally closes every position (trigger `shutdown`), then `onStop`.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        pending.removeAll()
        inflight.removeAll()
        inflightHead = 0
        barsForReducing.removeAll()
        flushBars()
        let now = clock.now
        if config.closePositionsOnShutdown {
            for r in runners {
                let valuation = Valuation(market: market)
                for pos in r.portfolio.positions.values.sorted(by: { $0.symbol < $1.symbol }) {
                    let px = market.price(pos.symbol) ?? pos.entryPrice
                    if let s = exchange.exitSignal(pos, price: px, reason: "session end", trigger: .shutdown, valuation: valuation) {
                        execute(s, runner: r, venue: .market, at: now, trigger: .shutdown)
                    }
                }
            }
        }
        for r in runners { r.strategy.onStop(r.context) }
    }
}

/// An intent on its way to the matching engine.
struct InFlight {
    let due: Timestamp
    let runner: Int
    let intent: OrderIntent
    let decidedAt: Timestamp
    /// Taken ahead of its turn (a cancel or replace before an event).
    var done = false
}
