import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing
import Backtest
import KrakenWS
import MarketData
import PaperExchange
import Strategies
import TradingCore
import TradingEngine
@testable import LiveSession

let BTCUSD = Symbol("BTC/USD")!

func wallNow() -> Timestamp {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Timestamp(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
}

/// The real client, transport and live driver against an in-process Kraken v2 server (issue 8, "How we know it works").
@Suite(.serialized, .timeLimit(.minutes(1))) struct LiveSessionTests {
    func clientConfig(_ url: String) -> KrakenClientConfig {
        var c = KrakenClientConfig()
        c.url = url
        c.symbols = [BTCUSD]
        c.reconnectJitter = 0
        // The fixture's book updates carry fixed 2025 stamps: replayed late on a loaded machine they would look like lag.
        c.maxLag = .seconds(86_400)
        return c
    }

    func spec(strategy: StrategySpec) -> SessionSpec {
        var ex = ExchangeConfig()
        ex.startingCapital = Money(1000)
        return SessionSpec(symbols: [BTCUSD], instruments: [InstrumentRegistry()[BTCUSD]!], strategies: [strategy], exchange: ex,
                           engine: EngineConfig(), market: MarketDataConfig(), seed: 1, intervalMs: 50, start: wallNow())
    }

    var flow: StrategySpec {
        get throws {
            StrategySpec(name: "flow_momentum", parameters: try SessionBuilder.effectiveParameters("flow_momentum", layers: [
                ["lookback_trades": "4", "entry_imbalance": "0.2", "exit_imbalance": "0.1", "cooldown_seconds": "0", "use_circuit_breaker": "false",
                 "position_size_usd": "50"]]), symbols: [BTCUSD])
        }
    }

    @Test func fixtureBookThroughTheRealClientEqualsTheFixturesFinalBook() async throws {
        let server = try FakeKraken()
        let (url, serverTask) = try await server.start()
        defer { serverTask.cancel() }
        let feed = try await LiveFeed.start(config: clientConfig(url), precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)],
                                            timeout: .seconds(10), bufferCapacity: 1000, clock: wallNow, log: { _, _ in })
        #expect(!feed.builtInPrecisions && feed.precisions[BTCUSD] == BookPrecision(price: 1, quantity: 8))
        var s = spec(strategy: try flow)
        s.start = wallNow()
        let kernel = try SessionBuilder.makeKernel(s)
        let session = LiveSession(kernel: kernel, buffer: feed.buffer, connection: feed.connection, end: s.start + .milliseconds(1500),
                                  intervalMs: s.intervalMs, wallClock: wallNow)
        try await session.run()
        await feed.task.value
        // A5 end to end: the kernel's book is the fixture's final book (after the mismatch and the resubscribe).
        let book = try #require(kernel.market.book(BTCUSD))
        #expect(book.bids.count == 10 && book.asks.count == 10)
        #expect(book.bids[0] == BookLevel(price: Price("45283.9")!, size: Quantity("0.33")!))
        #expect(book.asks[0] == BookLevel(price: Price("45285.9")!, size: Quantity("0.5")!))
        #expect(kernel.market.unavailability(BTCUSD, at: kernel.clock.now) == nil)
        #expect(kernel.market.bookInvalidations == 1)
        // Exactly one unsubscribe + subscribe pair for BTC/USD's book after the failure.
        let bookRequests = server.requests.filter { ($0["params"] as? [String: Any])?["channel"] as? String == "book" }.map { $0["method"] as! String }
        #expect(bookRequests == ["subscribe", "unsubscribe", "subscribe"])
        #expect(feed.connection.feedCounters.checksumFailures == 1)
        #expect(kernel.ticks >= 1)   // the decision timer ran on the wall clock (how often depends on the machine's load)
        #expect(session.latencyMicros(0.5) != nil)
    }

    @Test func liveRecordingReplaysToTheSameFills() async throws {
        // Trades stream in; a flow strategy trades on them. The recording replays through the same kernel to the same
        // fills_sha256 (resolution 8: engine time is receive time, carried in the events).
        let server = try FakeKraken(tradesPerSecond: 100)
        let (url, serverTask) = try await server.start()
        defer { serverTask.cancel() }
        let feed = try await LiveFeed.start(config: clientConfig(url), precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)],
                                            timeout: .seconds(10), bufferCapacity: 64, clock: wallNow, log: { _, _ in })
        var s = spec(strategy: try flow)
        s.start = wallNow()
        let kernel = try SessionBuilder.makeKernel(s)
        let hasher = FillHasher()
        kernel.addObserver(hasher)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wst-live-\(getpid()).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let session = LiveSession(kernel: kernel, buffer: feed.buffer, connection: feed.connection, end: s.start + .seconds(3),
                                  intervalMs: s.intervalMs, wallClock: wallNow)
        session.recorder = try EventRecorder(path: path, spec: s)
        try await session.run()
        await feed.task.value
        kernel.stop()
        session.recorder?.close()
        #expect(hasher.count > 0)
        #expect(kernel.market.lastTrade(BTCUSD) != nil)

        let replay = try EventReplay(path: path)
        let k2 = try SessionBuilder.makeKernel(replay.spec)
        let h2 = FillHasher()
        k2.addObserver(h2)
        var n = 0
        while let e = replay.next() { k2.handle(e); n += 1 }
        k2.stop()
        #expect(replay.badLines == 0 && n == kernel.eventsProcessed)
        #expect(h2.hexDigest == hasher.hexDigest && h2.count == hasher.count)
    }

    @Test func aHandshakeThatNeverCompletesIsAbandonedAtTheConnectTimeout() async throws {
        // A TCP listener that never answers the HTTP upgrade: start-up fails after the connect timeout (exit 2 in
        // the CLI), it does not hang.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = listen(fd, 16)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        let started = ContinuousClock.now
        await #expect(throws: LiveFeed.StartError.self) {
            _ = try await LiveFeed.start(config: clientConfig("ws://127.0.0.1:\(port)/v2"), precisions: [:], timeout: .seconds(2),
                                         bufferCapacity: 100, clock: wallNow, log: { _, _ in })
        }
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func aSilentPeerIsClosedAndTheClientReconnects() async throws {
        // The server stops sending after the start (no heartbeats, no pongs): the liveness timeout closes the socket
        // locally; the peer never answers the close, so the attempt is abandoned, and the client connects again.
        let server = try FakeKraken(silentAfterStart: true)
        let (url, serverTask) = try await server.start()
        defer { serverTask.cancel() }
        var c = clientConfig(url)
        c.idlePingAfter = .milliseconds(300)
        c.livenessTimeout = .milliseconds(800)
        c.reconnectDelay = .milliseconds(100)
        c.maintenanceMinDelay = .milliseconds(100)
        let feed = try await LiveFeed.start(config: c, precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)],
                                            timeout: .seconds(10), bufferCapacity: 1000, clock: wallNow, log: { _, _ in })
        let deadline = ContinuousClock.now + .seconds(30)
        while server.connections < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(server.connections >= 2)
        #expect(feed.connection.counters.livenessTimeouts >= 1)
        let stopping = ContinuousClock.now
        await feed.connection.stop()
        await feed.task.value   // and the stop does not hang on the silent peer
        #expect(ContinuousClock.now - stopping < .seconds(8))
    }

    @Test func aDroppedConnectionMakesTheMarketUnavailableUntilTheNewSnapshot() async throws {
        // The server drops every connection after 0.6 s; the client reconnects (unhealthy: 1 s backoff, but at least the
        // maintenance minimum would apply to a clean close; 1011 is not clean) and the book comes back.
        let server = try FakeKraken(dropAfter: 0.6)
        let (url, serverTask) = try await server.start()
        defer { serverTask.cancel() }
        var c = clientConfig(url)
        c.maintenanceMinDelay = .milliseconds(200)
        c.reconnectDelay = .milliseconds(200)
        c.stableConnection = .seconds(60)
        let feed = try await LiveFeed.start(config: c, precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)],
                                            timeout: .seconds(10), bufferCapacity: 1000, clock: wallNow, log: { _, _ in })
        var s = spec(strategy: try flow)
        s.start = wallNow()
        let kernel = try SessionBuilder.makeKernel(s)
        var sawUnavailable = false, availableAgain = false
        let session = LiveSession(kernel: kernel, buffer: feed.buffer, connection: feed.connection, end: s.start + .milliseconds(2500),
                                  intervalMs: s.intervalMs, wallClock: wallNow)
        session.onBatch = { now in
            let why = kernel.market.unavailability(BTCUSD, at: now)
            if case .feed(.disconnected)? = why { sawUnavailable = true }
            if sawUnavailable && why == nil && kernel.market.book(BTCUSD) != nil { availableAgain = true }
        }
        try await session.run()
        await feed.task.value
        #expect(sawUnavailable && availableAgain)   // down with the connection, back with the new snapshot and status
        #expect(server.connections >= 2 && feed.connection.counters.connects >= 2)
        #expect(kernel.market.bookInvalidations >= 1)
    }
}
