import Testing
import TradingCore
@testable import Regime

/// regime.md §10.2 cache, rate limit and back-off on an injected clock (R32–R34).
@Suite struct SentimentCacheTests {
    let t0 = Timestamp(seconds: 1_000_000)

    @Test func ttl() {                                                                            // R32
        var c = SentimentCache<Int>()
        #expect(c.shouldFetch(at: t0))
        c.requested(at: t0); c.succeeded(55, at: t0)
        #expect(!c.shouldFetch(at: t0 + .minutes(1)) && !c.shouldFetch(at: t0 + .seconds(4 * 60 + 59)))
        #expect(c.shouldFetch(at: t0 + .minutes(5)))
        c.invalidate()
        #expect(c.shouldFetch(at: t0 + .seconds(2)) && c.value == 55)
    }

    @Test func staleValueIsServedAfterAFailure() {                                               // R33
        var c = SentimentCache<Int>()
        c.succeeded(45, at: t0)
        c.failed(at: t0 + .minutes(60))
        #expect(c.value == 45 && c.age(at: t0 + .minutes(60)) == .minutes(60))
        let empty = SentimentCache<Int>()
        #expect(empty.value == nil && empty.age(at: t0) == nil)                                   // unknown, not a made-up 50
    }

    @Test func backOff() {                                                                        // R34
        var c = SentimentCache<Int>()
        var blocks: [Int64] = []
        var t = t0
        for n in 1...9 {
            c.failed(at: t)
            let b = (c.blockedUntil! - t).nanoseconds / 1_000_000_000
            if [1, 2, 3, 8, 9].contains(n) { blocks.append(b) }
            #expect(!c.shouldFetch(at: t + .seconds(b - 1)) && c.shouldFetch(at: t + .seconds(b)))
            t = t + .seconds(b)
        }
        #expect(blocks == [2, 4, 8, 256, 300])
        // A refusal while blocked is not a failure; a success resets the count.
        c.failed(at: t); let f = c.failures
        #expect(!c.shouldFetch(at: t + .seconds(1)) && c.failures == f)
        c.succeeded(1, at: t + .seconds(400))
        #expect(c.failures == 0 && c.blockedUntil == nil)
    }

    @Test func rateLimit() {
        var c = SentimentCache<Int>()
        c.requested(at: t0); c.failed(at: t0)
        c.succeeded(1, at: t0); c.invalidate()
        c.requested(at: t0 + .milliseconds(500))
        #expect(!c.shouldFetch(at: t0 + .milliseconds(900)) && c.shouldFetch(at: t0 + .milliseconds(1500)))
    }
}
