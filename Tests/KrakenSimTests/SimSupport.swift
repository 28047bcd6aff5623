import Foundation
import KrakenWS
import TradingCore
@testable import KrakenSim

let T0 = Timestamp(iso8601: "2025-01-15T00:00:00Z")!
let BTC = Symbol("BTC/USD")!
let ETH = Symbol("ETH/USD")!
let XRPBTC = Symbol("XRP/BTC")!

func simConfig(seed: UInt64 = 42, symbols: [Symbol] = [BTC, ETH, XRPBTC], historyDays: Int = 0) -> KrakenSimConfig {
    var c = KrakenSimConfig()
    c.seed = seed
    c.symbols = symbols
    c.start = T0
    c.historyDays = historyDays
    c.levels = 100
    return c
}

/// The texts of `.send` outputs to `connection` (all connections when nil).
func texts(_ out: [KrakenSimEngine.Output], _ connection: Int? = nil) -> [String] {
    out.compactMap { o in
        if case .send(let c, .text(let t)) = o, connection == nil || c == connection { return t }
        return nil
    }
}

func json(_ text: String) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
}

/// A client for engine-level tests: the production parser and books (`KrakenFeed`) reading what the engine sends,
/// resubscribing a book after a mismatch as the live client does.
final class SimClient {
    let engine: KrakenSimEngine
    let id: Int
    let feed: KrakenFeed
    var received: [String] = []
    var trades: [Symbol: [UInt64]] = [:]
    var gaps: [Symbol: UInt64] = [:]
    var reqId = 0
    var resyncs = 0
    var autoResync = true
    private var out: [KrakenFeed.Output] = []

    init(_ engine: KrakenSimEngine, depth: Int = 10, now: Timestamp? = nil) {
        self.engine = engine
        var p: [Symbol: BookPrecision] = [:]
        for i in InstrumentRegistry.builtIn { p[i.symbol] = BookPrecision(price: i.priceDecimals, quantity: i.lotDecimals) }
        feed = KrakenFeed(depth: depth, precisions: p)
        let (id, first) = engine.open(now: now ?? engine.now)
        self.id = id
        take(first)
    }

    func take(_ out: [KrakenSimEngine.Output]) {
        for t in texts(out, id) { consume(t) }
    }

    func consume(_ t: String) {
        received.append(t)
        var text = t
        let before = feed.invalid
        text.withUTF8 { feed.handle($0, receivedAt: engine.now, into: &out) }
        for o in out {
            switch o {
            case .event(.trade(let tr)): trades[tr.symbol, default: []].append(tr.tradeId ?? 0)
            case .tradeGap(let s, let missing): gaps[s, default: 0] += missing
            default: break
            }
        }
        out.removeAll()
        if autoResync {
            for s in feed.invalid.subtracting(before) {
                resyncs += 1
                send(#"{"method":"unsubscribe","params":{"channel":"book","symbol":["\#(s.text)"]},"req_id":\#(nextId())}"#)
                send(#"{"method":"subscribe","params":{"channel":"book","symbol":["\#(s.text)"],"depth":\#(feed.depth)},"req_id":\#(nextId())}"#)
            }
        }
    }

    func nextId() -> Int { reqId += 1; return reqId }

    @discardableResult func send(_ text: String) -> [String] {
        let out = engine.receive(id, text, now: engine.now)
        let t = texts(out, id)
        take(out)
        return t
    }

    func subscribe(_ channel: String, _ symbols: [Symbol], extra: String = "") -> [String] {
        let list = symbols.map { "\"\($0.text)\"" }.joined(separator: ",")
        return send(#"{"method":"subscribe","params":{"channel":"\#(channel)","symbol":[\#(list)]\#(extra)},"req_id":\#(nextId())}"#)
    }

    /// Advances the engine `seconds` of virtual time in 10 ms steps; everything sent to this client is consumed.
    func run(_ seconds: Double, others: [SimClient] = []) {
        let end = engine.now + Interval(nanoseconds: Int64(seconds * 1e9))
        var t = engine.now
        while t < end {
            t = t + .milliseconds(10)
            let out = engine.advance(to: t)
            take(out)
            for o in others { o.take(out) }
        }
    }
}
