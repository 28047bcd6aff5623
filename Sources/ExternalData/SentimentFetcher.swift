import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import TradingCore
import Regime

/// Fetches Fear & Greed and BTC dominance at the edge (regime.md §10), each source on its own: its own request,
/// timeout, cache and back-off (`SentimentCache`), and "unknown" (nil) when it has never answered. One failing
/// never discards the other. The time comes from the injected clock, so tests drive the TTL.
public actor SentimentFetcher {
    public typealias Clock = @Sendable () -> Timestamp
    public struct FearGreed: Sendable, Equatable { public var value: Int; public var classification: String }

    public let endpoints: SentimentEndpoints
    private let client: HTTPClient
    private let now: Clock
    private var fearGreed: SentimentCache<FearGreed>
    private var dominance: SentimentCache<Double>
    /// Requests made and failures seen, per source ("fear_greed", "btc_dominance").
    public private(set) var requests: [String: Int] = [:]
    public private(set) var failures: [String: Int] = [:]
    public private(set) var lastError: [String: String] = [:]

    public init(endpoints: SentimentEndpoints, client: HTTPClient, clock: @escaping Clock) {
        self.endpoints = endpoints
        self.client = client
        now = clock
        let ttl = Interval(nanoseconds: Int64(endpoints.cacheTTLSeconds * 1e9))
        fearGreed = SentimentCache(ttl: ttl)
        dominance = SentimentCache(ttl: ttl)
    }

    /// Fetches whatever is due (both concurrently) and returns the combined reading.
    @discardableResult
    public func refresh() async -> ExternalSentiment? {
        let t = now()
        let wantFG = fearGreed.shouldFetch(at: t), wantDom = dominance.shouldFetch(at: t)
        if wantFG { fearGreed.requested(at: t); requests["fear_greed", default: 0] += 1 }
        if wantDom { dominance.requested(at: t); requests["btc_dominance", default: 0] += 1 }
        async let fg: Result<FearGreed, any Error>? = wantFG ? fetch(endpoints.fearGreedURL, headers: [:]) {
            let p = try SentimentParser.fearGreed($0); return FearGreed(value: p.value, classification: p.classification)
        } : nil
        let key = endpoints.coingeckoAPIKey
        async let dom: Result<Double, any Error>? = wantDom ? fetch(endpoints.btcDominanceURL, headers: key.isEmpty ? [:] : ["x-cg-demo-api-key": key]) {
            try SentimentParser.btcDominance($0)
        } : nil
        let (a, b) = await (fg, dom)
        let done = now()
        switch a {
        case .success(let v)?: fearGreed.succeeded(v, at: done)
        case .failure(let e)?: fearGreed.failed(at: done); failures["fear_greed", default: 0] += 1; lastError["fear_greed"] = "\(e)"
        case nil: break
        }
        switch b {
        case .success(let v)?: dominance.succeeded(v, at: done)
        case .failure(let e)?: dominance.failed(at: done); failures["btc_dominance", default: 0] += 1; lastError["btc_dominance"] = "\(e)"
        case nil: break
        }
        return current()
    }

    /// The freshest value of each source (stale ones included: better than none), or nil if neither ever answered.
    /// `lastUpdated` is the older of the two fetch times.
    public func current() -> ExternalSentiment? {
        let f = fearGreed.value, d = dominance.value
        guard f != nil || d != nil else { return nil }
        let times = [f == nil ? nil : fearGreed.fetchedAt, d == nil ? nil : dominance.fetchedAt].compactMap { $0 }
        return ExternalSentiment(fearGreedValue: f?.value, fearGreedClassification: f?.classification, btcDominance: d,
                                 lastUpdated: times.min() ?? now())
    }

    public func invalidate() { fearGreed.invalidate(); dominance.invalidate() }

    public struct HTTPStatusError: Error, CustomStringConvertible {
        public let status: Int
        public var description: String { "HTTP \(status)" }
    }

    public struct DeadlineExceeded: Error, CustomStringConvertible {
        public let seconds: Double
        public var description: String { "no complete response within \(seconds) s" }
    }

    /// One request under one deadline from connect to the body's last byte (AsyncHTTPClient's own timeout stops
    /// at the response head, so a server that stalls mid-body would otherwise hold the fetch forever).
    private nonisolated func fetch<T: Sendable>(_ url: String, headers: [String: String], parse: @escaping @Sendable ([UInt8]) throws -> T) async -> Result<T, any Error> {
        let client = self.client, seconds = endpoints.timeoutSeconds
        do {
            let body: [UInt8] = try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
                group.addTask {
                    var req = HTTPClientRequest(url: url)
                    req.headers.add(name: "Accept", value: "application/json")
                    req.headers.add(name: "User-Agent", value: "ws-tester")
                    for (k, v) in headers { req.headers.add(name: k, value: v) }
                    let resp = try await client.execute(req, timeout: .milliseconds(Int64(seconds * 1000)))
                    guard (200..<300).contains(Int(resp.status.code)) else { throw HTTPStatusError(status: Int(resp.status.code)) }
                    // A body this large is no sentiment reading.
                    let b = try await resp.body.collect(upTo: 1 << 20)
                    return Array(b.readableBytesView)
                }
                group.addTask {
                    try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let bytes = first else { throw DeadlineExceeded(seconds: seconds) }
                return bytes
            }
            return .success(try parse(body))
        } catch {
            return .failure(error)
        }
    }
}
