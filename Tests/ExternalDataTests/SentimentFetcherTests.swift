import Testing
import Synchronization
import AsyncHTTPClient
import TradingCore
import Regime
import TestSupport
@testable import ExternalData

/// External sentiment against a local HTTP server (regime.md §10, R32–R34, R37): success, timeout, malformed JSON,
/// HTTP 500, one source down, TTL expiry on an injected clock.
@Suite(.serialized) struct SentimentFetcherTests {
    static let fng = #"{"name":"Fear and Greed Index","data":[{"value":"40","value_classification":"Fear","timestamp":"1736899200"}],"metadata":{"error":null}}"#
    static let global = #"{"data":{"active_cryptocurrencies":10000,"market_cap_percentage":{"btc":56.5,"eth":12.1}}}"#

    final class FakeClock: Sendable {
        let t = Mutex(Timestamp(seconds: 1_736_900_000))
        func now() -> Timestamp { t.withLock { $0 } }
        func advance(_ i: Interval) { t.withLock { $0 = $0 + i } }
    }

    func withServer(_ body: (LocalHTTPServer, SentimentFetcher, FakeClock) async throws -> Void, timeout: Double = 2, key: String = "") async throws {
        let server = try LocalHTTPServer()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var e = SentimentEndpoints()
        e.fearGreedURL = server.url("/fng/"); e.btcDominanceURL = server.url("/api/v3/global"); e.timeoutSeconds = timeout
        e.coingeckoAPIKey = key
        let clock = FakeClock()
        let f = SentimentFetcher(endpoints: e, client: client, clock: { clock.now() })
        do { try await body(server, f, clock) } catch { try await client.shutdown(); try server.shutdown(); throw error }
        try await client.shutdown()
        try server.shutdown()
    }

    @Test func successParsesBothSources() async throws {                                          // R37
        try await withServer({ server, f, clock in
            server.set("/fng/", .init(body: Self.fng)); server.set("/api/v3/global", .init(body: Self.global))
            let s = await f.refresh()
            #expect(s == ExternalSentiment(fearGreedValue: 40, fearGreedClassification: "Fear", btcDominance: 56.5, lastUpdated: clock.now()))
            #expect(server.headers("/api/v3/global")["x-cg-demo-api-key"] == "demo-key")
        }, key: "demo-key")
    }

    @Test func ttlOnTheInjectedClock() async throws {                                              // R32
        try await withServer { server, f, clock in
            server.set("/fng/", .init(body: Self.fng)); server.set("/api/v3/global", .init(body: Self.global))
            _ = await f.refresh()
            clock.advance(.minutes(1)); _ = await f.refresh()
            clock.advance(.seconds(3 * 60 + 59)); _ = await f.refresh()
            #expect(server.count("/fng/") == 1 && server.count("/api/v3/global") == 1)
            clock.advance(.seconds(1)); _ = await f.refresh()
            #expect(server.count("/fng/") == 2 && server.count("/api/v3/global") == 2)
        }
    }

    @Test func oneSourceDownKeepsTheOther() async throws {                                         // §10.2 fix, HTTP 500
        try await withServer { server, f, _ in
            server.set("/fng/", .init(status: .internalServerError, body: "oops")); server.set("/api/v3/global", .init(body: Self.global))
            let s = await f.refresh()
            #expect(s?.fearGreedValue == nil && s?.fearGreedClassification == nil && s?.btcDominance == 56.5)
            let failures = await f.failures, errors = await f.lastError
            #expect(failures["fear_greed"] == 1 && failures["btc_dominance"] == nil && errors["fear_greed"] == "HTTP 500")
        }
    }

    @Test func timeoutIsAFailureOfThatSourceOnly() async throws {
        try await withServer({ server, f, _ in
            // A deadline the prompt source meets on a loaded 2-core machine; the slow one misses it by far.
            server.set("/fng/", .init(body: Self.fng, delayMs: 4000)); server.set("/api/v3/global", .init(body: Self.global))
            let s = await f.refresh()
            let failures = await f.failures
            #expect(s?.fearGreedValue == nil && s?.btcDominance == 56.5 && failures["fear_greed"] == 1)
        }, timeout: 1.5)
    }

    /// A server that sends the head and stalls mid-body is cut off by the deadline, and the other source still lands.
    @Test func stallMidBodyHitsTheDeadline() async throws {
        try await withServer({ server, f, _ in
            server.set("/fng/", .init(body: Self.fng, stallBody: true)); server.set("/api/v3/global", .init(body: Self.global))
            let s = await f.refresh()
            let failures = await f.failures, errors = await f.lastError
            #expect(s?.fearGreedValue == nil && s?.btcDominance == 56.5 && failures["fear_greed"] == 1)
            #expect(errors["fear_greed"]?.contains("no complete response within 1.5 s") == true)
        }, timeout: 1.5)   // a deadline the prompt source meets on a loaded 2-core machine (0.3 s did not, once in CI)
    }

    @Test func invalidateRefetchesAndKeepsTheValue() async throws {
        try await withServer { server, f, clock in
            server.set("/fng/", .init(body: Self.fng)); server.set("/api/v3/global", .init(body: Self.global))
            let first = await f.refresh()
            server.set("/fng/", .init(status: .internalServerError, body: "")); server.set("/api/v3/global", .init(status: .internalServerError, body: ""))
            await f.invalidate()
            clock.advance(.seconds(2))
            let again = await f.refresh()
            #expect(server.count("/fng/") == 2 && again == first)       // refetched, failed, the stale value stands
        }
    }

    @Test func malformedBodiesAreErrorsNotValues() async throws {                                 // R37
        try await withServer { server, f, clock in
            server.set("/fng/", .init(body: #"{"data":[{"value":"forty","value_classification":"Fear"}]}"#))
            server.set("/api/v3/global", .init(body: "{not json"))
            let none = await f.refresh(), failures = await f.failures
            #expect(none == nil && failures["fear_greed"] == 1 && failures["btc_dominance"] == 1)
            // Blocked for 2 s (back-off): no request inside the block, one after it.
            clock.advance(.seconds(1)); _ = await f.refresh()
            #expect(server.count("/fng/") == 1)
            server.set("/fng/", .init(body: Self.fng)); server.set("/api/v3/global", .init(body: Self.global))
            clock.advance(.seconds(1)); let s = await f.refresh()
            #expect(server.count("/fng/") == 2 && s?.fearGreedValue == 40 && s?.btcDominance == 56.5)
        }
    }

    @Test func staleValueOutlivesAFailure() async throws {                                        // R33
        try await withServer { server, f, clock in
            server.set("/fng/", .init(body: #"{"data":[{"value":"45","value_classification":"Fear"}]}"#))
            server.set("/api/v3/global", .init(body: #"{"data":{"market_cap_percentage":{"btc":58.0}}}"#))
            let first = await f.refresh()
            let fetched = clock.now()
            server.set("/fng/", .init(status: .serviceUnavailable, body: "")); server.set("/api/v3/global", .init(status: .badGateway, body: ""))
            clock.advance(.minutes(60))
            let s = await f.refresh()
            #expect(s == first && s == ExternalSentiment(fearGreedValue: 45, fearGreedClassification: "Fear", btcDominance: 58.0, lastUpdated: fetched))
            #expect(server.count("/fng/") == 2)
        }
    }

    @Test func nothingListening() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        var e = SentimentEndpoints()
        e.fearGreedURL = "http://127.0.0.1:9/fng/"; e.btcDominanceURL = "http://127.0.0.1:9/global"; e.timeoutSeconds = 1
        let f = SentimentFetcher(endpoints: e, client: client, clock: { Timestamp(seconds: 1) })
        let none = await f.refresh(), failures = await f.failures
        #expect(none == nil && failures.count == 2)
        try await client.shutdown()
    }

    /// The background feed hands each changed reading over once.
    @Test func feedDeliversOnce() async throws {
        let server = try LocalHTTPServer()
        server.set("/fng/", .init(body: Self.fng)); server.set("/g", .init(body: Self.global))
        var e = SentimentEndpoints()
        e.fearGreedURL = server.url("/fng/"); e.btcDominanceURL = server.url("/g"); e.timeoutSeconds = 2
        let feed = SentimentFeed(endpoints: e, poll: 0.05)
        var got: ExternalSentiment?
        for _ in 0..<100 where got == nil { try await Task.sleep(nanoseconds: 20_000_000); got = feed.take() }
        #expect(got?.fearGreedValue == 40 && got?.btcDominance == 56.5)
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(feed.take() == nil)                                       // unchanged: nothing new to deliver
        feed.stop()
        try server.shutdown()
    }

    @Test func parsers() throws {
        #expect(try SentimentParser.fearGreed(Array(Self.fng.utf8)) == (40, "Fear"))
        #expect(try SentimentParser.btcDominance(Array(Self.global.utf8)) == 56.5)
        for bad in [#"{"data":[{"value_classification":"Fear"}]}"#, #"{"data":[{"value":"101"}]}"#, #"{"data":[]}"#, "[1]", ""] {
            #expect(throws: SentimentParser.Invalid.self) { try SentimentParser.fearGreed(Array(bad.utf8)) }
        }
        for bad in [#"{"data":{"market_cap_percentage":{"btc":"56"}}}"#, #"{"data":{"market_cap_percentage":{"btc":true}}}"#,
                    #"{"data":{"market_cap_percentage":{"btc":150}}}"#, #"{"data":{}}"#] {
            #expect(throws: SentimentParser.Invalid.self) { try SentimentParser.btcDominance(Array(bad.utf8)) }
        }
    }
}
