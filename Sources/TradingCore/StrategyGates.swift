/// Counts why a strategy declined to trade. Output order is sorted, never dictionary order.
public struct RejectionTracker: Sendable {
    public private(set) var counts: [String: Int] = [:]
    public private(set) var countsBySymbol: [Symbol: [String: Int]] = [:]
    public var enabled: Bool

    public init(enabled: Bool = true) { self.enabled = enabled }

    public mutating func track(_ reason: StrategyRejection, symbol: Symbol? = nil) {
        track(reason.rawValue, symbol: symbol)
    }

    public mutating func track(_ reason: String, symbol: Symbol? = nil) {
        guard enabled else { return }
        counts[reason, default: 0] += 1
        if let s = symbol { countsBySymbol[s, default: [:]][reason, default: 0] += 1 }
    }

    /// Highest counts first, ties by name.
    public var sorted: [(reason: String, count: Int)] {
        counts.map { ($0.key, $0.value) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
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
