import TradingCore

/// Kraken's public REST endpoints (`/0/public/…`) over the server's market: the same seed's history before start and
/// the live tape after it, in Kraken's shapes (history.md §9), with its error envelope and an optional rate limit.
extension KrakenSimEngine {
    public struct RESTResponse: Sendable, Equatable {
        public let status: Int
        public let body: String
    }

    /// Kraken's asset codes on REST (legacy X/Z prefixes for the old assets).
    static func restAsset(_ a: String) -> String {
        switch a {
        case "BTC": "XXBT"
        case "ETH": "XETH"
        case "XRP": "XXRP"
        case "USD": "ZUSD"
        default: a
        }
    }
    static func altAsset(_ a: String) -> String { a == "BTC" ? "XBT" : a }

    /// The pair's REST key (`XXBTZUSD`) and altname (`XBTUSD`).
    static func restNames(_ s: Symbol) -> (key: String, altname: String) {
        let alt = altAsset(s.base) + altAsset(s.quote)
        let b = restAsset(s.base), q = restAsset(s.quote)
        if b.count == 4 && q.count == 4 && (b.hasPrefix("X") || b.hasPrefix("Z")) && (q.hasPrefix("X") || q.hasPrefix("Z")) { return (b + q, alt) }
        if s.quote == "USD" { return (s.base + "ZUSD", alt) }
        return (alt, alt)
    }

    func restPair(_ code: String?) -> Int? {
        guard let code, !code.isEmpty else { return nil }
        let u = code.uppercased()
        return world.pairs.firstIndex { p in
            let n = Self.restNames(p.symbol)
            return n.key == u || n.altname == u || p.symbol.text == u || Self.altAsset(p.symbol.base) + "/" + Self.altAsset(p.symbol.quote) == u
        }
    }

    private func ok(_ result: String) -> RESTResponse { RESTResponse(status: 200, body: "{\"error\":[],\"result\":" + result + "}") }
    private func fail(_ error: String, status: Int = 200) -> RESTResponse { RESTResponse(status: status, body: "{\"error\":[\"" + error + "\"]}") }

    /// One GET: `endpoint` is the path after `/0/public/`, `query` its parameters.
    public func rest(_ endpoint: String, _ query: [String: String], now: Timestamp) -> RESTResponse {
        advanceClockOnly(now)
        restRequests += 1
        let q = query.keys.sorted().map { "\($0)=\(query[$0]!)" }.joined(separator: "&")
        logREST("GET /0/public/" + endpoint + (q.isEmpty ? "" : "?" + q))
        if config.restRatePerSecond > 0 {
            let elapsed = Double((clockNow - restRefilledAt).nanoseconds) / 1e9
            restTokens = min(config.restBurst, restTokens + elapsed * config.restRatePerSecond)
            restRefilledAt = clockNow
            guard restTokens >= 1 else { restRateLimited += 1; return fail("EAPI:Rate limit exceeded", status: 429) }
            restTokens -= 1
        }
        switch endpoint {
        case "Time":
            let s = clockNow.seconds
            return ok("{\"unixtime\":\(s),\"rfc1123\":\"\(Self.rfc1123(clockNow))\"}")
        case "SystemStatus":
            return ok("{\"status\":\"\(system)\",\"timestamp\":\"\(String(SimFormat.time(Timestamp(seconds: clockNow.seconds)).dropLast(8)) + "Z")\"}")
        case "AssetPairs":
            guard let list = query["pair"] else { return ok("{" + world.pairs.indices.map { assetPair($0) }.joined(separator: ",") + "}") }
            var parts: [String] = []
            for code in list.split(separator: ",") {
                guard let i = restPair(String(code)) else { return fail("EQuery:Unknown asset pair") }
                // Asked by its WebSocket name ("BTC/USD"), Kraken keys the answer by that name (python-kraken-sdk relies on it).
                parts.append(assetPair(i, key: code.contains("/") ? String(code) : nil))
            }
            return ok("{" + parts.joined(separator: ",") + "}")
        case "Ticker":
            guard let list = query["pair"] else { return fail("EGeneral:Invalid arguments") }
            var parts: [String] = []
            for code in list.split(separator: ",") {
                guard let i = restPair(String(code)) else { return fail("EQuery:Unknown asset pair") }
                parts.append(restTicker(i))
            }
            return ok("{" + parts.joined(separator: ",") + "}")
        case "OHLC":
            guard let i = restPair(query["pair"]) else { return fail(query["pair"] == nil ? "EGeneral:Invalid arguments" : "EQuery:Unknown asset pair") }
            let interval = query["interval"].map { Int($0) } ?? 1
            guard let interval, SimWorld.intervals.contains(interval) else { return fail("EGeneral:Invalid arguments") }
            var since: Int64?
            if let s = query["since"] {
                guard let v = Int64(s) else { return fail("EGeneral:Invalid arguments") }
                since = v
            }
            return restOHLC(i, interval: interval, since: since)
        case "Trades":
            guard let i = restPair(query["pair"]) else { return fail(query["pair"] == nil ? "EGeneral:Invalid arguments" : "EQuery:Unknown asset pair") }
            var count = 1000
            if let c = query["count"] {
                guard let v = Int(c), (1...1000).contains(v) else { return fail("EGeneral:Invalid arguments") }
                count = v
            }
            var since: Timestamp?
            if let s = query["since"] {
                guard let v = Int64(s), v >= 0 else { return fail("EGeneral:Invalid arguments") }
                // Kraken takes seconds or nanoseconds; a value below year 2200 in seconds is seconds.
                since = v < 7_258_118_400 ? Timestamp(seconds: v) : Timestamp(nanoseconds: v)
            }
            return restTrades(i, since: since, count: count)
        default:
            return fail("EGeneral:Unknown method", status: 404)
        }
    }

    static func rfc1123(_ t: Timestamp) -> String {
        // "Sun, 21 Mar 21 14:23:14 +0000" as Kraken writes it.
        let iso = t.iso8601
        let days = t.seconds >= 0 ? t.seconds / 86_400 : (t.seconds - 86_399) / 86_400
        let names = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let wd = names[Int(((days % 7) + 7) % 7)]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let y = iso.prefix(4), m = Int(iso.dropFirst(5).prefix(2)) ?? 1, d = iso.dropFirst(8).prefix(2), hms = iso.dropFirst(11).prefix(8)
        return "\(wd), \(d) \(months[m - 1]) \(y.suffix(2)) \(hms) +0000"
    }

    private func assetPair(_ i: Int, key: String? = nil) -> String {
        let p = world.pairs[i]
        var n = Self.restNames(p.symbol)
        if let key { n.key = key }
        let b = Self.restAsset(p.symbol.base), q = Self.restAsset(p.symbol.quote)
        let tick = SimFormat.fixed(1, p.priceDecimals)
        return "\(SimFormat.string(n.key)):{\"altname\":\"\(n.altname)\",\"wsname\":\"\(Self.altAsset(p.symbol.base))/\(Self.altAsset(p.symbol.quote))\",\"aclass_base\":\"currency\",\"base\":\"\(b)\",\"aclass_quote\":\"currency\",\"quote\":\"\(q)\",\"lot\":\"unit\",\"cost_decimals\":\(p.priceDecimals + 4),\"pair_decimals\":\(p.priceDecimals),\"lot_decimals\":\(p.qtyDecimals),\"lot_multiplier\":1,\"leverage_buy\":[],\"leverage_sell\":[],\"fees\":[[0,0.4]],\"fees_maker\":[[0,0.25]],\"fee_volume_currency\":\"ZUSD\",\"margin_call\":80,\"margin_stop\":40,\"ordermin\":\"\(SimFormat.stripped(1, max(0, p.qtyDecimals - 4)))\",\"costmin\":\"0.5\",\"tick_size\":\"\(tick)\",\"status\":\"online\"}"
    }

    private func restTicker(_ i: Int) -> String {
        let p = world.pairs[i]
        let d = world.dayStats(i)
        let today = restCandleSpan(i, from: SimWorld.bucket(clockNow, minutes: 1440), to: clockNow)
        let pp = p.priceDecimals, qp = p.qtyDecimals
        func px(_ v: Int64) -> String { "\"" + SimFormat.fixed(v, pp) + "\"" }
        func qty(_ v: Int64) -> String { "\"" + SimFormat.fixed(v, qp) + "\"" }
        let bid = p.book.bids.first ?? SimLevel(price: 0, qty: 0), ask = p.book.asks.first ?? SimLevel(price: 0, qty: 0)
        let whole = pow10Int(qp)
        let last = d.count > 0 ? d.close : bid.price
        var s = "\"\(Self.restNames(p.symbol).key)\":{"
        s += "\"a\":[\(px(ask.price)),\"\(max(1, ask.qty / whole))\",\(qty(ask.qty))],\"b\":[\(px(bid.price)),\"\(max(1, bid.qty / whole))\",\(qty(bid.qty))]"
        s += ",\"c\":[\(px(last)),\(qty(p.tape.last?.qty ?? 0))],\"v\":[\(qty(today.volume)),\(qty(d.volume))]"
        s += ",\"p\":[\(px(today.vwapTicks ?? last)),\(px(d.vwapTicks ?? last))],\"t\":[\(today.count),\(d.count)]"
        s += ",\"l\":[\(px(today.count > 0 ? today.low : last)),\(px(d.count > 0 ? d.low : last))],\"h\":[\(px(today.count > 0 ? today.high : last)),\(px(d.count > 0 ? d.high : last))]"
        s += ",\"o\":\(px(today.count > 0 ? today.open : last))}"
        return s
    }

    /// The candle of [from, to): history summaries (cached per pair), then the live tape.
    func restCandleSpan(_ i: Int, from: Timestamp, to: Timestamp) -> SimCandle {
        var c = from < world.start ? historyCaches[i].span(from: from, to: min(to, world.start)) : SimCandle(begin: from)
        if to > world.start { c.merge(world.tapeCandle(i, from: max(from, world.start), to: to)) }
        c.begin = from
        return c
    }

    /// The OHLC window of `interval` at `now`: its first bucket and the running one.
    private func ohlcWindow(_ i: Int, interval: Int, now: Timestamp) -> (earliest: Timestamp, running: Timestamp) {
        let w = Interval.minutes(Int64(interval))
        let running = SimWorld.bucket(now, minutes: interval)
        return (max(SimWorld.bucket(world.pairs[i].history.first, minutes: interval), running - Interval(nanoseconds: w.nanoseconds * 719)), running)
    }

    /// The history a REST request will summarise, as work to do before it outside the engine lock (nil: none). The
    /// server runs it unlocked, then calls `rest`, which then finds everything cached.
    public func restPrefetch(_ endpoint: String, _ query: [String: String], now: Timestamp) -> (@Sendable () -> Void)? {
        switch endpoint {
        case "OHLC":
            guard let i = restPair(query["pair"]), let interval = Int(query["interval"] ?? "1"), SimWorld.intervals.contains(interval) else { return nil }
            let (earliest, running) = ohlcWindow(i, interval: interval, now: now)
            let cache = historyCaches[i], end = min(running + .minutes(Int64(interval)), world.start)
            guard earliest < end else { return nil }
            return { cache.fill(from: earliest, to: end) }
        case "Ticker":
            let pairs = (query["pair"] ?? "").split(separator: ",").compactMap { restPair(String($0)) }
            let from = SimWorld.bucket(now, minutes: 1440), end = min(now, world.start)
            guard from < end, !pairs.isEmpty else { return nil }
            let caches = pairs.map { historyCaches[$0] }
            return { for c in caches { c.fill(from: from, to: end) } }
        default:
            return nil
        }
    }

    private func restOHLC(_ i: Int, interval: Int, since: Int64?) -> RESTResponse {
        let p = world.pairs[i]
        let w = Interval.minutes(Int64(interval))
        let (earliest, running) = ohlcWindow(i, interval: interval, now: clockNow)
        var rows: [String] = []
        var b = earliest
        var lastClose: Int64?
        let pp = p.priceDecimals
        func row(_ c: SimCandle, _ at: Timestamp) -> String {
            "[\(at.seconds),\"\(SimFormat.fixed(c.open, pp))\",\"\(SimFormat.fixed(c.high, pp))\",\"\(SimFormat.fixed(c.low, pp))\",\"\(SimFormat.fixed(c.close, pp))\",\"\(SimFormat.fixed(c.vwapTicks ?? c.close, pp))\",\"\(SimFormat.fixed(c.volume, p.qtyDecimals))\",\(c.count)]"
        }
        while b <= running {
            let c = restCandleSpan(i, from: b, to: min(b + w, clockNow + .init(nanoseconds: 1)))
            if c.count > 0 { lastClose = c.close }
            if let since, b.seconds <= since { b = b + w; continue }
            if c.count > 0 {
                rows.append(row(c, b))
            } else if b == running, let close = lastClose ?? p.tape.last?.price {
                // §9.1: the last entry, the running candle, is always there; without a trade yet it is flat at the last close.
                var flat = SimCandle(begin: b)
                flat.open = close; flat.high = close; flat.low = close; flat.close = close
                rows.append(row(flat, b))
            }
            b = b + w
        }
        let last = (running - w).seconds
        return ok("{\"\(Self.restNames(p.symbol).key)\":[" + rows.joined(separator: ",") + "],\"last\":\(last)}")
    }

    private func restTrades(_ i: Int, since: Timestamp?, count: Int) -> RESTResponse {
        let p = world.pairs[i]
        let trades: [SimTrade]
        if let since {
            trades = world.trades(i, after: since, limit: count)
        } else {
            // The most recent `count` prints.
            var found = Array(p.tape.suffix(count))
            var m = p.history.minute(of: world.start - .init(nanoseconds: 1))
            while found.count < count, m >= 0 { found = p.history.trades(minute: m) + found; m -= 1 }
            trades = Array(found.suffix(count))
        }
        var rows: [String] = []
        rows.reserveCapacity(trades.count)
        for t in trades {
            let secs = t.time.seconds, micros = (t.time.nanoseconds - secs * 1_000_000_000) / 1000
            let frac = String(micros), pad = String(repeating: "0", count: 6 - frac.count)
            rows.append("[\"\(SimFormat.fixed(t.price, p.priceDecimals))\",\"\(SimFormat.fixed(t.qty, p.qtyDecimals))\",\(secs).\(pad)\(frac),\"\(t.side == .buy ? "b" : "s")\",\"\(t.isMarket ? "m" : "l")\",\"\",\(t.id)]")
        }
        let last = trades.last?.time.nanoseconds ?? since?.nanoseconds ?? clockNow.nanoseconds
        return ok("{\"\(Self.restNames(p.symbol).key)\":[" + rows.joined(separator: ",") + "],\"last\":\"\(last)\"}")
    }
}
