import Foundation
import Testing
import TradingCore
@testable import KrakenWS

func fixtureLines(_ name: String) throws -> [String] {
    let url = try #require(Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil))
    return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map(String.init)
}

func feed(_ f: KrakenFeed, _ line: String, at t: Timestamp = Timestamp(nanoseconds: 1_736_937_000_000_000_000)) -> [KrakenFeed.Output] {
    var out: [KrakenFeed.Output] = []
    var s = line
    s.withUTF8 { f.handle($0, receivedAt: t, into: &out) }
    return out
}

let BTCUSD = Symbol("BTC/USD")!, XRPUSDT = Symbol("XRP/USDT")!

/// market-data §1.5 and §6: Kraken's documented checksum examples and the fixtures with the verdicts the spec gives.
@Suite struct KrakenFixtureTests {
    @Test func crcSelfTest() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 3_421_780_262)
    }

    @Test func krakensDocumentedChecksums() throws {
        // The checksum guide's BTC/USD book (fixture line 1), precisions 1 and 8: 3310070434.
        guard case .book(let m) = try KrakenParser.parse(try fixtureLines("book-btcusd.jsonl")[0]) else { Issue.record("not a book"); return }
        var b = KrakenBook(symbol: BTCUSD, depth: 10, precision: BookPrecision(price: 1, quantity: 8))
        #expect(try b.apply(snapshot: true, bids: m.bids, asks: m.asks) == 0)
        #expect(b.checksum == 3_310_070_434 && m.checksum == 3_310_070_434)
        // MATIC/USD (market-data §1.4.8): precision formatting gives Kraken's values; the wrong precision does not.
        let snap = #"{"channel":"book","type":"snapshot","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5666,"qty":4831.75496356},{"price":0.5665,"qty":6658.22734739},{"price":0.5664,"qty":18724.91513344},{"price":0.5663,"qty":11563.92544914},{"price":0.5662,"qty":14006.65365711},{"price":0.5661,"qty":17454.85679807},{"price":0.566,"qty":18097.1547},{"price":0.5659,"qty":33644.89175666},{"price":0.5658,"qty":148.3464},{"price":0.5657,"qty":606.70854372}],"asks":[{"price":0.5668,"qty":4410.79769741},{"price":0.5669,"qty":4655.40412487},{"price":0.567,"qty":49844.89424998},{"price":0.5671,"qty":24306.41678},{"price":0.5672,"qty":29783.25223475},{"price":0.5673,"qty":57234.71239278},{"price":0.5674,"qty":45065.04744},{"price":0.5675,"qty":5912.76380354},{"price":0.5676,"qty":42514.92434778},{"price":0.5677,"qty":36304.0847022}],"checksum":2439117997,"timestamp":"2023-10-06T17:35:55.440295Z"}]}"#
        let upd = #"{"channel":"book","type":"update","data":[{"symbol":"MATIC/USD","bids":[{"price":0.5657,"qty":1098.3947558}],"asks":[],"checksum":2114181697,"timestamp":"2023-10-06T17:35:55.440295Z"}]}"#
        guard case .book(let s) = try KrakenParser.parse(snap), case .book(let u) = try KrakenParser.parse(upd) else { Issue.record("not books"); return }
        let matic = Symbol("MATIC/USD")!
        var good = KrakenBook(symbol: matic, depth: 10, precision: BookPrecision(price: 4, quantity: 8))
        _ = try good.apply(snapshot: true, bids: s.bids, asks: s.asks)
        #expect(good.checksum == 2_439_117_997)
        _ = try good.apply(snapshot: false, bids: u.bids, asks: u.asks)
        #expect(good.checksum == 2_114_181_697)
        var wrong = KrakenBook(symbol: matic, depth: 10, precision: BookPrecision(price: 5, quantity: 8))
        _ = try wrong.apply(snapshot: true, bids: s.bids, asks: s.asks)
        #expect(wrong.checksum == 1_472_384_375)
    }

    /// §6.1: lines 1–7 valid, 8 a mismatch (local 2203053870, the lost update), 9 ignored while waiting, 10 heals it,
    /// 11–12 valid; the final book is the spec's.
    @Test func bookStreamVerdictsAndFinalBook() throws {
        let f = KrakenFeed(depth: 10, precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
        var verdicts: [String] = []
        for line in try fixtureLines("book-btcusd.jsonl") {
            let out = feed(f, line)
            var v = "ignored"
            for o in out {
                switch o {
                case .event(.book): v = v == "healed" ? "healed" : "valid"
                case .bookInvalid(_, let expected, let computed): v = "mismatch \(expected) \(computed)"
                case .bookValid: v = "healed"
                default: break
                }
            }
            verdicts.append(v)
        }
        #expect(verdicts == ["valid", "valid", "valid", "valid", "valid", "valid", "valid", "mismatch 2287468397 2203053870", "ignored",
                             "healed", "valid", "valid"])
        #expect(f.counters.checksumFailures == 1 && f.counters.ignoredWhileInvalid == 1 && f.counters.parseErrors == 0)
        let b = try #require(f.books[BTCUSD])
        let (bids, asks) = b.levels
        let expectBids = [("45283.9", "0.33"), ("45283.5", "0.25"), ("45282.1", "0.20"), ("45281.0", "0.10"), ("45280.3", "1.00"), ("45279.0", "0.0799"),
                          ("45277.6", "0.03310103"), ("45277.5", "0.30"), ("45277.3", "1.54602737"), ("45276.6", "0.15445238")]
        let expectAsks = [("45285.9", "0.5"), ("45286.4", "1.6"), ("45286.6", "1.54571109"), ("45289.6", "1.54560911"), ("45290.2", "0.1589066"),
                          ("45291.8", "1.54553491"), ("45294.7", "0.04454749"), ("45296.1", "0.3538"), ("45297.5", "0.09945542"), ("45299.5", "0.18772827")]
        #expect(bids == expectBids.map { BookLevel(price: Price($0.0)!, size: Quantity($0.1)!) })
        #expect(asks == expectAsks.map { BookLevel(price: Price($0.0)!, size: Quantity($0.1)!) })
    }

    /// Decision 33: `kraken verify` cannot resubscribe, so it keeps applying and counts every failure (line 9 too).
    @Test func verifyModeCountsEveryFailure() throws {
        let f = KrakenFeed(depth: 10, precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8)])
        f.keepApplyingAfterMismatch = true
        for line in try fixtureLines("book-btcusd.jsonl") { _ = feed(f, line) }
        #expect(f.counters.checksumFailures == 2 && f.counters.bookMessages == 12 && f.invalid.isEmpty)
    }

    @Test func controlMessages() throws {
        let f = KrakenFeed()
        let lines = try fixtureLines("control.jsonl")
        #expect(lines.count == 15)
        let msgs = try lines.map { try KrakenParser.parse($0) }
        guard case .status("online", let id) = msgs[0] else { Issue.record("line 1"); return }
        #expect(id == 13_834_774_380_200_032_777)
        guard case .response(let ack) = msgs[1] else { Issue.record("line 2"); return }
        #expect(ack.success && ack.reqId == 1 && !ack.warnings.isEmpty)
        guard case .instrument(true, let pairs) = msgs[2] else { Issue.record("line 3"); return }
        #expect(pairs.map(\.symbol.text) == ["BTC/USD", "XRP/USDT", "XRP/BTC"])
        #expect(pairs.map(\.precision) == [BookPrecision(price: 1, quantity: 8), BookPrecision(price: 5, quantity: 8), BookPrecision(price: 8, quantity: 8)])
        #expect(pairs.map(\.priceIncrement) == [Price("0.1"), Price("0.00001"), Price("0.00000001")])
        for (i, req) in [(3, 2), (4, 3), (5, 4), (6, 5)] {
            guard case .response(let r) = msgs[i] else { Issue.record("line \(i + 1)"); continue }
            #expect(r.success && r.reqId == Int64(req))
        }
        guard case .response(let err) = msgs[7] else { Issue.record("line 8"); return }
        #expect(!err.success && err.reqId == 6 && err.error == "Currency pair not supported XBT/USD" && err.symbol == "XBT/USD")
        guard case .heartbeat = msgs[8], case .response(let pong) = msgs[9], case .heartbeat = msgs[10] else { Issue.record("lines 9–11"); return }
        #expect(pong.method == "pong" && pong.reqId == 7 && pong.success)
        guard case .response(let nf) = msgs[11], case .response(let unsub) = msgs[12] else { Issue.record("lines 12–13"); return }
        #expect(!nf.success && nf.reqId == 8 && nf.method == "subscribe" && nf.error == "Subscription Not Found")
        #expect(unsub.success && unsub.reqId == 9 && unsub.method == "unsubscribe")
        guard case .status("maintenance", _) = msgs[13], case .status("online", _) = msgs[14] else { Issue.record("lines 14–15"); return }
        // The feed records the instruments' precisions from line 3.
        for l in lines { _ = feed(f, l) }
        #expect(f.precisions[XRPUSDT] == BookPrecision(price: 5, quantity: 8) && f.counters.heartbeats == 2 && f.counters.errorResponses == 2)
    }

    /// §6.2: 7 trades on the tape, one gap of one (61000005 lost), tickers as events.
    @Test func tradesTickersAndTheGap() throws {
        let f = KrakenFeed()
        var trades: [Trade] = [], gaps: [UInt64] = [], tickers: [Ticker] = []
        for l in try fixtureLines("ticker-trade-ohlc.jsonl") {
            for o in feed(f, l) {
                switch o {
                case .event(.trade(let t)): trades.append(t)
                case .event(.ticker(let t)): tickers.append(t)
                case .tradeGap(_, let n): gaps.append(n)
                default: break
                }
            }
        }
        #expect(trades.map { $0.tradeId! } == [61_000_001, 61_000_002, 61_000_003, 61_000_004, 61_000_006, 61_000_007, 61_000_008])
        #expect(gaps == [1] && f.counters.missingTrades == 1 && f.counters.duplicateTrades == 0 && f.counters.parseErrors == 0)
        // VWAP and imbalance over the tape (§6.2, exact): 12679.887075 / 5395.75 and (745.25 − 4650.5) / 5395.75.
        var pv = Money.zero, v = Quantity.zero, buy = Quantity.zero, sell = Quantity.zero
        for t in trades { pv += t.size * t.price; v += t.size; if t.side == .buy { buy += t.size } else { sell += t.size } }
        #expect(pv == Money("12679.887075")! && v == Quantity("5395.75")! && buy == Quantity("745.25")! && sell == Quantity("4650.5")!)
        let last = try #require(tickers.last)
        #expect(last.bid == Price("2.35021")! && last.ask == Price("2.3504")! && last.last == Price("2.3504")!)
        // A replayed duplicate is dropped and counted.
        _ = feed(f, try fixtureLines("ticker-trade-ohlc.jsonl")[12])
        #expect(f.counters.duplicateTrades == 1)
    }

    /// Depth is kept as changes happen, with a refill beyond a full side kept until its deletion (depth 3, by hand).
    @Test func depthIsKeptPerChangeButARefillWaitsForItsDeletion() throws {
        func lv(_ p: String, _ q: String = "1") -> BookLevel { BookLevel(price: Price(p)!, size: Quantity(q)!) }
        func book() throws -> KrakenBook {
            var b = KrakenBook(symbol: BTCUSD, depth: 3, precision: BookPrecision(price: 1, quantity: 8))
            _ = try b.apply(snapshot: true, bids: [], asks: [lv("10"), lv("11"), lv("12")])
            return b
        }
        // The refill first, then the deletion it refills: 10, 12, 13.
        var a = try book()
        _ = try a.apply(snapshot: false, bids: [], asks: [lv("13"), lv("11", "0")])
        #expect(a.levels.asks.map(\.price) == [Price("10")!, Price("12")!, Price("13")!])
        // A new level inside pushes 12 out at once; the deletion of 11 is refilled by 12.5: 10, 10.5, 12.5.
        var b = try book()
        _ = try b.apply(snapshot: false, bids: [], asks: [lv("10.5"), lv("11", "0"), lv("12.5")])
        #expect(b.levels.asks.map(\.price) == [Price("10")!, Price("10.5")!, Price("12.5")!])
    }

    /// The book fast path answers every book line of the fixtures, with what the full parser says.
    @Test func theFastPathReadsEveryFixtureBook() throws {
        for line in try fixtureLines("book-btcusd.jsonl") {
            var t = line
            t.withUTF8 { b in
                let fast = KrakenBookScanner.decode(b)
                #expect(fast != nil, "\(line.prefix(120))")
                if case .book(let full)? = try? KrakenParser.parseFully(b) { #expect(fast == full) }
            }
        }
    }
}
