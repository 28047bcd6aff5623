import Foundation
import GRDB
import Testing
import TradingCore
@testable import History

/// A `kill -9` at seeded points during `ws-tester data import`, then a re-run, gives the same store as one clean
/// import, on both stores; SQLite's integrity check passes after the kill. (PostgreSQL rolls back the killed
/// client's transactions itself; what it kept must still be completed exactly by the re-run.)
@Suite(.serialized) struct KillDuringImportTests {
    static let root = "/" + String(#filePath).split(separator: "/").dropLast(3).joined(separator: "/")
    static var binary: String { root + "/.build/debug/ws-tester" }

    /// `rows` trades (200,000 is about two days), deterministic.
    static func tradeFile(_ dir: String, rows: Int) throws -> String {
        var g = SeededGenerator(seed: 99)
        var text = ""
        text.reserveCapacity(6_000_000)
        var t: Int64 = 1_704_067_200, p: Int64 = 61_500
        for _ in 0..<rows {
            t += [0, 0, 1, 2][Int.random(in: 0..<4, using: &g)]
            p = max(100, p + Int64.random(in: -20...20, using: &g))
            text += "\(t),0.\(String(p).count < 5 ? String(repeating: "0", count: 5 - String(p).count) + String(p) : String(p)),\(Int.random(in: 1...100_000, using: &g)).5\n"
        }
        let path = dir + "/XRPUSDT.csv"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `db`: an SQLite path or a postgres:// URL.
    func importProcess(_ file: String, _ db: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = ["data", "import", file, "--database-url", db.hasPrefix("postgres") ? db : "sqlite://" + db, "--batch-size", "2000"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.currentDirectoryURL = URL(fileURLWithPath: NSTemporaryDirectory())
        try p.run()
        return p
    }

    struct Snapshot: Equatable {
        var trades: [HistoricalTrade]
        var candles: [[HistoryCandle]]
        var coverage: [TimeSpan]
    }

    func snapshot(_ db: String) async throws -> Snapshot {
        let store: any HistoryStore = db.hasPrefix("postgres") ? try await PostgresHistoryStore(url: db, clock: { H.t("2030-01-01") })
            : try SQLiteHistoryStore(path: db, clock: { H.t("2030-01-01") })
        let all = TimeSpan(H.t("2020-01-01"), H.t("2030-01-01"))
        var candles: [[HistoryCandle]] = []
        for tf in Timeframe.allCases { candles.append(try await store.rollupCandles(tf, H.xrp, in: all, limit: nil, descending: false)) }
        let s = Snapshot(trades: try await store.trades(H.xrp, in: all, limit: nil), candles: candles,
                         coverage: try await store.coverage(H.xrp, dataType: "trades", overlapping: all))
        try await store.close()
        return s
    }

    func tradeCount(_ db: String) throws -> Int {
        if db.hasPrefix("postgres") {
            // Two statements: a subquery naming a table that does not exist fails when it is parsed, whatever the CASE
            // (a kill before the schema was made left no table).
            let exists = try PostgresStoreTests.psql(db, "SELECT to_regclass('trades') IS NOT NULL")
            guard exists.first == "t" else { return 0 }
            let n = try PostgresStoreTests.psql(db, "SELECT count(*) FROM trades")
            return Int(n.first ?? "0") ?? 0
        }
        return try DatabaseQueue(path: db).read { d in
            try Int.fetchOne(d, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'trades'") == 1 ? Int.fetchOne(d, sql: "SELECT count(*) FROM trades") ?? 0 : 0
        }
    }

    func integrity(_ db: String) throws -> String {
        try DatabaseQueue(path: db).read { try String.fetchOne($0, sql: "PRAGMA integrity_check") ?? "" }
    }

    func newStore(_ kind: StoreKind, _ dir: String, _ name: String) throws -> String {
        kind == .postgres ? try H.freshPostgresDatabase() : dir + "/\(name).sqlite"
    }

    @Test(arguments: StoreKind.allCases) func killedImportsCompleteToTheCleanResult(_ kind: StoreKind) async throws {
        let dir = H.tempDir()
        // Fewer rows for PostgreSQL: the debug client formats COPY text slowly, and 40 batches still give kill points.
        let rows = kind == .postgres ? 80_000 : 200_000
        let file = try Self.tradeFile(dir, rows: rows)
        let clean = try newStore(kind, dir, "clean")
        let t0 = Date()
        let c = try importProcess(file, clean)
        c.waitUntilExit()
        let took = Date().timeIntervalSince(t0)
        #expect(c.terminationStatus == 0)
        let want = try await snapshot(clean)
        #expect(want.trades.count == rows && want.candles[0].count > rows / 100)
        var g = SeededGenerator(seed: 7)
        var killedMidway = 0, partial = 0
        for k in 0..<3 {
            let db = try newStore(kind, dir, "killed-\(k)")
            let p = try importProcess(file, db)
            // Seeded points spread over the clean import's duration.
            let delay = UInt32(took * 1e6 * Double.random(in: 0.1...0.9, using: &g))
            usleep(delay)
            if p.isRunning { kill(p.processIdentifier, SIGKILL); killedMidway += 1 }
            p.waitUntilExit()
            if kind == .postgres || FileManager.default.fileExists(atPath: db) {
                if kind == .sqlite { #expect(try integrity(db) == "ok") }
                let n = try tradeCount(db)
                if n > 0, n < rows { partial += 1 }
            }
            let again = try importProcess(file, db)
            again.waitUntilExit()
            #expect(again.terminationStatus == 0)
            if kind == .sqlite { #expect(try integrity(db) == "ok") }
            #expect(try await snapshot(db) == want, "kill after \(delay) µs")
        }
        #expect(killedMidway > 0 && partial > 0)  // at least one kill landed while rows were being written
    }
}
