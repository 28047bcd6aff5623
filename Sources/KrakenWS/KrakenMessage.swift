import TradingCore

/// A Kraken v2 message, decoded at the edge (no Kraken type crosses into the kernel: `KrakenFeed` turns these into
/// `MarketEvent`s). Times here are the exchange's timestamps.
public enum KrakenMessage: Sendable {
    case status(system: String, connectionId: UInt64?)
    case heartbeat
    case response(KrakenResponse)
    case book(KrakenBookMessage)
    case trades(snapshot: Bool, [KrakenTrade])
    case ticker([KrakenTicker])
    case ohlc(snapshot: Bool, [KrakenCandle])
    case instrument(snapshot: Bool, [KrakenPair])
    /// A channel this client does not read (counted, ignored).
    case otherChannel(String)
}

/// An ack, pong or error (market-data §1.2, §1.9); correlated by `reqId`, never by `method`.
public struct KrakenResponse: Sendable, Equatable {
    public var method: String
    public var reqId: Int64?
    public var success: Bool
    public var error: String?
    /// The symbol of a per-symbol response (from `result.symbol` or the top level).
    public var symbol: String?
    public var channel: String?
    public var warnings: [String]
}

public struct KrakenBookMessage: Sendable, Equatable {
    public var symbol: Symbol
    public var isSnapshot: Bool
    public var bids: [BookLevel]
    public var asks: [BookLevel]
    public var checksum: UInt32
    public var timestamp: Timestamp?
}

public struct KrakenTrade: Sendable, Equatable {
    public var symbol: Symbol
    public var side: TakerSide
    public var price: Price
    public var quantity: Quantity
    public var tradeId: UInt64?
    public var timestamp: Timestamp
}

public struct KrakenTicker: Sendable, Equatable {
    public var symbol: Symbol
    public var bid: Price
    public var ask: Price
    public var last: Price?
    public var volume: Quantity
    public var timestamp: Timestamp?
}

public struct KrakenCandle: Sendable, Equatable {
    public var symbol: Symbol
    public var intervalMinutes: Int
    public var begin: Timestamp
    public var open: Price, high: Price, low: Price, close: Price
    public var volume: Quantity
    public var trades: Int
}

public struct KrakenPair: Sendable, Equatable {
    public var symbol: Symbol
    public var status: String
    public var precision: BookPrecision
    public var priceIncrement: Price?
    public var quantityMinimum: Quantity?
}

public struct KrakenParseError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ m: String) { message = m }
    public var description: String { message }
}

/// Classifies and decodes one message (market-data §1.2's rules, in order): a `channel` is dispatched by name, else a
/// `method` is a response, else the message is unknown. Every number is read from its text exactly.
public enum KrakenParser {
    public static func parse(_ text: String) throws(KrakenParseError) -> KrakenMessage {
        var t = text
        let r: Result<KrakenMessage, KrakenParseError> = t.withUTF8 { b in
            do throws(KrakenParseError) { return .success(try parse(b)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(KrakenParseError) -> KrakenMessage {
        // Book messages, most of the feed, take the scanner; anything it does not recognise exactly goes the full way.
        if bytes.count <= KrakenJSON.maxBytes, let m = KrakenBookScanner.decode(bytes) { return .book(m) }
        return try parseFully(bytes)
    }

    /// The full parser (a JSON tree, then the message), without the book fast path.
    public static func parseFully(_ bytes: UnsafeBufferPointer<UInt8>) throws(KrakenParseError) -> KrakenMessage {
        let json: JSONValue
        do { json = try KrakenJSON.parse(bytes) } catch { throw KrakenParseError("not JSON: \(error)") }
        return try decode(json)
    }

    public static func decode(_ j: JSONValue) throws(KrakenParseError) -> KrakenMessage {
        guard case .object = j else { throw KrakenParseError("not a JSON object") }
        if let channel = j["channel"] {
            guard let name = channel.string else { throw KrakenParseError("'channel' is not a string") }
            let snapshot = j["type"]?.string == "snapshot"
            switch name {
            case "heartbeat": return .heartbeat
            case "status":
                guard let d = j["data"]?.array?.first, let system = d["system"]?.string else { throw KrakenParseError("status without data[0].system") }
                return .status(system: system, connectionId: d["connection_id"]?.uint64)
            case "book":
                guard let d = j["data"]?.array, d.count == 1 else { throw KrakenParseError("book data must hold exactly one element") }
                let e = d[0]
                guard let checksum = e["checksum"]?.uint64, let c = UInt32(exactly: checksum) else { throw KrakenParseError("book without a 32-bit checksum") }
                return .book(KrakenBookMessage(symbol: try symbol(e), isSnapshot: snapshot, bids: try levels(e["bids"], "bids"),
                                               asks: try levels(e["asks"], "asks"), checksum: c, timestamp: try time(e["timestamp"], optional: true)))
            case "trade":
                guard let d = j["data"]?.array else { throw KrakenParseError("trade without data") }
                return .trades(snapshot: snapshot, try d.map { (e) throws(KrakenParseError) -> KrakenTrade in
                    let side: TakerSide
                    switch e["side"]?.string {
                    case "buy": side = .buy
                    case "sell": side = .sell
                    default: throw KrakenParseError("trade side must be buy or sell")
                    }
                    var id: UInt64?
                    if let v = e["trade_id"] { guard let n = v.uint64 else { throw KrakenParseError("bad trade_id") }; id = n }
                    return KrakenTrade(symbol: try symbol(e), side: side, price: try positive(e["price"], "price"),
                                       quantity: try quantity(e["qty"], "qty"), tradeId: id, timestamp: try time(e["timestamp"], optional: false)!)
                })
            case "ticker":
                guard let d = j["data"]?.array else { throw KrakenParseError("ticker without data") }
                return .ticker(try d.map { (e) throws(KrakenParseError) -> KrakenTicker in
                    KrakenTicker(symbol: try symbol(e), bid: try positive(e["bid"], "bid"), ask: try positive(e["ask"], "ask"),
                                 last: e["last"] == nil ? nil : try positive(e["last"], "last"),
                                 volume: e["volume"] == nil ? .zero : try quantity(e["volume"], "volume"),
                                 timestamp: try time(e["timestamp"], optional: true))
                })
            case "ohlc":
                guard let d = j["data"]?.array else { throw KrakenParseError("ohlc without data") }
                return .ohlc(snapshot: snapshot, try d.map { (e) throws(KrakenParseError) -> KrakenCandle in
                    guard let iv = e["interval"]?.int64, [1, 5, 15, 30, 60, 240, 1440, 10080, 21600].contains(iv) else { throw KrakenParseError("bad ohlc interval") }
                    guard let n = e["trades"]?.int64, n >= 0, n < Int64(Int32.max) else { throw KrakenParseError("bad ohlc trades") }
                    return KrakenCandle(symbol: try symbol(e), intervalMinutes: Int(iv), begin: try time(e["interval_begin"], optional: false)!,
                                        open: try positive(e["open"], "open"), high: try positive(e["high"], "high"), low: try positive(e["low"], "low"),
                                        close: try positive(e["close"], "close"), volume: try quantity(e["volume"], "volume"), trades: Int(n))
                })
            case "instrument":
                guard let d = j["data"], case .object = d else { throw KrakenParseError("instrument data must be an object") }
                let pairs = d["pairs"]?.array ?? []
                return .instrument(snapshot: snapshot, try pairs.map { (e) throws(KrakenParseError) -> KrakenPair in
                    guard let pp = e["price_precision"]?.int64, let qp = e["qty_precision"]?.int64, (0...18).contains(pp), (0...18).contains(qp) else {
                        throw KrakenParseError("pair without price_precision/qty_precision in 0…18")
                    }
                    return KrakenPair(symbol: try symbol(e), status: e["status"]?.string ?? "unknown",
                                      precision: BookPrecision(price: Int(pp), quantity: Int(qp)),
                                      priceIncrement: (e["price_increment"] ?? e["tick_size"])?.numberText.flatMap { Price($0) },
                                      quantityMinimum: e["qty_min"]?.numberText.flatMap { Quantity($0) })
                })
            default:
                return .otherChannel(String(name.prefix(64)))
            }
        }
        if let m = j["method"] {
            guard let method = m.string else { throw KrakenParseError("'method' is not a string") }
            var reqId: Int64?
            if let r = j["req_id"] { guard let n = r.int64 else { throw KrakenParseError("bad req_id") }; reqId = n }
            let error = j["error"]?.string
            let success = (j["success"]?.bool ?? (error == nil)) && error == nil
            let result = j["result"]
            return .response(KrakenResponse(method: method, reqId: reqId, success: success, error: error,
                                            symbol: result?["symbol"]?.string ?? j["symbol"]?.string, channel: result?["channel"]?.string,
                                            warnings: result?["warnings"]?.array?.compactMap(\.string) ?? []))
        }
        throw KrakenParseError("neither a channel message nor a response")
    }

    static func symbol(_ e: JSONValue) throws(KrakenParseError) -> Symbol {
        guard let t = e["symbol"]?.string, let s = Symbol(t) else { throw KrakenParseError("missing or bad symbol") }
        return s
    }

    static func decimal(_ v: JSONValue?, _ field: String) throws(KrakenParseError) -> Money {
        guard let t = v?.numberText, let m = Money(t) else { throw KrakenParseError("missing or bad number '\(field)'") }
        return m
    }

    static func positive(_ v: JSONValue?, _ field: String) throws(KrakenParseError) -> Price {
        let m = try decimal(v, field)
        guard m.isPositive else { throw KrakenParseError("'\(field)' must be > 0") }
        return Price(raw: m.raw)
    }

    static func quantity(_ v: JSONValue?, _ field: String) throws(KrakenParseError) -> Quantity {
        let m = try decimal(v, field)
        guard !m.isNegative else { throw KrakenParseError("'\(field)' must be ≥ 0") }
        return Quantity(raw: m.raw)
    }

    static func levels(_ v: JSONValue?, _ field: String) throws(KrakenParseError) -> [BookLevel] {
        guard let a = v?.array else { throw KrakenParseError("book without '\(field)'") }
        return try a.map { (l) throws(KrakenParseError) -> BookLevel in
            BookLevel(price: try positive(l["price"], "price"), size: try quantity(l["qty"], "qty"))
        }
    }

    static func time(_ v: JSONValue?, optional: Bool) throws(KrakenParseError) -> Timestamp? {
        guard let v else {
            if optional { return nil }
            throw KrakenParseError("missing timestamp")
        }
        guard let s = v.string, let t = Timestamp(iso8601: s), Timestamp.supportedRange.contains(t) else { throw KrakenParseError("bad timestamp") }
        return t
    }
}
