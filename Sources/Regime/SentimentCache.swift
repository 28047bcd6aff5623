import TradingCore

/// One external source's cache, rate limit and back-off (regime.md §10.2), as a state machine over times the
/// caller passes in: the edge asks `shouldFetch(at:)`, performs the request, and reports `succeeded` or `failed`.
/// Each source has its own (the reference fetched both as one unit, so one failing discarded the other's value).
public struct SentimentCache<Value: Sendable & Equatable>: Sendable, Equatable {
    public let ttl: Interval
    /// At most one request per this interval.
    public let minInterval: Interval
    /// Back-off cap after repeated failures.
    public let maxBlock: Interval
    public private(set) var value: Value?
    public private(set) var fetchedAt: Timestamp?
    public private(set) var failures = 0
    public private(set) var blockedUntil: Timestamp?
    private var lastRequest: Timestamp?
    /// Set by `invalidate()`: fetch again at the next chance, keeping the value (and its time) meanwhile.
    private var stale = false

    public init(ttl: Interval = .minutes(5), minInterval: Interval = .seconds(1), maxBlock: Interval = .seconds(300)) {
        self.ttl = ttl; self.minInterval = minInterval; self.maxBlock = maxBlock
    }

    /// True when the cached value is missing or older than the TTL and the source is neither blocked nor rate-limited.
    public func shouldFetch(at t: Timestamp) -> Bool {
        if !stale, let f = fetchedAt, t - f < ttl { return false }
        if let b = blockedUntil, t < b { return false }
        if let l = lastRequest, t - l < minInterval { return false }
        return true
    }

    public mutating func requested(at t: Timestamp) { lastRequest = t }

    public mutating func succeeded(_ v: Value, at t: Timestamp) {
        value = v; fetchedAt = t; failures = 0; blockedUntil = nil; stale = false
    }

    /// Blocks the source for min(2^failures s, maxBlock); the stale value (if any) is still served.
    public mutating func failed(at t: Timestamp) {
        failures += 1
        let seconds = failures >= 62 ? Int64.max / 2 : Int64(1) << failures
        let block = Interval.seconds(min(seconds, maxBlock.nanoseconds / 1_000_000_000))
        blockedUntil = t + block
    }

    /// Seconds since the last success, nil if none.
    public func age(at t: Timestamp) -> Interval? { fetchedAt.map { t - $0 } }

    public mutating func invalidate() { stale = true }
}
