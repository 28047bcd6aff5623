import Foundation
import Testing
import TradingCore

/// No input crashes the process (hardening issue, item 8): seeded hostile CSV files, recordings with extreme header
/// fields and event times, extreme flags and hostile YAML. The real binary must end by exit(0) or exit(1) with a
/// message on stderr every time, never by a signal.
@Suite(.serialized) struct HostileInputTests {
    static let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wst-hostile-\(getpid())").path

    struct Outcome { let code: Int32; let signaled: Bool; let stderr: String }

    func run(_ args: [String]) throws -> Outcome {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        p.arguments = args
        let err = Pipe(), out = Pipe()
        p.standardError = err
        p.standardOutput = out
        try p.run()
        // Drain both pipes so a chatty run never blocks on a full pipe.
        var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { _ = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Outcome(code: p.terminationStatus, signaled: p.terminationReason == .uncaughtSignal, stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Exit 3 is allowed only where engine §5.4 gives it: a strategy-set error.
    func expectClean(_ args: [String], _ what: String) throws {
        let o = try run(args)
        #expect(!o.signaled, "\(what): killed by signal \(o.code)")
        let allowed: Set<Int32> = args.contains("--strategies") ? [0, 1, 3] : [0, 1]
        #expect(allowed.contains(o.code), "\(what): exit \(o.code): \(o.stderr.prefix(300))")
        if o.code != 0 { #expect(o.stderr.lowercased().contains("error"), "\(what): exit \(o.code) without a message") }
    }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        try FileManager.default.createDirectory(atPath: Self.dir, withIntermediateDirectories: true)
        let path = Self.dir + "/" + name
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    @Test func hostileCSVFiles() throws {
        var rng = SplitMix64(seed: 20261201)
        func pick<T>(_ a: [T]) -> T { a[Int(rng.next() % UInt64(a.count))] }
        let stamps = ["1700000000", "1700000000000", "1700000000000000", "1700000000000000000", "1.7e9", "2023-11-14 22:13:20",
                      "2023-11-14T22:13:20Z", "1900-01-01", "9999-12-31T23:59:59Z", "2200-01-01", "-5", "1e19", "99999999999999999999999",
                      "nan", "", "2023-02-30", "\u{1}\u{2}", "9999999999", "9223372037", "7258118399", "7258118400"]
        let numbers = ["1", "2.5", "1e3", "2.5E-1", "nan", "inf", "-inf", "-1", "0", "1e30", "1e400", "0.0000000000000000001", "abc", "", "1,5"]
        for f in 0..<40 {
            var bytes: [UInt8] = f % 5 == 0 ? [0xEF, 0xBB, 0xBF] : []
            if f % 3 == 0 { bytes += Array("timestamp,open,high,low,close,volume\n".utf8) }
            var t: Int64 = 1_700_000_000
            for _ in 0..<Int(1 + rng.next() % 60) {
                switch rng.next() % 6 {
                case 0:
                    bytes += (0..<Int(rng.next() % 80)).map { _ in UInt8(truncatingIfNeeded: rng.next()) } + [10]
                case 1:
                    bytes += Array("\(pick(stamps)),\(pick(numbers)),\(pick(numbers)),\(pick(numbers)),\(pick(numbers)),\(pick(numbers))\n".utf8)
                case 2:
                    t += Int64(pick([-60, 0, 30, 60, 60, 60, 120, 3600]))
                    bytes += Array("\(t),10,11,9,10.5,1\(f % 2 == 0 ? "\r" : "")\n".utf8)
                default:
                    t += 60
                    bytes += Array("\(t),10,11,9,10.5,1\n".utf8)
                }
            }
            let path = try write("bars\(f).csv", bytes)
            let tf = f % 4 == 0 ? ["--timeframe", pick(["1m", "5m", "1h"])] : []
            try expectClean(["backtest", "--bars", path, "--symbol", "SYN/USD", "--strategy", "sma_cross", "--param", "fast=1",
                             "--param", "slow=2"] + tf, "csv \(f)")
            // The same file through `indicator`, with extreme parameters now and then.
            let name = pick(["sma", "macd", "adx", "choppiness", "bollinger", "correlation", "volume_spike", "ma_alignment"])
            let param = pick([[], ["--param", "period=100000"], ["--param", "period=2"], ["--param", "stddev=1e400"], ["--param", "fast=0"],
                              ["--param", "seeding=x"], ["--param", "period=-1"], ["--against", path]])
            try expectClean(["indicator", name, "--input", path] + tf + param, "indicator \(name) csv \(f)")
        }
    }

    /// A price jump of twenty orders of magnitude under a huge position: valued (saturated), never trapped.
    @Test func absurdJumpsAreSurvived() throws {
        var text = "timestamp,open,high,low,close,volume\n"
        let closes = ["0.00000001", "0.00000001", "0.00000002", "0.00000003", "999999999999", "999999999999", "0.00000001", "999999999999"]
        for (i, c) in closes.enumerated() { text += "\(1_700_000_040 + 60 * i),\(c),\(c),\(c),\(c),1\n" }
        let csv = try write("jump.csv", Array(text.utf8))
        try expectClean(["backtest", "--bars", csv, "--symbol", "SYN/USD", "--strategy", "sma_cross", "--param", "fast=1", "--param", "slow=2",
                         "--param", "quantity=1000000000000", "--capital", "100000"], "price jump")
        let yaml = try write("assets.yaml", Array("starting_assets: {XRP: 1000000000000}\n".utf8))
        try expectClean(["--simulated", "--symbols", "XRP/USDT", "--duration", "1", "--speed", "max", "--no-dashboard", "--config", yaml], "huge starting assets")
        for extreme in [["--capital=1e12"], ["--fee-rate=0.999999999999999999"], ["--slippage-rate", "1e-30"], ["--price-precision", "99"], ["--qty-precision=-1"],
                        ["--timeframe", "1y"], ["--symbols", "ZZZ/USD"], ["--maker-fee-rate=2"], ["--maker-fee-rate", "-0"], ["--latency-ms=-1"],
                        ["--param", "sma_cross.symbols.SYN/USD.quantity=1e30"]] {
            try expectClean(["backtest", "--bars", csv, "--symbol", "SYN/USD", "--strategy", "sma_cross"] + extreme, "backtest \(extreme)")
        }
    }

    @Test func recordingsWithExtremeFields() throws {
        let rec = Self.dir + "/base.jsonl"
        try FileManager.default.createDirectory(atPath: Self.dir, withIntermediateDirectories: true)
        let made = try run(["--simulated", "--symbols", "XRP/USDT", "--duration", "1", "--speed", "max", "--no-dashboard", "--log-level", "error",
                            "--record", rec, "--config", CommandLineTests.root + "/config.yaml"])
        try #require(made.code == 0)
        let lines = try String(contentsOfFile: rec, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        let extremes: [Any] = [0, -1, Int64.max, Int64.min, 1e300, -1e300, "abc", "1e400", NSNull(), [1, 2], ["a": 1], true, "", 18446744073709551615 as UInt64]
        var rng = SplitMix64(seed: 7)
        func mutate(_ obj: [String: Any], depth: Int) -> [String: Any] {
            var o = obj
            let keys = o.keys.sorted()
            guard !keys.isEmpty else { return o }
            let key = keys[Int(rng.next() % UInt64(keys.count))]
            if let sub = o[key] as? [String: Any], depth < 3, rng.next() % 2 == 0 { o[key] = mutate(sub, depth: depth + 1) }
            else { o[key] = extremes[Int(rng.next() % UInt64(extremes.count))] }
            return o
        }
        for i in 0..<40 {
            var h = header
            h["spec"] = mutate(header["spec"] as! [String: Any], depth: 0)
            if i == 0 { h["version"] = 99 }
            var body = lines.dropFirst().prefix(300).map { $0 }
            // Event times and fields at extremes, and noise lines.
            for _ in 0..<5 {
                let k = Int(rng.next() % UInt64(body.count))
                let v = ["-1", "9223372036854775807", "1e30", "\"x\"", "18446744073709551616", "0"][Int(rng.next() % 6)]
                body[k] = body[k].replacingOccurrences(of: #""t":\d+"#, with: "\"t\":\(v)", options: .regularExpression)
            }
            body.insert("{\"k\":\"trade\",\"s\":\"XRP/USDT\",\"t\":1736899200000000000,\"p\":\"1e999\",\"q\":\"-1\",\"side\":\"buy\",\"id\":-5}", at: 1)
            body.insert(String(repeating: "[", count: 5000), at: 2)
            body.insert("\u{0}\u{1}garbage", at: 3)
            // Sentiment events with every field out of range, and text that needs escaping.
            body.insert(["{\"k\":\"sentiment\",\"t\":1736899200000000000,\"upd\":-1,\"fg\":1e300,\"btcd\":\"nan\"}",
                         "{\"k\":\"sentiment\",\"t\":1736899200000000000,\"upd\":1736899200000000000,\"fg\":-5,\"fgc\":[1]}",
                         "{\"k\":\"sentiment\",\"t\":1736899200000000000,\"upd\":1736899200000000000,\"fg\":50,\"fgc\":\"\\\"\\u0000\",\"btcd\":\"101\"}"][i % 3], at: 4)
            // The live feed's events (format 4) with hostile values: unknown statuses, foreign pairs, absurd counts and
            // exchange times, and a book invalidation of a session pair (it then waits for a snapshot).
            body.insert(["{\"k\":\"feed\",\"t\":1736899200000000000,\"status\":\"maintenance\"}",
                         "{\"k\":\"feed\",\"t\":1736899200000000000,\"s\":\"DOGE/EUR\",\"status\":\"\\u0000\"}",
                         "{\"k\":\"book_invalid\",\"t\":1736899200000000000,\"s\":\"XRP/USDT\"}",
                         "{\"k\":\"trade_gap\",\"t\":1736899200000000000,\"s\":\"XRP/USDT\",\"missing\":18446744073709551615}",
                         "{\"k\":\"trade_gap\",\"t\":1736899200000000000,\"s\":\"XRP/USDT\",\"missing\":1e400}",
                         "{\"k\":\"trade\",\"s\":\"XRP/USDT\",\"t\":1736899200000000000,\"xt\":\"x\",\"p\":\"1\",\"q\":\"1\",\"side\":\"buy\"}"][i % 6], at: 5)
            let data = try JSONSerialization.data(withJSONObject: h, options: [.sortedKeys])
            let text = String(decoding: data, as: UTF8.self) + "\n" + body.joined(separator: "\n") + "\n"
            let path = try write("rec\(i).jsonl", Array(text.utf8))
            try expectClean(["backtest", "--events", path], "recording \(i)")
        }
        // A header that is not JSON, and an empty file.
        try expectClean(["backtest", "--events", try write("nohdr.jsonl", Array("not json\n".utf8))], "no header")
        try expectClean(["backtest", "--events", try write("empty.jsonl", [])], "empty recording")
    }

    @Test func extremeFlagsAndHostileYAML() throws {
        let base = ["--simulated", "--duration", "1", "--speed", "max", "--no-dashboard", "--log-level", "error"]
        let flags: [[String]] = [
            ["--duration", "99999999999999"], ["--duration=-1"], ["--interval", "0"], ["--interval", "99999999999"], ["--capital", "1e400"],
            ["--capital", "1000000000001"], ["--capital", "nan"], ["--seed=-1"], ["--seed", "18446744073709551616"], ["--speed", "0"],
            ["--speed", "inf"], ["--speed", "nan"], ["--param", "sma_cross.fast=999999999999999"], ["--param", "flow_momentum.cooldown_seconds=99999999999999"],
            ["--param", "flow_momentum.position_size_usd=1e308"], ["--param", "sma_cross.quantity=1e30"], ["--symbols", "XRP"],
            ["--symbols", "DOGE/USDT"], ["--symbols", ",,,"], ["--dashboard-port", "70000"], ["--log-level", "loud"], ["--strategies", "x"],
            ["--param", "sma_cross.timeframe=2m"], ["--param", "=1"], ["--param", "sma_cross."], ["--capital", "0.000000000000000000001"],
            // Orders issue: latency and per-pair parameters.
            ["--latency-ms", "-1"], ["--latency-ms", "99999999999999999999"], ["--latency-ms", "abc"], ["--latency-ms", "600000"],
            ["--param", "flow_momentum.symbols.XRP/USDT.entry_imbalance=1e400"], ["--param", "sma_cross.symbols.NOPE.fast=3"],
            ["--param", "sma_cross.symbols..fast=1"], ["--param", "sma_cross.symbols.XRP/USDT.timeframe=1m"], ["--param", "sma_cross.symbols.XRP/USDT."],
            ["--param", "sma_cross.symbols.XRP/USDT.fast=29", "--param", "sma_cross.symbols.XRP/USDT.slow=3"],
        ]
        for f in flags { try expectClean(base + f, f.joined(separator: " ")) }
        let yamls = [String(repeating: "[", count: 200_000), String(repeating: "a: {", count: 3000),
                     "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n",
                     "general:\n  duration_minutes: 1\n  duration_minutes: 2\n", "\u{0}\u{ff}\u{fe}", "execution: {fee_rate: 1e400}\n",
                     "general: {starting_capital: 99999999999999999999999999}\n", "simulation: {start_time: 9999-01-01}\n",
                     "starting_assets: {XRP: 1e20}\n", "instruments: {X/Y: {price_decimals: 18, lot_decimals: 18}}\n",
                     String(repeating: "x", count: 2_000_000),
                     "regime_detection: {thresholds: {bull: 9, strong_bull: -9}, weights: {adx: 1e400}}\n",
                     "regime_detection: {adjustments: {mean_reversion: {BULL: {position_size: 1e400, strategy_enabled: 2}}}}\n",
                     "regime_detection: {adjustments: {mean_reversion: {BULL: 1}}}\n",
                     "regime_detection: {adjustments: {\(String(repeating: "a", count: 5000)): {BULL: {cooldown: 1}}}}\n",
                     "regime_detection: {external: {timeout_s: -1, cache_ttl_s: 1e30, fear_greed_url: \"\\u0000\"}}\n",
                     "strategy_overrides: {sma_cross: {regime_router: [1, 2], regime_filter: maybe}}\n",
                     "execution: {fee_rate: 0.001, taker_fee_rate: 0.002}\n", "execution: {maker_fee_rate: -1, latency_ms: 1e9}\n",
                     "strategy_overrides: {sma_cross: {symbols: {XRP/USDT: [1, 2]}}}\n", "strategy_overrides: {sma_cross: {symbols: {\"\\u0000\": {fast: 1}}}}\n",
                     "strategy_overrides: {sma_cross: {symbols: {XRP/USDT: {fast: {a: 1}}}}}\n"]
        for (i, y) in yamls.enumerated() {
            let path = try write("cfg\(i).yaml", Array(y.utf8))
            try expectClean(base + ["--config", path], "yaml \(i)")
        }
    }

    /// `kraken verify` on hostile captures: seeded garbage, cut and bit-flipped fixture lines, a 5 MB line, deep
    /// nesting, extreme numbers, a depth-1000 snapshot, no newline at the end, CRLF, NULs, and bad flags.
    @Test func hostileKrakenCaptures() throws {
        let fixtures = CommandLineTests.root + "/Tests/KrakenWSTests/Fixtures/"
        let book = try String(contentsOfFile: fixtures + "book-btcusd.jsonl", encoding: .utf8)
        var rng = SplitMix64(seed: 99)
        var lines = book.split(separator: "\n").map(String.init)
        for _ in 0..<200 {
            var b = Array(lines[Int(rng.next() % UInt64(lines.count))].utf8)
            switch rng.next() % 3 {
            case 0: b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
            case 1: b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
            default: b = (0..<Int(rng.next() % 300)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            }
            lines.append(String(decoding: b, as: UTF8.self))
        }
        let deep = String(repeating: "[", count: 100_000)
        let huge = "{\"channel\":\"book\",\"type\":\"snapshot\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[" + String(repeating: "{\"price\":1.0,\"qty\":1.0},", count: 200_000) + "]}]}"
        let levels = (1...1000).map { "{\"price\":\($0).5,\"qty\":0.00000001}" }.joined(separator: ",")
        let wide = "{\"channel\":\"book\",\"type\":\"snapshot\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[\(levels)],\"asks\":[\(levels)],\"checksum\":1}]}"
        let numbers = "{\"channel\":\"book\",\"type\":\"update\",\"data\":[{\"symbol\":\"BTC/USD\",\"bids\":[{\"price\":1e400,\"qty\":-1e-400},{\"price\":99999999999999999999999,\"qty\":1}],\"asks\":[],\"checksum\":18446744073709551616}]}"
        let files: [[UInt8]] = [
            Array((lines + [deep, huge, wide, numbers]).joined(separator: "\n").utf8),
            Array(book.replacingOccurrences(of: "\n", with: "\r\n").utf8), Array(book.utf8.dropLast()), [], [0, 0, 0, 10, 0],
        ]
        for (i, f) in files.enumerated() {
            let path = try write("capture\(i).jsonl", f)
            try expectClean(["kraken", "verify", path], "capture \(i)")
            try expectClean(["kraken", "verify", path, "--json", "--depth", "1000"], "capture \(i) depth 1000")
        }
        let path = try write("capture-flags.jsonl", Array(book.utf8))
        for flags in [["--depth", "7"], ["--depth", "-1"], ["--precision", "BTC/USD=99,99"], ["--precision", "="], ["--precision", "X/Y=1,2,3"]] {
            try expectClean(["kraken", "verify", path] + flags, "verify \(flags)")
        }
    }

    /// Kraken CSV imports: mutated OHLCVT and trade rows, binary junk, absurd numbers and names, a fake ZIP.
    @Test func hostileHistoryImports() throws {
        let fixtures = CommandLineTests.root + "/Tests/HistoryTests/Fixtures/"
        var rng = SplitMix64(seed: 4242)
        let db = "sqlite://" + Self.dir + "/hostile-\(getpid()).sqlite"
        for name in ["XBTUSD_1.csv", "XRPUSDT.csv"] {
            let src = try String(contentsOfFile: fixtures + name, encoding: .utf8)
            var lines = Array(src.split(separator: "\n").prefix(3000).map { Array($0.utf8) })
            for _ in 0..<30 {
                let k = Int(rng.next() % UInt64(lines.count))
                var b = lines[k]
                switch rng.next() % 4 {
                case 0: b = Array(b.prefix(Int(rng.next() % UInt64(b.count))))
                case 1: b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
                case 2: b = Array("99999999999999999999999,1e400,-0,\u{0},nan,inf,\(Int64.max)".utf8)
                default: b = (0..<Int(rng.next() % 200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                }
                lines[k] = b
            }
            let path = try write(name, Array(lines.joined(separator: [10])))
            try expectClean(["data", "import", path, "--database-url", db, "--force"], "mutated \(name)")
        }
        for (name, bytes) in [("XRPUSDT_1.csv", [UInt8](repeating: 44, count: 100_000)), ("XBTUSD.csv", [0xEF, 0xBB, 0xBF, 10, 10, 13, 10]),
                              ("fake.zip", Array("PK\u{3}\u{4}not really".utf8)), ("XBTUSD_1.csv", Array("1,2,3,4,5,6,7,8,9,10,11\n".utf8))] {
            let path = try write(name, bytes)
            try expectClean(["data", "import", path, "--database-url", db], "hostile \(name)")
        }
        for args in [["data", "candles", "BTC/USD", "--from", "1900-01-01", "--to", "2199-12-31", "--timeframe", "1w"],
                     ["data", "gaps", "--timeframe", "1w"], ["data", "stats", "--json"], ["data", "prune", "--before", "1900-01-01"],
                     ["data", "rollups", "refresh", "BTC/USD", "--from", "1900-01-01"]] {
            try expectClean(args + ["--database-url", db], "\(args)")
        }
    }
}
