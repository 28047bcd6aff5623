import Foundation
import Testing
import TradingCore
@testable import KrakenSim

/// Kraken's public REST over the server's market (issue 10 point 3): shapes, paging, limits, errors.
@Suite struct KrakenSimRESTTests {
    func result(_ r: KrakenSimEngine.RESTResponse) throws -> [String: Any] {
        let o = json(r.body)
        #expect((o["error"] as? [Any])?.isEmpty == true, "\(r.body.prefix(200))")
        return try #require(o["result"] as? [String: Any])
    }

    /// Decimal text → integer units at `decimals` (the test's own parse, not the server's formatter).
    func units(_ s: String, _ decimals: Int) -> Int64 {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let frac = parts.count > 1 ? String(parts[1]) : ""
        let padded = frac + String(repeating: "0", count: max(0, decimals - frac.count))
        return Int64(String(parts[0]) + padded.prefix(decimals))!
    }

    @Test func tradesPageFromTheFirstHistoryPrintToTheLiveTapeWithoutLossOrRepeat() throws {
        var cfg = simConfig(symbols: [XRPBTC, ETH], historyDays: 1)
        cfg.start = T0 + .seconds(17)   // not on a minute: the history's last minute is partial
        let e = KrakenSimEngine(config: cfg)
        let c = SimClient(e)
        _ = c.subscribe("trade", [XRPBTC])
        c.run(120)   // two minutes of live prints after the history
        var since: Int64 = 0
        var ids: [Int64] = []
        var times: [Int64] = []
        var pages = 0
        while true {
            let r = try result(e.rest("Trades", ["pair": "XRPXBT", "since": String(since)], now: e.now))
            let rows = try #require(r["XXRPXXBT"] as? [[Any]])
            let lastText = try #require(r["last"] as? String)
            let last = try #require(Int64(lastText))
            pages += 1
            if rows.isEmpty { #expect(last == since); break }
            #expect(rows.count <= 1000)
            for row in rows {
                #expect(row.count == 7)
                ids.append(Int64(truncating: row[6] as! NSNumber))
                times.append(Int64(((row[2] as! NSNumber).doubleValue * 1e6).rounded()))
                #expect(["b", "s"].contains(row[3] as? String) && ["m", "l"].contains(row[4] as? String))
            }
            #expect(last > since)
            since = last
            if pages > 10_000 { break }
        }
        #expect(ids.count > 200)
        #expect(ids == Array(1...Int64(ids.count)))   // every id once, in order: history then live, no seam
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
        #expect(UInt64(ids.last!) == e.lastTradeId(XRPBTC))
        // The live prints the WebSocket sent are the same ids REST has.
        let ws = try #require(c.trades[XRPBTC])
        #expect(!ws.isEmpty && ws.allSatisfy { $0 <= UInt64(ids.last!) } && ws.first! > 1)
        // `since` in seconds works too, and the most recent page without since ends at the newest print.
        let bySeconds = try result(e.rest("Trades", ["pair": "XRP/BTC", "since": String(T0.seconds), "count": "5"], now: e.now))
        #expect((bySeconds["XXRPXXBT"] as? [[Any]])?.count == 5)
        let recent = try result(e.rest("Trades", ["pair": "XRPXBT"], now: e.now))
        #expect(Int64(truncating: (recent["XXRPXXBT"] as! [[Any]]).last![6] as! NSNumber) == ids.last!)
    }

    @Test func ohlcCandlesAreTheTradesAggregatedAnd720AtMost() throws {
        let e = KrakenSimEngine(config: simConfig(symbols: [ETH], historyDays: 1))
        let c = SimClient(e)
        c.run(90)
        let r = try result(e.rest("OHLC", ["pair": "ETHUSD", "interval": "1"], now: e.now))
        let rows = try #require(r["XETHZUSD"] as? [[Any]])
        #expect(rows.count == 720)   // 12 hours of minutes: only the most recent 720
        let last = try #require(r["last"] as? Int)
        let running = SimWorld.bucket(e.now, minutes: 1).seconds
        #expect(Int64(last) == running - 60 && (rows.last![0] as! Int) == Int(running))
        // Rebuild three candles (one from history, the seam, the running one) from the Trades endpoint.
        for row in [rows[0], rows[rows.count - 3], rows.last!] {
            let begin = Int64(row[0] as! Int)
            var trades: [[Any]] = []
            var since = (begin - 1) * 1_000_000_000 + 999_999_999
            outer: while true {
                let page = try result(e.rest("Trades", ["pair": "ETHUSD", "since": String(since)], now: e.now))
                let rs = page["XETHZUSD"] as! [[Any]]
                if rs.isEmpty { break }
                for t in rs {
                    if (t[2] as! NSNumber).doubleValue >= Double(begin + 60) { break outer }
                    trades.append(t)
                }
                since = Int64(page["last"] as! String)!
            }
            let prices = trades.map { units($0[0] as! String, 2) }, qtys = trades.map { units($0[1] as! String, 8) }
            #expect(row[7] as? Int == trades.count)
            #expect(units(row[1] as! String, 2) == prices.first && units(row[4] as! String, 2) == prices.last)
            #expect(units(row[2] as! String, 2) == prices.max() && units(row[3] as! String, 2) == prices.min())
            #expect(units(row[6] as! String, 8) == qtys.reduce(0, +))
            // VWAP to the tick, half up (computed here with exact integers).
            let value = zip(prices, qtys).reduce(Int128(0)) { $0 + Int128($1.0) * Int128($1.1) }
            let vol = Int128(qtys.reduce(0, +))
            #expect(Int128(units(row[5] as! String, 2)) == (value * 2 + vol) / (vol * 2))
        }
        // §9.1: the running candle is always the last entry, even before its first trade (flat at the last close).
        let quiet = KrakenSimEngine(config: simConfig(symbols: [XRPBTC], historyDays: 1))
        let q = try result(quiet.rest("OHLC", ["pair": "XRPXBT", "interval": "1"], now: quiet.now + .seconds(1)))
        let qrows = try #require(q["XXRPXXBT"] as? [[Any]])
        #expect((qrows.last?[0] as? Int) == Int(SimWorld.bucket(quiet.now, minutes: 1).seconds))
        // since: only candles after it.
        let after = try result(e.rest("OHLC", ["pair": "ETHUSD", "since": String(last)], now: e.now))
        #expect((after["XETHZUSD"] as? [[Any]])?.count == 1)
        let hourly = try result(e.rest("OHLC", ["pair": "XETHZUSD", "interval": "60"], now: e.now))
        #expect(((hourly["XETHZUSD"] as? [[Any]])?.count ?? 0) >= 24)
    }

    @Test func hourAndLongerCandlesMatchTheTradesWhateverTheStartsAlignment() throws {
        // A start 17 min 30 s past the hour: history's first minute is not an hour boundary, so cached whole hours,
        // single minutes and the partial last minute all meet in these candles. Expected values: every print from
        // the Trades endpoint, bucketed here by UTC hour.
        var cfg = simConfig(symbols: [ETH], historyDays: 1)
        cfg.start = T0 + .minutes(17) + .seconds(30)
        let e = KrakenSimEngine(config: cfg)
        let c = SimClient(e)
        c.run(30)
        var all: [[Any]] = []
        var since: Int64 = 0
        while true {
            let page = try result(e.rest("Trades", ["pair": "ETHUSD", "since": String(since)], now: e.now))
            let rs = page["XETHZUSD"] as! [[Any]]
            if rs.isEmpty { break }
            all += rs
            since = Int64(page["last"] as! String)!
        }
        #expect(all.count > 100_000)
        for interval in [60, 240, 1440] {
            // Prefetched first on one path (as the server does), computed under the call on the other: the same rows.
            let q = ["pair": "ETHUSD", "interval": String(interval)]
            let plain = e.rest("OHLC", q, now: e.now).body
            let e2 = KrakenSimEngine(config: cfg)
            let c2 = SimClient(e2)
            c2.run(30)
            e2.restPrefetch("OHLC", q, now: e2.now)?()
            #expect(e2.rest("OHLC", q, now: e2.now).body == plain)
            let rows = try #require(try result(e.rest("OHLC", q, now: e.now))["XETHZUSD"] as? [[Any]])
            var buckets: [Int64: [[Any]]] = [:]
            for t in all {
                let secs = Int64((t[2] as! NSNumber).doubleValue.rounded(.down))
                buckets[secs - secs % Int64(interval * 60), default: []].append(t)
            }
            #expect(rows.count == buckets.count, "interval \(interval)")
            for row in rows {
                let trades = try #require(buckets[Int64(row[0] as! Int)], "interval \(interval) row \(row[0])")
                let prices = trades.map { units($0[0] as! String, 2) }, qtys = trades.map { units($0[1] as! String, 8) }
                #expect(row[7] as? Int == trades.count, "interval \(interval) row \(row[0])")
                #expect(units(row[1] as! String, 2) == prices.first && units(row[4] as! String, 2) == prices.last)
                #expect(units(row[2] as! String, 2) == prices.max() && units(row[3] as! String, 2) == prices.min())
                #expect(units(row[6] as! String, 8) == qtys.reduce(0, +))
            }
        }
    }

    @Test func referenceEndpointsAndErrors() throws {
        var cfg = simConfig(symbols: [BTC, XRPBTC])
        cfg.restRatePerSecond = 1
        cfg.restBurst = 3
        let e = KrakenSimEngine(config: cfg)
        let pairs = try result(e.rest("AssetPairs", [:], now: e.now))
        #expect(Set(pairs.keys) == ["XXBTZUSD", "XXRPXXBT"])
        let btc = try #require(pairs["XXBTZUSD"] as? [String: Any])
        #expect(btc["altname"] as? String == "XBTUSD" && btc["wsname"] as? String == "XBT/USD" && btc["pair_decimals"] as? Int == 1 && btc["lot_decimals"] as? Int == 8)
        let time = try result(e.rest("Time", [:], now: e.now))
        #expect(time["unixtime"] as? Int == Int(e.now.seconds))
        #expect(e.rest("SystemStatus", [:], now: e.now).status == 200)   // the bucket's third
        // Over the rate: HTTP 429 with Kraken's error text; refilled after a second.
        let limited = e.rest("SystemStatus", [:], now: e.now)
        #expect(limited.status == 429 && limited.body == #"{"error":["EAPI:Rate limit exceeded"]}"#)
        let later = e.rest("SystemStatus", [:], now: e.now + .seconds(1))
        let status = try result(later)
        #expect(later.status == 200 && status["status"] as? String == "online")
        let unknown = e.rest("Ticker", ["pair": "DOGEUSD"], now: e.now + .seconds(5))
        #expect(unknown.body == #"{"error":["EQuery:Unknown asset pair"]}"#)
        let bad = e.rest("OHLC", ["pair": "XBTUSD", "interval": "7"], now: e.now + .seconds(10))
        #expect(bad.body == #"{"error":["EGeneral:Invalid arguments"]}"#)
        let ticker = try result(e.rest("Ticker", ["pair": "XBTUSD"], now: e.now + .seconds(15)))
        let t = try #require(ticker["XXBTZUSD"] as? [String: Any])
        for k in ["a", "b", "c", "v", "p", "t", "l", "h", "o"] { #expect(t[k] != nil, "\(k)") }
        #expect(e.rest("Nope", [:], now: e.now + .seconds(20)).status == 404)
    }
}
