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
        /// The generation of the socket we asked to close (a request belongs to its socket only).
        var closeRequested: Int?
        var stopped = false
        var lastTime = Timestamp(nanoseconds: .min)
        var settled = false
        var refused: [String] = []
        var counters = KrakenClient.Counters()
        var feedCounters = KrakenFeed.Counters()
        /// Batches of actions in the order the client produced them (the buffer admits them in this order).
        var sequence: UInt64 = 0
        /// The current socket attempt; an abandoned attempt's late handshake or frames are ignored and it closes itself.
        var generation = 0
        /// The reader waits for room in the buffer (the kernel is behind): that is not silence.
        var readerWaiting = false
        /// The current socket's outgoing text frames (its writer task sends them in order).
        var outgoing: AsyncStream<String>.Continuation?
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
                    let waiting = shared.withLock { $0.readerWaiting }
                    let actions = withClient { c, now, out in
                        // Frames are queued behind a full buffer, not missing: the connection is alive.
                        if waiting { c.noteAlive(now: now) }
                        c.tick(now: now, into: &out)
                    }
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
        // No more events: nothing may wait for room, or for its turn, after this.
        buffer.finish()
        var batch = withClient { c, now, out in c.stop(now: now, into: &out) }
        let writer = shared.withLock { s -> WebSocketOutboundWriter? in s.stopped = true; return s.writer }
        batch.actions.removeAll { if case .close = $0 { true } else { false } }
        await perform(batch, connects: nil)
        // Whatever socket is open (also one whose handshake finished as we stopped) is closed cleanly, without waiting
        // on it here: the session abandons a close that is not answered.
        if let writer { Task { try? await writer.close(.normalClosure, reason: nil) } }
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

    /// One batch of the client's actions with its place in the order they were made.
    struct Batch: Sendable {
        var actions: [KrakenClient.Action]
        var sequence: UInt64
        /// The socket generation current when the client made these actions: sends and closes go to that socket only.
        var generation: Int
    }

    /// Runs `body` with the client and a monotonic edge time, then records counters. `generation`: only if that socket
    /// attempt is still the current one (an empty batch otherwise).
    private func withClient(generation: Int? = nil, _ body: (KrakenClient, Timestamp, inout [KrakenClient.Action]) -> Void) -> Batch {
        shared.withLock { s in
            var now = clock()
            if now < s.lastTime { now = s.lastTime } else { s.lastTime = now }
            var out: [KrakenClient.Action] = []
            if generation == nil || generation == s.generation { body(s.client, now, &out) }
            s.counters = s.client.counters
            s.feedCounters = s.client.feed.counters
            defer { s.sequence += 1 }
            return Batch(actions: out, sequence: s.sequence, generation: s.generation)
        }
    }

    /// Fixes the session's precisions now (start-up used them to build the kernel).
    public func fixPrecisions() { shared.withLock { $0.client.fixPrecisions() } }

    private func perform(_ batch: Batch, connects: AsyncStream<String>.Continuation?, reader: Bool = false) async {
        let actions = batch.actions
        var events: [MarketEvent] = []
        for a in actions {
            switch a {
            case .deliver(let e): events.append(e)
            case .log(let level, let text): log(level, text)
            case .connect(let url): connects?.yield(url)
            case .send(let text):
                // Queued to the socket's writer task, in order, without waiting here: a socket that stopped taking
                // data must not hold up the clock or the events.
                shared.withLock { s in if s.generation == batch.generation { _ = s.outgoing?.yield(text) } }
            case .close(let code):
                let w = shared.withLock { s -> WebSocketOutboundWriter? in
                    guard s.generation == batch.generation else { return nil }
                    s.closeRequested = s.generation
                    return s.writer
                }
                if let w { Task { try? await w.close(WebSocketErrorCode(codeNumber: Int(code)), reason: nil) } }
            case .settled: shared.withLock { $0.settled = true }
            case .refused(let why): shared.withLock { $0.refused.append(why) }
            }
        }
        if reader { shared.withLock { $0.readerWaiting = true } }
        await buffer.push(events, sequence: batch.sequence)
        if reader { shared.withLock { $0.readerWaiting = false } }
    }

    /// One socket attempt. The connect runs in a task of its own that is abandoned, not awaited, when its handshake
    /// takes longer than the connect timeout or a close we asked for does not finish (a dead peer): neither WSClient's
    /// upgrade nor a silent socket answers cancellation, and the client must move on. An abandoned attempt that
    /// completes later closes itself (its generation is no longer current).
    private func session(_ url: String, connects: AsyncStream<String>.Continuation) async {
        var settings = WebSocketClientConfiguration(maxFrameSize: 4 << 20, autoPing: .disabled)
        // The client's own application pings judge liveness (WSClient's protocol ping would also fire while the reader
        // waits for the kernel, which is backpressure, not a dead peer).
        settings.closeTimeout = .seconds(5)
        let configuration = settings
        let logger = Logger(label: "ws-tester.kraken")
        let opened = Flag()
        let outcome = Outcome()
        let generation = shared.withLock { s -> Int in s.generation += 1; return s.generation }
        let attempt = Task { [self] in
            do {
                let close = try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, outbound, _ in
                    let out = AsyncStream<String>.makeStream()
                    // One step under the lock: still the current attempt, so it is the open socket (the session decides
                    // to abandon under the same lock).
                    let current = self.shared.withLock { s -> Bool in
                        guard s.generation == generation, !s.stopped else { return false }
                        s.writer = outbound
                        s.outgoing = out.continuation
                        opened.set()
                        return true
                    }
                    guard current else { out.continuation.finish(); try? await outbound.close(.normalClosure, reason: nil); return }
                    let writer = Task {
                        for await text in out.stream { do { try await outbound.write(.text(text)) } catch { break } }
                    }
                    defer { out.continuation.finish(); writer.cancel() }
                    let hello = self.withClient(generation: generation) { c, now, out in c.connected(now: now, into: &out) }
                    await self.perform(hello, connects: connects)
                    for try await message in inbound.messages(maxSize: 4 << 20) {
                        guard case .text(var text) = message else { continue }
                        let batch = text.withUTF8 { bytes in self.withClient(generation: generation) { c, now, out in c.received(bytes, now: now, into: &out) } }
                        await self.perform(batch, connects: connects, reader: true)
                        if self.shared.withLock({ $0.closeRequested == generation || $0.generation != generation }) { break }
                    }
                }
                outcome.set(.closed(close.map { UInt16(webSocketErrorCode: $0.closeCode) }))
            } catch {
                outcome.set(.failed("\(error)"))
            }
        }
        let started = ContinuousClock.now
        var closeAskedAt: ContinuousClock.Instant?
        var result: Outcome.Value
        while true {
            if let r = outcome.value { result = r; break }
            let now = ContinuousClock.now
            // Decided under the lock the handshake also takes: either it is open already, or it will find itself stale.
            let (open, closing) = shared.withLock { s -> (Bool, Bool) in
                let open = opened.value
                if !open && now - started > connectTimeout { s.generation += 1 }
                return (open, s.closeRequested == generation || s.stopped)
            }
            if !open && now - started > connectTimeout { result = .abandoned("no handshake within the connect timeout"); break }
            if closing {
                closeAskedAt = closeAskedAt ?? now
                if now - closeAskedAt! > .seconds(6) { result = .abandoned("the close did not complete"); break }
            } else {
                closeAskedAt = nil
            }
            try? await Task.sleep(for: .milliseconds(25))
        }
        if case .abandoned = result { attempt.cancel() }
        shared.withLock { s in
            s.writer = nil
            s.outgoing?.finish()
            s.outgoing = nil
            if s.generation == generation { s.generation += 1 }
            if s.closeRequested == generation { s.closeRequested = nil }
        }
        // By the client's own state: a handshake that never reached it is a failed connect, else the socket closed.
        let batch = withClient { c, now, out in
            let code: UInt16? = if case .closed(let k) = result { k } else { nil }
            let why: String = switch result {
            case .closed: "closed before the handshake"
            case .failed(let w), .abandoned(let w): w
            }
            if c.phase == .connecting { c.connectFailed(now: now, reason: why, into: &out) } else { c.disconnected(now: now, code: code, into: &out) }
        }
        await perform(batch, connects: connects)
    }

    private final class Outcome: Sendable {
        enum Value: Sendable { case closed(UInt16?), failed(String), abandoned(String) }
        private let m = Mutex<Value?>(nil)
        func set(_ v: Value) { m.withLock { if $0 == nil { $0 = v } } }
        var value: Value? { m.withLock { $0 } }
    }

    private struct ConnectTimeout: Error {}

    private final class Flag: Sendable {
        private let m = Mutex(false)
        func set() { m.withLock { $0 = true } }
        var value: Bool { m.withLock { $0 } }
    }
}
