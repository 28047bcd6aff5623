import Foundation
import Testing
import TradingCore
@testable import KrakenWS

/// The client's connection and subscription rules (market-data §2.8, §8 A5, A8, A20–A24, resolutions 39–43) on a
/// virtual clock: every input is given a time, every decision comes back as an action.
@Suite struct KrakenClientTests {
    static let t0 = Timestamp(nanoseconds: 1_736_937_000_000_000_000)
    static func at(_ s: Double) -> Timestamp { t0 + Interval(nanoseconds: Int64((s * 1e9).rounded())) }

    /// A client with a recorder of its actions.
    final class Harness {
        let client: KrakenClient
        var actions: [KrakenClient.Action] = []
        var u: Double
        init(symbols: [Symbol], configure: (inout KrakenClientConfig) -> Void = { _ in }, precisions: [Symbol: BookPrecision] = [:], u: Double = 0) {
            var c = KrakenClientConfig()
            c.symbols = symbols
            c.reconnectJitter = 0
            configure(&c)
            self.u = u
            var box: Harness!
            client = KrakenClient(config: c, precisions: precisions, random: { box.u })
            box = self
        }
        @discardableResult func run(_ body: (KrakenClient, inout [KrakenClient.Action]) -> Void) -> [KrakenClient.Action] {
            var out: [KrakenClient.Action] = []
            body(client, &out)
            actions += out
            return out
        }
        @discardableResult func receive(_ line: String, _ t: Timestamp) -> [KrakenClient.Action] {
            var s = line
            return run { c, o in s.withUTF8 { c.received($0, now: t, into: &o) } }
        }
        func sent(_ out: [KrakenClient.Action]) -> [[String: Any]] {
            out.compactMap { a in
                guard case .send(let text) = a else { return nil }
                return try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            }
        }
        func delivered(_ out: [KrakenClient.Action]) -> [MarketEvent] {
            out.compactMap { if case .deliver(let e) = $0 { e } else { nil } }
        }
        var connects: Int { actions.filter { if case .connect = $0 { true } else { false } }.count }
        /// Start, handshake, and an ack for every request: the client is live.
        func live(at t: Timestamp) -> [[String: Any]] {
            run { c, o in c.start(now: t, into: &o) }
            let subs = sent(run { c, o in c.connected(now: t, into: &o) })
            for s in subs { ackAll(s, t) }
            return subs
        }
        func ackAll(_ request: [String: Any], _ t: Timestamp) {
            let id = request["req_id"] as! Int
            let method = request["method"] as! String
            let params = request["params"] as? [String: Any] ?? [:]
            let channel = params["channel"] as? String ?? ""
            let symbols = params["symbol"] as? [String] ?? []
            if symbols.isEmpty {
                receive(#"{"method":"\#(method)","req_id":\#(id),"result":{"channel":"\#(channel)","snapshot":true},"success":true}"#, t)
            }
            for s in symbols {
                receive(#"{"method":"\#(method)","req_id":\#(id),"result":{"channel":"\#(channel)","symbol":"\#(s)"},"success":true}"#, t)
            }
        }
    }

    func backoff(_ h: Harness, _ t: Timestamp) -> Double { (h.client.backoffUntil! - t).seconds }

    @Test func subscribesAllFiveChannelsWithRequestIds() {
        // A23: trade, ticker, book first with req_id 1, 2, 3 and params.symbol == ["XRP/USD"]; book depth 10. Then ohlc
        // and instrument (resolution 43).
        let h = Harness(symbols: [Symbol("XRP/USD")!])
        let subs = h.live(at: Self.at(0))
        #expect(subs.map { ($0["params"] as! [String: Any])["channel"] as! String } == ["trade", "ticker", "book", "ohlc", "instrument"])
        #expect(subs.map { $0["req_id"] as! Int } == [1, 2, 3, 4, 5])
        for s in subs.prefix(4) { #expect((s["params"] as! [String: Any])["symbol"] as! [String] == ["XRP/USD"]) }
        #expect((subs[2]["params"] as! [String: Any])["depth"] as? Int == 10)
        #expect((subs[0]["params"] as! [String: Any])["snapshot"] as? Bool == false)   // the tape starts empty, as the reference's
        #expect((subs[3]["params"] as! [String: Any])["interval"] as? Int == 1)
        #expect(h.client.phase == .live)
        #expect(h.actions.contains { if case .settled = $0 { true } else { false } })
    }

    @Test func bookDepthAsksForTheSmallestKrakenDepthThatCoversIt() {
        var c = KrakenClientConfig()
        for (want, sub) in [(1, 10), (10, 10), (11, 25), (26, 100), (600, 1000), (1000, 1000)] {
            c.bookDepth = want
            #expect(c.subscriptionDepth == sub)
        }
    }

    @Test func referenceBackoffSequenceWithoutJitter() {
        // A21: consecutive connect failures wait 1, 2, 4, 8, 16, 32, 60, then 60.
        let h = Harness(symbols: [Symbol("XRP/USD")!])
        var t = Self.at(0)
        h.run { c, o in c.start(now: t, into: &o) }
        var waits: [Double] = []
        for _ in 0..<8 {
            h.run { c, o in c.connectFailed(now: t, reason: "refused", into: &o) }
            waits.append(backoff(h, t))
            t = h.client.backoffUntil!
            h.run { c, o in c.tick(now: t, into: &o) }
            #expect(h.client.phase == .connecting)
        }
        #expect(waits == [1, 2, 4, 8, 16, 32, 60, 60])
        #expect(h.client.counters.connectFailures == 8 && h.connects == 9)
    }

    @Test func jitterShortensTheWaitByAtMostItsFraction() {
        for u in [0.0, 0.5, 0.999999] {
            let h = Harness(symbols: [Symbol("XRP/USD")!], configure: { $0.reconnectJitter = 0.2 }, u: u)
            var t = Self.at(0)
            h.run { c, o in c.start(now: t, into: &o) }
            for k in 1...4 {
                h.run { c, o in c.connectFailed(now: t, reason: "x", into: &o) }
                let d = backoff(h, t), full = pow(2, Double(k - 1))
                #expect(abs(d - full * (1 - 0.2 * u)) < 1e-6)
                #expect(d <= full && d > full * 0.8)
                t = h.client.backoffUntil!
                h.run { c, o in c.tick(now: t, into: &o) }
            }
        }
    }

    @Test func acceptThenCloseWaitsAtLeastTheMaintenanceMinimum() {
        // A22: a server that accepts and closes at once, 20 times: 5, 5, 5, 8, 16, 32, 60, 60, …
        let h = Harness(symbols: [Symbol("XRP/USD")!])
        var t = Self.at(0)
        h.run { c, o in c.start(now: t, into: &o) }
        var waits: [Double] = []
        for _ in 0..<20 {
            h.run { c, o in c.connected(now: t, into: &o) }
            t = t + .milliseconds(50)
            h.run { c, o in c.disconnected(now: t, code: 1000, into: &o) }
            waits.append(backoff(h, t))
            t = h.client.backoffUntil!
            h.run { c, o in c.tick(now: t, into: &o) }
        }
        #expect(Array(waits.prefix(8)) == [5, 5, 5, 8, 16, 32, 60, 60])
        #expect(waits.allSatisfy { $0 >= 5 })
        #expect(h.client.policy.attemptsInWindow(at: t) <= 100)
    }

    @Test func healthySessionReconnectsAtOnceUnlessClosedCleanly() {
        // A22: ≥ 60 s with data, dropped with 1006: the reconnect is immediate. Resolution 42: a clean close waits ≥ 5 s.
        for (code, wait) in [(UInt16(1006), 0.0), (1000, 5.0), (1001, 5.0)] {
            let h = Harness(symbols: [BTCUSD], precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
            _ = h.live(at: Self.at(0))
            h.receive(try! fixtureLines("book-btcusd.jsonl")[0], Self.at(1))
            let out = h.run { c, o in c.disconnected(now: Self.at(61), code: code, into: &o) }
            if wait == 0 {
                #expect(out.contains { if case .connect = $0 { true } else { false } })
                #expect(h.client.phase == .connecting)
            } else {
                #expect(backoff(h, Self.at(61)) == wait)
            }
            // The books stop being current: the feed is down and BTC/USD's book waits for a new snapshot.
            let ev = h.delivered(out)
            #expect(ev.contains(.feedStatus(FeedStatus(time: Self.at(61), status: .disconnected))))
            #expect(ev.contains(.bookInvalidated(BookInvalidation(time: Self.at(61), symbol: BTCUSD))))
        }
    }

    @Test func shortSessionOrNonOnlineStatusWaitsAtLeastFiveSeconds() {
        // A healthy-looking session (long, with data) but a maintenance status: still ≥ 5 s (market-data §2.8).
        let h = Harness(symbols: [BTCUSD], precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
        _ = h.live(at: Self.at(0))
        h.receive(try! fixtureLines("book-btcusd.jsonl")[0], Self.at(1))
        h.receive(try! fixtureLines("control.jsonl")[13], Self.at(70))   // status maintenance
        h.run { c, o in c.disconnected(now: Self.at(90), code: 1006, into: &o) }
        #expect(backoff(h, Self.at(90)) == 5)
    }

    @Test func attemptLimiterHoldsAFlappingServerToTheCapInEveryWindow() {
        // With no backoff at all (base 0, no minimum), the limiter alone bounds attempts: ≤ cap in any 600 s window.
        let h = Harness(symbols: [Symbol("XRP/USD")!], configure: {
            $0.reconnectDelay = .zero; $0.maxReconnectDelay = .zero; $0.maintenanceMinDelay = .zero; $0.maxConnectsPer10Min = 100
        })
        var t = Self.at(0)
        var attemptTimes: [Timestamp] = []
        h.run { c, o in c.start(now: t, into: &o) }
        attemptTimes.append(t)
        while t < Self.at(3600) {
            let before = h.connects
            h.run { c, o in c.connectFailed(now: t, reason: "flap", into: &o) }
            if h.connects > before { attemptTimes.append(t) }
            while h.client.phase != .connecting {
                t = max(t + .seconds(1), h.client.backoffUntil ?? t)
                let n = h.connects
                h.run { c, o in c.tick(now: t, into: &o) }
                if h.connects > n { attemptTimes.append(t) }
            }
            t = t + .milliseconds(10)
        }
        for (i, a) in attemptTimes.enumerated() {
            let inWindow = attemptTimes[i...].prefix { $0 - a < .seconds(600) }.count
            #expect(inWindow <= 100)
        }
        // …and it keeps trying: about 100 attempts per 10 minutes over the hour.
        #expect(attemptTimes.count >= 500 && attemptTimes.count <= 700)
        #expect(h.client.config.maxConnectsPer10Min <= 150)
    }

    @Test func livenessPingsThenTimesOut() {
        let h = Harness(symbols: [Symbol("XRP/USD")!])
        _ = h.live(at: Self.at(0))
        // 5 s without anything: one application ping.
        let pings = h.sent(h.run { c, o in c.tick(now: Self.at(5), into: &o) })
        #expect(pings.count == 1 && pings[0]["method"] as? String == "ping")
        h.receive(#"{"method":"pong","req_id":\#(pings[0]["req_id"] as! Int)}"#, Self.at(5.1))
        #expect(h.client.counters.pongs == 1)
        // Then silence for 15 s: the client closes the socket itself and backs off.
        let out = h.run { c, o in c.tick(now: Self.at(20.1), into: &o) }
        #expect(out.contains { if case .close = $0 { true } else { false } })
        #expect(h.client.phase == .backoff && h.client.counters.livenessTimeouts == 1)
        // The driver's later report of the closed socket changes nothing.
        let again = h.run { c, o in c.disconnected(now: Self.at(20.2), code: nil, into: &o) }
        #expect(again.isEmpty)
    }

    @Test func keepalivePingEvenWhenDataFlows() {
        let h = Harness(symbols: [Symbol("XRP/USD")!])
        _ = h.live(at: Self.at(0))
        var pings = 0
        for s in stride(from: 1.0, through: 61, by: 1) {
            h.receive(#"{"channel":"heartbeat"}"#, Self.at(s))
            pings += h.sent(h.run { c, o in c.tick(now: Self.at(s + 0.5), into: &o) }).filter { $0["method"] as? String == "ping" }.count
        }
        #expect(pings == 2)   // at 30 s and 60 s
    }

    @Test func silentBookWithHeartbeatsIsResubscribed() {
        // Heartbeats every second and no book for 60 s: the book alarm fires once and resubscribes it; the pair's data
        // never became fresh from heartbeats (A20).
        let h = Harness(symbols: [BTCUSD], precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
        _ = h.live(at: Self.at(0))
        var sent: [[String: Any]] = []
        var events: [MarketEvent] = []
        for s in 1...63 {
            h.receive(#"{"channel":"heartbeat"}"#, Self.at(Double(s)))
            let out = h.run { c, o in c.tick(now: Self.at(Double(s) + 0.5), into: &o) }
            sent += h.sent(out).filter { $0["method"] as? String != "ping" }
            events += h.delivered(out)
        }
        #expect(h.client.counters.silenceAlarms == 1)
        // No ack for the unsubscribe: after 2 s the client subscribes again anyway.
        #expect(sent.map { $0["method"] as! String } == ["unsubscribe", "subscribe"])
        #expect(sent.allSatisfy { ($0["params"] as! [String: Any])["channel"] as? String == "book" })
        #expect(events == [.bookInvalidated(BookInvalidation(time: Self.at(60.5), symbol: BTCUSD))])
        #expect(h.client.feed.counters.heartbeats == 63)
    }

    @Test func checksumMismatchResubscribesOnceAndRecovers() throws {
        // A5 through the client: one unsubscribe + subscribe pair for BTC/USD after line 8; valid again after the new
        // snapshot; the final book as the spec gives it.
        let h = Harness(symbols: [BTCUSD], precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
        _ = h.live(at: Self.at(0))
        let lines = try fixtureLines("book-btcusd.jsonl")
        var requests: [[String: Any]] = []
        var invalidations = 0
        for (i, line) in lines.enumerated() {
            let t = Self.at(1 + Double(i) * 0.1)
            let out = h.receive(line, t)
            let sent = h.sent(out)
            requests += sent
            invalidations += h.delivered(out).filter { if case .bookInvalidated = $0 { true } else { false } }.count
            // The unsubscribe's ack comes back at once; then the client subscribes again.
            for s in sent where s["method"] as? String == "unsubscribe" {
                let more = h.sent(h.receive(#"{"method":"unsubscribe","req_id":\#(s["req_id"] as! Int),"result":{"channel":"book","symbol":"BTC/USD","depth":10},"success":true}"#, t))
                requests += more
                for m in more { h.ackAll(m, t) }
            }
        }
        #expect(requests.map { $0["method"] as! String } == ["unsubscribe", "subscribe"])
        #expect(requests.allSatisfy { ($0["params"] as! [String: Any])["symbol"] as! [String] == ["BTC/USD"] })
        #expect(invalidations == 1 && h.client.counters.checksumResyncs == 1)
        let book = try #require(h.client.feed.books[BTCUSD])
        let levels = book.levels
        #expect(levels.bids.count == 10 && levels.asks.count == 10)
        #expect(levels.bids[0] == BookLevel(price: Price("45283.9")!, size: Quantity("0.33")!))
        #expect(levels.asks[0] == BookLevel(price: Price("45285.9")!, size: Quantity("0.5")!))
        #expect(!h.client.feed.invalid.contains(BTCUSD))
    }

    @Test func unsubscribeNotFoundCountsAsDone() throws {
        // market-data §1.9 / A24 line 12: "Subscription Not Found" (carrying method subscribe) resolves our unsubscribe.
        let h = Harness(symbols: [BTCUSD], precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
        _ = h.live(at: Self.at(0))
        let lines = try fixtureLines("book-btcusd.jsonl")
        var unsub: [String: Any]?
        for (i, line) in lines.prefix(8).enumerated() {
            unsub = h.sent(h.receive(line, Self.at(1 + Double(i)))).first { $0["method"] as? String == "unsubscribe" } ?? unsub
        }
        let id = try #require(unsub?["req_id"] as? Int)
        let out = h.receive(#"{"error":"Subscription Not Found","method":"subscribe","req_id":\#(id),"success":false,"symbol":"BTC/USD"}"#, Self.at(9))
        #expect(h.sent(out).map { $0["method"] as! String } == ["subscribe"])
    }

    @Test func threeChecksumFailuresWithinAMinuteReconnect() throws {
        let h = Harness(symbols: [BTCUSD], precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
        _ = h.live(at: Self.at(0))
        let lines = try fixtureLines("book-btcusd.jsonl")
        var closes = 0
        for k in 0..<3 {
            let t = Self.at(1 + Double(k) * 10)
            h.receive(lines[0], t)                        // a snapshot that verifies
            let out = h.receive(lines[7], t + .milliseconds(1))   // the deliberate mismatch
            closes += out.filter { if case .close = $0 { true } else { false } }.count
        }
        #expect(closes == 1 && h.client.counters.reconnectsForFailures == 1 && h.client.phase == .backoff)
    }

    @Test func tradeGapsAreDeliveredAsEvents() throws {
        // A8: one tradeGap(XRP/USDT, 1) at line 8 and duplicates dropped.
        let h = Harness(symbols: [XRPUSDT])
        _ = h.live(at: Self.at(0))
        var gaps: [TradeGap] = []
        var trades = 0
        for (i, line) in try fixtureLines("ticker-trade-ohlc.jsonl").enumerated() {
            for e in h.delivered(h.receive(line, Self.at(1 + Double(i)))) {
                if case .tradeGap(let g) = e { gaps.append(g); #expect(i == 7) }
                if case .trade = e { trades += 1 }
            }
        }
        #expect(gaps == [TradeGap(time: Self.at(8), symbol: XRPUSDT, missing: 1)])
        #expect(trades == 7)
    }

    @Test func tradesCarryTheExchangeTimeAndTheReceiveTime() throws {
        let h = Harness(symbols: [XRPUSDT])
        _ = h.live(at: Self.at(0))
        let line = try fixtureLines("ticker-trade-ohlc.jsonl").first { $0.contains("\"channel\":\"trade\"") }!
        let trade = try #require(h.delivered(h.receive(line, Self.at(100))).compactMap { if case .trade(let t) = $0 { t } else { nil } }.first)
        #expect(trade.time == Self.at(100))
        #expect(trade.exchangeTime != trade.time && trade.exchangeTime.iso8601.hasPrefix("2025-01-15T10:3"))
    }

    @Test func controlFixtureThroughTheClient() throws {
        // A24, with the fixture's request ids mapped onto this client's (it sends one request per channel).
        let h = Harness(symbols: [BTCUSD, XRPUSDT, Symbol("XBT/USD")!])
        h.run { c, o in c.start(now: Self.at(0), into: &o) }
        let subs = h.sent(h.run { c, o in c.connected(now: Self.at(0), into: &o) })
        let ids = Dictionary(uniqueKeysWithValues: subs.map { (($0["params"] as! [String: Any])["channel"] as! String, $0["req_id"] as! Int) })
        let map = [1: ids["instrument"]!, 2: ids["book"]!, 3: ids["ticker"]!, 4: ids["trade"]!, 5: ids["ohlc"]!, 6: ids["ticker"]!]
        var events: [MarketEvent] = []
        for (i, raw) in try fixtureLines("control.jsonl").enumerated() {
            var line = raw
            // One replacement per line (the ids overlap, so chained replacements would remap twice).
            if let r = line.range(of: #""req_id":\d+,"#, options: .regularExpression),
               let from = Int(line[r].dropFirst(9).dropLast()), let to = map[from] {
                line.replaceSubrange(r, with: "\"req_id\":\(to),")
            }
            events += h.delivered(h.receive(line, Self.at(1 + Double(i))))
        }
        #expect(h.client.refused.contains("ticker XBT/USD"))
        #expect(h.actions.contains { if case .refused(let m) = $0 { m.contains("XBT/USD") } else { false } })
        #expect(h.client.precisions[BTCUSD] == BookPrecision(price: 1, quantity: 8))
        #expect(h.client.precisions[XRPUSDT] == BookPrecision(price: 5, quantity: 8))
        #expect(h.client.feed.counters.heartbeats == 2 && h.client.counters.pongs == 1)
        let states = events.compactMap { e -> String? in if case .feedStatus(let f) = e, f.symbol == nil { f.status.rawValue } else { nil } }
        #expect(states == ["online", "maintenance", "online"])
        #expect(h.actions.contains { if case .log(_, let m) = $0 { m.contains("tick_size is deprecated") } else { false } })
        // After the maintenance status the next reconnect waits at least 5 s even though the session was long.
        h.receive(try fixtureLines("control.jsonl")[13], Self.at(100))
        h.run { c, o in c.disconnected(now: Self.at(120), code: 1006, into: &o) }
        #expect(backoff(h, Self.at(120)) >= 5)
    }

    @Test func precisionsComeFromTheChannelAtStartThenStayFixed() throws {
        // The built-in table says BTC/USD has 2 price decimals; the instrument channel says 1: the channel wins at start
        // (warned), and a later change is warned about and ignored.
        let h = Harness(symbols: [BTCUSD], precisions: [BTCUSD: BookPrecision(price: 2, quantity: 8)])
        _ = h.live(at: Self.at(0))
        let instrument = try fixtureLines("control.jsonl")[2]
        h.receive(instrument, Self.at(1))
        #expect(h.client.precisions[BTCUSD] == BookPrecision(price: 1, quantity: 8) && h.client.precisionsFixed)
        let changed = instrument.replacingOccurrences(of: "\"price_precision\":1,", with: "\"price_precision\":3,")
        #expect(changed != instrument)
        h.receive(changed, Self.at(2))
        #expect(h.client.precisions[BTCUSD] == BookPrecision(price: 1, quantity: 8))
        #expect(h.client.counters.precisionChanges == 2)
        // With the channel's precision the documented book verifies.
        let out = h.receive(try fixtureLines("book-btcusd.jsonl")[0], Self.at(3))
        #expect(h.delivered(out).contains { if case .book = $0 { true } else { false } })
    }

    @Test func pairStatusIsDelivered() throws {
        let h = Harness(symbols: [BTCUSD])
        _ = h.live(at: Self.at(0))
        let instrument = try fixtureLines("control.jsonl")[2].replacingOccurrences(of: "\"symbol\":\"BTC/USD\",\"base\":\"BTC\",\"quote\":\"USD\",\"status\":\"online\"", with: "\"symbol\":\"BTC/USD\",\"base\":\"BTC\",\"quote\":\"USD\",\"status\":\"cancel_only\"")
        let ev = h.delivered(h.receive(instrument, Self.at(1)))
        #expect(ev.contains(.feedStatus(FeedStatus(time: Self.at(1), symbol: BTCUSD, status: .cancelOnly))))
    }

    @Test func ackTimeoutResendsOnceThenReports() {
        let h = Harness(symbols: [XRPUSDT])
        h.run { c, o in c.start(now: Self.at(0), into: &o) }
        let subs = h.sent(h.run { c, o in c.connected(now: Self.at(0), into: &o) })
        for s in subs where (s["params"] as! [String: Any])["channel"] as? String != "book" { h.ackAll(s, Self.at(0.1)) }
        for s in stride(from: 1.0, through: 9, by: 1) { h.receive(#"{"channel":"heartbeat"}"#, Self.at(s)) }
        let first = h.sent(h.run { c, o in c.tick(now: Self.at(10), into: &o) }).filter { $0["method"] as? String == "subscribe" }
        #expect(first.count == 1 && (first[0]["params"] as! [String: Any])["channel"] as? String == "book")
        #expect(h.client.phase == .subscribing)
        for s in stride(from: 11.0, through: 19, by: 1) { h.receive(#"{"channel":"heartbeat"}"#, Self.at(s)) }
        let second = h.run { c, o in c.tick(now: Self.at(20.5), into: &o) }
        #expect(h.sent(second).filter { $0["method"] as? String == "subscribe" }.isEmpty)
        #expect(second.contains { if case .log(.error, let m) = $0 { m.contains("no ack") } else { false } })
        #expect(h.client.phase == .live)   // settled: the book failed, the rest is subscribed
    }

    @Test func exceededMessageRateHoldsRequestsThenResends() {
        let h = Harness(symbols: [XRPUSDT])
        h.run { c, o in c.start(now: Self.at(0), into: &o) }
        let subs = h.sent(h.run { c, o in c.connected(now: Self.at(0), into: &o) })
        let book = subs.first { ($0["params"] as! [String: Any])["channel"] as? String == "book" }!
        for s in subs where s["req_id"] as! Int != book["req_id"] as! Int { h.ackAll(s, Self.at(0.1)) }
        h.receive(#"{"error":"Exceeded msg rate","method":"subscribe","req_id":\#(book["req_id"] as! Int),"success":false}"#, Self.at(0.2))
        #expect(h.sent(h.run { c, o in c.tick(now: Self.at(0.9), into: &o) }).isEmpty)
        let again = h.sent(h.run { c, o in c.tick(now: Self.at(1.3), into: &o) })
        #expect(again.count == 1 && (again[0]["params"] as! [String: Any])["channel"] as? String == "book")
        #expect(h.client.counters.rateLimited == 1)
    }

    @Test func laggingBookIsResynced() throws {
        // The exchange timestamps of updates fall 6 s further behind the receive time than the fastest seen.
        let h = Harness(symbols: [BTCUSD], precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
        _ = h.live(at: Self.at(0))
        let lines = try fixtureLines("book-btcusd.jsonl")
        h.receive(lines[0], Self.at(1))
        let exchange = try #require(lines[1].range(of: #"\d{4}-\d\d-\d\dT[0-9:.]+Z"#, options: .regularExpression)).lowerBound
        let ts = Timestamp(iso8601: String(lines[1][exchange...].prefix { $0 != "\"" }))!
        // First update arrives 0.2 s after its exchange time (the baseline), the next 6.2 s after its own.
        h.receive(lines[1], ts + .milliseconds(200))
        let lagged = h.receive(lines[2], ts + .milliseconds(6_300))
        #expect(h.client.counters.lagResyncs == 1)
        #expect(h.sent(lagged).map { $0["method"] as! String } == ["unsubscribe"])
        #expect(h.delivered(lagged).contains { if case .bookInvalidated = $0 { true } else { false } })
    }

    @Test func lagThatResyncsCannotCureEndsInAReconnect() throws {
        // A server whose stamps stay behind (the same old update replayed): two resyncs, then the third failure within
        // 60 s reconnects (which re-baselines the lag) instead of resubscribing forever.
        let h = Harness(symbols: [BTCUSD], precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
        _ = h.live(at: Self.at(0))
        let lines = try fixtureLines("book-btcusd.jsonl")
        let exchange = try #require(lines[1].range(of: #"\d{4}-\d\d-\d\dT[0-9:.]+Z"#, options: .regularExpression)).lowerBound
        let ts = Timestamp(iso8601: String(lines[1][exchange...].prefix { $0 != "\"" }))!
        var closes = 0
        for k in 0..<4 {
            let t = ts + .seconds(Int64(1 + k * 7))
            h.receive(lines[0], t)
            if k == 0 { h.receive(lines[1], ts + .milliseconds(100)) }   // the baseline
            let out = h.receive(lines[1], t + .milliseconds(10))
            closes += out.filter { if case .close = $0 { true } else { false } }.count
            if h.client.phase != .live { break }
            // The server acknowledges the resync's unsubscribe and subscribe at once.
            for u in h.sent(out) where u["method"] as? String == "unsubscribe" {
                for sub in h.sent(h.receive(#"{"method":"unsubscribe","req_id":\#(u["req_id"] as! Int),"result":{"channel":"book","symbol":"BTC/USD"},"success":true}"#, t + .milliseconds(20))) {
                    h.ackAll(sub, t + .milliseconds(30))
                }
            }
        }
        #expect(h.client.counters.lagResyncs == 3 && closes == 1 && h.client.phase == .backoff)
    }

    @Test func waitingBehindAFullBufferIsNotSilence() {
        // The reader waits 40 s for the kernel (noteAlive every second): no liveness close, no ack timeout, no silence
        // alarm; once it reads again, the timers run from where they were.
        let h = Harness(symbols: [BTCUSD], configure: { $0.channelSilence = .seconds(20) })
        h.run { c, o in c.start(now: Self.at(0), into: &o) }
        let subs = h.sent(h.run { c, o in c.connected(now: Self.at(0), into: &o) })
        for s in subs where (s["params"] as! [String: Any])["channel"] as? String != "book" { h.ackAll(s, Self.at(0.1)) }
        var stalled: [KrakenClient.Action] = []
        for s in 1...40 { stalled += h.run { c, o in c.noteAlive(now: Self.at(Double(s))); c.tick(now: Self.at(Double(s)), into: &o) } }
        #expect(!stalled.contains { if case .close = $0 { true } else { false } })
        #expect(h.sent(stalled).filter { $0["method"] as? String == "subscribe" }.isEmpty)
        #expect(h.client.counters.livenessTimeouts == 0 && h.client.counters.silenceAlarms == 0 && h.client.phase == .subscribing)
        // The book's request waited 0.1 s before the stall (acks arrived at 0.1 s), 39.9 s of stall do not count:
        // its 10 s ack timeout ends at 49.9 s.
        h.receive(#"{"channel":"heartbeat"}"#, Self.at(45))
        #expect(h.sent(h.run { c, o in c.tick(now: Self.at(49.8), into: &o) }).filter { $0["method"] as? String == "subscribe" }.isEmpty)
        #expect(h.sent(h.run { c, o in c.tick(now: Self.at(50), into: &o) }).filter { $0["method"] as? String == "subscribe" }.count == 1)
    }

    @Test func stopClosesCleanlyAndNeverReconnects() {
        let h = Harness(symbols: [XRPUSDT])
        _ = h.live(at: Self.at(0))
        let out = h.run { c, o in c.stop(now: Self.at(1), into: &o) }
        #expect(out.contains { if case .close(1000) = $0 { true } else { false } })
        #expect(h.client.phase == .closed)
        #expect(h.run { c, o in c.tick(now: Self.at(100), into: &o) }.isEmpty)
    }
}
