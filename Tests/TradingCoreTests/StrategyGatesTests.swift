import Testing
@testable import TradingCore

func fill(pnl: String, at t: Timestamp) -> Fill {
    Fill(fillId: "x", timestamp: t, symbol: Symbol("XRP/USD")!, side: .sell, size: Quantity(1), price: Price(1), fee: .zero,
         feeUSD: .zero, pnl: Money(pnl)!, strategy: "t", signalReason: "", trigger: nil, requestedNotionalUSD: .zero,
         capped: false, beyondVisibleDepth: false, quoteUSD: .one, isClosing: true)
}

@Suite struct StrategyGatesTests {
    func at(_ s: String) -> Timestamp { Timestamp(iso8601: "2025-01-15T\(s)Z")! }

    /// Engine §8 scenario 28.
    @Test func circuitBreakerTripsAndResets() {
        var cb = CircuitBreaker(maxConsecutiveLosses: 3, cooldown: .minutes(15))
        cb.record(fill(pnl: "-1", at: at("09:50:00")))
        cb.record(fill(pnl: "0", at: at("09:52:00")))
        cb.record(fill(pnl: "-1", at: at("09:55:00")))
        cb.record(fill(pnl: "-1", at: at("10:00:00")))
        #expect(cb.trippedAt == at("10:00:00"))
        let blockingBefore = cb.isBlocking(now: at("10:14:59"))
        #expect(blockingBefore)
        let blockingAfter = cb.isBlocking(now: at("10:15:00"))
        #expect(!blockingAfter)
        #expect(cb.consecutiveLosses == 0)
        #expect(cb.trippedAt == nil)
    }

    @Test func aWinResetsTheCount() {
        var cb = CircuitBreaker(maxConsecutiveLosses: 3, cooldown: .minutes(15))
        cb.record(fill(pnl: "-1", at: at("09:50:00")))
        cb.record(fill(pnl: "-1", at: at("09:55:00")))
        cb.record(fill(pnl: "2", at: at("09:57:00")))
        cb.record(fill(pnl: "-1", at: at("10:00:00")))
        let blocking = cb.isBlocking(now: at("10:00:01"))
        #expect(!blocking)
    }

    @Test func cooldownAndTracker() {
        var c = SignalCooldown(interval: .seconds(30))
        #expect(!c.isBlocking(now: at("10:00:00")))
        c.mark(at("10:00:00"))
        #expect(c.isBlocking(now: at("10:00:29")))
        #expect(!c.isBlocking(now: at("10:00:30")))
        var t = RejectionTracker()
        t.track(.timeCooldown)
        t.track(.warmingUp, symbol: Symbol("XRP/USD")!)
        t.track(.warmingUp)
        #expect(t.sorted.map(\.reason) == ["warming_up", "time_cooldown"])
        #expect(t.countsBySymbol[Symbol("XRP/USD")!]?["warming_up"] == 1)
        var off = RejectionTracker(enabled: false)
        off.track(.warmingUp)
        #expect(off.counts.isEmpty)
    }

    @Test func parametersResolveInLayers() throws {
        let specs: [ParameterSpec] = [.double("position_size_usd", 20, min: 0, "size"), .int("n", 3, min: 1, max: 10, "n"), .bool("on", true, "")]
        let p = try StrategyParameters.resolve(strategy: "t", specs: specs, layers: [["position_size_usd": "25"], ["position_size_usd": "30"]])
        #expect(p.double("position_size_usd") == 30)
        #expect(p.int("n") == 3)
        #expect(throws: ParameterError.self) { try StrategyParameters.resolve(strategy: "t", specs: specs, layers: [["position_size_usd": "abc"]]) }
        #expect(throws: ParameterError.self) { try StrategyParameters.resolve(strategy: "t", specs: specs, layers: [["nope": "1"]]) }
        #expect(throws: ParameterError.self) { try StrategyParameters.resolve(strategy: "t", specs: specs, layers: [["n": "11"]]) }
        #expect(throws: ParameterError.self) { try StrategyParameters.resolve(strategy: "t", specs: specs, layers: [["on": "maybe"]]) }
        let e = try? StrategyParameters.resolve(strategy: "t", specs: specs, layers: [["n": "x"]])
        #expect(e == nil)
    }
}
