import TradingCore

/// Regime hysteresis (regime.md §7), run once per closed bar: a new regime needs `confirmationBars` consecutive
/// readings of that same regime, once the current one has lasted `minDuration` seconds. The reference counted any
/// differing readings, so BULL, BEAR, STRONG_BULL switched to a regime seen once (§7.1 fix).
public struct RegimeHysteresis: Sendable, Equatable {
    public let minDuration: Double
    public let confirmationBars: Int
    public private(set) var current: MarketRegime?
    public private(set) var startTime: Timestamp?
    private var candidate: MarketRegime?
    private var count = 0

    public init(minDuration: Double, confirmationBars: Int) {
        self.minDuration = minDuration
        self.confirmationBars = confirmationBars
    }

    /// The final regime for this reading of `new` at `t`; updates the start time when it changes.
    public mutating func judge(_ new: MarketRegime, at t: Timestamp) -> MarketRegime {
        let final: MarketRegime
        if let cur = current {
            if new == cur {
                candidate = nil; count = 0
                final = cur
            } else if let s = startTime, Self.seconds(t, since: s) < minDuration {
                final = cur
            } else {
                if new != candidate { candidate = new; count = 1 } else { count += 1 }
                if count >= confirmationBars { candidate = nil; count = 0; final = new } else { final = cur }
            }
        } else {
            final = new
        }
        if final != current { current = final; startTime = t }
        return final
    }

    /// Seconds the current regime has lasted at `t` (0 before the first reading).
    public func age(at t: Timestamp) -> Double { startTime.map { Self.seconds(t, since: $0) } ?? 0 }

    static func seconds(_ t: Timestamp, since s: Timestamp) -> Double { Double((t - s).nanoseconds) / 1e9 }
}

/// The final regime per evaluation over a time window (the reference kept 100 entries, ~10 s at its tick cadence).
public struct TransitionHistory: Sendable, Equatable {
    public let window: Double
    private(set) var entries: [(Timestamp, MarketRegime)] = []

    public init(window: Double = 3600) { self.window = window }

    /// Adjacent pairs with different regimes among entries newer than `t − window`.
    public func transitions(at t: Timestamp) -> Int {
        let recent = entries.filter { RegimeHysteresis.seconds(t, since: $0.0) < window }
        return zip(recent, recent.dropFirst()).filter { $0.1 != $1.1 }.count
    }

    public mutating func append(_ t: Timestamp, _ r: MarketRegime) {
        entries.removeAll { RegimeHysteresis.seconds(t, since: $0.0) >= window }
        entries.append((t, r))
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.window == b.window && a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }
}
