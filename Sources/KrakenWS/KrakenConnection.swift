import Foundation
import Logging
import NIOCore
import NIOWebSocket
import Synchronization
import TradingCore
import WSClient

/// The live transport (ARCHITECTURE "Live path"): runs `KrakenClient`'s actions over swift-websocket's `WSClient` (TLS
/// through swift-nio-ssl for `wss://`). One socket at a time; its reader hands each text frame to the client and pushes
/// the resulting events into the `EventBuffer`, waiting when the kernel is behind (so the socket is not read). A timer
/// task drives the client's clock (backoff, pings, liveness, ack timeouts). Time is sampled here, at the edge, once per
/// frame, from `now` (the wall clock in sessions).
public final class KrakenConnection: Sendable {
    public typealias LogSink = @Sendable (KrakenClient.LogLevel, String) -> Void

    private struct Shared {
        var client: KrakenClient
        var writer: WebSocketOutboundWriter?
        var closeRequested: UInt16?
        var stopped = false
        var lastTime = Timestamp(nanoseconds: .min)
        var settled = false
        var refused: [String] = []
        var counters = KrakenClient.Counters()
        var feedCounters = KrakenFeed.Counters()
    }

    private let shared: Mutex<Shared>
    private let buffer: EventBuffer
    private let clock: @Sendable () -> Timestamp
    private let log: LogSink
    private let tickEvery: Duration
    private let connectTimeout: Duration

    public init(client: sending KrakenClient, buffer: EventBuffer, tickEvery: Duration = .milliseconds(100), connectTimeout: Duration = .seconds(15),
                clock: @escaping @Sendable () -> Timestamp, log: @escaping LogSink) {
        shared = Mutex(Shared(client: client))
        self.buffer = buffer
        self.clock = clock
        self.log = log
        self.tickEvery = tickEvery
        self.connectTimeout = connectTimeout
    }

    /// Runs until `stop()`: connects, reconnects as the client decides, and closes cleanly at the end.
    public func run() async {
        let connectRequests = AsyncStream<String>.makeStream()
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                // The clock: the client's timers, and the connects it asks for.
                while !isStopped {
                    let actions = withClient { c, now, out in c.tick(now: now, into: &out) }
                    await perform(actions, connects: connectRequests.continuation)
                    try? await Task.sleep(for: tickEvery)
                }
                connectRequests.continuation.finish()
            }
            group.addTask { [self] in
                let start = withClient { c, now, out in c.start(now: now, into: &out) }
                await perform(start, connects: connectRequests.continuation)
                for await url in connectRequests.stream {
                    if isStopped { break }
                    await session(url, connects: connectRequests.continuation)
                }
            }
        }
    }

    /// Stops: a clean close of the socket, no reconnect.
    public func stop() async {
        let actions = withClient { c, now, out in c.stop(now: now, into: &out) }
        let writer = shared.withLock { s -> WebSocketOutboundWriter? in s.stopped = true; return s.writer }
        await perform(actions.filter { if case .close = $0 { false } else { true } }, connects: nil)
        // Whatever socket is open (also one whose handshake finished as we stopped) is closed cleanly.
        if let writer { try? await writer.close(.normalClosure, reason: nil) }
    }

    public var isStopped: Bool { shared.withLock { $0.stopped } }
    /// Whether the first connection's subscriptions settled (start-up waits for it).
    public var settled: Bool { shared.withLock { $0.settled } }
    /// Pairs or channels Kraken refused (configuration errors).
    public var refused: [String] { shared.withLock { $0.refused } }
    public var counters: KrakenClient.Counters { shared.withLock { $0.counters } }
    public var feedCounters: KrakenFeed.Counters { shared.withLock { $0.feedCounters } }
    public var phase: KrakenClient.Phase { shared.withLock { $0.client.phase } }
    /// Runs `body` on the client under the lock (read-only inspection: precisions, books).
    public func inspect<T: Sendable>(_ body: (KrakenClient) -> T) -> T { shared.withLock { body($0.client) } }

    // MARK: Internals

    /// Runs `body` with the client and a monotonic edge time, then records counters.
    private func withClient(_ body: (KrakenClient, Timestamp, inout [KrakenClient.Action]) -> Void) -> [KrakenClient.Action] {
        shared.withLock { s in
            var now = clock()
            if now < s.lastTime { now = s.lastTime } else { s.lastTime = now }
            var out: [KrakenClient.Action] = []
            body(s.client, now, &out)
            s.counters = s.client.counters
            s.feedCounters = s.client.feed.counters
            return out
        }
    }

    private func perform(_ actions: [KrakenClient.Action], connects: AsyncStream<String>.Continuation?) async {
        var events: [MarketEvent] = []
        for a in actions {
            switch a {
            case .deliver(let e): events.append(e)
            case .log(let level, let text): log(level, text)
            case .connect(let url): connects?.yield(url)
            case .send(let text):
                if let w = shared.withLock({ $0.writer }) {
                    do { try await w.write(.text(text)) } catch { log(.debug, "send failed: \(error)") }
                }
            case .close(let code):
                let w = shared.withLock { s -> WebSocketOutboundWriter? in s.closeRequested = code; return s.writer }
                if let w { try? await w.close(WebSocketErrorCode(codeNumber: Int(code)), reason: nil) }
            case .settled: shared.withLock { $0.settled = true }
            case .refused(let why): shared.withLock { $0.refused.append(why) }
            }
        }
        await buffer.push(events)
    }

    private func session(_ url: String, connects: AsyncStream<String>.Continuation) async {
        var settings = WebSocketClientConfiguration(maxFrameSize: 4 << 20, autoPing: .enabled(timePeriod: .seconds(30)))
        settings.closeTimeout = .seconds(5)
        let configuration = settings
        let logger = Logger(label: "ws-tester.kraken")
        let opened = Flag()
        do {
            let close = try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
                group.addTask { [self] in
                    try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                        opened.set()
                        let stopped = self.shared.withLock { s -> Bool in s.writer = outbound; s.closeRequested = nil; return s.stopped }
                        if stopped { try? await outbound.close(.normalClosure, reason: nil); return }
                        let hello = self.withClient { c, now, out in c.connected(now: now, into: &out) }
                        await self.perform(hello, connects: connects)
                        for try await message in inbound.messages(maxSize: 4 << 20) {
                            guard case .text(var text) = message else { continue }
                            let actions = text.withUTF8 { bytes in self.withClient { c, now, out in c.received(bytes, now: now, into: &out) } }
                            await self.perform(actions, connects: connects)
                            if self.shared.withLock({ $0.closeRequested != nil }) { break }
                        }
                    }
                }
                group.addTask { [connectTimeout] in
                    // Only the handshake is bounded: once open, the client's liveness rules take over.
                    try await Task.sleep(for: connectTimeout)
                    if !opened.value { throw ConnectTimeout() }
                    try await Task.sleep(for: .seconds(1_000_000_000))
                    return nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
            shared.withLock { $0.writer = nil }
            let code = close.map { UInt16(webSocketErrorCode: $0.closeCode) }
            let actions = withClient { c, now, out in c.disconnected(now: now, code: code, into: &out) }
            await perform(actions, connects: connects)
        } catch {
            shared.withLock { $0.writer = nil }
            let wasOpen = opened.value
            let actions = withClient { c, now, out in
                if wasOpen { c.disconnected(now: now, code: nil, into: &out) }
                else { c.connectFailed(now: now, reason: error is ConnectTimeout ? "no handshake within the connect timeout" : "\(error)", into: &out) }
            }
            await perform(actions, connects: connects)
        }
    }

    private struct ConnectTimeout: Error {}

    private final class Flag: Sendable {
        private let m = Mutex(false)
        func set() { m.withLock { $0 = true } }
        var value: Bool { m.withLock { $0 } }
    }
}
