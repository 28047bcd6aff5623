import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOWebSocket
import Synchronization
import TradingCore

/// The edge of the local Kraken v2 server: Hummingbird 2 serves the WebSocket at `/v2`, Kraken's public REST under
/// `/0/public/`, and a loopback-only control API under `/_sim/` (inject a fault, read counters). Everything it knows comes
/// from `KrakenSimEngine`, called under one lock with virtual time: `start + (wall − wall at start) × speed`.
/// Each connection has its own writer task and a bounded queue, so a client that stops reading is dropped once its
/// queue is full; it never slows the others or grows memory without bound.
public final class KrakenSimServer: Sendable {
    public struct Options: Sendable {
        public var host = "127.0.0.1"
        /// 0: any free port (`port` tells which once started).
        public var port = 0
        /// Virtual seconds per wall second.
        public var speed = 1.0
        /// How often the market is advanced (wall time).
        public var stepEvery: Duration = .milliseconds(10)
        /// Frames queued for one connection before it is dropped as a slow consumer.
        public var maxQueuedFrames = 100_000
        /// A burst waits while the median connection has more frames than this queued.
        public var burstPace = 5_000
        public init() {}
    }

    public struct Stats: Sendable {
        public var slowConsumersDropped = 0
        public var framesWritten = 0
        public var bytesWritten = 0
    }

    final class Box: @unchecked Sendable {
        // @unchecked: touched only under `engine`'s lock.
        let engine: KrakenSimEngine
        init(_ e: KrakenSimEngine) { engine = e }
    }

    enum Item: Sendable { case frame(KrakenSimEngine.Frame), close(UInt16) }

    struct IO: Sendable {
        let queue: AsyncStream<Item>.Continuation
        let channel: any Channel
        var queued = 0
    }

    private let engine: Mutex<Box>
    private let ios = Mutex<[Int: IO]>([:])
    private let rejected = Mutex<[Int]>([])
    private let stats = Mutex(Stats())
    private let boundPort = Mutex(0)
    public let options: Options
    private let wallStart: ContinuousClock.Instant
    private let virtualStart: Timestamp
    private let baseClock: @Sendable () -> Timestamp
    /// Added to the clock after a burst (the market ran ahead).
    private let offset = Mutex(Interval.zero)
    private let paused = Mutex(false)
    private let replayFiles: [String: [String]]
    /// Real time, for the attempt log only (§4.4 records each attempt's wall-clock time beside its virtual one).
    static func wallNow() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(nanoseconds: Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec))
    }

    private func clock() -> Timestamp { baseClock() + offset.withLock { $0 } }

    /// `clock`: virtual time (tests inject one); by default the wall clock scaled by `options.speed` from `config.start`.
    public init(config: KrakenSimConfig, options: Options = Options(), clock: (@Sendable () -> Timestamp)? = nil) {
        engine = Mutex(Box(KrakenSimEngine(config: config)))
        // The virtual clock starts once the history is built, so its generation time is not a burst of catch-up steps.
        wallStart = ContinuousClock.now
        self.options = options
        virtualStart = config.start
        replayFiles = config.replayFiles
        if let clock { baseClock = clock } else {
            let start = wallStart, v = config.start, speed = options.speed
            baseClock = { v + Interval(nanoseconds: Int64(Double((ContinuousClock.now - start) / .nanoseconds(1)) * speed)) }
        }
    }

    public var port: Int { boundPort.withLock { $0 } }
    public var url: String { "ws://\(options.host == "0.0.0.0" ? "127.0.0.1" : options.host):\(port)/v2" }
    public var restURL: String { "http://\(options.host == "0.0.0.0" ? "127.0.0.1" : options.host):\(port)" }
    public var serverStats: Stats { stats.withLock { $0 } }

    /// Stops (and restarts) the market: nothing more is stepped while paused (tests let the client drain, then compare).
    public func pause(_ on: Bool = true) { paused.withLock { $0 = on } }

    /// Every log entry to `sink`, as it happens (under the engine's lock: keep it quick, e.g. a buffered file write).
    public func setLogSink(_ sink: @escaping @Sendable (String) -> Void) {
        engine.withLock { $0.engine.onLog = { sink(KrakenSimLog.line($0)) } }
    }

    /// Reads the engine under the lock (logs, counters, checksums).
    public func withEngine<T: Sendable>(_ body: (KrakenSimEngine) -> T) -> T { engine.withLock { body($0.engine) } }

    /// A fault now. A replay reads its file here, at the edge. A burst goes out in chunks paced by the readers: the
    /// typical connection's queue is let drain below `burstPace` frames before the next chunk, so a client that never
    /// reads neither holds the burst up nor makes the others' queues overflow.
    public func inject(_ fault: SimFault) async throws {
        if case .burst(let n) = fault {
            engine.withLock { $0.engine.noteFaultFired() }
            try await runBurst(n)
            return
        }
        var lines: [String]?
        if case .replay(let path, _) = fault {
            // Only files named at launch: a run-time request never reads an arbitrary path.
            guard let known = replayFiles[path] else { throw SimFaultError("replay file \(path) was not named at launch (--replay-file)") }
            lines = known
        }
        engine.withLock { b in perform(b.engine.inject(fault, replayLines: lines)) }
    }

    /// A burst in chunks of 1000 frames, each sent once the typical queue drained below `burstPace`.
    private func runBurst(_ n: Int) async throws {
        var left = n
        while left > 0 {
            let chunk = min(1000, left)
            let sent = engine.withLock { b -> Int in
                let before = b.engine.counters.framesSent
                perform(b.engine.burstChunk(chunk))
                return b.engine.counters.framesSent - before
            }
            left -= max(sent, 1)
            while medianQueued() > options.burstPace { try await Task.sleep(for: .microseconds(200)) }
        }
        // The market ran ahead of the clock: the clock jumps with it, so the feed goes on from there.
        engine.withLock { b in
            let lead = b.engine.now - clock()
            if lead > .zero { offset.withLock { $0 = $0 + lead } }
        }
    }

    /// Serves until the task is cancelled. `onStarted` gets the bound port.
    public func run(onStarted: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let router = Router(context: SimRequestContext.self)
        router.get("/0/public/:endpoint") { [self] request, context -> Response in
            let endpoint = context.parameters.get("endpoint") ?? ""
            var query: [String: String] = [:]
            for (k, v) in request.uri.queryParameters { query[String(k)] = String(v) }
            let now = clock()
            // History summaries are computed unlocked first, so a year of candles does not stall the feed.
            // On a thread of its own: seconds of work must not hold up the event loop's other sockets either.
            if let fill = engine.withLock({ $0.engine.restPrefetch(endpoint, query, now: now) }) {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().async { fill(); done.resume() }
                }
            }
            let r = engine.withLock { $0.engine.rest(endpoint, query, now: now) }
            return Self.json(r.body, status: r.status)
        }
        router.get("/v2") { [self] _, _ -> Response in
            // An upgrade the engine refused (rejectHandshakes) lands here; a plain GET is told to upgrade.
            let status = rejected.withLock { $0.isEmpty ? 426 : $0.removeFirst() }
            return Self.json("{\"error\":\"handshake refused\"}", status: status)
        }
        // The control API (decision 39): loopback peers only, whatever --host says.
        router.post("/_sim/faults") { [self] request, context -> Response in
            guard context.isLoopback else { return Self.json("{\"ok\":false,\"error\":\"the control API answers loopback clients only\"}", status: 403) }
            var req = request
            let body = try await req.collectBody(upTo: 4096)
            let text = String(buffer: body)
            do {
                let f = try ScheduledFault.parseLine(text)
                if case .replay(let path, _) = f.fault, replayFiles[path] == nil {
                    throw SimFaultError("replay file \(path) was not named at launch (--replay-file)")
                }
                if f.trigger == .immediately { try await inject(f.fault) } else { engine.withLock { $0.engine.schedule(f) } }
                return Self.json("{\"ok\":true,\"fault\":\(SimFormat.string(f.fault.description))}", status: 200)
            } catch {
                return Self.json("{\"ok\":false,\"error\":\(SimFormat.string("\(error)"))}", status: 400)
            }
        }
        router.get("/_sim/stats") { [self] _, context -> Response in
            guard context.isLoopback else { return Self.json("{\"ok\":false,\"error\":\"the control API answers loopback clients only\"}", status: 403) }
            let s = stats.withLock { $0 }
            let body = engine.withLock { b -> String in
                let c = b.engine.counters
                return "{\"connections\":\(c.connections),\"open\":\(b.engine.openConnections.count),\"frames_sent\":\(c.framesSent),\"requests\":\(c.requests),\"malformed_requests\":\(c.malformedRequests),\"faults_fired\":\(c.faultsFired),\"attempts\":\(b.engine.attempts.count),\"rest_requests\":\(b.engine.restRequests),\"rest_rate_limited\":\(b.engine.restRateLimited),\"slow_consumers_dropped\":\(s.slowConsumersDropped),\"frames_written\":\(s.framesWritten),\"bytes_written\":\(s.bytesWritten),\"system\":\"\(b.engine.system)\",\"virtual_time\":\"\(b.engine.now.iso8601)\"}"
            }
            return Self.json(body, status: 200)
        }
        let app = Application(
            router: router,
            server: .http1WebSocketUpgrade(configuration: .init(ws: .init(maxFrameSize: 1 << 22))) { [self] request, channel, _ in
                guard request.path == "/v2" || request.path?.hasPrefix("/v2?") == true else { return .dontUpgrade }
                let now = clock(), wall = Self.wallNow()
                if let status = engine.withLock({ $0.engine.attempt(now: now, wall: wall) }) {
                    rejected.withLock { $0.append(status) }
                    return .dontUpgrade
                }
                return .upgrade([:]) { inbound, outbound, _ in try await self.serve(inbound, outbound, channel) }
            },
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { [self] channel in
                let p = channel.localAddress?.port ?? 0
                boundPort.withLock { $0 = p }
                onStarted(p)
            },
            logger: Logger(label: "kraken-sim", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: []) }
            group.addTask { [self] in
                while !Task.isCancelled {
                    try await Task.sleep(for: options.stepEvery)
                    if paused.withLock({ $0 }) { continue }
                    let now = clock()
                    engine.withLock { perform($0.engine.advance(to: now)) }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    static func json(_ body: String, status: Int) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    private func serve(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ channel: any Channel) async throws {
        let stream = AsyncStream<Item>.makeStream()
        let now = clock()
        // Registered and sent to under the engine's lock, so nothing of the market can come before the status.
        let id = engine.withLock { b -> Int in
            let (id, first) = b.engine.open(now: now)
            ios.withLock { $0[id] = IO(queue: stream.continuation, channel: channel) }
            perform(first)
            return id
        }
        defer {
            stream.continuation.finish()
            ios.withLock { $0[id] = nil }
            engine.withLock { $0.engine.closed(id) }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                for await item in stream.stream {
                    switch item {
                    case .frame(.text(let t)):
                        try await outbound.write(.text(t))
                        wrote(id, bytes: t.utf8.count)
                    case .frame(.binary(let b)):
                        try await outbound.write(.binary(ByteBuffer(bytes: b)))
                        wrote(id, bytes: b.count)
                    case .close(let code):
                        try? await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: nil)
                        return
                    }
                }
            }
            group.addTask { [self] in
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    let now = clock()
                    // Answered under the engine's lock: an ack and its snapshot reach the socket before any later update.
                    switch message {
                    case .text(let text):
                        // An ohlc snapshot of a long interval reads weeks of history: summarised unlocked first.
                        if let fill = engine.withLock({ $0.engine.receivePrefetch(text) }) {
                            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                                DispatchQueue.global().async { fill(); done.resume() }
                            }
                        }
                        engine.withLock { perform($0.engine.receive(id, text, now: now)) }
                    case .binary: engine.withLock { perform($0.engine.receiveBinary(id, now: now)) }
                    }
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    private func medianQueued() -> Int {
        let q = ios.withLock { $0.values.map(\.queued) }.sorted()
        return q.isEmpty ? 0 : q[q.count / 2]
    }

    private func wrote(_ id: Int, bytes: Int) {
        ios.withLock { if $0[id] != nil { $0[id]!.queued -= 1 } }
        stats.withLock { $0.framesWritten += 1; $0.bytesWritten += bytes }
    }

    /// The engine's outputs onto the sockets: frames to each connection's queue (dropping a connection whose queue is
    /// full), closes through the writer (after what is queued), aborts as a TCP reset.
    func perform(_ outputs: [KrakenSimEngine.Output]) {
        guard !outputs.isEmpty else { return }
        var aborts: [any Channel] = []
        var bursts: [Int] = []
        ios.withLock { ios in
            for o in outputs {
                switch o {
                case .send(let id, let frame):
                    guard var io = ios[id] else { continue }
                    if io.queued >= options.maxQueuedFrames {
                        aborts.append(io.channel)
                        ios[id] = nil
                        io.queue.finish()
                        stats.withLock { $0.slowConsumersDropped += 1 }
                        continue
                    }
                    io.queued += 1
                    ios[id] = io
                    io.queue.yield(.frame(frame))
                case .close(let id, let code):
                    ios[id]?.queue.yield(.close(code))
                case .abort(let id):
                    if let io = ios[id] { aborts.append(io.channel); io.queue.finish(); ios[id] = nil }
                case .burst(let n):
                    bursts.append(n)
                }
            }
        }
        for n in bursts { Task { try? await self.runBurst(n) } }
        for ch in aborts {
            // SO_LINGER 0: close() sends a reset, not a FIN, and no close frame goes out.
            ch.eventLoop.execute {
                if let p = ch as? any SocketOptionProvider {
                    p.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in ch.close(promise: nil) }
                } else {
                    ch.close(promise: nil)
                }
            }
        }
    }
}

/// The request context of the server's HTTP routes: Hummingbird's basics and the peer's address (the control API
/// answers loopback peers only).
struct SimRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let remote: SocketAddress?
    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remote = source.channel.remoteAddress
    }
    var isLoopback: Bool {
        guard let ip = remote?.ipAddress else { return false }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}
