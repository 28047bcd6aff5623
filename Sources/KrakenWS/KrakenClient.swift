import TradingCore

/// The live client's brain as a state machine (market-data §2.8): it is told what happened (a connection opened, a frame
/// arrived, the socket closed, time passed) and returns what to do (connect, send, close, deliver an event, log). The
/// transport executes the actions; time and randomness come in, so every rule runs on a virtual clock in tests.
///
/// `idle → connecting → subscribing → live`, any loss → `backoff → connecting`, `stop` → `closed`. A book whose checksum
/// fails, that lags, whose precision changed at start or that falls silent while the connection lives is resynced
/// (unsubscribe, then subscribe for a new snapshot); three checksum failures of one pair within 60 s reconnect.
public final class KrakenClient {
    public enum Phase: String, Sendable, CaseIterable { case idle, connecting, subscribing, live, backoff, closed }

    public enum LogLevel: String, Sendable { case debug, info, warning, error }

    public enum Action: Sendable {
        case connect(String)
        case send(String)
        /// Close the socket (the client already counts the connection as lost).
        case close(code: UInt16)
        case deliver(MarketEvent)
        case log(LogLevel, String)
        /// Every subscription of this connection was acknowledged or failed (start-up waits for the first).
        case settled
        /// A pair or channel Kraken refused: a configuration error (unsupported pair), not retried.
        case refused(String)
    }

    public struct Counters: Sendable, Equatable {
        public var connects = 0
        public var connectFailures = 0
        /// Disconnects by close code (0: none received, local closes included under their code).
        public var disconnects: [UInt16: Int] = [:]
        public var transitions: [String: Int] = [:]
        public var acks = 0
        public var errors = 0
        public var resent = 0
        public var pingsSent = 0
        public var pongs = 0
        public var livenessTimeouts = 0
        public var checksumResyncs = 0
        public var lagResyncs = 0
        public var silenceAlarms = 0
        public var precisionChanges = 0
        public var rateLimited = 0
        public var reconnectsForFailures = 0
        public init() {}
    }

    private struct Pending {
        var request: KrakenRequest
        var channel: String
        var symbols: Set<Symbol>
        var sentAt: Timestamp
        var resent: Bool
        var isUnsubscribe: Bool
    }

    private enum Resync { case unsubscribing(reqId: Int64, deadline: Timestamp), subscribing }

    public let config: KrakenClientConfig
    public let feed: KrakenFeed
    public private(set) var policy: ReconnectPolicy
    public private(set) var phase: Phase = .idle
    public private(set) var counters = Counters()
    private let random: () -> Double

    // Per connection
    private var nextReqId: Int64 = 1
    private var pending: [Int64: Pending] = [:]
    private var connectedAt: Timestamp?
    private var lastInbound = Timestamp(nanoseconds: 0)
    private var lastPing = Timestamp(nanoseconds: 0)
    private var lastKeepalive = Timestamp(nanoseconds: 0)
    private var deliveredMarketData = false
    private var minOffset: Int64?
    private var settledOnce = false
    private var socketOpen = false
    private var resync: [Symbol: Resync] = [:]
    private var lastBook: [Symbol: Timestamp] = [:]
    private var heldUntil: Timestamp?
    private var rateDelay: Interval = .seconds(1)
    private var held: [KrakenRequest] = []

    // Across connections
    public private(set) var backoffUntil: Timestamp?
    public private(set) var lastStatus: String?
    private var pairStatus: [Symbol: String] = [:]
    private var bookFailures: [Symbol: [Timestamp]] = [:]
    /// (channel, symbol) pairs Kraken refused: never resubscribed.
    public private(set) var refused: Set<String> = []
    /// Precisions are taken from the first instrument snapshot, then fixed for the session.
    public private(set) var precisionsFixed = false
    private var feedOut: [KrakenFeed.Output] = []
    private var reportedPrecision: [Symbol: BookPrecision] = [:]

    /// `precisions`: the built-in table (the instrument channel's first snapshot may correct it). `random` draws the
    /// jitter uniformly from [0, 1).
    public init(config: KrakenClientConfig, precisions: [Symbol: BookPrecision], random: @escaping () -> Double) {
        self.config = config
        self.random = random
        policy = config.policy
        feed = KrakenFeed(depth: config.bookDepth, precisions: precisions)
        feed.adoptInstrumentPrecisions = false
        feedOut.reserveCapacity(16)
    }

    // MARK: Inputs

    public func start(now: Timestamp, into out: inout [Action]) {
        guard phase == .idle else { return }
        attempt(now, &out)
    }

    /// The WebSocket handshake succeeded: subscribe everything (per connection, request ids restart at 1).
    public func connected(now: Timestamp, into out: inout [Action]) {
        guard phase == .connecting else { return }
        socketOpen = true
        counters.connects += 1
        connectedAt = now
        lastInbound = now; lastPing = now; lastKeepalive = now
        deliveredMarketData = false
        minOffset = nil
        nextReqId = 1
        pending.removeAll()
        resync.removeAll()
        lastBook.removeAll()
        held.removeAll(); heldUntil = nil; rateDelay = .seconds(1)
        transition(.subscribing, now, &out, "connected to \(config.url)")
        let symbols = config.symbols
        func subscribe(_ channel: String, depth: Int? = nil, snapshot: Bool? = nil, interval: Int? = nil) {
            let wanted = channel == "instrument" ? [] : symbols.filter { !refused.contains(key(channel, $0)) }
            if channel != "instrument" && wanted.isEmpty { return }
            send(.subscribe(channel: channel, symbols: wanted, reqId: takeId(), depth: depth, snapshot: snapshot, interval: interval),
                 channel: channel, symbols: wanted, now: now, &out)
        }
        // Reference order (A23: trade, ticker, book get req_id 1, 2, 3), then candles and reference data (resolution 43).
        subscribe("trade", snapshot: false)
        subscribe("ticker")
        subscribe("book", depth: config.subscriptionDepth)
        subscribe("ohlc", interval: config.ohlcInterval)
        subscribe("instrument")
    }

    public func connectFailed(now: Timestamp, reason: String, into out: inout [Action]) {
        guard phase == .connecting else { return }
        counters.connectFailures += 1
        out.append(.log(.warning, "connect to \(config.url) failed: \(reason)"))
        lost(now, ending: .init(uptime: nil, deliveredMarketData: false, closeCode: nil, statusNotOnline: lastStatus.map { $0 != "online" } ?? false), &out)
    }

    /// The socket closed (by the peer or the network); ignored when the client already closed it.
    public func disconnected(now: Timestamp, code: UInt16?, into out: inout [Action]) {
        guard socketOpen else { return }
        counters.disconnects[code ?? 0, default: 0] += 1
        out.append(.log(.warning, "disconnected" + (code.map { " (close code \($0))" } ?? " (no close frame)")))
        lost(now, ending: ending(now, code), &out)
    }

    /// One text frame received at `now` (also the engine time of its events).
    public func received(_ bytes: UnsafeBufferPointer<UInt8>, now: Timestamp, into out: inout [Action]) {
        guard socketOpen else { return }
        lastInbound = now
        feedOut.removeAll(keepingCapacity: true)
        feed.handle(bytes, receivedAt: now, into: &feedOut)
        for o in feedOut { handle(o, now, &out) }
    }

    /// Time passed: timers (backoff, pings, liveness, ack timeouts, resync waits, channel silence).
    public func tick(now: Timestamp, into out: inout [Action]) {
        switch phase {
        case .backoff:
            if let t = backoffUntil, now >= t { attempt(now, &out) }
            return
        case .subscribing, .live: break
        default: return
        }
        if now - lastInbound >= config.livenessTimeout {
            counters.livenessTimeouts += 1
            out.append(.log(.warning, "nothing received for \(Int((now - lastInbound).seconds)) s: closing the connection"))
            closeLocally(now, code: 4000, &out)
            return
        }
        if now - lastInbound >= config.idlePingAfter && now - lastPing >= config.idlePingAfter {
            ping(now, &out)
        } else if now - lastKeepalive >= config.keepalivePing {
            ping(now, &out)
        }
        if let h = heldUntil, now >= h {
            heldUntil = nil
            let again = held
            held.removeAll()
            for r in again { resend(r, now, &out) }
        }
        // Acks that did not come: resend once, then report.
        for (id, p) in pending.sorted(by: { $0.key < $1.key }) where now - p.sentAt >= config.ackTimeout {
            pending[id] = nil
            if p.isUnsubscribe { continue }
            if !p.resent {
                counters.resent += 1
                out.append(.log(.warning, "no ack for \(p.channel) \(p.symbols.map(\.text).sorted()) within \(Int(config.ackTimeout.seconds)) s: sending it again"))
                var r = request(p.channel, Array(p.symbols).sorted(), takeId())
                if p.channel == "instrument" { r = .subscribe(channel: "instrument", symbols: [], reqId: r.reqId) }
                pending[r.reqId] = Pending(request: r, channel: p.channel, symbols: p.symbols, sentAt: now, resent: true, isUnsubscribe: false)
                out.append(.send(r.text))
            } else {
                counters.errors += 1
                out.append(.log(.error, "no ack for \(p.channel) \(p.symbols.map(\.text).sorted()) after a second request"))
            }
        }
        for (s, r) in resync {
            if case .unsubscribing(_, let deadline) = r, now >= deadline { resubscribeBook(s, now, &out) }
        }
        // A book silent while the connection lives (heartbeats keep lastInbound fresh).
        if phase == .live {
            for s in config.symbols where resync[s] == nil && !refused.contains(key("book", s)) {
                let last = lastBook[s] ?? connectedAt ?? now
                if now - last >= config.channelSilence {
                    counters.silenceAlarms += 1
                    out.append(.log(.warning, "\(s) book silent for \(Int((now - last).seconds)) s while the connection is alive: resubscribing"))
                    startResync(s, now, &out)
                }
            }
        }
        settleIfDone(now, &out)
    }

    /// Frames are waiting behind a full buffer (the kernel is behind): the connection is alive, not silent.
    /// Every timer that measures silence or waiting moves on by the time spent waiting, so a stall of the kernel does
    /// not fire ack timeouts or silence alarms either.
    public func noteAlive(now: Timestamp) {
        guard socketOpen, now > lastInbound else { return }
        let waited = now - lastInbound
        lastInbound = now
        for id in pending.keys { pending[id]!.sentAt = pending[id]!.sentAt + waited }
        for s in lastBook.keys { lastBook[s] = lastBook[s]! + waited }
        for (s, r) in resync { if case .unsubscribing(let id, let d) = r { resync[s] = .unsubscribing(reqId: id, deadline: d + waited) } }
    }

    /// The session built its kernel with the current precisions: from now on a change is warned about, not adopted.
    public func fixPrecisions() { precisionsFixed = true }

    public func stop(now: Timestamp, into out: inout [Action]) {
        guard phase != .closed else { return }
        if socketOpen { out.append(.close(code: 1000)); socketOpen = false }
        backoffUntil = nil
        transition(.closed, now, &out, "stopped")
    }

    /// When `tick` next has work (nil: nothing scheduled).
    public var nextDeadline: Timestamp? {
        switch phase {
        case .backoff: return backoffUntil
        case .subscribing, .live: return lastInbound + Interval(nanoseconds: min(config.idlePingAfter.nanoseconds, 1_000_000_000))
        default: return nil
        }
    }

    public var isLive: Bool { phase == .live }
    public var precisions: [Symbol: BookPrecision] { feed.precisions }

    // MARK: Feed outputs

    private func handle(_ o: KrakenFeed.Output, _ now: Timestamp, _ out: inout [Action]) {
        switch o {
        case .event(let e):
            switch e {
            case .book(let b):
                deliveredMarketData = true
                lastBook[b.symbol] = now
                out.append(.deliver(e))
                if !b.isSnapshot { checkLag(b, now, &out) }
            case .trade, .ticker:
                deliveredMarketData = true
                out.append(.deliver(e))
            default:
                out.append(.deliver(e))
            }
        case .bookInvalid(let s, let expected, let computed):
            counters.checksumResyncs += 1
            out.append(.log(.warning, "\(s) book checksum mismatch (message \(expected), local \(computed)): resubscribing"))
            out.append(.deliver(.bookInvalidated(BookInvalidation(time: now, symbol: s))))
            if tooManyFailures(s, now, &out) { return }
            startResync(s, now, &out, invalidateFeed: false)
        case .bookValid(let s):
            out.append(.log(.info, "\(s) book valid again"))
        case .tradeGap(let s, let missing):
            out.append(.deliver(.tradeGap(TradeGap(time: now, symbol: s, missing: missing))))
        case .status(let s):
            if s != lastStatus {
                out.append(.log(s == "online" ? .info : .warning, "Kraken status \(s)"))
                lastStatus = s
                out.append(.deliver(.feedStatus(FeedStatus(time: now, status: MarketStatus(rawValue: s)))))
            }
        case .response(let r):
            response(r, now, &out)
        case .instruments(let pairs):
            instruments(pairs, now, &out)
        }
    }

    private func instruments(_ pairs: [KrakenPair], _ now: Timestamp, _ out: inout [Action]) {
        for p in pairs where config.symbols.contains(p.symbol) {
            if pairStatus[p.symbol] != p.status {
                if pairStatus[p.symbol] != nil || p.status != "online" {
                    out.append(.log(p.status == "online" ? .info : .warning, "\(p.symbol) status \(p.status)"))
                }
                pairStatus[p.symbol] = p.status
                out.append(.deliver(.feedStatus(FeedStatus(time: now, symbol: p.symbol, status: MarketStatus(rawValue: p.status)))))
            }
            let current = feed.precisions[p.symbol]
            guard current != p.precision else { continue }
            if precisionsFixed && reportedPrecision[p.symbol] == p.precision { continue }   // already warned about this one
            counters.precisionChanges += 1
            if precisionsFixed {
                reportedPrecision[p.symbol] = p.precision
                out.append(.log(.warning, "\(p.symbol) precision changed to price \(p.precision.price) / quantity \(p.precision.quantity) decimals; the session keeps \(current.map { "\($0.price) / \($0.quantity)" } ?? "none")"))
            } else {
                out.append(.log(.warning, "\(p.symbol): the instrument channel says price \(p.precision.price) / quantity \(p.precision.quantity) decimals, the built-in table \(current.map { "\($0.price) / \($0.quantity)" } ?? "none"): using the channel's"))
                feed.setPrecision(p.precision, for: p.symbol)
                // A book applied at other precisions is resynced; so is one never applied because its snapshot came
                // before any precision (a pair outside the built-in table): else it would wait for a snapshot forever.
                if feed.book(for: p.symbol) != nil || feed.snapshotsWithoutPrecision.contains(p.symbol) {
                    feed.snapshotsWithoutPrecision.remove(p.symbol)
                    startResync(p.symbol, now, &out)
                }
            }
        }
        if !pairs.isEmpty { precisionsFixed = true }
    }

    private func response(_ r: KrakenResponse, _ now: Timestamp, _ out: inout [Action]) {
        if r.method == "pong" { counters.pongs += 1; return }
        for w in r.warnings { out.append(.log(.debug, "Kraken: \(w)")) }
        guard let id = r.reqId, var p = pending[id] else {
            if !r.success { counters.errors += 1; out.append(.log(.warning, "Kraken error without a request of ours: \(r.error ?? "?")")) }
            return
        }
        let symbol = r.symbol.flatMap(Symbol.init)
        let err = r.error ?? ""
        if r.success || err.contains("Already subscribed") || (p.isUnsubscribe && err.contains("Subscription Not Found")) {
            counters.acks += 1
            if let s = symbol { p.symbols.remove(s) } else { p.symbols.removeAll() }
            if p.symbols.isEmpty { pending[id] = nil } else { pending[id] = p }
            if p.isUnsubscribe, p.channel == "book", let s = symbol, case .unsubscribing(let rid, _)? = resync[s], rid == id {
                resubscribeBook(s, now, &out)
            } else if !p.isUnsubscribe, p.channel == "book", let s = symbol, case .subscribing? = resync[s] {
                resync[s] = nil
            }
            settleIfDone(now, &out)
            return
        }
        counters.errors += 1
        if err.contains("Exceeded msg rate") {
            counters.rateLimited += 1
            heldUntil = now + rateDelay
            out.append(.log(.warning, "Kraken: exceeded message rate; holding requests for \(Int(rateDelay.seconds)) s"))
            rateDelay = Interval(nanoseconds: min(rateDelay.nanoseconds * 2, Interval.seconds(30).nanoseconds))
            pending[id] = nil
            held.append(p.request)
            return
        }
        if err.contains("Currency pair not supported") || err.contains("not supported") {
            let syms = symbol.map { [$0] } ?? Array(p.symbols)
            for s in syms { refused.insert(key(p.channel, s)); p.symbols.remove(s) }
            if p.symbols.isEmpty { pending[id] = nil } else { pending[id] = p }
            out.append(.log(.error, "Kraken refused \(p.channel) for \(syms.map(\.text).sorted().joined(separator: ", ")): \(err)"))
            out.append(.refused("Kraken does not support \(syms.map(\.text).sorted().joined(separator: ", ")) (\(p.channel)): \(err)"))
            settleIfDone(now, &out)
            return
        }
        out.append(.log(.warning, "Kraken error on \(p.isUnsubscribe ? "unsubscribe" : "subscribe") \(p.channel) (req_id \(id)): \(err)"))
        // Retried once after the ack timeout (the pending entry stays until then).
    }

    // MARK: Books

    private func checkLag(_ b: BookUpdate, _ now: Timestamp, _ out: inout [Action]) {
        guard b.exchangeTime != b.time, resync[b.symbol] == nil else { return }
        // Measured against the fastest offset seen on this connection, so a constant clock skew is not lag.
        let offset = (b.time - b.exchangeTime).nanoseconds
        if minOffset == nil || offset < minOffset! { minOffset = offset }
        if offset - minOffset! > config.maxLag.nanoseconds {
            counters.lagResyncs += 1
            out.append(.log(.warning, "\(b.symbol) book lags \(tenths(Double(offset - minOffset!) / 1e9)) s behind the exchange: resyncing"))
            // A resync that cannot cure the lag (a server whose stamps stay behind) ends in a reconnect, which re-baselines.
            if tooManyFailures(b.symbol, now, &out) {
                out.append(.deliver(.bookInvalidated(BookInvalidation(time: now, symbol: b.symbol))))
                return
            }
            startResync(b.symbol, now, &out)
        }
    }

    /// Records a failure of `s`'s book; the third within 60 s reconnects the whole connection (market-data §2.8 rule 7).
    private func tooManyFailures(_ s: Symbol, _ now: Timestamp, _ out: inout [Action]) -> Bool {
        var times = (bookFailures[s] ?? []).filter { now - $0 < .seconds(60) }
        times.append(now)
        bookFailures[s] = times
        guard times.count >= 3 else { return false }
        counters.reconnectsForFailures += 1
        bookFailures[s] = []
        out.append(.log(.error, "\(s) book failed 3 times within 60 s: reconnecting"))
        closeLocally(now, code: 1000, &out)
        return true
    }

    private func startResync(_ s: Symbol, _ now: Timestamp, _ out: inout [Action], invalidateFeed: Bool = true) {
        if invalidateFeed {
            feed.invalidate(s)
            out.append(.deliver(.bookInvalidated(BookInvalidation(time: now, symbol: s))))
        }
        lastBook[s] = now
        let id = takeId()
        resync[s] = .unsubscribing(reqId: id, deadline: now + .seconds(2))
        let r = KrakenRequest.unsubscribe(channel: "book", symbols: [s], reqId: id, depth: config.subscriptionDepth)
        send(r, channel: "book", symbols: [s], now: now, &out, unsubscribe: true)
    }

    private func resubscribeBook(_ s: Symbol, _ now: Timestamp, _ out: inout [Action]) {
        resync[s] = .subscribing
        let r = KrakenRequest.subscribe(channel: "book", symbols: [s], reqId: takeId(), depth: config.subscriptionDepth)
        send(r, channel: "book", symbols: [s], now: now, &out)
    }

    // MARK: Connection

    private func attempt(_ now: Timestamp, _ out: inout [Action]) {
        let start = policy.allowedStart(wanted: now)
        if start > now {
            backoffUntil = start
            if phase != .backoff { transition(.backoff, now, &out, "attempt limit reached") }
            out.append(.log(.warning, "\(config.maxConnectsPer10Min) connection attempts in 10 minutes: waiting \(Int((start - now).seconds)) s"))
            return
        }
        policy.attempted(at: now)
        backoffUntil = nil
        transition(.connecting, now, &out, "connecting to \(config.url)")
        out.append(.connect(config.url))
    }

    private func ending(_ now: Timestamp, _ code: UInt16?) -> ReconnectPolicy.Ending {
        .init(uptime: connectedAt.map { now - $0 }, deliveredMarketData: deliveredMarketData, closeCode: code,
              statusNotOnline: lastStatus.map { $0 != "online" } ?? false)
    }

    private func closeLocally(_ now: Timestamp, code: UInt16, _ out: inout [Action]) {
        counters.disconnects[code, default: 0] += 1
        out.append(.close(code: code))
        lost(now, ending: ending(now, nil), &out)
    }

    private func lost(_ now: Timestamp, ending: ReconnectPolicy.Ending, _ out: inout [Action]) {
        let wasOpen = socketOpen
        socketOpen = false
        connectedAt = nil
        pending.removeAll()
        resync.removeAll()
        if wasOpen {
            // The books we hold stop being current: unavailable until each one's new snapshot.
            out.append(.deliver(.feedStatus(FeedStatus(time: now, status: .disconnected))))
            lastStatus = nil
            for s in feed.dropBooks() { out.append(.deliver(.bookInvalidated(BookInvalidation(time: now, symbol: s)))) }
        }
        let d = policy.delay(after: ending, u: random())
        let start = policy.allowedStart(wanted: now + d)
        backoffUntil = start
        transition(.backoff, now, &out, "reconnecting in \(tenths((start - now).seconds)) s")
        if start <= now { attempt(now, &out) }
    }

    private func settleIfDone(_ now: Timestamp, _ out: inout [Action]) {
        guard phase == .subscribing, !pending.values.contains(where: { !$0.isUnsubscribe }) else { return }
        transition(.live, now, &out, "subscriptions settled")
        out.append(.settled)
    }

    private func ping(_ now: Timestamp, _ out: inout [Action]) {
        lastPing = now
        lastKeepalive = now
        counters.pingsSent += 1
        out.append(.send(KrakenRequest.ping(reqId: takeId()).text))
    }

    private func send(_ r: KrakenRequest, channel: String, symbols: [Symbol], now: Timestamp, _ out: inout [Action], unsubscribe: Bool = false) {
        pending[r.reqId] = Pending(request: r, channel: channel, symbols: Set(symbols), sentAt: now, resent: false, isUnsubscribe: unsubscribe)
        if heldUntil != nil { held.append(r); return }
        out.append(.send(r.text))
    }

    private func resend(_ r: KrakenRequest, _ now: Timestamp, _ out: inout [Action]) {
        if let p = pending[r.reqId] { pending[r.reqId]!.sentAt = now; _ = p }
        else if case .subscribe(let channel, let symbols, _, _, _, _) = r {
            pending[r.reqId] = Pending(request: r, channel: channel, symbols: Set(symbols), sentAt: now, resent: false, isUnsubscribe: false)
        }
        out.append(.send(r.text))
    }

    private func request(_ channel: String, _ symbols: [Symbol], _ id: Int64) -> KrakenRequest {
        switch channel {
        case "trade": .subscribe(channel: channel, symbols: symbols, reqId: id, snapshot: false)
        case "book": .subscribe(channel: channel, symbols: symbols, reqId: id, depth: config.subscriptionDepth)
        case "ohlc": .subscribe(channel: channel, symbols: symbols, reqId: id, interval: config.ohlcInterval)
        default: .subscribe(channel: channel, symbols: symbols, reqId: id)
        }
    }

    /// Seconds to one decimal, without Foundation (this file is pure).
    private func tenths(_ seconds: Double) -> String {
        let t = Int64((max(0, seconds) * 10).rounded())
        return "\(t / 10).\(t % 10)"
    }

    private func takeId() -> Int64 { defer { nextReqId += 1 }; return nextReqId }
    private func key(_ channel: String, _ s: Symbol) -> String { channel + " " + s.text }

    private func transition(_ to: Phase, _ now: Timestamp, _ out: inout [Action], _ why: String) {
        counters.transitions["\(phase.rawValue)->\(to.rawValue)", default: 0] += 1
        out.append(.log(to == .backoff ? .warning : .info, "feed \(phase.rawValue) → \(to.rawValue): \(why)"))
        phase = to
    }
}
