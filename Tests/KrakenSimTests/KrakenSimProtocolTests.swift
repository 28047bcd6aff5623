import Foundation
import Testing
import KrakenWS
import TradingCore
@testable import KrakenSim

/// market-data §4.4 "Normal behaviour", at the engine (no sockets): what a client is sent, in order.
@Suite struct KrakenSimProtocolTests {
    @Test func statusFirstWithAConnectionIdAboveInt64() throws {
        let e = KrakenSimEngine(config: simConfig())
        let (id, out) = e.open(now: T0)
        let first = try #require(texts(out, id).first)
        #expect(first == #"{"channel":"status","data":[{"api_version":"v2","connection_id":13834774380200032777,"system":"online","version":"2.0.0"}],"type":"update"}"#)
    }

    @Test func pingIsAnsweredWithItsReqIdAndTimes() throws {
        let e = KrakenSimEngine(config: simConfig())
        let c = SimClient(e)
        let pong = try #require(c.send(#"{"method":"ping","req_id":101}"#).first)
        let o = json(pong)
        #expect(o["method"] as? String == "pong" && o["req_id"] as? Int == 101)
        #expect(Timestamp(iso8601: o["time_in"] as? String ?? "") != nil && Timestamp(iso8601: o["time_out"] as? String ?? "") != nil)
    }

    @Test func subscribeValidationAndItsExactErrors() throws {
        let e = KrakenSimEngine(config: simConfig())
        let c = SimClient(e)
        // A pair the server does not list: Kraken's text, with the symbol at the top level.
        let refused = json(try #require(c.subscribe("book", [Symbol("XBT/USD")!]).first))
        #expect(refused["error"] as? String == "Currency pair not supported XBT/USD")
        #expect(refused["symbol"] as? String == "XBT/USD" && refused["success"] as? Bool == false && refused["req_id"] as? Int == 1)
        // Depth outside Kraken's set.
        let depth = json(try #require(c.subscribe("book", [BTC], extra: #","depth":20"#).first))
        #expect(depth["error"] as? String == "Subscription depth not supported" && depth["success"] as? Bool == false)
        // Unknown channel.
        let channel = json(try #require(c.send(#"{"method":"subscribe","params":{"channel":"candles","symbol":["BTC/USD"]},"req_id":9}"#).first))
        #expect(channel["success"] as? Bool == false && channel["req_id"] as? Int == 9)
        // A good subscription: ack echoing the parameters, then the snapshot; a second one is "Already subscribed".
        let ok = c.subscribe("book", [BTC], extra: #","depth":25"#)
        let ack = json(ok[0])
        #expect(ok[0].hasPrefix(#"{"method":"subscribe","req_id":3,"result":{"channel":"book","depth":25,"snapshot":true,"symbol":"BTC/USD"},"success":true,"time_in":"#))
        #expect(ack["success"] as? Bool == true)
        let snap = json(ok[1])
        #expect(snap["channel"] as? String == "book" && snap["type"] as? String == "snapshot")
        let data = try #require((snap["data"] as? [[String: Any]])?.first)
        #expect((data["bids"] as? [Any])?.count == 25 && (data["asks"] as? [Any])?.count == 25 && data["checksum"] != nil)
        let again = json(try #require(c.subscribe("book", [BTC], extra: #","depth":25"#).first))
        #expect(again["error"] as? String == "Already subscribed" && again["symbol"] as? String == "BTC/USD")
        // Unsubscribe of something never subscribed: "Subscription Not Found", carrying method subscribe (as observed).
        let nf = json(try #require(c.send(#"{"method":"unsubscribe","params":{"channel":"ticker","symbol":["ETH/USD"]},"req_id":77}"#).first))
        #expect(nf["error"] as? String == "Subscription Not Found" && nf["method"] as? String == "subscribe" && nf["req_id"] as? Int == 77)
        // And the real unsubscribe mirrors the subscribe ack.
        let un = try #require(c.send(#"{"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":25},"req_id":78}"#).first)
        #expect(un.hasPrefix(#"{"method":"unsubscribe","req_id":78,"result":{"channel":"book","depth":25,"snapshot":true,"symbol":"BTC/USD"},"success":true"#))
        #expect(c.feed.counters.checksumFailures == 0)
    }

    @Test func acksCarryTheChannelParametersAndSnapshotsFollow() throws {
        let e = KrakenSimEngine(config: simConfig(historyDays: 1))
        let c = SimClient(e)
        c.run(5)
        let ticker = c.subscribe("ticker", [ETH])
        #expect(ticker[0].contains(#""result":{"channel":"ticker","event_trigger":"trades","snapshot":true,"symbol":"ETH/USD"}"#))
        let tick = try #require((json(ticker[1])["data"] as? [[String: Any]])?.first)
        for k in ["symbol", "bid", "bid_qty", "ask", "ask_qty", "last", "volume", "vwap", "low", "high", "change", "change_pct", "timestamp"] {
            #expect(tick[k] != nil, "ticker field \(k)")
        }
        // Trades: no snapshot by default; with snapshot true, at most the last 50.
        let trades = c.subscribe("trade", [BTC])
        #expect(trades.count == 1 && trades[0].contains(#""snapshot":false"#))
        let withSnap = c.subscribe("trade", [ETH], extra: #","snapshot":true"#)
        let snap = try #require(withSnap.last.map(json))
        #expect(snap["type"] as? String == "snapshot" && ((snap["data"] as? [Any])?.count ?? 0) == 50)
        // ohlc: warnings in the ack, the last two candles in the snapshot, nanosecond interval_begin.
        let ohlc = c.subscribe("ohlc", [BTC], extra: #","interval":5"#)
        #expect(ohlc[0].contains(#""result":{"channel":"ohlc","interval":5,"snapshot":true,"symbol":"BTC/USD","warnings":["timestamp is deprecated, use interval_begin"]}"#))
        let candles = try #require(json(ohlc[1])["data"] as? [[String: Any]])
        #expect(candles.count == 2)
        #expect((candles[0]["interval_begin"] as? String)?.hasSuffix(".000000000Z") == true && candles[0]["interval"] as? Int == 5)
        // instrument: every pair served, with precisions.
        let inst = c.send(#"{"method":"subscribe","params":{"channel":"instrument"},"req_id":50}"#)
        #expect(inst[0].contains(#""warnings":["tick_size is deprecated, use price_increment"]"#))
        let pairs = try #require((json(inst[1])["data"] as? [String: Any])?["pairs"] as? [[String: Any]])
        #expect(Set(pairs.compactMap { $0["symbol"] as? String }) == ["BTC/USD", "ETH/USD", "XRP/BTC"])
        let btc = try #require(pairs.first { $0["symbol"] as? String == "BTC/USD" })
        #expect(btc["price_precision"] as? Int == 1 && btc["qty_precision"] as? Int == 8)
    }

    @Test func booksStayExactThroughTheProductionParserAtEveryDepth() throws {
        // Every update of a minute of market at depths 10, 25 and 100 applied by the live client's book code: no
        // checksum failure, and the final books equal the server's.
        for depth in [10, 25, 100] {
            let e = KrakenSimEngine(config: simConfig())
            let c = SimClient(e, depth: depth)
            _ = c.subscribe("book", [BTC, ETH, XRPBTC], extra: #","depth":\#(depth)"#)
            c.run(60)
            #expect(c.feed.counters.checksumFailures == 0, "depth \(depth)")
            #expect(c.feed.counters.bookMessages > 1000, "depth \(depth)")
            for s in [BTC, ETH, XRPBTC] {
                let book = try #require(c.feed.book(for: s))
                #expect(book.checksum == e.checksum(s), "\(s) at depth \(depth)")
                #expect(book.bids.count == min(depth, 100) && book.asks.count == min(depth, 100))
            }
        }
    }

    @Test func tradesAreSequentialAndContinueTheHistory() throws {
        let e = KrakenSimEngine(config: simConfig())
        let c = SimClient(e)
        _ = c.subscribe("trade", [BTC, ETH])
        let firstLive = try #require(e.lastTradeId(BTC)) + 1
        c.run(30)
        let ids = try #require(c.trades[BTC])
        #expect(ids.count > 20)
        #expect(ids == Array(ids[0]...ids[ids.count - 1]))   // no gap, no repeat
        #expect(ids[0] == firstLive)
        #expect(c.feed.counters.tradeGaps == 0 && c.feed.counters.duplicateTrades == 0)
    }

    @Test func ohlcSendsAnUpdatePerTradeOfTheRunningCandle() throws {
        // §4.4: "ohlc updates per trade for the running candle". Several prints per step, so a per-step update would
        // show fewer updates than trades and counts that jump.
        var cfg = simConfig()
        cfg.tick = .seconds(1)
        let e = KrakenSimEngine(config: cfg)
        let c = SimClient(e)
        _ = c.subscribe("ohlc", [BTC])
        _ = c.subscribe("trade", [BTC])
        let start = c.received.count
        c.run(90)
        let live = c.received[start...].map(json)
        let prints = live.filter { $0["channel"] as? String == "trade" }.flatMap { ($0["data"] as? [[String: Any]]) ?? [] }
        let updates = live.filter { $0["channel"] as? String == "ohlc" && $0["type"] as? String == "update" }
            .compactMap { ($0["data"] as? [[String: Any]])?.first }
        #expect(prints.count > 30 && updates.count == prints.count)
        // Each update adds exactly that print: count +1, and its close is that print's price.
        var last: [String: Int] = [:]
        for (u, p) in zip(updates, prints) {
            let begin = try #require(u["interval_begin"] as? String), n = try #require(u["trades"] as? Int)
            if let prev = last[begin] { #expect(n == prev + 1, "\(begin): \(prev) then \(n)") }
            last[begin] = n
            #expect((u["close"] as? NSNumber)?.doubleValue == (p["price"] as? NSNumber)?.doubleValue)
        }
        #expect(last.count >= 2)   // the run crossed a minute
        // Each closed minute's last update is REST's candle for it, the first trade of the minute counted once.
        let rest = json(e.rest("OHLC", ["pair": "XBTUSD", "interval": "1"], now: e.now).body)
        let rows = try #require((rest["result"] as? [String: Any])?["XXBTZUSD"] as? [[Any]])
        var finals: [String: [String: Any]] = [:]
        for u in updates { finals[u["interval_begin"] as! String] = u }
        var compared = 0
        for row in rows.dropLast() {   // the last row is the running candle
            let begin = Timestamp(seconds: Int64(row[0] as! Int))
            guard let f = finals[SimFormat.time(begin, digits: 9)] else { continue }
            #expect(f["trades"] as? Int == row[7] as? Int, "\(begin.iso8601)")
            // JSON numbers against REST's strings: equal to the last digit (both are the same decimal text).
            func near(_ a: Any?, _ b: Any) -> Bool { abs(((a as? NSNumber)?.doubleValue ?? -1) - Double(b as! String)!) < 1e-9 }
            #expect(near(f["volume"], row[6]) && near(f["close"], row[4]), "\(begin.iso8601): \(f) vs \(row)")
            compared += 1
        }
        #expect(compared >= 1)
    }

    @Test func tickerUpdatesFollowTheirEventTrigger() throws {
        // trades (default): one update per trade message; bbo: one per change of the best bid or ask, never more than
        // there are book updates.
        var cfg = simConfig()
        cfg.tick = .milliseconds(200)
        let e = KrakenSimEngine(config: cfg)
        let t = SimClient(e), b = SimClient(e)
        _ = t.subscribe("ticker", [BTC]); _ = t.subscribe("trade", [BTC])
        _ = b.subscribe("ticker", [BTC], extra: #","event_trigger":"bbo""#); _ = b.subscribe("book", [BTC])
        let (n0, m0) = (t.received.count, b.received.count)
        t.run(60, others: [b])
        func updates(_ c: SimClient, _ from: Int, _ channel: String) -> [[String: Any]] {
            c.received[from...].map(json).filter { $0["channel"] as? String == channel && $0["type"] as? String == "update" }
        }
        let tradeMsgs = updates(t, n0, "trade").count, tickers = updates(t, n0, "ticker").count
        #expect(tradeMsgs > 20 && tickers == tradeMsgs)
        // bbo: each update's best bid or ask (price or size) differs from the previous update's.
        let bbo = updates(b, m0, "ticker").compactMap { ($0["data"] as? [[String: Any]])?.first }
        #expect(bbo.count > 5 && bbo.count <= updates(b, m0, "book").count)
        for (x, y) in zip(bbo, bbo.dropFirst()) {
            #expect(["bid", "bid_qty", "ask", "ask_qty"].contains { (x[$0] as? NSNumber) != (y[$0] as? NSNumber) }, "\(x) then \(y)")
        }
    }

    @Test func heartbeatsAfterASecondOfSilenceOnceSubscribed() throws {
        var cfg = simConfig(symbols: [XRPBTC])
        cfg.tick = .seconds(60)   // a quiet market: nothing happens between its minute steps
        let e = KrakenSimEngine(config: cfg)
        let c = SimClient(e)
        c.run(3)
        #expect(!c.received.contains(#"{"channel":"heartbeat"}"#))   // no subscription, no heartbeat
        _ = c.subscribe("trade", [XRPBTC])
        let before = c.received.count
        c.run(3.05)
        let beats = c.received[before...].filter { $0 == #"{"channel":"heartbeat"}"# }.count
        // Only channel messages count (an ack does not): the last was the status 3 s ago, so one at once, then one a
        // second for the next 3.05 s.
        #expect(beats == 4)
    }

    @Test func sameSeedSameRequestsSameBytes() throws {
        func session(_ seed: UInt64) -> [KrakenSimEngine.SentFrame] {
            let e = KrakenSimEngine(config: simConfig(seed: seed))
            let c = SimClient(e)
            _ = c.subscribe("book", [BTC, XRPBTC])
            _ = c.subscribe("ticker", [ETH], extra: #","event_trigger":"bbo""#)
            c.run(2)
            _ = c.subscribe("trade", [BTC, ETH], extra: #","snapshot":true"#)
            _ = c.subscribe("ohlc", [ETH], extra: #","interval":1"#)
            c.run(20)
            _ = c.send(#"{"method":"ping","req_id":3}"#)
            c.run(1)
            return e.sent
        }
        let a = session(7), b = session(7), other = session(8)
        #expect(a.count > 500)
        #expect(a == b)
        #expect(a.map(\.frame) != other.map(\.frame))
    }

    @Test func hostileRequestsGetErrorsNeverACrash() throws {
        let e = KrakenSimEngine(config: simConfig())
        let c = SimClient(e)
        let cases = ["", "null", "[]", "{", #"{"method":5}"#, #"{"method":"subscribe"}"#, #"{"method":"subscribe","params":[]}"#,
                     #"{"method":"subscribe","params":{"channel":"book","symbol":"BTC/USD"}}"#, #"{"method":"subscribe","params":{"channel":"book","symbol":[1,2]}}"#,
                     #"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD"],"depth":"10"}}"#,
                     #"{"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":2}}"#,
                     #"{"method":"subscribe","params":{"channel":"ticker","symbol":["BTC/USD"],"event_trigger":"sometimes"}}"#,
                     #"{"method":"ping","req_id":1.5e300}"#, #"{"method":"fly"}"#, String(repeating: "x", count: 100_000),
                     #"{"method":"subscribe","params":{"channel":"book","symbol":["\u0000\n\""]},"req_id":-1}"#]
        for text in cases {
            let answer = c.send(text)
            #expect(answer.count >= 1, "\(text.prefix(60))")
            for a in answer {
                // A ping whose req_id is no integer is still a ping: answered, without the id.
                if text.contains("ping") { #expect(json(a)["method"] as? String == "pong" && json(a)["req_id"] == nil); continue }
                #expect(json(a)["success"] as? Bool == false, "\(text.prefix(60)) → \(a.prefix(120))")
            }
        }
        #expect(e.counters.malformedRequests >= 6)
        // And the connection still works.
        #expect(c.subscribe("trade", [BTC]).first?.contains(#""success":true"#) == true)
    }
}
