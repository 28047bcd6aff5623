import Foundation
import Testing
import TradingCore
import ZIPFoundation
@testable import History

/// The import against fixtures whose expected counts come from their generator (Fixtures/make_import_fixture.py).
@Suite struct KrakenCSVImporterTests {
    static let fixtures = "/" + String(#filePath).split(separator: "/").dropLast(1).joined(separator: "/") + "/Fixtures"
    nonisolated(unsafe) static let expected = try! JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: fixtures + "/expected.json"))) as! [String: [String: Any]]

    func importer(_ store: any HistoryStore, force: Bool = false, all: Bool = false, batch: Int = 10_000) -> KrakenCSVImporter {
        var o = KrakenCSVImporter.Options()
        o.force = force; o.all = all; o.batchSize = batch
        return KrakenCSVImporter(store: store, options: o, clock: { H.t("2030-01-01") })
    }

    func inputs(_ names: [String], dir: String = fixtures) throws -> [ImportInput] { try ImportInput.expand(names.map { dir + "/" + $0 }) }

    @Test(arguments: StoreKind.allCases) func countsMatchTheGenerator(_ kind: StoreKind) async throws {
        let store = try await H.store(kind)
        let r = try await importer(store, batch: 1000).run(try inputs(["XBTUSD_1.csv", "XRPUSDT.csv"]))
        for f in r.files {
            let name = (f.file as NSString).lastPathComponent
            let e = try #require(Self.expected[name])
            #expect(f.status == .imported, "\(name): \(f.status)")
            #expect(f.rowsRead == e["rows_read"] as? Int && f.rowsKept == e["rows_kept"] as? Int)
            let want = (e["rejected"] as! [String: Int])
            #expect(Dictionary(uniqueKeysWithValues: f.rejected.map { ($0.key.rawValue, $0.value) }) == want)
            #expect(f.problems.count == want.values.reduce(0, +) && f.problems.allSatisfy { $0.contains(name + ":") })
        }
        let trades = try await store.trades(H.xrp, in: TimeSpan(H.t("2024-01-01"), H.t("2024-02-01")), limit: nil)
        #expect(trades.count == 20_000 && trades.allSatisfy { $0.side == nil && $0.source == .csv && $0.tradeKey < 0 })
        // Keys ascend in file order within a timestamp.
        for (a, b) in zip(trades, trades.dropFirst()) where a.time == b.time { #expect(a.tradeKey < b.tradeKey) }
        // Re-import: skipped by SHA-256; forced: nothing added.
        let again = try await importer(store).run(try inputs(["XBTUSD_1.csv", "XRPUSDT.csv"]))
        #expect(again.files.allSatisfy { if case .skipped = $0.status { true } else { false } })
        let forced = try await importer(store, force: true).run(try inputs(["XRPUSDT.csv"]))
        #expect(forced.files[0].tradesInserted == 0 && forced.files[0].tradesDuplicate == 20_000)
        #expect(try await store.trades(H.xrp, in: TimeSpan(H.t("2024-01-01"), H.t("2024-02-01")), limit: nil) == trades)
    }

    @Test(arguments: StoreKind.allCases) func scenario17And18(_ kind: StoreKind) async throws {
        let dir = H.tempDir()
        try "1704067200,0.6150,0.6160,0.6140,0.6155,12345.6,42\n".write(toFile: dir + "/XRPUSDT_1.csv", atomically: true, encoding: .utf8)
        try "1704067200,42000.1,0.5\n1704067200,42000.2,0.1\n".write(toFile: dir + "/XBTUSDT.csv", atomically: true, encoding: .utf8)
        let store = try await H.store(kind)
        let r = try await importer(store).run(try ImportInput.expand([dir]))
        #expect(r.files.map(\.status) == [.imported, .imported])
        let c = try await store.baseCandles(H.xrp, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil, descending: false)
        #expect(c.count == 1)
        #expect(c[0].start == H.t("2024-01-01T00:00Z") && c[0].open == H.p("0.6150") && c[0].high == H.p("0.6160") && c[0].low == H.p("0.6140"))
        #expect(c[0].close == H.p("0.6155") && c[0].volume == H.q("12345.6") && c[0].tradeCount == 42 && c[0].vwap == nil && c[0].source == .csv)
        let t = try await store.trades(Symbol("BTC/USDT")!, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil)
        #expect(t.count == 2 && t.allSatisfy { $0.side == nil } && t.map(\.price) == [H.p("42000.1"), H.p("42000.2")])
        // Synthetic keys k − 2^32 (the deviation from §6.1's −k, so same-time rows keep their file order): literals here.
        #expect(t.map(\.tradeKey) == [-4_294_967_295, -4_294_967_294])
        let again = try await importer(store).run(try ImportInput.expand([dir]))
        #expect(again.files.allSatisfy { $0.status == .skipped("already imported (same SHA-256; --force imports again)") })
        #expect(try await store.trades(Symbol("BTC/USDT")!, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil).count == 2)
    }

    @Test(arguments: StoreKind.allCases) func namingRulesAndAll(_ kind: StoreKind) async throws {
        // Scenario 16 through the importer: a 60m file is skipped without --all and goes to candles_native with it.
        let dir = H.tempDir()
        let row = "1704067200,42000.0,42010.0,41990.0,42005.0,1.5,3\n"
        for n in ["XBTUSDT_60.csv", "XRPUSDT_1_old.csv", "DOGEUSDT_1.csv", "XRPUSDT_2.csv"] { try row.write(toFile: dir + "/" + n, atomically: true, encoding: .utf8) }
        let store = try await H.store(kind)
        let r = try await importer(store).run(try ImportInput.expand([dir]))
        #expect(r.files.count == 4 && r.files.allSatisfy { if case .skipped = $0.status { true } else { false } })
        let r2 = try await importer(store, all: true).run(try ImportInput.expand([dir + "/XBTUSDT_60.csv"]))
        #expect(r2.files[0].status == .imported)
        let native = try await store.nativeCandles(Symbol("BTC/USDT")!, interval: 60, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")))
        #expect(native.count == 1 && native[0].close == H.p("42005"))
        #expect(try await store.baseCandles(Symbol("BTC/USDT")!, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil, descending: false).isEmpty)
        #expect(try await store.rollupCandles(.h1, Symbol("BTC/USDT")!, in: TimeSpan(H.t("2024-01-01"), H.t("2024-01-02")), limit: nil, descending: false).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func badFilesFailClearlyAndChangeNothing(_ kind: StoreKind) async throws {
        let dir = H.tempDir()
        try "1704067200,1,2,3,4\n".write(toFile: dir + "/XRPUSDT.csv", atomically: true, encoding: .utf8)           // 5 columns
        try "1704067200,0.5,0.1\n".write(toFile: dir + "/XBTUSD_1.csv", atomically: true, encoding: .utf8)          // trades in an OHLCVT name
        var many = ""
        for i in 0..<200 { many += i % 10 >= 4 ? "x,y,z\n" : "\(1704067200 + i),0.5,1\n" }                           // 60 % bad
        try many.write(toFile: dir + "/XRPUSD.csv", atomically: true, encoding: .utf8)
        // Decision 28: 10 % bad rows are rejected one by one, the file is imported.
        var some = ""
        for i in 0..<200 { some += i % 10 == 5 ? "x,y,z\n" : "\(1704067200 + i),0.00005,1\n" }
        try some.write(toFile: dir + "/ETHBTC.csv", atomically: true, encoding: .utf8)
        try Data([0xFF, 0xFE, 0x00, 0x01, 0x0A, 0x2C, 0x2C]).write(to: URL(fileURLWithPath: dir + "/ETHUSD.csv"))   // binary junk
        try "timestamp,price,volume\n1704067200,2000.5,1\n".write(toFile: dir + "/ETHUSDT.csv", atomically: true, encoding: .utf8)  // a header is skipped
        // Over 3 MiB with 60 % bad rows: aborted mid-stream while the reader still holds chunks (must not crash).
        var big = ""
        for i in 0..<160_000 { big += i % 5 < 3 ? "bad,row,here\n" : "\(1704067200 + i),2000.5,1.25\n" }
        try big.write(toFile: dir + "/ETHUSD.csv.big.csv", atomically: true, encoding: .utf8)
        try big.write(toFile: dir + "/SOLUSD.csv", atomically: true, encoding: .utf8)
        // Absurd magnitudes: refused as too large, nothing overflows.
        try ("\u{FEFF}1704067200,1000000000000,10000000000\n1704067260,1000000000,1000000000000\n1704067320,999999999,999999999999\n"
             + "1704067321,999999999,999999999999\n").write(toFile: dir + "/SOLUSDT.csv", atomically: true, encoding: .utf8)
        let store = try await H.store(kind)
        let r = try await importer(store).run(try ImportInput.expand([dir]))
        let byName = Dictionary(uniqueKeysWithValues: r.files.map { (($0.file as NSString).lastPathComponent, $0) })
        guard case .failed(let a) = byName["XRPUSDT.csv"]!.status, case .failed(let b) = byName["XBTUSD_1.csv"]!.status,
              case .failed(let c) = byName["XRPUSD.csv"]!.status, case .failed = byName["ETHUSD.csv"]!.status else {
            Issue.record("expected failures: \(r.files.map(\.status))"); return
        }
        #expect(a.contains("5 columns") && b.contains("name says") && c.contains("120 of 200 rows rejected (over 50 %)"))
        let ethbtc = byName["ETHBTC.csv"]!
        #expect(ethbtc.status == .imported && ethbtc.rowsKept == 180 && ethbtc.rejectedTotal == 20)
        #expect(byName["ETHUSDT.csv"]!.status == .imported && byName["ETHUSDT.csv"]!.rowsKept == 1)
        guard case .failed(let big) = byName["SOLUSD.csv"]!.status else { Issue.record("SOLUSD.csv: \(byName["SOLUSD.csv"]!.status)"); return }
        #expect(big.contains("over 50 %"))
        // A price over 1e9, then minutes whose quote volume would pass 1e15: all refused. The BOM is not a row.
        let sol = byName["SOLUSDT.csv"]!
        #expect(sol.rowsRead == 4 && sol.rejected == [.tooLarge: 4] && sol.status != .imported)
        #expect(try await store.trades(Symbol("XRP/USD")!, in: TimeSpan(H.t("2020-01-01"), H.t("2030-01-01")), limit: nil).isEmpty)
    }

    @Test(arguments: StoreKind.allCases) func scalesTooFineForExactSumsAreRefusedNotTrappedOn(_ kind: StoreKind) async throws {
        // price_decimals 10 + lot_decimals 13: a week of quote volume would not fit 128 bits. Refused with the reason;
        // and at the widest accepted scale, maximum-size rows are refused one by one (no arithmetic traps).
        let dir = H.tempDir()
        var rows = ""
        for i in 0..<5 { rows += "\(1704067200 + i),92233720.3685477580,92233.7203685477580\n" }
        try rows.write(toFile: dir + "/XRPUSD.csv", atomically: true, encoding: .utf8)
        try rows.write(toFile: dir + "/SOLUSD.csv", atomically: true, encoding: .utf8)
        let store = try await H.store(kind)
        var o = KrakenCSVImporter.Options()
        var reg = InstrumentRegistry()
        reg.set(Instrument(symbol: Symbol("XRP/USD")!, priceDecimals: 10, lotDecimals: 13))
        reg.set(Instrument(symbol: Symbol("SOL/USD")!, priceDecimals: 10, lotDecimals: 10))
        o.instruments = reg
        let r = try await KrakenCSVImporter(store: store, options: o, clock: { H.t("2030-01-01") }).run(try ImportInput.expand([dir]))
        let byName = Dictionary(uniqueKeysWithValues: r.files.map { (($0.file as NSString).lastPathComponent, $0) })
        guard case .failed(let why) = byName["XRPUSD.csv"]!.status else { Issue.record("\(byName["XRPUSD.csv"]!.status)"); return }
        #expect(why.contains("exceed 20"))
        let sol = byName["SOLUSD.csv"]!
        #expect(sol.rowsRead == 5 && sol.rowsKept + sol.rejectedTotal == 5)
    }

    @Test(arguments: StoreKind.allCases) func zipArchivesReadAsStreams(_ kind: StoreKind) async throws {
        let dir = H.tempDir()
        let zip = URL(fileURLWithPath: dir + "/kraken.zip")
        let archive = try Archive(url: zip, accessMode: .create)
        try archive.addEntry(with: "Kraken_Trading_History/XRPUSDT.csv", fileURL: URL(fileURLWithPath: Self.fixtures + "/XRPUSDT.csv"), compressionMethod: .deflate)
        try archive.addEntry(with: "Kraken_OHLCVT/XBTUSD_1.csv", fileURL: URL(fileURLWithPath: Self.fixtures + "/XBTUSD_1.csv"), compressionMethod: .deflate)
        let zipped = try await H.store(kind)
        let plain = try await H.store(kind)
        let rz = try await importer(zipped).run(try ImportInput.expand([zip.path]))
        let rp = try await importer(plain).run(try inputs(["XBTUSD_1.csv", "XRPUSDT.csv"]))
        #expect(rz.files.map(\.rowsKept) == rp.files.map(\.rowsKept) && rz.rowsKept == 24_000)
        let span = TimeSpan(H.t("2023-01-01"), H.t("2025-01-01"))
        for s in [H.xrp, H.btc] {
            #expect(try await zipped.baseCandles(s, in: span, limit: nil, descending: false) == plain.baseCandles(s, in: span, limit: nil, descending: false))
            #expect(try await zipped.rollupCandles(.h1, s, in: span, limit: nil, descending: false) == plain.rollupCandles(.h1, s, in: span, limit: nil, descending: false))
        }
    }
}
