import Foundation
import Testing
import TradingCore
@testable import KrakenWS

/// No message crashes the feed: every field of every fixture message is replaced by extreme or malformed values, and
/// messages are cut and bit-flipped (seeded). Each one is counted: it either produces output or moves a counter.
@Suite struct KrakenMutationTests {
    func text(_ v: JSONValue) -> String {
        switch v {
        case .object(let f): "{" + f.map { "\"\($0.0)\":" + text($0.1) }.joined(separator: ",") + "}"
        case .array(let a): "[" + a.map(text).joined(separator: ",") + "]"
        case .string(let s): "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .number(let n): n
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        }
    }

    static let hostile: [JSONValue] = [
        .null, .bool(true), .string(""), .string("x"), .string("2.35"), .string("BTC/USD"), .number("-1"), .number("0"), .number("1e400"),
        .number("1e-400"), .number("123456789012345678901234567890"), .number("0.0000000000000000000001"), .number("-0.5"),
        .number("18446744073709551616"), .number("4294967296"), .array([]), .object([]), .array([.array([.array([.number("1")])])]),
        .string(String(repeating: "A", count: 5000)), .string("\u{0}\u{1F600}\\"), .string("2025-13-45T99:99:99Z"),
    ]

    /// Every path to a value in `v`, with a rebuild function.
    func mutations(_ v: JSONValue) -> [JSONValue] {
        var out: [JSONValue] = []
        switch v {
        case .object(let fields):
            for (i, f) in fields.enumerated() {
                for h in Self.hostile { var c = fields; c[i].1 = h; out.append(.object(c)) }
                for m in mutations(f.1).prefix(200) { var c = fields; c[i].1 = m; out.append(.object(c)) }
                var dropped = fields; dropped.remove(at: i); out.append(.object(dropped))
            }
        case .array(let items):
            for (i, item) in items.enumerated().prefix(3) {
                for h in Self.hostile { var c = items; c[i] = h; out.append(.array(c)) }
                for m in mutations(item).prefix(100) { var c = items; c[i] = m; out.append(.array(c)) }
            }
            out.append(.array(items + items))
        default: break
        }
        return out
    }

    @Test func everyFieldOfEveryFixtureMessage() throws {
        var rng = SplitMix64(seed: 2026)
        var fed = 0, fastAnswers = 0
        let f = KrakenFeed(depth: 10, precisions: [BTCUSD: BookPrecision(price: 1, quantity: 8), XRPUSDT: BookPrecision(price: 5, quantity: 8)])
        f.keepApplyingAfterMismatch = true
        for file in ["book-btcusd.jsonl", "ticker-trade-ohlc.jsonl", "control.jsonl"] {
            for line in try fixtureLines(file) {
                let parsed = try KrakenJSON.parse(line)
                var cases = mutations(parsed).map(text)
                // Cut at seeded points and flip seeded bytes.
                let bytes = Array(line.utf8)
                for _ in 0..<20 {
                    cases.append(String(decoding: bytes.prefix(Int(rng.next() % UInt64(bytes.count))), as: UTF8.self))
                    var b = bytes
                    b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
                    cases.append(String(decoding: b, as: UTF8.self))
                }
                for c in cases {
                    // The book fast path and the full parser agree wherever the fast path answers.
                    var t = c
                    t.withUTF8 { b in
                        if let fast = KrakenBookScanner.decode(b) {
                            fastAnswers += 1
                            if case .book(let full)? = try? KrakenParser.parseFully(b) { #expect(fast == full, "\(c.prefix(200))") }
                            else { Issue.record("the fast path accepted what the full parser refuses: \(c.prefix(200))") }
                        }
                    }
                    let before = f.counters
                    let out = feed(f, c)
                    fed += 1
                    #expect(!out.isEmpty || f.counters != before, "uncounted: \(c.prefix(200))")
                }
            }
        }
        #expect(f.counters.messages == fed)
        #expect(fastAnswers > 50, "fast path answered \(fastAnswers)")
        #expect(fed > 9_000 && f.counters.parseErrors > 5_000, "fed \(fed), parse errors \(f.counters.parseErrors)")
    }

    @Test func jsonReader() throws {
        #expect(try KrakenJSON.parse(#"{"a":1e-08,"b":[true,false,null],"c":"\u00e9\n"}"#) ==
                .object([("a", .number("1e-08")), ("b", .array([.bool(true), .bool(false), .null])), ("c", .string("é\n"))]))
        #expect(try KrakenJSON.parse("13834774380200032777").uint64 == 13_834_774_380_200_032_777)
        for bad in ["", "{", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\u{1}\"", "[1] x", "nul", "{\"a\":1,}", "\"\\x\""] {
            #expect(throws: JSONError.self, "\(bad)") { try KrakenJSON.parse(bad) }
        }
        #expect(throws: JSONError.self) { try KrakenJSON.parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) }
        // Numbers are exact: 45281.0 and 45281 are one value, 0.10000000 is 0.1.
        guard case .book(let m) = try KrakenParser.parse(#"{"channel":"book","type":"update","data":[{"symbol":"BTC/USD","bids":[{"price":45281.0,"qty":0.10000000},{"price":45281,"qty":"1e-08"}],"asks":[],"checksum":1}]}"#) else {
            Issue.record("not a book"); return
        }
        #expect(m.bids[0].price == m.bids[1].price && m.bids[0].size == Quantity("0.1")! && m.bids[1].size == Quantity("0.00000001")!)
    }
}
