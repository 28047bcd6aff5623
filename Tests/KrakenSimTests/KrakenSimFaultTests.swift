import Foundation
import Testing
import KrakenWS
import TradingCore
@testable import KrakenSim

/// Every fault of market-data §4.4's table at the engine: what goes on the wire, and what the production parser and
/// books make of it. (The real client's recovery over sockets is in KrakenSimEndToEndTests.)
@Suite struct KrakenSimFaultTests {
    func subscribed(_ cfg: KrakenSimConfig = simConfig(), channels: [String] = ["book", "trade"]) -> (KrakenSimEngine, SimClient) {
        let e = KrakenSimEngine(config: cfg)
        let c = SimClient(e)
        for ch in channels { _ = c.subscribe(ch, [BTC, ETH]) }
        c.run(2)
        return (e, c)
    }

    @Test func faultSpecsParseAndBadOnesSayWhy() throws {
        #expect(try ScheduledFault.parse("disconnect:1011@t=30") == ScheduledFault(.disconnect(.code(1011)), .at(.seconds(30))))
        #expect(try ScheduledFault.parse("checksumCorrupt:symbol=BTC/USD@msg=100") == ScheduledFault(.checksumCorrupt(BTC), .afterFrames(100)))
        #expect(try ScheduledFault.parse("checksumCorrupt:BTC/USD@msg=100") == ScheduledFault(.checksumCorrupt(BTC), .afterFrames(100)))
        #expect(try ScheduledFault.parse("dropTrade:count=3,symbol=ETH/USD").fault == .dropTrade(ETH, count: 3))
        // Decision 39's JSONL form, and a JSON string holding the command-line form.
        #expect(try ScheduledFault.parseLine(#"{"fault":"disconnect","code":1011,"t":30}"#) == ScheduledFault(.disconnect(.code(1011)), .at(.seconds(30))))
        #expect(try ScheduledFault.parseLine(#"{"fault":"burst","n":50,"msg":7}"#) == ScheduledFault(.burst(50), .afterFrames(7)))
        #expect(try ScheduledFault.parseLine(#""status:system=post_only""#).fault == .status("post_only"))
        #expect(throws: SimFaultError.self) { _ = try ScheduledFault.parseLine(#"{"fault":"burst","count":5}"#) }
        // Every fault's description parses back to itself.
        for f: SimFault in [.disconnect(.abort), .rejectHandshakes(count: 2, httpStatus: 429), .acceptThenClose(count: 3), .malformedJSON(.binary),
                            .checksumCorrupt(BTC), .dropBookUpdate(ETH), .dropTrade(BTC, count: 2), .duplicateTrade(ETH), .reorder(channel: "trade", count: 2),
                            .staleFeed(.silent, seconds: 2.5), .suppressPong(seconds: 9), .status("cancel_only"), .burst(7), .rateLimit(perSecond: 4),
                            .replay(path: "/tmp/a.jsonl", pace: .recorded), .replay(path: "/tmp/b.jsonl", pace: .every(.milliseconds(20)))] {
            #expect(try ScheduledFault.parse(f.description).fault == f, "\(f)")
        }
        #expect(try ScheduledFault.parse("staleFeed:silent,20").fault == .staleFeed(.silent, seconds: 20))
        // An @ inside a replay path is the path's; a trigger after it still counts.
        #expect(try ScheduledFault.parse("replay:file=/tmp/cap@2.jsonl") == ScheduledFault(.replay(path: "/tmp/cap@2.jsonl", pace: .asFastAsPossible), .immediately))
        #expect(try ScheduledFault.parse("replay:file=/tmp/cap@2.jsonl@t=5") == ScheduledFault(.replay(path: "/tmp/cap@2.jsonl", pace: .asFastAsPossible), .at(.seconds(5))))
        #expect(try ScheduledFault.parse("rejectHandshakes:3,429").fault == .rejectHandshakes(count: 3, httpStatus: 429))
        #expect(try ScheduledFault.parse("replay:/tmp/x.jsonl,250ms").fault == .replay(path: "/tmp/x.jsonl", pace: .every(.milliseconds(250))))
        for bad in ["", "explode", "disconnect:1234", "rejectHandshakes:2,500", "checksumCorrupt", "staleFeed:loud", "burst:-1",
                    "disconnect@x=1", "dropTrade:BTC/USD,zero", "status:closed", "disconnect:1011@n=5", "burst:size=3", "burst:1,2"] {
            #expect(throws: SimFaultError.self, "\(bad)") { _ = try ScheduledFault.parse(bad) }
        }
        let script = try ScheduledFault.parseScript(#"{"fault":"disconnect","code":1000,"t":5}"# + "\n\n" + #"{"fault":"burst","n":10}"# + "\n")
        #expect(script == [ScheduledFault(.disconnect(.code(1000)), .at(.seconds(5))), ScheduledFault(.burst(10))])
        #expect(throws: SimFaultError("line 2: unknown fault 'nope'; one of \(SimFault.names.joined(separator: ", "))")) { _ = try ScheduledFault.parseScript("burst:1\nnope\n") }
    }

    @Test func disconnectClosesEveryConnectionWithItsCode() {
        for (fault, expected) in [(SimFault.disconnect(.code(1000)), KrakenSimEngine.Output.close(connection: 1, code: 1000)),
                                  (.disconnect(.code(1001)), .close(connection: 1, code: 1001)), (.disconnect(.code(1011)), .close(connection: 1, code: 1011)),
                                  (.disconnect(.abort), .abort(connection: 1))] {
            let (e, _) = subscribed()
            #expect(e.inject(fault) == [expected])
            #expect(texts(e.advance(to: e.now + .seconds(1))).isEmpty)   // nothing more to a closing socket
        }
    }

    @Test func rejectedHandshakesAndAcceptThenClose() {
        let e = KrakenSimEngine(config: simConfig())
        _ = e.inject(.rejectHandshakes(count: 2, httpStatus: 429))
        #expect(e.attempt(now: e.now) == 429 && e.attempt(now: e.now) == 429 && e.attempt(now: e.now) == nil)
        _ = e.inject(.acceptThenClose(count: 1))
        let (id, out) = e.open(now: e.now)
        #expect(texts(out).count == 1 && out.last == .close(connection: id, code: 1000))
        #expect(e.attempts.map(\.rejectedWith) == [429, 429, nil])
    }

    @Test func malformedFramesAreCountedAndTheBooksSurvive() {
        let (e, c) = subscribed()
        for k in SimFault.Malformed.allCases { c.take(e.inject(.malformedJSON(k))) }
        c.run(2)
        #expect(c.feed.counters.parseErrors >= 2)   // truncated and non-JSON text (the binary frame never reaches the parser)
        #expect(c.feed.counters.checksumFailures == 0 && c.feed.book(for: BTC)?.checksum == e.checksum(BTC))
    }

    @Test func checksumCorruptKeepsTheContentAndForcesOneResync() throws {
        let (e, c) = subscribed()
        c.take(e.inject(.checksumCorrupt(BTC)))
        c.run(3)
        #expect(c.feed.counters.checksumFailures == 1 && c.resyncs == 1)
        #expect(c.feed.book(for: BTC)?.checksum == e.checksum(BTC) && c.feed.book(for: ETH)?.checksum == e.checksum(ETH))
    }

    @Test func aDroppedBookUpdateIsCaughtOnTheNextOne() throws {
        let (e, c) = subscribed()
        c.take(e.inject(.dropBookUpdate(ETH)))
        c.run(3)
        #expect(c.feed.counters.checksumFailures == 1 && c.resyncs == 1)
        #expect(c.feed.book(for: ETH)?.checksum == e.checksum(ETH))
    }

    @Test func aFaultWaitsForAFrameSomeoneWouldGet() throws {
        // Armed while nobody takes BTC's book or trades, the faults stay armed: the first update and the first trade
        // message after subscribing are the ones corrupted and dropped (not steps that reached no one).
        var cfg = simConfig()
        cfg.tick = .seconds(1)   // several prints per message
        let (e, c) = subscribed(cfg, channels: ["ticker"])
        c.take(e.inject(.checksumCorrupt(BTC)))
        c.take(e.inject(.dropTrade(BTC, count: 1)))
        c.run(5)
        #expect(e.counters.checksumsCorrupted == 0 && e.counters.tradesDropped == 0)
        _ = c.subscribe("book", [BTC])
        _ = c.subscribe("trade", [BTC], extra: #","snapshot":true"#)   // the snapshot's last id reveals the gap
        c.autoResync = false
        c.run(3)
        #expect(e.counters.checksumsCorrupted == 1 && c.feed.counters.checksumFailures == 1)
        #expect(e.counters.tradesDropped > 0 && c.gaps[BTC] == UInt64(e.counters.tradesDropped))
    }

    @Test func droppedAndDuplicatedTrades() throws {
        var cfg = simConfig()
        cfg.tick = .seconds(1)   // several prints per message
        let (e, c) = subscribed(cfg)
        #expect((c.trades[BTC]?.count ?? 0) > 0)
        c.take(e.inject(.dropTrade(BTC, count: 2)))
        c.take(e.inject(.duplicateTrade(ETH)))
        c.run(20)
        // The skipped messages' prints are exactly the gap the client reports.
        let sent = Set(try #require(c.trades[BTC]))
        let first = try #require(sent.min()), last = try #require(sent.max())
        let missing = UInt64(last - first + 1) - UInt64(sent.count)
        #expect(missing > 0 && c.gaps[BTC] == missing)
        #expect(c.feed.counters.duplicateTrades >= 1)
        #expect(Set(c.trades[ETH] ?? []).count == c.trades[ETH]?.count)   // the repeat was dropped, not delivered twice
    }

    @Test func reorderedBookUpdatesMismatchThenResync() {
        let (e, c) = subscribed()
        c.take(e.inject(.reorder(channel: "book", count: 1)))
        c.run(3)
        #expect(c.feed.counters.checksumFailures >= 1 && c.resyncs >= 1)
        #expect(c.feed.book(for: BTC)?.checksum == e.checksum(BTC))
    }

    @Test func aReorderWithNobodyConnectedWaitsForTheNextConnection() {
        let e = KrakenSimEngine(config: simConfig())
        _ = e.inject(.reorder(channel: "book", count: 1))
        let c = SimClient(e)
        for ch in ["book", "trade"] { _ = c.subscribe(ch, [BTC, ETH]) }
        c.run(3)
        #expect(c.feed.counters.checksumFailures >= 1 && c.resyncs >= 1)
        #expect(c.feed.book(for: BTC)?.checksum == e.checksum(BTC))
    }

    @Test func staleFeedHeartbeatOnlyKeepsHeartbeatsAndResumesWithoutAMismatch() {
        let (e, c) = subscribed()
        c.take(e.inject(.staleFeed(.heartbeatOnly, seconds: 3)))
        let before = c.received.count
        c.run(2.9)
        let during = c.received[before...]
        #expect(!during.isEmpty && during.allSatisfy { $0 == #"{"channel":"heartbeat"}"# })
        c.run(3)
        // The stalled books resume from what the client holds: no mismatch, no resync.
        #expect(c.feed.counters.checksumFailures == 0 && c.feed.book(for: BTC)?.checksum == e.checksum(BTC))
    }

    @Test func silentStaleFeedSendsNothingNotEvenPongs() {
        let (e, c) = subscribed()
        c.take(e.inject(.staleFeed(.silent, seconds: 5)))
        let before = c.received.count
        _ = c.send(#"{"method":"ping","req_id":5}"#)
        c.run(4.9)
        #expect(c.received.count == before)
        c.run(1)
        #expect(c.received.count > before)
    }

    @Test func suppressedPongs() {
        let (e, c) = subscribed()
        _ = e.inject(.suppressPong(seconds: 10))
        #expect(c.send(#"{"method":"ping","req_id":5}"#).isEmpty)
        c.run(10)
        #expect(c.send(#"{"method":"ping","req_id":6}"#).first?.contains(#""method":"pong""#) == true)
    }

    @Test func statusChangesGoToEveryone() {
        let (e, c) = subscribed()
        c.take(e.inject(.status("maintenance")))
        #expect(c.received.last?.contains(#""system":"maintenance""#) == true)
        let late = SimClient(e)
        #expect(late.received.first?.contains(#""system":"maintenance""#) == true)
    }

    @Test func aBurstDeliversEverythingInOrder() throws {
        let (e, c) = subscribed()
        let before = c.received.count
        c.take(e.inject(.burst(5000)))
        #expect(c.received.count - before >= 5000)
        #expect(c.feed.counters.checksumFailures == 0 && c.feed.counters.tradeGaps == 0)
        #expect(c.feed.book(for: BTC)?.checksum == e.checksum(BTC))
    }

    @Test func rateLimitAnswersExceededMsgRate() {
        let (e, c) = subscribed()
        _ = e.inject(.rateLimit(perSecond: 3))
        var answers: [String] = []
        for k in 0..<5 { answers += c.send(#"{"method":"ping","req_id":\#(100 + k)}"#) }
        #expect(answers.filter { $0.contains(#""method":"pong""#) }.count == 3)
        let refused = answers.filter { $0.contains("Exceeded msg rate") }
        #expect(refused.count == 2 && refused.allSatisfy { json($0)["success"] as? Bool == false })
        c.run(1.1)
        #expect(c.send(#"{"method":"ping","req_id":200}"#).first?.contains("pong") == true)
    }

    @Test func replayServesAFixtureLineByLine() throws {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/book-btcusd", withExtension: "jsonl"))
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
        let e = KrakenSimEngine(config: simConfig())
        let c = SimClient(e)
        c.autoResync = false
        _ = e.inject(.replay(path: url.path, pace: .every(.milliseconds(100))), replayLines: lines)
        c.run(Double(lines.count) * 0.1 + 0.05)
        #expect(Array(c.received.suffix(lines.count)) == lines)
        // Line 8 of the fixture carries the deliberate checksum failure.
        #expect(c.feed.counters.checksumFailures == 1)
    }

    @Test func replayAsFastAsPossibleAndAtTheRecordedPace() throws {
        let t0 = "2025-01-15T00:00:00Z", t1 = "2025-01-15T00:00:00.500Z", t2 = "2025-01-15T00:00:02Z"
        let lines = [t0, t1, t2].enumerated().map { #"{"channel":"heartbeat","n":\#($0.offset),"timestamp":"\#($0.element)"}"# }
        // max: every line at once, in order, to every open connection.
        var e = KrakenSimEngine(config: simConfig())
        var c = SimClient(e), other = SimClient(e)
        let out = e.inject(.replay(path: "cap.jsonl", pace: .asFastAsPossible), replayLines: lines)
        #expect(texts(out, c.id) == lines && texts(out, other.id) == lines)
        // recorded: the capture's own gaps (0.5 s, then 1.5 s), from the moment of injection.
        e = KrakenSimEngine(config: simConfig())
        c = SimClient(e)
        other = SimClient(e)
        c.take(e.inject(.replay(path: "cap.jsonl", pace: .recorded), replayLines: lines))
        func seen() -> [String] { c.received.filter { $0.contains(#""n":"#) } }
        #expect(seen() == [lines[0]])
        c.run(0.45)
        #expect(seen() == [lines[0]])
        c.run(0.1)
        #expect(seen() == Array(lines[0...1]))
        c.run(1.4)
        #expect(seen() == Array(lines[0...1]))
        c.run(0.1)
        #expect(seen() == lines)
    }

    @Test func triggersByFrameCountAndByVirtualTime() {
        var cfg = simConfig()
        cfg.faults = [ScheduledFault(.status("post_only"), .at(.seconds(10))), ScheduledFault(.disconnect(.code(1001)), .afterFrames(400))]
        let e = KrakenSimEngine(config: cfg)
        let c = SimClient(e)
        _ = c.subscribe("book", [BTC, ETH])
        var closedAt: Int?
        var statusAt: Timestamp?
        var t = e.now
        while t < T0 + .seconds(30), closedAt == nil || statusAt == nil {
            t = t + .milliseconds(10)
            let out = e.advance(to: t)
            c.take(out)
            if statusAt == nil, texts(out).contains(where: { $0.contains("post_only") }) { statusAt = e.now }
            if out.contains(.close(connection: c.id, code: 1001)) { closedAt = e.counters.framesSent }
        }
        #expect(statusAt.map { $0 >= T0 + .seconds(10) && $0 < T0 + .seconds(10) + .milliseconds(20) } == true)
        #expect(closedAt.map { $0 >= 400 && $0 < 420 } == true)
    }
}
