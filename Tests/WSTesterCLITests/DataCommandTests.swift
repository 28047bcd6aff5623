import Foundation
import Testing
import TradingCore

/// `ws-tester data …` end to end through the real binary: the import's 1h candles equal pandas' resample of the same
/// rows (Tests/HistoryTests/Fixtures/make_import_fixture.py wrote the expected files), the JSON shapes scripts rely
/// on, and clear errors (exit 1) for bad input.
@Suite(.serialized) struct DataCommandTests {
    static let fixtures = CommandLineTests.root + "/Tests/HistoryTests/Fixtures/"

    struct Run { var code: Int32; var out: String; var err: String }

    func data(_ args: [String], env: [String: String] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLineTests.binary)
        p.arguments = ["data"] + args
        var e = ProcessInfo.processInfo.environment
        e.removeValue(forKey: "DATABASE_URL")
        for (k, v) in env { e[k] = v }
        p.environment = e
        p.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), er = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: er, as: UTF8.self))
    }

    func tempDB() -> String {
        let d = NSTemporaryDirectory() + "ws-data-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return "sqlite://" + d + "/h.sqlite"
    }

    func json(_ s: String) throws -> [String: Any] { try JSONSerialization.jsonObject(with: Data(s.utf8)) as! [String: Any] }

    /// What the fixture generator computed independently (rows, rejections, gaps, complete hours).
    func expected(_ file: String) throws -> [String: Any] {
        let all = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "expected.json"))) as! [String: Any]
        return all[file] as! [String: Any]
    }

    /// A fresh database on the server scripts/test started (scripts/with_postgres.sh); its absence fails the test.
    func freshPostgres() throws -> String {
        let base = try #require(ProcessInfo.processInfo.environment["WSTEST_POSTGRES_URL"], "run through scripts/test: it starts a throwaway PostgreSQL")
        let name = "cli_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = [base, "-q", "-c", "CREATE DATABASE \(name)"]
        try p.run()
        p.waitUntilExit()
        return String(base[..<base.lastIndex(of: "/")!]) + "/" + name
    }

    @Test(arguments: ["sqlite", "postgres"]) func importedCandlesEqualPandasResample(_ kind: String) throws {
        let db = kind == "sqlite" ? tempDB() : try freshPostgres()
        let imp = try data(["import", Self.fixtures + "XBTUSD_1.csv", Self.fixtures + "XRPUSDT.csv", "--database-url", db])
        #expect(imp.code == 0, "\(imp.err)")
        #expect(imp.out.contains("XBTUSD_1.csv:") && imp.out.contains(": misaligned") && imp.out.contains("24000 rows kept, 14 rejected"))
        for (sym, file) in [("BTC/USD", "expected_1h_btc.csv"), ("XRP/USDT", "expected_1h_xrp.csv")] {
            let r = try data(["candles", sym, "--timeframe", "1h", "--from", "2024-01-01", "--to", "2024-02-01", "--include-incomplete", "--database-url", db])
            #expect(r.code == 0, "\(r.err)")
            let want = try String(contentsOfFile: Self.fixtures + file, encoding: .utf8)
            #expect(r.out == want, "\(sym)")
        }
        // Without --include-incomplete only hours whose every minute is proven: not the file's last (covered to 10:15),
        // nor one where a rejected row claims a trade.
        let complete = try data(["candles", "XRP/USDT", "--timeframe", "1h", "--from", "2024-01-01", "--to", "2024-02-01", "--database-url", db])
        #expect(complete.out.split(separator: "\n").count == 1 + (try expected("XRPUSDT.csv")["complete_hours"] as! Int))
        // A second import adds nothing.
        let again = try data(["import", Self.fixtures, "--database-url", db, "--json"])
        let aj = try json(again.out)
        #expect(again.code == 0 && aj["rows_kept"] as? Int == 0)
    }

    @Test func statsGapsAndSchemaJSON() throws {
        let db = tempDB()
        _ = try data(["import", Self.fixtures + "XBTUSD_1.csv", "--database-url", db])
        let s = try json(try data(["stats", "--json", "--database-url", db]).out)
        let btc = try #require((s["symbols"] as? [String: Any])?["BTC/USD"] as? [String: Any])
        #expect(btc["trades"] as? Int == 0 && btc["first"] as? String == "2024-01-01T00:00:00.000000Z")
        let candles = try #require(btc["candles"] as? [String: Int])
        #expect(candles["1m"] == 4000 && Set(candles.keys) == ["1m", "5m", "15m", "30m", "1h", "4h", "12h", "1d", "1w"])
        // 1m coverage: the minutes from the first to the last row, less the generator's internal gaps.
        let exp = try expected("XBTUSD_1.csv")
        let first = Timestamp(iso8601: "2024-01-01T00:00:00Z")!, last = Timestamp(iso8601: exp["last_row"] as! String)!
        let spanned = Double((last - first).nanoseconds / 60_000_000_000 + 1)
        let holes = (exp["internal_gaps"] as! [[String]]).reduce(0.0) { $0 + Double((Timestamp(iso8601: $1[1])! - Timestamp(iso8601: $1[0])!).nanoseconds / 60_000_000_000) }
        let cov = try #require(btc["coverage"] as? [String: Any])
        #expect(abs((cov["1m"] as? Double ?? -1) - (1 - holes / spanned)) < 0.0001)
        #expect(cov.count == 9 && (cov["1w"] as? Double ?? -1) >= 0)
        // The file covers its whole span (Kraken omits empty minutes): the only gap is the tail, up to now.
        let g = try json(try data(["gaps", "BTC/USD", "--json", "--database-url", db]).out)
        let gaps = try #require(g["gaps"] as? [[String: Any]])
        let e = try expected("XBTUSD_1.csv")
        let inner = (e["internal_gaps"] as! [[String]]).map { ["start": $0[0], "end": $0[1]] }
        #expect(gaps.count == inner.count + 1)
        for (g, w) in zip(gaps, inner) { #expect(g["start"] as? String == w["start"] && g["end"] as? String == w["end"]) }
        // Decision 34's shape: every gap names symbol, timeframe, start and end.
        #expect(gaps.allSatisfy { $0["symbol"] as? String == "BTC/USD" && $0["timeframe"] as? String == "1m" && $0["end"] is String })
        // The tail starts at the last stored minute (fetched again) and ends now.
        #expect(gaps.last?["start"] as? String == e["last_row"] as? String)
        let schema = try data(["schema", "--database-url", db])
        #expect(schema.out.contains("schema version: 1") && schema.out.contains("fill_journal") && schema.out.contains("candles_1w"))
    }

    @Test func pruneKeepsRollupsAndRefusesTheRunningWeek() throws {
        let db = tempDB()
        _ = try data(["import", Self.fixtures + "XBTUSD_1.csv", "--database-url", db])
        func counts() throws -> [String: Int] {
            let s = try json(try data(["stats", "--json", "--database-url", db]).out)
            return try #require(((s["symbols"] as? [String: Any])?["BTC/USD"] as? [String: Any])?["candles"] as? [String: Int])
        }
        let before = try counts()
        // A cut in the future would take the running week's 1m candles: refused, nothing deleted.
        let future = try data(["prune", "--before", "2100-01-01", "--database-url", db])
        #expect(future.code == 1 && future.err.contains("after the start of the current week") && future.err.contains("nothing was deleted"))
        #expect(try counts() == before)
        // 2024-01-09 moves back to Monday 2024-01-08: every 1m candle of the fixture (it ends 2024-01-04) goes, the rollups stay.
        let pruned = try data(["prune", "--before", "2024-01-09", "--database-url", db])
        #expect(pruned.code == 0 && pruned.out.contains("pruned before 2024-01-08T00:00:00.000000Z: 0 trades, 4000 1m candles; rollups kept"))
        let after = try counts()
        #expect(after["1m"] == 0 && after["1h"] == before["1h"] && after["1d"] == before["1d"] && (before["1h"] ?? 0) > 0)
    }

    @Test func tradeCoverageGaps() throws {
        // The trade file proves its span complete except the minutes its rejected rows claim (computed by the
        // fixture generator); the last minute is still open when the file ends, so the tail starts there.
        let db = tempDB()
        _ = try data(["import", Self.fixtures + "XRPUSDT.csv", "--database-url", db])
        let g = try json(try data(["gaps", "XRP/USDT", "--trades", "--json", "--database-url", db]).out)
        #expect(g["timeframe"] as? String == "trades")
        let gaps = try #require(g["gaps"] as? [[String: Any]])
        let e = try expected("XRPUSDT.csv")
        let want = (e["trade_gaps"] as! [[String]]) + [[e["last_minute"] as! String]]
        #expect(gaps.count == want.count)
        for (g, w) in zip(gaps, want) {
            #expect(g["data_type"] as? String == "trades" && g["timeframe"] as? String == "trades" && g["start"] as? String == w[0])
            if w.count == 2 { #expect(g["end"] as? String == w[1]) }
        }
    }

    @Test func badInputExitsOneWithAMessage() throws {
        let db = tempDB()
        for (args, message) in [
            (["schema", "--database-url", "mysql://x"], "bad database URL"),
            (["candles", "BTC/USD", "--timeframe", "2h", "--from", "2024-01-01", "--to", "2024-01-02", "--database-url", db], "--timeframe"),
            (["candles", "BTCUSD", "--from", "2024-01-01", "--to", "2024-01-02", "--database-url", db], "not a symbol"),
            (["candles", "BTC/USD", "--from", "yesterday", "--to", "2024-01-02", "--database-url", db], "--from"),
            (["import", "/nonexistent/file.csv", "--database-url", db], "no such file"),
            (["import", Self.fixtures, "--batch-size", "0", "--database-url", db], "--batch-size"),
        ] {
            let r = try data(args)
            #expect(r.code == 1 && r.err.contains(message), "\(args): \(r.code) \(r.err)")
        }
        // The password never reaches the output.
        let pg = try data(["schema"], env: ["DATABASE_URL": "mysql://user:secret@host/db"])
        #expect(pg.code == 1 && !pg.err.contains("secret"))
    }
}
