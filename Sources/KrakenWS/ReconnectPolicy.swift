import TradingCore

/// When to try the next connection (market-data §2.8, resolution 42): capped exponential backoff with jitter after
/// unhealthy sessions, at once after a healthy one, at least `maintenanceMinDelay` after a clean close, a non-online
/// status or an early drop, and never more than `maxAttempts` attempts in any rolling 10 minutes (Kraken bans an IP
/// for 10 minutes at about 150). Pure: times and the random draw come in.
public struct ReconnectPolicy: Sendable {
    public var base: Interval
    public var cap: Interval
    public var jitter: Double
    public var stableConnection: Interval
    public var maintenanceMinDelay: Interval
    public var maxAttempts: Int
    public static let window = Interval.seconds(600)

    /// Consecutive unhealthy attempts.
    public private(set) var unhealthy = 0
    /// Times of the attempts in the last 10 minutes, oldest first.
    public private(set) var attempts: [Timestamp] = []

    public init(base: Interval = .seconds(1), cap: Interval = .seconds(60), jitter: Double = 0.2, stableConnection: Interval = .seconds(60),
                maintenanceMinDelay: Interval = .seconds(5), maxAttempts: Int = 100) {
        self.base = base; self.cap = cap; self.jitter = jitter; self.stableConnection = stableConnection
        self.maintenanceMinDelay = maintenanceMinDelay; self.maxAttempts = maxAttempts
    }

    /// How a connection ended.
    public struct Ending: Sendable {
        /// How long it was up (nil: the connect itself failed).
        public var uptime: Interval?
        public var deliveredMarketData: Bool
        /// WebSocket close code, when the peer sent one.
        public var closeCode: UInt16?
        /// The last `status.system` seen was not `online`.
        public var statusNotOnline: Bool
        public init(uptime: Interval?, deliveredMarketData: Bool, closeCode: UInt16?, statusNotOnline: Bool) {
            self.uptime = uptime; self.deliveredMarketData = deliveredMarketData; self.closeCode = closeCode; self.statusNotOnline = statusNotOnline
        }
    }

    /// Records an attempt starting at `now`.
    public mutating func attempted(at now: Timestamp) {
        prune(now)
        attempts.append(now)
    }

    /// The delay before the next attempt after `ending` (`u` uniform in [0, 1)), before the attempt limiter.
    public mutating func delay(after ending: Ending, u: Double) -> Interval {
        let healthy = ending.uptime.map { $0 >= stableConnection } == true && ending.deliveredMarketData
        var d: Interval
        if healthy {
            unhealthy = 0
            d = .zero   // Kraken: after an unexpected drop in normal operation, reconnect at once
        } else {
            unhealthy += 1
            // min(cap, base × 2^(k−1)) without overflowing for large k.
            var raw = Double(base.nanoseconds)
            var k = 1
            while k < unhealthy && raw < Double(cap.nanoseconds) { raw *= 2; k += 1 }
            let capped = min(raw, Double(cap.nanoseconds))
            d = Interval(nanoseconds: Int64((capped * (1 - jitter * min(max(u, 0), 1))).rounded(.down)))
        }
        let early = ending.uptime.map { $0 < stableConnection } ?? false
        let clean = ending.closeCode == 1000 || ending.closeCode == 1001
        if ending.statusNotOnline || early || clean { d = Interval(nanoseconds: max(d.nanoseconds, maintenanceMinDelay.nanoseconds)) }
        return d
    }

    /// The earliest time the limiter lets an attempt start, given it is wanted at `wanted`.
    public mutating func allowedStart(wanted: Timestamp) -> Timestamp {
        prune(wanted)
        guard attempts.count >= maxAttempts, maxAttempts > 0 else { return wanted }
        // Wait until enough old attempts leave the window that one more stays within the limit.
        let oldestThatMustExpire = attempts[attempts.count - maxAttempts]
        let t = oldestThatMustExpire + Self.window
        return t > wanted ? t : wanted
    }

    /// Attempts within the window that ends at `now`.
    public func attemptsInWindow(at now: Timestamp) -> Int { attempts.filter { now - $0 < Self.window }.count }

    private mutating func prune(_ now: Timestamp) {
        var drop = 0
        while drop < attempts.count && now - attempts[drop] >= Self.window { drop += 1 }
        if drop > 0 { attempts.removeFirst(drop) }
    }
}
