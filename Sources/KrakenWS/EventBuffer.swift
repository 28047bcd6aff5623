import Synchronization
import TradingCore

/// The one bounded buffer between the edge and the kernel (issue 8 rule 5). Producers (the socket reader, the timers)
/// wait while it is full, so a kernel that falls behind stops the socket being read and TCP pushes back on Kraken;
/// nothing is dropped. Event times leave in non-decreasing order: an event stamped earlier than one already queued (a
/// producer that sampled the clock and then waited) takes the later time, so the kernel and the recording agree.
public final class EventBuffer: Sendable {
    private struct State {
        var items: [MarketEvent] = []
        var head = 0
        var last = Timestamp(nanoseconds: .min)
        var consumer: CheckedContinuation<Void, Never>?
        var producers: [CheckedContinuation<Void, Never>] = []
        var finished = false
        /// The next producer sequence number allowed in (`push(_:sequence:)`).
        var nextSequence: UInt64 = 0
        var highWater = 0
        var producerWaits = 0
        var retimed = 0
        var count: Int { items.count - head }
    }

    public let capacity: Int
    private let state = Mutex(State())

    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    /// Appends `events` (all of them, together), first waiting while the buffer is full. With a `sequence`, batches
    /// enter in sequence order (0, 1, 2, …; every number must be pushed once, empty batches too): producers that made
    /// their events in one order under a lock and push them after it keep that order.
    public func push(_ events: [MarketEvent], sequence: UInt64? = nil) async {
        if events.isEmpty && sequence == nil { return }
        func blocked(_ s: State) -> Bool {
            if s.finished { return false }
            if let q = sequence, q != s.nextSequence { return true }
            return !events.isEmpty && s.count >= capacity
        }
        while true {
            if !state.withLock({ blocked($0) }) { break }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if !blocked(s) { return true }
                    if !events.isEmpty && s.count >= capacity { s.producerWaits += 1 }
                    s.producers.append(c)
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
        let (consumer, others) = state.withLock { s -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            guard !s.finished else { return (nil, []) }
            for var e in events {
                if e.time < s.last { e = e.retimed(s.last); s.retimed += 1 } else { s.last = e.time }
                s.items.append(e)
            }
            s.highWater = max(s.highWater, s.count)
            var woken: [CheckedContinuation<Void, Never>] = []
            if sequence != nil {
                s.nextSequence += 1
                // The next in sequence may be waiting: let every waiter look again.
                woken = s.producers
                s.producers.removeAll()
            }
            let c = events.isEmpty ? nil : s.consumer
            if c != nil { s.consumer = nil }
            return (c, woken)
        }
        consumer?.resume()
        for p in others { p.resume() }
    }

    /// Moves everything queued into `out` (waiting until there is something); false once finished and drained.
    public func take(into out: inout [MarketEvent]) async -> Bool {
        while true {
            let (got, producers, done) = state.withLock { s -> (Bool, [CheckedContinuation<Void, Never>], Bool) in
                if s.count > 0 {
                    out.append(contentsOf: s.items[s.head...])
                    s.items.removeAll(keepingCapacity: true)
                    s.head = 0
                    let p = s.producers
                    s.producers.removeAll()
                    return (true, p, false)
                }
                return (false, [], s.finished)
            }
            for p in producers { p.resume() }
            if got { return true }
            if done { return false }
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.count > 0 || s.finished { return true }
                    s.consumer = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        }
    }

    /// No more events: waiting producers and the consumer are released (what is queued is still taken).
    public func finish() {
        let (c, p) = state.withLock { s -> (CheckedContinuation<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            s.finished = true
            defer { s.consumer = nil; s.producers.removeAll() }
            return (s.consumer, s.producers)
        }
        c?.resume()
        for x in p { x.resume() }
    }

    public struct Stats: Sendable, Equatable {
        public var queued: Int
        public var highWater: Int
        /// Times a producer waited for room (the kernel was behind).
        public var producerWaits: Int
        /// Events whose time was raised to keep the order.
        public var retimed: Int
    }

    public var stats: Stats { state.withLock { Stats(queued: $0.count, highWater: $0.highWater, producerWaits: $0.producerWaits, retimed: $0.retimed) } }
}

extension MarketEvent {
    /// The same event at engine time `t`.
    public func retimed(_ t: Timestamp) -> MarketEvent {
        switch self {
        case .trade(var x): x.time = t; return .trade(x)
        case .book(var x): x.time = t; return .book(x)
        case .ticker(var x): x.time = t; return .ticker(x)
        case .bar: return self   // bars carry their own times (never live)
        case .timer: return .timer(t)
        case .sentiment(var x): x.time = t; return .sentiment(x)
        case .feedStatus(var x): x.time = t; return .feedStatus(x)
        case .bookInvalidated(var x): x.time = t; return .bookInvalidated(x)
        case .tradeGap(var x): x.time = t; return .tradeGap(x)
        }
    }
}
