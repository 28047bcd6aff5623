import TradingCore

/// Client → server requests (market-data §1.2, §1.3): the text of each, with its `req_id`.
public enum KrakenRequest: Sendable, Equatable {
    case subscribe(channel: String, symbols: [Symbol], reqId: Int64, depth: Int? = nil, snapshot: Bool? = nil, interval: Int? = nil)
    case unsubscribe(channel: String, symbols: [Symbol], reqId: Int64, depth: Int? = nil, interval: Int? = nil)
    case ping(reqId: Int64)

    public var reqId: Int64 {
        switch self {
        case .subscribe(_, _, let r, _, _, _), .unsubscribe(_, _, let r, _, _), .ping(let r): r
        }
    }

    /// The JSON text. Channel names are ours and symbols are validated `BASE/QUOTE` text, so nothing needs escaping.
    public var text: String {
        switch self {
        case .ping(let r):
            return "{\"method\":\"ping\",\"req_id\":\(r)}"
        case .subscribe(let channel, let symbols, let r, let depth, let snapshot, let interval):
            return "{\"method\":\"subscribe\",\"params\":{\(Self.params(channel, symbols, depth, interval))\(snapshot.map { ",\"snapshot\":\($0)" } ?? "")},\"req_id\":\(r)}"
        case .unsubscribe(let channel, let symbols, let r, let depth, let interval):
            return "{\"method\":\"unsubscribe\",\"params\":{\(Self.params(channel, symbols, depth, interval))},\"req_id\":\(r)}"
        }
    }

    private static func params(_ channel: String, _ symbols: [Symbol], _ depth: Int?, _ interval: Int?) -> String {
        var s = "\"channel\":\"\(channel)\""
        if channel != "instrument" { s += ",\"symbol\":[" + symbols.map { "\"\($0.text)\"" }.joined(separator: ",") + "]" }
        if let depth { s += ",\"depth\":\(depth)" }
        if let interval { s += ",\"interval\":\(interval)" }
        return s
    }
}
