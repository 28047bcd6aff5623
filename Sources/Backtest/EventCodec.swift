import Foundation
import TradingCore

/// The JSONL line format of recordings: one event per line, decimals as exact strings.
public enum EventCodec {
    public static func encode(_ e: MarketEvent) -> String {
        switch e {
        case .timer(let t):
            return "{\"k\":\"tick\",\"t\":\(t.nanoseconds)}"
        case .trade(let t):
            let id = t.tradeId.map { ",\"id\":\($0)" } ?? ""
            return "{\"k\":\"trade\",\"s\":\"\(t.symbol)\",\"t\":\(t.time.nanoseconds)\(xt(t.exchangeTime, t.time)),\"p\":\"\(t.price)\",\"q\":\"\(t.size)\",\"side\":\"\(t.side.rawValue)\"\(id)}"
        case .book(let b):
            func levels(_ l: [BookLevel]) -> String { "[" + l.map { "[\"\($0.price)\",\"\($0.size)\"]" }.joined(separator: ",") + "]" }
            return "{\"k\":\"book\",\"s\":\"\(b.symbol)\",\"t\":\(b.time.nanoseconds)\(xt(b.exchangeTime, b.time)),\"snap\":\(b.isSnapshot),\"b\":\(levels(b.bids)),\"a\":\(levels(b.asks))}"
        case .ticker(let t):
            return "{\"k\":\"ticker\",\"s\":\"\(t.symbol)\",\"t\":\(t.time.nanoseconds)\(xt(t.exchangeTime, t.time)),\"bid\":\"\(t.bid)\",\"ask\":\"\(t.ask)\",\"last\":\"\(t.last)\",\"v\":\"\(t.volume24h)\"}"
        case .feedStatus(let f):
            // The status text comes from outside: only Kraken's status vocabulary is written (anything else as "other").
            let sym = f.symbol.map { ",\"s\":\"\($0)\"" } ?? ""
            return "{\"k\":\"feed\",\"t\":\(f.time.nanoseconds)\(sym),\"status\":\"\(safeStatus(f.status))\"}"
        case .bookInvalidated(let b):
            return "{\"k\":\"book_invalid\",\"s\":\"\(b.symbol)\",\"t\":\(b.time.nanoseconds)}"
        case .tradeGap(let g):
            return "{\"k\":\"trade_gap\",\"s\":\"\(g.symbol)\",\"t\":\(g.time.nanoseconds),\"missing\":\(g.missing)}"
        case .bar(let b):
            let c = b.candle
            return "{\"k\":\"bar\",\"s\":\"\(b.symbol)\",\"tf\":\"\(b.timeframe)\",\"t\":\(c.start.nanoseconds),\"o\":\"\(c.open)\",\"h\":\"\(c.high)\",\"l\":\"\(c.low)\",\"c\":\"\(c.close)\",\"v\":\"\(c.volume)\",\"n\":\(c.trades),\"complete\":\(c.isComplete)}"
        case .sentiment(let r):
            // Text from outside (the classification) goes through the JSON writer, which escapes it.
            var o: [String: Any] = ["k": "sentiment", "t": r.time.nanoseconds, "upd": r.sentiment.lastUpdated.nanoseconds]
            if let v = r.sentiment.fearGreedValue { o["fg"] = v }
            if let c = r.sentiment.fearGreedClassification { o["fgc"] = c }
            if let d = r.sentiment.btcDominance { o["btcd"] = "\(d)" }
            let data = (try? JSONSerialization.data(withJSONObject: o, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// The exchange time, written only when it differs from the engine time (simulated and replayed events have one).
    private static func xt(_ x: Timestamp, _ t: Timestamp) -> String { x == t ? "" : ",\"xt\":\(x.nanoseconds)" }

    /// A status as recorded: lower-case letters and underscores only (a hostile status cannot break the line).
    static func safeStatus(_ s: MarketStatus) -> String {
        let ok = !s.rawValue.isEmpty && s.rawValue.count <= 32 && s.rawValue.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || $0 == 95 }
        return ok ? s.rawValue : "other"
    }

    public struct DecodeError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    public static func decode(_ obj: [String: Any]) throws -> MarketEvent {
        func str(_ k: String) throws -> String {
            guard let s = obj[k] as? String else { throw DecodeError(message: "missing string field '\(k)'") }
            return s
        }
        func int(_ k: String) throws -> Int64 {
            // Through the number's text, so a float or an out-of-range value is refused instead of converted.
            guard let n = obj[k] as? NSNumber, let v = Int64(n.stringValue) else { throw DecodeError(message: "missing or non-integer field '\(k)'") }
            return v
        }
        func sym() throws -> Symbol {
            guard let s = Symbol(try str("s")) else { throw DecodeError(message: "bad symbol") }
            return s
        }
        func price(_ k: String) throws -> Price {
            guard let p = Price(try str(k)) else { throw DecodeError(message: "bad decimal in '\(k)'") }
            return p
        }
        func qty(_ k: String) throws -> Quantity {
            guard let q = Quantity(try str(k)) else { throw DecodeError(message: "bad decimal in '\(k)'") }
            return q
        }
        func levels(_ k: String) throws -> [BookLevel] {
            guard let arr = obj[k] as? [[String]] else { throw DecodeError(message: "bad levels '\(k)'") }
            return try arr.map { pair in
                guard pair.count == 2, let p = Price(pair[0]), let q = Quantity(pair[1]) else { throw DecodeError(message: "bad level") }
                return BookLevel(price: p, size: q)
            }
        }
        let t = Timestamp(nanoseconds: try int("t"))
        // Every later sum on event times (bucket ends, grace, timeframes) stays inside Int64 in this range.
        guard Timestamp.supportedRange.contains(t) else { throw DecodeError(message: "event time \(t.nanoseconds) ns is outside 1970–2199") }
        var x: Timestamp?
        if obj["xt"] != nil {
            let v = Timestamp(nanoseconds: try int("xt"))
            guard Timestamp.supportedRange.contains(v) else { throw DecodeError(message: "exchange time \(v.nanoseconds) ns is outside 1970–2199") }
            x = v
        }
        switch try str("k") {
        case "tick": return .timer(t)
        case "trade":
            let side: TakerSide = try str("side") == "buy" ? .buy : .sell
            var id: UInt64?
            if let n = obj["id"] {
                guard let num = n as? NSNumber, let v = UInt64(num.stringValue) else { throw DecodeError(message: "bad trade id") }
                id = v
            }
            return .trade(Trade(symbol: try sym(), time: t, exchangeTime: x, price: try price("p"), size: try qty("q"), side: side, tradeId: id))
        case "book":
            let snap = (obj["snap"] as? Bool) ?? false
            return .book(BookUpdate(symbol: try sym(), time: t, exchangeTime: x, isSnapshot: snap, bids: try levels("b"), asks: try levels("a")))
        case "ticker":
            return .ticker(Ticker(symbol: try sym(), time: t, exchangeTime: x, bid: try price("bid"), ask: try price("ask"), last: try price("last"), volume24h: try qty("v")))
        case "bar":
            guard let tf = Timeframe(text: try str("tf")) else { throw DecodeError(message: "bad timeframe") }
            let c = Candle(start: t, open: try price("o"), high: try price("h"), low: try price("l"), close: try price("c"),
                           volume: try qty("v"), trades: obj["n"] == nil ? 0 : Int(clamping: try int("n")), isComplete: (obj["complete"] as? Bool) ?? true)
            return .bar(Bar(symbol: try sym(), timeframe: tf, candle: c))
        case "sentiment":
            var fg: Int?
            if let n = obj["fg"] {
                guard let num = n as? NSNumber, let v = Int(num.stringValue), (0...100).contains(v) else { throw DecodeError(message: "bad Fear & Greed value") }
                fg = v
            }
            var dom: Double?
            if obj["btcd"] != nil {
                guard let d = Double(try str("btcd")), (0...100).contains(d) else { throw DecodeError(message: "bad BTC dominance") }
                dom = d
            }
            let classification = obj["fgc"] == nil ? nil : try str("fgc")
            let upd = Timestamp(nanoseconds: try int("upd"))
            guard Timestamp.supportedRange.contains(upd) else { throw DecodeError(message: "sentiment time outside 1970–2199") }
            return .sentiment(SentimentReading(time: t, sentiment: ExternalSentiment(fearGreedValue: fg, fearGreedClassification: classification,
                                                                                     btcDominance: dom, lastUpdated: upd)))
        case "feed":
            let status = MarketStatus(rawValue: try str("status"))
            guard safeStatus(status) == status.rawValue else { throw DecodeError(message: "bad feed status") }
            return .feedStatus(FeedStatus(time: t, symbol: obj["s"] == nil ? nil : try sym(), status: status))
        case "book_invalid":
            return .bookInvalidated(BookInvalidation(time: t, symbol: try sym()))
        case "trade_gap":
            guard let n = obj["missing"] as? NSNumber, let m = UInt64(n.stringValue), m > 0 else { throw DecodeError(message: "bad trade_gap count") }
            return .tradeGap(TradeGap(time: t, symbol: try sym(), missing: m))
        case let k:
            throw DecodeError(message: "unknown event kind '\(k)'")
        }
    }
}
