import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import Testing
import Backtest
import KrakenWS
import LiveSession
import MarketData
import PaperExchange
import Strategies
import TradingCore
import TradingEngine
@testable import KrakenSim

func wallNow() -> Timestamp {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Timestamp(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
}

/// Checks engine §2.5.1's first and third invariants after every fill of a live session (USD pairs: equity, P&L and
/// unrealized are all in USD).
final class InvariantObserver: KernelObserver {
    weak var kernel: Kernel?
    var fills = 0
    var violations: [String] = []
    func kernelDidFill(_ fill: Fill, portfolio p: Portfolio) {
        fills += 1
        guard let k = kernel else { return }
        let v = Valuation(market: k.market)
        var unrealized = Money.zero
        for pos in p.positions.values {
            guard let mark = k.market.price(pos.symbol) else { violations.append("no mark for \(pos.symbol)"); return }
            unrealized += pos.unrealizedPnl(at: mark)
        }
        if v.equity(p) - p.baselineEquity != p.totalPnl + unrealized { violations.append("equity identity after fill \(fills)") }
        if p.positions.isEmpty && p.cash - p.startingCapital != p.totalPnl { violations.append("flat cash identity after fill \(fills)") }
    }
    func kernelDidReject(_ rejection: ExecutionRejection) {}
    func kernelStrategyFailed(_ name: String, message: String, paused: Bool) {}
    func kernelWarning(_ message: String) {}
    func kernelRegimeChanged(from old: MarketRegime?, to new: RegimeSnapshot) {}
    func kernelRegimeDeclined(_ strategy: String, signal: Signal, regime: RegimeSnapshot) {}
}

/// The real client, transport and live driver against the local Kraken v2 server over loopback, one fault at a time
/// (issue 10, "How we know it works"): the client recovers as market-data §4.4's last column says, its counters show
/// it, and nothing is corrupted: the session's fills_sha256 equals the replay of its own recording, the accounting
/// invariants hold after every fill, and every book ends at the server's checksum.
@Suite(.serialized, .timeLimit(.minutes(2))) struct KrakenSimEndToEndTests {
    let symbols = [BTC, ETH]

    func startServer(_ cfg: KrakenSimConfig, speed: Double = 4) async throws -> (KrakenSimServer, Task<Void, any Error>) {
        var options = KrakenSimServer.Options()
        options.port = 0
        options.speed = speed
        var c = cfg
        c.start = wallNow()
        c.levels = 25   // deep enough for depth-10 books, and cheap in a debug build
        let server = KrakenSimServer(config: c, options: options)
        let started = AsyncStream<Int>.makeStream()
        let task = Task { try await server.run { p in started.continuation.yield(p); started.continuation.finish() } }
        var it = started.stream.makeAsyncIterator()
        _ = await it.next()
        return (server, task)
    }

    func clientConfig(_ url: String) -> KrakenClientConfig {
        var c = KrakenClientConfig()
        c.url = url
        c.symbols = symbols
        c.reconnectJitter = 0
        c.reconnectDelay = .milliseconds(100)
        c.maxReconnectDelay = .milliseconds(800)
        c.maintenanceMinDelay = .milliseconds(300)
        c.idlePingAfter = .milliseconds(300)
        c.livenessTimeout = .milliseconds(1200)
        c.ackTimeout = .seconds(1)
        // The server runs its market faster than the wall clock: exchange stamps are not comparable with receipt times.
        c.maxLag = .seconds(86_400)
        return c
    }

    struct Run {
        let kernel: Kernel
        let connection: KrakenConnection
        let feed: LiveFeed
        let sameFillsOnReplay: Bool
        let fills: Int
        let violations: [String]
        let unavailable: [MarketUnavailability]
        let clientChecksums: [Symbol: UInt32]
        let serverChecksums: [Symbol: UInt32]
    }

    /// A session of `seconds` against `server`; `during` runs at `at` seconds (faults). Returns what the checks need.
    /// A change to the client's configuration (a struct, so a trailing closure always means `during`).
    struct Tweak { let apply: (inout KrakenClientConfig) -> Void }

    /// The built-in precisions, as `ws-tester` passes them (nil: none, everything from the instrument channel).
    static let builtIn = Dictionary(uniqueKeysWithValues: InstrumentRegistry.builtIn.map { ($0.symbol, BookPrecision(price: $0.priceDecimals, quantity: $0.lotDecimals)) })

    func session(_ server: KrakenSimServer, seconds: Double, client: Tweak? = nil, precisions: [Symbol: BookPrecision] = Self.builtIn,
                 at: Double = 1, during: @escaping @Sendable () async throws -> Void = {}) async throws -> Run {
        var cc = clientConfig(server.url)
        client?.apply(&cc)
        let feed = try await LiveFeed.start(config: cc, precisions: precisions, timeout: .seconds(10), bufferCapacity: 10_000, clock: wallNow, log: { _, _ in })
        var ex = ExchangeConfig()
        ex.startingCapital = Money(1000)
        var market = MarketDataConfig()
        market.staleAfter = .milliseconds(800)
        let params = try SessionBuilder.effectiveParameters("flow_momentum", layers: [
            ["lookback_trades": "3", "entry_imbalance": "0.1", "exit_imbalance": "0.05", "cooldown_seconds": "0", "use_circuit_breaker": "false",
             "position_size_usd": "50"]])
        var spec = SessionSpec(symbols: symbols, instruments: symbols.map { InstrumentRegistry()[$0]! },
                               strategies: [StrategySpec(name: "flow_momentum", parameters: params, symbols: symbols)], exchange: ex,
                               engine: EngineConfig(), market: market, seed: 1, intervalMs: 50, start: wallNow())
        spec.start = wallNow()
        let kernel = try SessionBuilder.makeKernel(spec)
        let hasher = FillHasher()
        let inv = InvariantObserver()
        inv.kernel = kernel
        kernel.addObserver(hasher)
        kernel.addObserver(inv)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("wst-sim-e2e-\(getpid())-\(UUID().uuidString).jsonl").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let live = LiveSession(kernel: kernel, buffer: feed.buffer, connection: feed.connection, end: spec.start + .milliseconds(Int64(seconds * 1000)),
                               intervalMs: spec.intervalMs, wallClock: wallNow)
        live.recorder = try EventRecorder(path: path, spec: spec)
        var seen: [MarketUnavailability] = []
        var client: [Symbol: UInt32] = [:]
        let connection = feed.connection, syms = symbols
        live.onBatch = { now in
            for s in [BTC, ETH] { if let u = kernel.market.unavailability(s, at: now), seen.last != u { seen.append(u) } }
            // The client's books as of what the kernel has applied (a stop drops them).
            let sums = connection.inspect { c in syms.compactMap { s in c.feed.book(for: s).map { (s, $0.checksum) } } }
            for (s, v) in sums { client[s] = v }
        }
        let fault = Task {
            try await Task.sleep(for: .milliseconds(Int64(at * 1000)))
            try await during()
        }
        // The last 0.8 s: no market steps, so in-flight frames arrive and any resync completes.
        let pauser = Task {
            try await Task.sleep(for: .milliseconds(Int64((seconds - 0.8) * 1000)))
            server.pause()
        }
        try await live.run()
        await feed.task.value
        fault.cancel()
        pauser.cancel()
        kernel.stop()
        live.recorder?.close()
        // Replay the recording through a fresh kernel.
        let replay = try EventReplay(path: path)
        let k2 = try SessionBuilder.makeKernel(replay.spec)
        let h2 = FillHasher()
        k2.addObserver(h2)
        while let e = replay.next() { k2.handle(e) }
        k2.stop()
        // The market was paused before the end and the client drained: its books must be the server's, exactly.
        let finals = client
        let serverSums = server.withEngine { e in Dictionary(uniqueKeysWithValues: symbols.compactMap { s in e.checksum(s).map { (s, $0) } }) }
        server.pause(false)
        return Run(kernel: kernel, connection: feed.connection, feed: feed, sameFillsOnReplay: replay.badLines == 0 && h2.hexDigest == hasher.hexDigest && h2.count == hasher.count,
                   fills: hasher.count, violations: inv.violations, unavailable: seen, clientChecksums: finals, serverChecksums: serverSums)
    }

    func expectIntact(_ r: Run, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.sameFillsOnReplay, "\(what): fills_sha256 differs from the replay of the recording", sourceLocation: sourceLocation)
        #expect(r.violations.isEmpty, "\(what): \(r.violations)", sourceLocation: sourceLocation)
        #expect(r.clientChecksums == r.serverChecksums && r.clientChecksums.count == symbols.count,
                "\(what): client \(r.clientChecksums) server \(r.serverChecksums)", sourceLocation: sourceLocation)
    }

    @Test func aCleanSessionTradesAndStaysExact() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 4)
        expectIntact(r, "clean")
        #expect(r.fills > 0)
        #expect(r.connection.feedCounters.checksumFailures == 0 && r.connection.feedCounters.tradeGaps == 0)
        #expect(r.connection.counters.connects == 1)
    }

    @Test func booksOfPairsOutsideTheBuiltInTableWaitForTheInstrumentPrecisions() async throws {
        // Without built-in precisions the book snapshots come before the instrument snapshot: not verifiable, so
        // dropped; once the precisions arrive the client resubscribes those books.
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 3, precisions: [:])
        expectIntact(r, "no built-in precisions")
        #expect(r.connection.feedCounters.unknownPrecision >= 2 && r.connection.feedCounters.checksumFailures == 0)
    }

    @Test(arguments: [SimFault.CloseKind.code(1000), .code(1001), .code(1011), .abort])
    func disconnectsAreHealed(kind: SimFault.CloseKind) async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 4) { try await server.inject(.disconnect(kind)) }
        expectIntact(r, "disconnect \(kind)")
        #expect(r.connection.counters.connects == 2)
        // The books waited for their new snapshots: unavailable with the connection, back after.
        #expect(r.unavailable.contains(MarketUnavailability.feed(.disconnected)) || r.unavailable.contains(MarketUnavailability.invalidBook))
        let closes = r.connection.counters.disconnects
        // An abort is a TCP reset: the client must see no close frame at all (key 0), not a close that raced ahead of it.
        if case .code(let c) = kind { #expect(closes == [c: 1], "\(closes)") } else { #expect(closes == [0: 1], "\(closes)") }
        // The resubscription: the second connection subscribed to every channel again.
        let second = server.withEngine { e in e.requests.filter { $0.connection == 2 }.map(\.text) }
        #expect(second.contains { $0.contains(#""channel":"book""#) } && second.contains { $0.contains(#""channel":"trade""#) })
    }

    @Test func rejectedHandshakesBackOffWithinBounds() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 5, client: Tweak { $0.reconnectJitter = 0.2 }) {
            try await server.inject(.rejectHandshakes(count: 4, httpStatus: 503))
            try await server.inject(.disconnect(.code(1011)))
        }
        expectIntact(r, "rejectHandshakes")
        let attempts = server.withEngine { $0.attempts }
        #expect(attempts.map(\.rejectedWith) == [nil, 503, 503, 503, 503, nil])
        // Gaps between attempts 2…6 follow min(cap, base·2^(k−1))·(1 − jitter·u), u ∈ [0, 1) (refused handshakes close no
        // socket, so the maintenance minimum does not apply); the server's clock runs 4× the wall's. The upper slack is
        // the client's 100 ms timer and a loaded machine.
        let gaps = zip(attempts.dropFirst(), attempts.dropFirst(2)).map { Double(($1.time - $0.time).nanoseconds) / 4e9 }
        let nominal = [0.2, 0.4, 0.8, 0.8]   // k = 2…5 (k = 1 was the reconnect after the 1011 close)
        for (g, d) in zip(gaps, nominal) {
            #expect(g >= d * 0.8 - 0.02 && g <= d + 0.5, "gap \(g) for nominal \(d): \(gaps) attempts \(attempts.map { $0.time.iso8601 })")
        }
        #expect(r.connection.counters.connectFailures == 4)
        // The log also holds each attempt's wall-clock time (§4.4): the same back-off, unscaled.
        let walls = attempts.compactMap(\.wallTime)
        #expect(walls.count == attempts.count)
        let wallGaps = zip(walls.dropFirst(), walls.dropFirst(2)).map { Double(($1 - $0).nanoseconds) / 1e9 }
        for (g, d) in zip(wallGaps, nominal) { #expect(g >= d * 0.8 - 0.02 && g <= d + 0.5, "wall gap \(g) for nominal \(d)") }
    }

    @Test func theAttemptLimiterCapsConnectionsUnderAnAcceptThenCloseLoop() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 4, client: Tweak { $0.maxConnectsPer10Min = 4 }) {
            try await server.inject(.acceptThenClose(count: 1000))
            try await server.inject(.disconnect(.code(1000)))
        }
        let attempts = server.withEngine { $0.attempts }
        // Never a tight loop: four attempts in ten minutes, spaced at least the maintenance minimum.
        #expect(attempts.count == 4, "\(attempts.count) attempts")
        for (a, b) in zip(attempts, attempts.dropFirst()) { #expect(Double((b.time - a.time).nanoseconds) / 4e9 >= 0.28) }
        #expect(r.violations.isEmpty && r.sameFillsOnReplay)
    }

    @Test func malformedFramesAreCountedAndIgnored() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 3) {
            for k in SimFault.Malformed.allCases { try await server.inject(.malformedJSON(k)) }
        }
        expectIntact(r, "malformed")
        #expect(r.connection.feedCounters.parseErrors >= 2)
        #expect(r.connection.counters.connects == 1)   // stayed connected
    }

    @Test func corruptedAndDroppedBookUpdatesResyncThatBook() async throws {
        for fault in [SimFault.checksumCorrupt(BTC), .dropBookUpdate(ETH)] {
            let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
            defer { task.cancel() }
            let r = try await session(server, seconds: 4) { try await server.inject(fault) }
            expectIntact(r, "\(fault)")
            #expect(r.connection.feedCounters.checksumFailures == 1 && r.connection.counters.checksumResyncs == 1, "\(fault)")
            let symbol = fault == .checksumCorrupt(BTC) ? "BTC/USD" : "ETH/USD"
            let bookRequests = server.withEngine { e in e.requests.map(\.text).filter { $0.contains(#""channel":"book""#) && $0.contains(symbol) } }
            #expect(bookRequests.count == 3 && bookRequests[1].contains("unsubscribe"), "\(bookRequests)")
            #expect(r.unavailable.contains(MarketUnavailability.invalidBook))
        }
    }

    @Test func droppedDuplicatedAndReorderedTrades() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 4) {
            try await server.inject(.dropTrade(BTC, count: 2))
            try await Task.sleep(for: .milliseconds(500))
            try await server.inject(.duplicateTrade(ETH))
        }
        expectIntact(r, "trades")
        let dropped = server.withEngine { $0.counters.tradesDropped }
        #expect(dropped > 0 && r.connection.feedCounters.missingTrades == UInt64(dropped))
        #expect(r.connection.feedCounters.duplicateTrades >= 1)

        let (s2, t2) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { t2.cancel() }
        let r2 = try await session(s2, seconds: 4) { try await s2.inject(.reorder(channel: "trade", count: 1)) }
        expectIntact(r2, "reorder trades")
        // The later batch arrives first (a gap), the held one after it is late: dropped, never applied.
        #expect(r2.connection.feedCounters.tradeGaps >= 1 && r2.connection.feedCounters.duplicateTrades >= 1)

        let (s3, t3) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { t3.cancel() }
        let r3 = try await session(s3, seconds: 4) { try await s3.inject(.reorder(channel: "book", count: 1)) }
        expectIntact(r3, "reorder books")
        #expect(r3.connection.feedCounters.checksumFailures >= 1 && r3.connection.counters.checksumResyncs >= 1)
    }

    @Test func aHeartbeatOnlyStallMakesSymbolsStaleButKeepsTheConnection() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 5) { try await server.inject(.staleFeed(.heartbeatOnly, seconds: 8)) }   // 2 s of wall
        expectIntact(r, "heartbeatOnly")
        #expect(r.unavailable.contains { if case .stale = $0 { true } else { false } })
        #expect(r.connection.counters.connects == 1 && r.connection.counters.livenessTimeouts == 0)
    }

    @Test func aSilentServerTimesOutAndTheClientReconnects() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 6) { try await server.inject(.staleFeed(.silent, seconds: 8)) }
        expectIntact(r, "silent")
        #expect(r.connection.counters.livenessTimeouts >= 1 && r.connection.counters.connects >= 2)
    }

    @Test func suppressedPongsAloneDoNotKillALiveConnection() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 4, client: Tweak { $0.keepalivePing = .milliseconds(200) }, at: 0.5) {
            try await server.inject(.suppressPong(seconds: 3600))
        }
        expectIntact(r, "suppressPong")
        #expect(r.connection.counters.pingsSent >= 5 && r.connection.counters.livenessTimeouts == 0 && r.connection.counters.connects == 1)
    }

    @Test func maintenanceSuspendsAndTheReconnectWaitsTheMinimum() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 5, client: Tweak { $0.maintenanceMinDelay = .milliseconds(900) }) {
            try await server.inject(.status("maintenance"))
            try await Task.sleep(for: .milliseconds(300))
            try await server.inject(.disconnect(.code(1001)))
            try await Task.sleep(for: .milliseconds(1500))
            try await server.inject(.status("online"))
        }
        expectIntact(r, "maintenance")
        #expect(r.unavailable.contains(MarketUnavailability.feed(.maintenance)))
        let attempts = server.withEngine { $0.attempts }
        #expect(attempts.count == 2)
        if attempts.count == 2 { #expect(Double((attempts[1].time - attempts[0].time).nanoseconds) / 4e9 >= 0.3 + 0.9 - 0.05) }
        // Online again at the end (the feed status; freshness at the last instant depends on the machine's load).
        #expect(r.kernel.market.feedStatus == .online)
    }

    /// cancel_only and post_only are not online: the kernel treats the feed as unavailable until online returns.
    @Test(arguments: ["cancel_only", "post_only"]) func aRestrictedStatusSuspendsTrading(status: String) async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 4) {
            try await server.inject(.status(status))
            try await Task.sleep(for: .milliseconds(800))
            try await server.inject(.status("online"))
        }
        expectIntact(r, status)
        #expect(r.unavailable.contains(MarketUnavailability.feed(MarketStatus(rawValue: status))))
        #expect(r.kernel.market.feedStatus == .online && r.connection.counters.connects == 1)
    }

    @Test func handshakesRefusedWith429AreRetried() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 4) {
            try await server.inject(.rejectHandshakes(count: 2, httpStatus: 429))
            try await server.inject(.disconnect(.code(1011)))
        }
        expectIntact(r, "rejectHandshakes 429")
        #expect(server.withEngine { $0.attempts.map(\.rejectedWith) } == [nil, 429, 429, nil])
        #expect(r.connection.counters.connectFailures == 2 && r.connection.counters.connects == 2)
    }

    /// Injected at run time, or scheduled (`--fault burst@t=…`): either way paced by the readers, and the feed goes on.
    @Test(arguments: [false, true]) func aBurstIsDeliveredWhole(scheduled: Bool) async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let before = ContinuousClock.now
        let after = Mutex<(Int, Int)>((0, 0))
        let r = try await session(server, seconds: 6, at: 0.5) {
            if scheduled {
                server.withEngine { e in e.schedule(ScheduledFault(.burst(5000), .at(e.now - e.config.start + .milliseconds(200)))) }
                while server.withEngine({ $0.counters.faultsFired }) == 0 { try await Task.sleep(for: .milliseconds(10)) }
                try await Task.sleep(for: .milliseconds(300))
            } else {
                try await server.inject(.burst(5000))
            }
            #expect(server.withEngine { $0.counters.faultsFired } == 1)
            // The feed goes on after the burst (the clock moved with the market).
            try await Task.sleep(for: .milliseconds(500))
            let a = server.withEngine { $0.counters.framesSent }
            try await Task.sleep(for: .milliseconds(1000))
            let b = server.withEngine { $0.counters.framesSent }
            after.withLock { $0 = (a, b) }
        }
        expectIntact(r, "burst")
        let (a, b) = after.withLock { $0 }
        #expect(b - a > 20, "frames in the second after the burst: \(b - a)")
        #expect(r.connection.feedCounters.messages >= 5000)
        #expect(r.connection.feedCounters.checksumFailures == 0 && r.connection.feedCounters.tradeGaps == 0)
        #expect(r.feed.buffer.stats.highWater <= 10_000)
        #expect(ContinuousClock.now - before < .seconds(30))
    }

    @Test func rateLimitedRequestsAreThrottledAndResent() async throws {
        let (server, task) = try await startServer(simConfig(symbols: [BTC, ETH]))
        defer { task.cancel() }
        let r = try await session(server, seconds: 5) {
            try await server.inject(.rateLimit(perSecond: 1))
            try await server.inject(.checksumCorrupt(BTC))   // the resync sends two requests at once
            try await Task.sleep(for: .milliseconds(3000))
            try await server.inject(.rateLimit(perSecond: 0))
        }
        expectIntact(r, "rateLimit")
        #expect(r.connection.counters.rateLimited >= 1)
        let refused = server.withEngine { e in e.sent.filter { $0.frame.text?.contains("Exceeded msg rate") == true }.count }
        #expect(refused >= 1)
    }
}
