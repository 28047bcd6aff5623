import ArgumentParser
import Foundation
import TradingCore
import KrakenWS

struct KrakenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kraken",
        abstract: "Tools for Kraken WebSocket v2 data.",
        subcommands: [KrakenVerifyCommand.self, KrakenSimCommand.self])
}

/// `ws-tester kraken verify FILE.jsonl`: a captured stream of Kraken v2 messages through the same parser and books as
/// the live client, every book checksum verified (decision 33's output names). The ingest benchmark, too.
struct KrakenVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Parse a capture of Kraken v2 messages (one JSON message per line) and verify every book checksum.",
        discussion: """
        Precisions come from the built-in instrument table, overridden by --precision SYMBOL=PRICE,QTY, and by \
        `instrument` messages in the capture from where they appear. A capture cannot be resubscribed, so after a checksum mismatch verify keeps applying \
        and checking, and counts each failure. Exit 0 when every line parsed and every checksum matched, 1 otherwise.
        """)

    @Argument(help: "The capture: one Kraken v2 message per line.") var file: String
    @Option(help: "Book depth the capture was subscribed with (10, 25, 100, 500, 1000).") var depth = 10
    @Option(name: .customLong("precision"), help: "SYMBOL=PRICE_DECIMALS,QTY_DECIMALS, repeatable (e.g. BTC/USD=1,8).") var precisions: [String] = []
    @Flag(help: "Print the result as JSON.") var json = false
    @Flag(help: "Also time the parse, apply and checksum stages (the clock reads cost about 10% of the throughput).") var stages = false

    func run() throws {
        guard [10, 25, 100, 500, 1000].contains(depth) else { throw fail("--depth must be 10, 25, 100, 500 or 1000", code: 1) }
        var table: [Symbol: BookPrecision] = [:]
        for i in InstrumentRegistry.builtIn { table[i.symbol] = BookPrecision(price: i.priceDecimals, quantity: i.lotDecimals) }
        for p in precisions {
            let parts = p.split(separator: "=")
            let nums = parts.count == 2 ? parts[1].split(separator: ",").compactMap { Int($0) } : []
            guard parts.count == 2, let sym = Symbol(String(parts[0])), nums.count == 2, nums.allSatisfy({ (0...18).contains($0) }) else {
                throw fail("--precision '\(p)': expected SYMBOL=PRICE,QTY with decimals in 0…18", code: 1)
            }
            table[sym] = BookPrecision(price: nums[0], quantity: nums[1])
        }
        guard let data = FileManager.default.contents(atPath: file) else { throw fail("cannot read \(file)", code: 1) }
        let feed = KrakenFeed(depth: depth, precisions: table)
        feed.keepApplyingAfterMismatch = true
        let wall = ContinuousClock()
        if stages { feed.stopwatch = { DispatchTime.now().uptimeNanoseconds } }
        var parseNs: UInt64 = 0
        var lineNo = 0
        var firstProblems: [String] = []
        var out: [KrakenFeed.Output] = []
        let t0 = wall.now
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            let receivedAt = Timestamp(nanoseconds: 0)
            while start < bytes.count {
                let end = memchr(bytes.baseAddress! + start, 0x0A, bytes.count - start).map { UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - bytes.baseAddress! } ?? bytes.count
                var lineEnd = end
                if lineEnd > start, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                lineNo += 1
                if lineEnd > start {
                    let line = UnsafeBufferPointer(rebasing: bytes[start..<lineEnd])
                    let p0 = stages ? DispatchTime.now().uptimeNanoseconds : 0
                    let message = Result { () throws(KrakenParseError) in try KrakenParser.parse(line) }
                    if stages { parseNs &+= DispatchTime.now().uptimeNanoseconds &- p0 }
                    switch message {
                    case .success(let m):
                        feed.handle(m, receivedAt: receivedAt, into: &out)
                    case .failure:
                        // Counted as a message and a parse error, like the live client.
                        feed.handle(line, receivedAt: receivedAt, into: &out)
                    }
                    if firstProblems.count < 10 {
                        for o in out { if case .bookInvalid(let sym, let expected, let computed) = o { firstProblems.append("line \(lineNo): \(sym) checksum \(expected), computed \(computed)") } }
                        if case .failure(let e) = message { firstProblems.append("line \(lineNo): \(e)") }
                    }
                    out.removeAll(keepingCapacity: true)
                }
                start = end + 1
            }
        }
        let seconds = max(Double((wall.now - t0).components.attoseconds) / 1e18 + Double((wall.now - t0).components.seconds), 1e-9)
        let c = feed.counters
        let mb = Double(data.count) / 1e6
        var result: [String: Any] = [
            "messages": c.messages, "books": feed.books.count, "book_messages": c.bookMessages, "checksum_failures": c.checksumFailures,
            "parse_errors": c.parseErrors, "precision_violations": c.precisionViolations, "unknown_precision": c.unknownPrecision,
            "trades": c.trades, "trade_gaps": c.tradeGaps, "heartbeats": c.heartbeats, "error_responses": c.errorResponses,
            "msgs_per_second": Double(c.messages) / seconds, "mb_per_second": mb / seconds, "seconds": seconds,
            "first_problems": firstProblems,
        ] as [String: Any]
        if stages {
            result["stages"] = ["parse_s": Double(parseNs) / 1e9, "apply_s": Double(feed.applyNanoseconds) / 1e9, "checksum_s": Double(feed.checksumNanoseconds) / 1e9]
        }
        if json {
            let d = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: d, as: UTF8.self))
        } else {
            print("\(file): \(c.messages) messages (\(c.bookMessages) book, \(c.trades) trades, \(c.heartbeats) heartbeats), \(feed.books.count) books")
            print("checksum failures \(c.checksumFailures), parse errors \(c.parseErrors), precision violations \(c.precisionViolations)"
                  + (c.unknownPrecision > 0 ? ", \(c.unknownPrecision) book messages without a known precision (--precision)" : "")
                  + (c.tradeGaps > 0 ? ", trade gaps \(c.tradeGaps) (\(c.missingTrades) missing)" : ""))
            for p in firstProblems { print("  \(p)") }
            print(String(format: "%.0f msgs/s, %.1f MB/s", Double(c.messages) / seconds, mb / seconds)
                  + (stages ? String(format: "; parse %.3f s, apply %.3f s, checksum %.3f s",
                                     Double(parseNs) / 1e9, Double(feed.applyNanoseconds) / 1e9, Double(feed.checksumNanoseconds) / 1e9) : ""))
        }
        if c.checksumFailures > 0 || c.parseErrors > 0 || c.unknownPrecision > 0 {
            throw fail("\(file) did not verify: \(c.checksumFailures) checksum failures, \(c.parseErrors) parse errors, \(c.unknownPrecision) book messages without a known precision", code: 1)
        }
    }
}
