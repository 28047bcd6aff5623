/// Counts why a strategy declined to trade. Output order is sorted, never dictionary order.
public struct RejectionTracker: Sendable {
    // Strategies count a reason on most ticks: a few reasons in small arrays (the same literal compares by identity),
    // not a hashed dictionary lookup per count.
    private var reasons: [String] = []
    private var totals: [Int] = []
    private var symbols: [Symbol] = []
    /// Per symbol (index in `symbols`), counts by reason index.
    private var perSymbol: [[Int]] = []
    public var enabled: Bool

    public init(enabled: Bool = true) { self.enabled = enabled }

    public var counts: [String: Int] {
        var out: [String: Int] = [:]
        for (r, n) in zip(reasons, totals) where n > 0 { out[r] = n }
        return out
    }

    public var countsBySymbol: [Symbol: [String: Int]] {
        var out: [Symbol: [String: Int]] = [:]
        for (s, row) in zip(symbols, perSymbol) {
            var m: [String: Int] = [:]
            for (r, n) in zip(reasons, row) where n > 0 { m[r] = n }
            if !m.isEmpty { out[s] = m }
        }
        return out
    }

    public mutating func track(_ reason: StrategyRejection, symbol: Symbol? = nil) {
        track(reason.rawValue, symbol: symbol)
    }

    public mutating func track(_ reason: String, symbol: Symbol? = nil) {
        guard enabled else { return }
        let r: Int
        if let i = reasons.firstIndex(of: reason) { r = i } else {
            r = reasons.count
            reasons.append(reason); totals.append(0)
            for k in perSymbol.indices { perSymbol[k].append(0) }
        }
        totals[r] += 1
        guard let s = symbol else { return }
        let k: Int
        if let i = symbols.firstIndex(of: s) { k = i } else {
            k = symbols.count
            symbols.append(s); perSymbol.append(Array(repeating: 0, count: reasons.count))
        }
        perSymbol[k][r] += 1
    }

    /// Highest counts first, ties by name.
    public var sorted: [(reason: String, count: Int)] {
        zip(reasons, totals).filter { $0.1 > 0 }.map { ($0.0, $0.1) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
    }
}

/// The common reasons strategies decline (one spelling each).
public enum StrategyRejection: String, Sendable, CaseIterable {
    case circuitBreaker = "circuit_breaker"
    case timeCooldown = "time_cooldown"
    case tradeCooldown = "trade_cooldown"
    case warmingUp = "warming_up"
    case regimePause = "regime_pause"
    case noPriceData = "no_price_data"
    case maxPosition = "max_position"
    case insufficientSize = "insufficient_size"
    case existingPosition = "existing_position"
    case insufficientCandles = "insufficient_candles"
    case noSignalConditions = "no_signal_conditions"
    case correlationLimit = "correlation_limit"
    case extremeVolatility = "extreme_volatility"
    case tradeFlowNotAligned = "trade_flow_not_aligned"
    case feeUnprofitable = "fee_unprofitable"
}

/// Consecutive losses → cooldown. Gates only new exposure; never an exit.
public struct CircuitBreaker: Sendable {
    public var enabled: Bool
    public let maxConsecutiveLosses: Int
    public let cooldown: Interval
    public private(set) var consecutiveLosses = 0
    public private(set) var trippedAt: Timestamp?

    public init(enabled: Bool = true, maxConsecutiveLosses: Int = 3, cooldown: Interval = .minutes(15)) {
        self.enabled = enabled; self.maxConsecutiveLosses = maxConsecutiveLosses; self.cooldown = cooldown
    }

    /// Feed every fill: wins reset, losses count, openings (pnl 0) change nothing.
    public mutating func record(_ fill: Fill) {
        guard !fill.pnl.isZero else { return }
        if fill.pnl.isPositive {
            consecutiveLosses = 0
        } else {
            consecutiveLosses += 1
            if consecutiveLosses >= maxConsecutiveLosses { trippedAt = fill.timestamp }
        }
    }

    /// True while tripped; resets itself once the cooldown has passed.
    public mutating func isBlocking(now: Timestamp) -> Bool {
        guard enabled, consecutiveLosses >= maxConsecutiveLosses, let t = trippedAt else { return false }
        if now - t >= cooldown {
            consecutiveLosses = 0
            trippedAt = nil
            return false
        }
        return true
    }
}

/// Minimum time between signals.
public struct SignalCooldown: Sendable {
    public let interval: Interval
    public private(set) var lastSignal: Timestamp?
    public init(interval: Interval) { self.interval = interval }
    public func isBlocking(now: Timestamp) -> Bool {
        guard let l = lastSignal else { return false }
        return now - l < interval
    }
    public mutating func mark(_ t: Timestamp) { lastSignal = t }
}
