import Foundation
import TradingCore

/// The local Kraken v2 server's behaviour (market-data §4.4), as a synchronous state machine: the edge tells it of
/// connection attempts, opened and closed sockets, received text and the passing of virtual time, and performs the
/// outputs it returns (frames to send, closes, aborts). It never reads a clock and does no I/O, so the same seed,
/// configuration, fault script and client requests give byte-identical frames.
public final class KrakenSimEngine {
    public enum Frame: Sendable, Equatable {
        case text(String)
        case binary([UInt8])
        public var text: String? { if case .text(let t) = self { t } else { nil } }
    }

    public enum Output: Sendable, Equatable {
        case send(connection: Int, Frame)
        case close(connection: Int, code: UInt16)
        /// A TCP reset: no close frame.
        case abort(connection: Int)
        /// A scheduled burst fell due: the edge runs it paced by the readers (`burstChunk`), as a run-time one.
        case burst(frames: Int)
    }

    public struct SentFrame: Sendable, Equatable {
        public let connection: Int
        /// Position among this connection's frames, from 0.
        public let index: Int
        public let time: Timestamp
        public let frame: Frame
    }

    public struct Request: Sendable, Equatable {
        public let connection: Int
        public let time: Timestamp
        public let text: String
    }

    public struct Attempt: Sendable, Equatable {
        public let number: Int
        public let time: Timestamp
        /// Nil: accepted; else the HTTP status of the refusal.
        public let rejectedWith: Int?
        /// The wall-clock time the edge saw the attempt at (nil when driven without sockets).
        public var wallTime: Timestamp? = nil
    }

    public struct Counters: Sendable, Equatable {
        public var connections = 0
        public var framesSent = 0
        public var requests = 0
        public var malformedRequests = 0
        public var faultsFired = 0
        public var logEntriesDropped = 0
        /// What faults did to the tape and the books (tests compare the client's counters with these).
        public var tradesDropped = 0
        public var tradeMessagesDuplicated = 0
        public var bookUpdatesDropped = 0
        public var checksumsCorrupted = 0
    }

    struct Sub {
        let channel: String
        let pair: Int?
        var depth = 10
        var interval = 1
        var trigger = "trades"
        var snapshot = true
    }

    struct Connection {
        let id: Int
        var subs: [String: Sub] = [:]
        var lastSent: Timestamp
        /// The last channel message (Kraken's heartbeat rule counts only those, not acks or pongs).
        var lastChannelMessage: Timestamp
        var framesSent = 0
        /// Pair index → the book this client holds where it is not the world's previous book (after a stall).
        var ownBooks: [Int: SimBook] = [:]
        /// Reorder faults still to apply, and the frame held back per channel (with its pair).
        var reorder: [String: Int] = [:]
        var held: [String: (pair: Int, frame: String)] = [:]
        var recentRequests: [Timestamp] = []
        var closing = false
    }

    public let config: KrakenSimConfig
    private(set) var world: SimWorld
    private var connections: [Int: Connection] = [:]
    private var nextConnection = 1
    private var attemptCount = 0
    public private(set) var sent: [SentFrame] = []
    private var sentBytes = 0
    public private(set) var requests: [Request] = []
    public private(set) var attempts: [Attempt] = []
    public private(set) var counters = Counters()
    public private(set) var system = "online"
    /// Every log entry as it happens, beyond the in-memory capacity (the edge writes them to `kraken sim --log`).
    public var onLog: ((LogEntry) -> Void)?

    public enum LogEntry: Sendable {
        case attempt(Attempt)
        case request(Request)
        case sent(SentFrame)
    }
    private var pending: [ScheduledFault]
    private var rejects: [Int] = []
    private var pendingReorder: [String: Int] = [:]
    private var acceptThenClose = 0
    private var corrupt: [Int: Int] = [:]
    private var dropBook: [Int: Int] = [:]
    private var dropTrades: [Int: Int] = [:]
    private var duplicates: [Int: Int] = [:]
    private var staleUntil: Timestamp?
    private var staleMode = SimFault.Stale.heartbeatOnly
    private var pongsSuppressedUntil: Timestamp?
    private var rateLimit = 0
    private var replay: [(due: Timestamp, line: String)] = []
    private var clock: Timestamp
    // REST state (KrakenSimREST.swift).
    /// Per pair: history summaries, shared with the server so heavy requests fill them outside the lock.
    let historyCaches: [SimHistoryCache]
    var restTokens: Double = 0
    var restRefilledAt = Timestamp(nanoseconds: 0)
    public internal(set) var restRequests = 0
    public internal(set) var restRateLimited = 0
    var clockNow: Timestamp { clock }
    func advanceClockOnly(_ now: Timestamp) { tickClock(now) }

    public init(config: KrakenSimConfig) {
        self.config = config
        world = SimWorld(symbols: config.symbols, seed: config.seed, start: config.start, tick: config.tick, levels: config.levels,
                         historyDays: config.historyDays)
        world.tapeCapacity = max(1000, config.tapeCapacity)
        clock = world.now
        historyCaches = world.caches
        pending = config.faults
        restTokens = config.restBurst
        restRefilledAt = world.now
    }

    /// Virtual time as the engine last saw it.
    public var now: Timestamp { clock }
    public var openConnections: [Int] { connections.keys.sorted() }
    public var pairs: [Symbol] { world.pairs.map(\.symbol) }

    /// The checksum of a pair's current book (what every client's book must end at).
    public func checksum(_ s: Symbol) -> UInt32? { world.index(of: s).map { world.pairs[$0].book.checksum } }
    public func lastTradeId(_ s: Symbol) -> UInt64? { world.index(of: s).map { world.pairs[$0].nextId - 1 } }

    // MARK: Connections

    /// A WebSocket upgrade attempt: nil to accept, or the HTTP status to refuse it with (rejectHandshakes).
    public func attempt(now: Timestamp, wall: Timestamp? = nil) -> Int? {
        tickClock(now)
        attemptCount += 1
        let status = rejects.isEmpty ? nil : rejects.removeFirst()
        let a = Attempt(number: attemptCount, time: clock, rejectedWith: status, wallTime: wall)
        if attempts.count >= config.logCapacity { attempts.removeFirst(attempts.count / 2) }
        attempts.append(a)
        onLog?(.attempt(a))
        return status
    }

    /// A socket opened: its number and first frames (status; then a close when acceptThenClose is armed).
    public func open(now: Timestamp) -> (connection: Int, outputs: [Output]) {
        tickClock(now)
        let id = nextConnection
        nextConnection += 1
        counters.connections += 1
        connections[id] = Connection(id: id, lastSent: clock, lastChannelMessage: clock)
        if !pendingReorder.isEmpty { connections[id]!.reorder = pendingReorder; pendingReorder = [:] }
        var out: [Output] = []
        if !silent { send(id, statusFrame(id), &out) }
        if acceptThenClose > 0 {
            acceptThenClose -= 1
            connections[id]?.closing = true
            out.append(.close(connection: id, code: 1000))
        }
        return (id, out)
    }

    /// The socket closed (either side).
    public func closed(_ connection: Int) { connections[connection] = nil }

    /// A text frame from the client.
    public func receive(_ connection: Int, _ text: String, now: Timestamp) -> [Output] {
        tickClock(now)
        guard connections[connection] != nil else { return [] }
        counters.requests += 1
        log(request: Request(connection: connection, time: clock, text: text))
        guard connections[connection]?.closing == false else { return [] }
        var out: [Output] = []
        if silent { return out }
        if rateLimit > 0 {
            let cut = clock - .seconds(1)
            connections[connection]!.recentRequests.removeAll { $0 <= cut }
            if connections[connection]!.recentRequests.count >= rateLimit {
                let req = SimRequest.parse(text)
                send(connection, errorFrame("Exceeded msg rate", method: req?.method, reqId: req?.reqId, symbol: nil), &out)
                return out
            }
            connections[connection]!.recentRequests.append(clock)
        }
        handle(connection, text, &out)
        return out
    }

    /// Binary frames from clients are not part of the protocol: counted and ignored.
    /// The history an `ohlc` subscription's snapshot will summarise (its running and previous candles), as work the
    /// edge does outside the lock before `receive`; nil for any other text. Cheap: only looks at the request.
    public func receivePrefetch(_ text: String) -> (@Sendable () -> Void)? {
        guard text.utf8.count <= 65_536, text.contains("ohlc"), let req = SimRequest.parse(text), req.method == "subscribe",
              let p = req.params, p.channel == "ohlc", let n = p.interval, SimWorld.intervals.contains(Int(n)) else { return nil }
        let w = Interval.minutes(n)
        let running = SimWorld.bucket(world.now, minutes: Int(n))
        let from = running - w, to = min(running + w, world.start)
        guard from < to else { return nil }
        let caches = (p.symbol ?? []).compactMap { Symbol($0).flatMap(world.index(of:)) }.map { historyCaches[$0] }
        guard !caches.isEmpty else { return nil }
        return { for c in caches { c.fill(from: from, to: to) } }
    }

    public func receiveBinary(_ connection: Int, now: Timestamp) -> [Output] {
        tickClock(now)
        log(request: Request(connection: connection, time: clock, text: "(binary frame)"))
        counters.malformedRequests += 1
        return []
    }

    /// Time passes: the market steps up to `now`, scripted faults fire, heartbeats go out.
    public func advance(to now: Timestamp) -> [Output] {
        tickClock(now)
        var out: [Output] = []
        fireDue(&out)
        while world.now + config.tick <= clock {
            let step = world.step()
            publish(step, &out)
            heartbeats(at: step.time, &out)
            fireDue(&out)
        }
        sendReplay(&out)
        heartbeats(at: clock, &out)
        return out
    }

    /// A fault now (run-time injection). A replay's lines come with it (the edge read the file).
    public func inject(_ fault: SimFault, replayLines: [String]? = nil) -> [Output] {
        var out: [Output] = []
        apply(fault, replayLines: replayLines, &out)
        return out
    }

    /// Up to `n` frames of market back to back, the market running ahead of the clock (one chunk of a paced burst:
    /// the fault itself is counted once, by `noteFaultFired`).
    public func burstChunk(_ n: Int) -> [Output] {
        var out: [Output] = []
        runBurst(n, &out)
        return out
    }

    public func noteFaultFired() { counters.faultsFired += 1 }

    /// A fault to fire later (run-time scheduling through the control API).
    public func schedule(_ f: ScheduledFault) { pending.append(f) }

    private func tickClock(_ now: Timestamp) { if now > clock { clock = now } }

    private var silent: Bool { staleMode == .silent && staleUntil.map { clock < $0 } == true }
    private var stale: Bool { staleUntil.map { clock < $0 } == true }

    // MARK: Faults

    private func fireDue(_ out: inout [Output]) {
        guard !pending.isEmpty else { return }
        var keep: [ScheduledFault] = []
        var due: [SimFault] = []
        for f in pending {
            switch f.trigger {
            case .immediately: due.append(f.fault)
            case .afterFrames(let n): if counters.framesSent >= n { due.append(f.fault) } else { keep.append(f) }
            // Market time, not the clock: the same steps see the fault whatever the wall clock's granularity.
            case .at(let t): if world.now >= world.start + t { due.append(f.fault) } else { keep.append(f) }
            }
        }
        pending = keep
        for f in due {
            if case .replay(let path, _) = f { apply(f, replayLines: config.replayFiles[path] ?? [], &out) }
            else if case .burst(let n) = f { counters.faultsFired += 1; out.append(.burst(frames: n)) }
            else { apply(f, replayLines: nil, &out) }
        }
    }

    /// n frames back to back: the market runs ahead of the clock until they are out (bounded by n steps when nobody
    /// is subscribed).
    private func runBurst(_ n: Int, _ out: inout [Output]) {
        let target = counters.framesSent + n
        var steps = 0
        while counters.framesSent < target && steps < n {
            let step = world.step()
            publish(step, &out)
            steps += 1
        }
        tickClock(world.now)
    }

    private func apply(_ fault: SimFault, replayLines: [String]?, _ out: inout [Output]) {
        counters.faultsFired += 1
        func pair(_ s: Symbol) -> Int? { world.index(of: s) }
        switch fault {
        case .disconnect(let kind):
            for id in openConnections where connections[id]?.closing == false {
                connections[id]?.closing = true
                switch kind {
                case .abort: out.append(.abort(connection: id))
                case .code(let c): out.append(.close(connection: id, code: c))
                }
            }
        case .rejectHandshakes(let n, let status): rejects += Array(repeating: status, count: n)
        case .acceptThenClose(let n): acceptThenClose += n
        case .malformedJSON(let kind):
            let frame: Frame = switch kind {
            case .truncated: .text(#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":452"#)
            case .text: .text("this is not JSON")
            case .binary: .binary(Array(#"{"channel":"heartbeat"}"#.utf8))
            case .array: .text(#"[{"channel":"heartbeat"}]"#)
            }
            for id in openConnections where connections[id]?.closing == false { send(id, frame, &out) }
        case .checksumCorrupt(let s): if let i = pair(s) { corrupt[i, default: 0] += 1 }
        case .dropBookUpdate(let s): if let i = pair(s) { dropBook[i, default: 0] += 1 }
        case .dropTrade(let s, let n): if let i = pair(s) { dropTrades[i, default: 0] += n }
        case .duplicateTrade(let s): if let i = pair(s) { duplicates[i, default: 0] += 1 }
        case .reorder(let channel, let n):
            // With nobody connected it waits for the next connection (a fault must not vanish unseen).
            let open = openConnections.filter { connections[$0]?.closing == false }
            if open.isEmpty { pendingReorder[channel, default: 0] += n }
            for id in open { connections[id]?.reorder[channel, default: 0] += n }
        case .staleFeed(let mode, let seconds):
            staleMode = mode
            staleUntil = clock + Interval(nanoseconds: Int64(seconds * 1e9))
        case .suppressPong(let seconds): pongsSuppressedUntil = clock + Interval(nanoseconds: Int64(seconds * 1e9))
        case .status(let s):
            system = s
            for id in openConnections where connections[id]?.closing == false { send(id, statusFrame(id), &out) }
        case .burst(let n): runBurst(n, &out)
        case .rateLimit(let n): rateLimit = n
        case .replay(_, let pace):
            var due = clock
            var firstStamp: Timestamp?
            for line in replayLines ?? [] {
                switch pace {
                case .asFastAsPossible: break
                case .every(let d): due = due + d
                case .recorded:
                    if let t = Self.firstTimestamp(line) {
                        if let f = firstStamp {
                            // Clamped: a capture's stamps may be far apart (or out of order); a day at most per line.
                            let (d, o) = t.nanoseconds.subtractingReportingOverflow(f.nanoseconds)
                            let gap = o ? Int64.max : d
                            let offset = Interval(nanoseconds: min(max(0, gap), (due - clock).nanoseconds + 86_400_000_000_000))
                            due = max(due, clock + offset)
                        } else { firstStamp = t }
                    }
                }
                replay.append((due, line))
            }
            sendReplay(&out)
        }
    }

    private func sendReplay(_ out: inout [Output]) {
        var k = 0
        while k < replay.count, replay[k].due <= clock { k += 1 }
        guard k > 0 else { return }
        for (_, line) in replay[..<k] { for id in openConnections where connections[id]?.closing == false { send(id, .text(line), &out) } }
        replay.removeFirst(k)
    }

    static func firstTimestamp(_ line: String) -> Timestamp? {
        guard let r = line.range(of: #""timestamp":""#) else { return nil }
        let rest = line[r.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return Timestamp(iso8601: String(rest[..<end]))
    }

    // MARK: Sending

    private func send(_ id: Int, _ frame: Frame, _ out: inout [Output]) {
        guard var c = connections[id] else { return }
        log(sent: SentFrame(connection: id, index: c.framesSent, time: clock, frame: frame))
        c.framesSent += 1
        c.lastSent = clock
        if case .text(let t) = frame, t.utf8.starts(with: #"{"channel""#.utf8) { c.lastChannelMessage = clock }
        connections[id] = c
        counters.framesSent += 1
        out.append(.send(connection: id, frame))
    }

    private func log(sent f: SentFrame) {
        let size = f.frame.text?.utf8.count ?? 64
        if sent.count >= config.logCapacity || sentBytes + size > config.logBytes {
            let d = max(1, sent.count / 2)
            for x in sent.prefix(d) { sentBytes -= x.frame.text?.utf8.count ?? 64 }
            sent.removeFirst(min(d, sent.count))
            counters.logEntriesDropped += d
        }
        sentBytes += size
        sent.append(f)
        onLog?(.sent(f))
    }

    /// A REST request, logged as connection 0 (WebSocket connections count from 1).
    func logREST(_ text: String) { log(request: Request(connection: 0, time: clock, text: text)) }

    private func log(request r: Request) {
        if requests.count >= config.logCapacity { let d = requests.count / 2; requests.removeFirst(d); counters.logEntriesDropped += d }
        // A request is kept to its first 4 KB (a client may send a megabyte of junk).
        let r = r.text.utf8.count <= 4096 ? r : Request(connection: r.connection, time: r.time, text: String(decoding: r.text.utf8.prefix(4096), as: UTF8.self) + "…")
        requests.append(r)
        onLog?(.request(r))
    }

    private func heartbeats(at t: Timestamp, _ out: inout [Output]) {
        guard !silent else { return }
        for id in openConnections {
            guard let c = connections[id], !c.closing, !c.subs.isEmpty, t - c.lastChannelMessage >= .seconds(1) else { continue }
            send(id, .text(#"{"channel":"heartbeat"}"#), &out)
        }
    }

    /// One market step to every subscriber: per pair, book, trades, ticker, candles.
    private func publish(_ step: SimStep, _ out: inout [Output]) {
        let live = openConnections.filter { connections[$0]?.closing == false && connections[$0]?.subs.isEmpty == false }
        for change in step.changes {
            let i = change.pair
            let p = world.pairs[i]
            // A fault is spent only on a frame some subscriber would get: an update with nothing in view at any
            // subscribed depth, or trades no one subscribes to, leave it armed for the next one.
            var bookFrames: [Int: String?] = [:]  // depth → frame (nil: nothing in view changed)
            var tradeSubscribed = false
            if !stale {
                for id in live {
                    for sub in connections[id]!.subs.values where sub.pair == i {
                        if sub.channel == "trade" { tradeSubscribed = true }
                        if sub.channel == "book", let old = change.oldBook, bookFrames[sub.depth] == nil {
                            bookFrames[sub.depth] = .some(bookUpdate(p, from: old, depth: sub.depth, corrupt: false))
                        }
                    }
                }
            }
            let visible = bookFrames.values.contains { $0 != nil }
            let corrupted = visible && (corrupt[i] ?? 0) > 0
            let dropped = visible && (dropBook[i] ?? 0) > 0
            if corrupted {
                corrupt[i]! -= 1; counters.checksumsCorrupted += 1
                for (d, f) in bookFrames where f != nil { bookFrames[d] = .some(bookUpdate(p, from: change.oldBook!, depth: d, corrupt: true)) }
            }
            if dropped { dropBook[i]! -= 1; counters.bookUpdatesDropped += 1 }
            let tradesSeen = !change.trades.isEmpty && tradeSubscribed
            let dropTrade = tradesSeen && (dropTrades[i] ?? 0) > 0
            if dropTrade { dropTrades[i]! -= 1; counters.tradesDropped += change.trades.count }
            let duplicate = tradesSeen && !dropTrade && (duplicates[i] ?? 0) > 0
            if duplicate { duplicates[i]! -= 1; counters.tradeMessagesDuplicated += 1 }
            let tradeFrame = change.trades.isEmpty ? nil : tradeMessage(p, change.trades, type: "update")
            var tickerFrame: String?
            var ohlcFrames: [Int: [String]] = [:]
            for id in live {
                guard let c = connections[id] else { continue }
                // In key order: the same subscriptions give the same frame order in every process.
                let subs = c.subs.filter { $0.value.pair == i }.sorted { $0.key < $1.key }.map(\.value)
                if subs.isEmpty { continue }
                if stale {
                    // Nothing reaches this client; its books stay as they were.
                    if let old = change.oldBook, subs.contains(where: { $0.channel == "book" }), connections[id]!.ownBooks[i] == nil {
                        connections[id]!.ownBooks[i] = old
                    }
                    continue
                }
                for sub in subs {
                    switch sub.channel {
                    case "book":
                        if let own = connections[id]!.ownBooks[i] {
                            connections[id]!.ownBooks[i] = nil
                            if !dropped, let f = bookUpdate(p, from: own, depth: sub.depth, corrupt: corrupted) { emit(id, "book", i, f, &out) }
                        } else if let old = change.oldBook, !dropped {
                            if bookFrames[sub.depth] == nil { bookFrames[sub.depth] = .some(bookUpdate(p, from: old, depth: sub.depth, corrupt: corrupted)) }
                            if let f = bookFrames[sub.depth]! { emit(id, "book", i, f, &out) }
                        }
                    case "trade":
                        if let f = tradeFrame, !dropTrade {
                            emit(id, "trade", i, f, &out)
                            if duplicate { send(id, .text(f), &out) }
                        }
                    case "ticker":
                        let fire = sub.trigger == "bbo" ? change.bboChanged : !change.trades.isEmpty
                        if fire {
                            if tickerFrame == nil { tickerFrame = tickerMessage(i, type: "update") }
                            send(id, .text(tickerFrame!), &out)
                        }
                    case "ohlc":
                        if !change.trades.isEmpty {
                            if ohlcFrames[sub.interval] == nil {
                                // One update per trade; an interval first tracked in this step has only the final state.
                                let states = change.candles[sub.interval] ?? [world.runningCandle(i, interval: sub.interval)]
                                ohlcFrames[sub.interval] = states.map { ohlcMessage(i, candles: [$0], interval: sub.interval, type: "update") }
                            }
                            for f in ohlcFrames[sub.interval]! { send(id, .text(f), &out) }
                        }
                    default: break
                    }
                }
            }
        }
    }

    /// A book or trade frame, through this connection's reorder fault: the first is held back and sent after the next
    /// one of the same pair and channel.
    private func emit(_ id: Int, _ channel: String, _ pair: Int, _ frame: String, _ out: inout [Output]) {
        guard let c = connections[id], (c.reorder[channel] ?? 0) > 0 else { send(id, .text(frame), &out); return }
        if let h = c.held[channel] {
            guard h.pair == pair else { send(id, .text(frame), &out); return }
            connections[id]!.held[channel] = nil
            connections[id]!.reorder[channel]! -= 1
            send(id, .text(frame), &out)
            send(id, .text(h.frame), &out)
        } else {
            connections[id]!.held[channel] = (pair, frame)
        }
    }

    // MARK: Requests

    private func handle(_ id: Int, _ text: String, _ out: inout [Output]) {
        guard let req = SimRequest.parse(text) else {
            counters.malformedRequests += 1
            send(id, errorFrame("Malformed request", method: nil, reqId: nil, symbol: nil), &out)
            return
        }
        let reqId = req.reqId
        guard let method = req.method else {
            counters.malformedRequests += 1
            send(id, errorFrame("Malformed request", method: nil, reqId: reqId, symbol: nil), &out)
            return
        }
        switch method {
        case "ping":
            if let until = pongsSuppressedUntil, clock < until { return }
            send(id, .text("{\"method\":\"pong\"" + idField(reqId) + times() + "}"), &out)
        case "subscribe", "unsubscribe":
            guard let params = req.params, let channel = params.channel else {
                counters.malformedRequests += 1
                send(id, errorFrame("Malformed request", method: method, reqId: reqId, symbol: nil), &out)
                return
            }
            subscription(id, subscribe: method == "subscribe", channel: channel, params: params, reqId: reqId, &out)
        default:
            send(id, errorFrame("Method not found", method: method, reqId: reqId, symbol: nil), &out)
        }
    }

    private func subscription(_ id: Int, subscribe: Bool, channel: String, params: SimRequest.Params, reqId: Int64?, _ out: inout [Output]) {
        let method = subscribe ? "subscribe" : "unsubscribe"
        func refuse(_ why: String) { send(id, errorFrame(why, method: method, reqId: reqId, symbol: nil), &out) }
        guard ["book", "ticker", "trade", "ohlc", "instrument"].contains(channel) else { return refuse("Channel \(channel) not supported") }
        var template = Sub(channel: channel, pair: nil)
        if params.invalid.contains("snapshot") { return refuse("Invalid snapshot") }
        template.snapshot = params.snapshot ?? (channel != "trade")
        if channel == "book", params.present.contains("depth") {
            guard let n = params.depth, [10, 25, 100, 500, 1000].contains(n) else { return refuse("Subscription depth not supported") }
            template.depth = Int(n)
        }
        if channel == "ohlc" {
            if params.invalid.contains("interval") { return refuse("Subscription ohlc interval not supported") }
            let n = params.interval ?? 1
            guard SimWorld.intervals.contains(Int(n)) else { return refuse("Subscription ohlc interval not supported") }
            template.interval = Int(n)
        }
        if channel == "ticker", params.present.contains("event_trigger") {
            guard let s = params.eventTrigger, s == "trades" || s == "bbo" else { return refuse("Invalid event_trigger") }
            template.trigger = s
        }
        if channel == "instrument" {
            let key = "instrument"
            if subscribe {
                if connections[id]?.subs[key] != nil { return refuse("Already subscribed") }
                connections[id]?.subs[key] = template
                send(id, ackFrame(method, template, symbol: nil, reqId: reqId), &out)
                if template.snapshot { send(id, .text(instrumentSnapshot()), &out) }
            } else {
                guard connections[id]?.subs.removeValue(forKey: key) != nil else {
                    send(id, errorFrame("Subscription Not Found", method: "subscribe", reqId: reqId, symbol: nil), &out)
                    return
                }
                send(id, ackFrame(method, template, symbol: nil, reqId: reqId), &out)
            }
            return
        }
        if params.invalid.contains("symbol") { return refuse("Invalid symbol") }
        guard let symbols = params.symbol, !symbols.isEmpty else { return refuse("Must specify at least one symbol") }
        for text in symbols {
            guard let s = Symbol(text), let i = world.index(of: s), s.text == text else {
                send(id, errorFrame("Currency pair not supported \(text)", method: method, reqId: reqId, symbol: text), &out)
                continue
            }
            let key = channel + "|" + s.text + (channel == "ohlc" ? "|\(template.interval)" : "")
            let sub = Sub(channel: channel, pair: i, depth: template.depth, interval: template.interval, trigger: template.trigger, snapshot: template.snapshot)
            if subscribe {
                if connections[id]?.subs[key] != nil {
                    send(id, errorFrame("Already subscribed", method: method, reqId: reqId, symbol: s.text), &out)
                    continue
                }
                connections[id]?.subs[key] = sub
                send(id, ackFrame(method, sub, symbol: s.text, reqId: reqId), &out)
                // A book without a snapshot starts empty on the client: its updates are diffs from nothing.
                if sub.snapshot { snapshot(id, sub, i, &out) } else if channel == "book" { connections[id]?.ownBooks[i] = SimBook() }
            } else {
                guard let had = connections[id]?.subs.removeValue(forKey: key) else {
                    send(id, errorFrame("Subscription Not Found", method: "subscribe", reqId: reqId, symbol: s.text), &out)
                    continue
                }
                if channel == "book" { connections[id]?.ownBooks[i] = nil }
                // A frame held back by a reorder fault belongs to the subscription that just ended.
                if connections[id]?.held[channel]?.pair == i { connections[id]?.held[channel] = nil }
                send(id, ackFrame(method, had, symbol: s.text, reqId: reqId), &out)
            }
        }
    }

    private func snapshot(_ id: Int, _ sub: Sub, _ i: Int, _ out: inout [Output]) {
        let p = world.pairs[i]
        switch sub.channel {
        case "book":
            connections[id]?.ownBooks[i] = nil
            send(id, .text(bookSnapshot(p, depth: sub.depth)), &out)
        case "ticker": send(id, .text(tickerMessage(i, type: "snapshot")), &out)
        case "trade":
            let last = recentTrades(i, 50)
            if !last.isEmpty { send(id, .text(tradeMessage(p, last, type: "snapshot")), &out) }
        case "ohlc":
            let running = world.runningCandle(i, interval: sub.interval)
            let before = world.candle(i, interval: sub.interval, begin: running.begin - .minutes(Int64(sub.interval)))
            let candles = [before, running].filter { $0.count > 0 }
            send(id, .text(ohlcMessage(i, candles: candles, interval: sub.interval, type: "snapshot")), &out)
        default: break
        }
    }

    private func recentTrades(_ i: Int, _ n: Int) -> [SimTrade] {
        let tape = world.pairs[i].tape
        if tape.count >= n { return Array(tape.suffix(n)) }
        let h = world.pairs[i].history
        var older: [SimTrade] = []
        var m = h.minute(of: world.start - .init(nanoseconds: 1))
        while older.count + tape.count < n, m >= 0, m >= h.minutes - 24 * 60 { older = h.trades(minute: m) + older; m -= 1 }
        return Array((older + tape).suffix(n))
    }

    // MARK: Messages

    private func idField(_ reqId: Int64?) -> String { reqId.map { ",\"req_id\":\($0)" } ?? "" }

    private func times() -> String {
        ",\"time_in\":\"\(SimFormat.time(clock))\",\"time_out\":\"\(SimFormat.time(clock + .init(nanoseconds: 35_000)))\""
    }

    private func errorFrame(_ error: String, method: String?, reqId: Int64?, symbol: String?) -> Frame {
        var s = "{\"error\":" + SimFormat.string(error)
        if let method { s += ",\"method\":" + SimFormat.string(method) }
        s += idField(reqId) + ",\"success\":false"
        if let symbol { s += ",\"symbol\":" + SimFormat.string(symbol) }
        return .text(s + times() + "}")
    }

    private func ackFrame(_ method: String, _ sub: Sub, symbol: String?, reqId: Int64?) -> Frame {
        var r = "{\"channel\":\"\(sub.channel)\""
        switch sub.channel {
        case "book": r += ",\"depth\":\(sub.depth)"
        case "ticker": r += ",\"event_trigger\":\"\(sub.trigger)\""
        case "ohlc": r += ",\"interval\":\(sub.interval)"
        default: break
        }
        r += ",\"snapshot\":\(sub.snapshot)"
        if let symbol { r += ",\"symbol\":" + SimFormat.string(symbol) }
        if sub.channel == "ohlc" { r += ",\"warnings\":[\"timestamp is deprecated, use interval_begin\"]" }
        if sub.channel == "instrument" { r += ",\"warnings\":[\"tick_size is deprecated, use price_increment\"]" }
        return .text("{\"method\":\"\(method)\"" + idField(reqId) + ",\"result\":" + r + "},\"success\":true" + times() + "}")
    }

    private func statusFrame(_ id: Int) -> Frame {
        let cid = config.connectionIdBase &+ UInt64(id - 1)
        return .text("{\"channel\":\"status\",\"data\":[{\"api_version\":\"v2\",\"connection_id\":\(cid),\"system\":\"\(system)\",\"version\":" + SimFormat.string(config.version) + "}],\"type\":\"update\"}")
    }

    private func levels(_ ls: some Sequence<SimLevel>, _ p: SimWorld.Pair, salt: UInt64) -> String {
        var s = "["
        var first = true
        for l in ls {
            if !first { s += "," }
            first = false
            s += "{\"price\":" + SimFormat.price(l.price, p.priceDecimals, salt: salt) + ",\"qty\":"
            s += (l.qty == 0 ? SimFormat.fixed(0, p.qtyDecimals) : SimFormat.quantity(l.qty, p.qtyDecimals, strippedPercent: config.strippedQtyPercent, salt: salt ^ UInt64(bitPattern: l.price))) + "}"
        }
        return s + "]"
    }

    private var salt: UInt64 { config.seed ^ UInt64(bitPattern: world.now.nanoseconds) }

    private func bookSnapshot(_ p: SimWorld.Pair, depth: Int) -> String {
        let b = p.book
        return "{\"channel\":\"book\",\"type\":\"snapshot\",\"data\":[{\"symbol\":\"\(p.symbol.text)\",\"bids\":" + levels(b.bids.prefix(depth), p, salt: salt)
            + ",\"asks\":" + levels(b.asks.prefix(depth), p, salt: salt) + ",\"checksum\":\(b.checksum),\"timestamp\":\"\(SimFormat.time(world.now))\"}]}"
    }

    /// The update taking a client from `old` to the pair's current book at `depth`; nil when its view did not change.
    private func bookUpdate(_ p: SimWorld.Pair, from old: SimBook, depth: Int, corrupt: Bool) -> String? {
        let u = p.book.update(from: old, depth: depth)
        if u.bids.isEmpty && u.asks.isEmpty { return nil }
        let sum = p.book.checksum ^ (corrupt ? 1 : 0)
        return "{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"\(p.symbol.text)\",\"bids\":" + levels(u.bids, p, salt: salt)
            + ",\"asks\":" + levels(u.asks, p, salt: salt) + ",\"checksum\":\(sum),\"timestamp\":\"\(SimFormat.time(world.now))\"}]}"
    }

    private func tradeMessage(_ p: SimWorld.Pair, _ trades: [SimTrade], type: String) -> String {
        var s = "{\"channel\":\"trade\",\"type\":\"\(type)\",\"data\":["
        for (k, t) in trades.enumerated() {
            if k > 0 { s += "," }
            s += "{\"symbol\":\"\(p.symbol.text)\",\"side\":\"\(t.side.rawValue)\",\"price\":" + SimFormat.price(t.price, p.priceDecimals, salt: t.id)
            s += ",\"qty\":" + SimFormat.quantity(t.qty, p.qtyDecimals, strippedPercent: config.strippedQtyPercent, salt: t.id)
            s += ",\"ord_type\":\"\(t.isMarket ? "market" : "limit")\",\"trade_id\":\(t.id),\"timestamp\":\"\(SimFormat.time(t.time))\"}"
        }
        return s + "]}"
    }

    private func tickerMessage(_ i: Int, type: String) -> String {
        let p = world.pairs[i]
        let d = world.dayStats(i)
        let pp = p.priceDecimals, qp = p.qtyDecimals
        let bid = p.book.bids.first ?? SimLevel(price: 0, qty: 0), ask = p.book.asks.first ?? SimLevel(price: 0, qty: 0)
        let last = d.count > 0 ? d.close : bid.price
        let change = d.count > 0 ? d.close - d.open : 0
        let pct = d.count > 0 && d.open > 0 ? (Double(change) / Double(d.open) * 10_000).rounded() / 100 : 0
        let salt = UInt64(bitPattern: world.now.nanoseconds)
        var s = "{\"channel\":\"ticker\",\"type\":\"\(type)\",\"data\":[{\"symbol\":\"\(p.symbol.text)\",\"bid\":" + SimFormat.price(bid.price, pp, salt: salt)
        s += ",\"bid_qty\":" + SimFormat.quantity(bid.qty, qp, strippedPercent: config.strippedQtyPercent, salt: salt)
        s += ",\"ask\":" + SimFormat.price(ask.price, pp, salt: salt) + ",\"ask_qty\":" + SimFormat.quantity(ask.qty, qp, strippedPercent: config.strippedQtyPercent, salt: salt ^ 1)
        s += ",\"last\":" + SimFormat.price(last, pp, salt: salt) + ",\"volume\":" + SimFormat.fixed(d.volume, qp)
        s += ",\"vwap\":" + SimFormat.stripped(d.vwapTicks ?? last, pp) + ",\"low\":" + SimFormat.stripped(d.count > 0 ? d.low : last, pp)
        s += ",\"high\":" + SimFormat.stripped(d.count > 0 ? d.high : last, pp) + ",\"change\":" + SimFormat.stripped(change, pp)
        s += ",\"change_pct\":" + SimFormat.stripped(Int64((pct * 100).rounded()), 2) + ",\"timestamp\":\"\(SimFormat.time(world.now))\"}]}"
        return s
    }

    private func ohlcMessage(_ i: Int, candles: [SimCandle], interval: Int, type: String) -> String {
        let p = world.pairs[i]
        var s = "{\"channel\":\"ohlc\",\"type\":\"\(type)\",\"timestamp\":\"\(SimFormat.time(world.now, digits: 9))\",\"data\":["
        for (k, c) in candles.enumerated() {
            if k > 0 { s += "," }
            s += "{\"symbol\":\"\(p.symbol.text)\",\"open\":" + SimFormat.stripped(c.open, p.priceDecimals) + ",\"high\":" + SimFormat.stripped(c.high, p.priceDecimals)
            s += ",\"low\":" + SimFormat.stripped(c.low, p.priceDecimals) + ",\"close\":" + SimFormat.stripped(c.close, p.priceDecimals)
            s += ",\"trades\":\(c.count),\"volume\":" + SimFormat.stripped(c.volume, p.qtyDecimals) + ",\"vwap\":" + SimFormat.stripped(c.vwapTicks ?? c.close, p.priceDecimals)
            s += ",\"interval_begin\":\"\(SimFormat.time(c.begin, digits: 9))\",\"interval\":\(interval),\"timestamp\":\"\(SimFormat.time(c.begin + .minutes(Int64(interval))))\"}"
        }
        return s + "]}"
    }

    /// Kraken writes increments as Python floats: `0.1`, `0.0001`, `1e-05`, `1e-08`.
    static func increment(_ decimals: Int) -> String {
        if decimals == 0 { return "1" }
        if decimals <= 4 { return "0." + String(repeating: "0", count: decimals - 1) + "1" }
        return "1e-" + (decimals < 10 ? "0" : "") + String(decimals)
    }

    private func instrumentSnapshot() -> String {
        let assets = Set(world.pairs.flatMap { [$0.symbol.base, $0.symbol.quote] }).sorted()
        var s = "{\"channel\":\"instrument\",\"type\":\"snapshot\",\"data\":{\"assets\":["
        for (k, a) in assets.enumerated() {
            if k > 0 { s += "," }
            let stable = ["USD", "USDT", "USDC", "DAI"].contains(a)
            s += "{\"id\":\"\(a)\",\"status\":\"enabled\",\"precision\":\(stable ? (a == "USD" ? 4 : 8) : 10),\"precision_display\":\(stable ? 2 : 5),\"borrowable\":true,\"collateral_value\":1.0,\"margin_rate\":0.02}"
        }
        s += "],\"pairs\":["
        for (k, p) in world.pairs.enumerated() {
            if k > 0 { s += "," }
            let inc = Self.increment(p.priceDecimals)
            s += "{\"symbol\":\"\(p.symbol.text)\",\"base\":\"\(p.symbol.base)\",\"quote\":\"\(p.symbol.quote)\",\"status\":\"online\",\"qty_precision\":\(p.qtyDecimals)"
            s += ",\"qty_increment\":\(Self.increment(p.qtyDecimals)),\"price_precision\":\(p.priceDecimals),\"cost_precision\":\(p.priceDecimals + 4)"
            s += ",\"marginable\":false,\"has_index\":true,\"cost_min\":0.5,\"tick_size\":\(inc),\"price_increment\":\(inc),\"qty_min\":\(Self.increment(max(0, p.qtyDecimals - 4)))}"
        }
        return s + "]}}"
    }
}
