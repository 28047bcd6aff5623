import Foundation
import TradingCore
@testable import History

/// Shared helpers: a fresh SQLite store in a temporary directory, times and decimals from text.
/// Every store scenario runs against both stores (issue 9).
enum StoreKind: String, CaseIterable, Sendable { case sqlite, postgres }

enum H {
    static func t(_ iso: String) -> Timestamp { Timestamp(iso8601: iso)! }
    static func p(_ s: String) -> Price { Price(s)! }
    static func q(_ s: String) -> Quantity { Quantity(s)! }
    static let xrp = Symbol("XRP/USDT")!
    static let btc = Symbol("BTC/USD")!

    static func tempDir() -> String {
        let d = NSTemporaryDirectory() + "ws-history-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    static func sqlite(now: Timestamp = t("2030-01-01")) throws -> SQLiteHistoryStore {
        try SQLiteHistoryStore(path: tempDir() + "/h.sqlite", clock: { now })
    }

    /// The server the test script started (scripts/with_postgres.sh); its absence is a failure, never a skip.
    static func postgresURL() throws -> String {
        guard let u = ProcessInfo.processInfo.environment["WSTEST_POSTGRES_URL"], !u.isEmpty else {
            throw HistoryError.storage("WSTEST_POSTGRES_URL is not set: run the tests through scripts/test, which starts a throwaway PostgreSQL")
        }
        return u
    }

    /// A fresh, empty database on that server (`psql`, which comes with the server package).
    static func freshPostgresDatabase() throws -> String {
        let base = try postgresURL()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = [base, "-q", "-c", "CREATE DATABASE \(name)"]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw HistoryError.storage("CREATE DATABASE failed") }
        return String(base[..<base.lastIndex(of: "/")!]) + "/" + name
    }

    static func store(_ kind: StoreKind, now: Timestamp = t("2030-01-01")) async throws -> any HistoryStore {
        switch kind {
        case .sqlite: return try sqlite(now: now)
        case .postgres: return try await PostgresHistoryStore(url: try freshPostgresDatabase(), clock: { now })
        }
    }

    /// A 1m candle from text values (ts, O, H, L, C, V, n, vwap).
    static func m1(_ s: Symbol, _ ts: String, _ o: String, _ h: String, _ l: String, _ c: String, _ v: String, _ n: Int, _ vwap: String?,
                   source: CandleSource = .trades) -> HistoryCandle {
        HistoryCandle(symbol: s, intervalMinutes: 1, start: t(ts), open: p(o), high: p(h), low: p(l), close: p(c), volume: q(v),
                      tradeCount: n, vwap: vwap.map(p), isComplete: true, source: source)
    }

    /// Writes base candles with their invalidation, as every writer does.
    static func write(_ store: any HistoryStore, _ s: Symbol, _ candles: [HistoryCandle], coverage: TimeSpan? = nil) async throws {
        _ = try await store.fixScale(s, proposed: StorageScale(InstrumentRegistry()[s]!))
        var b = HistoryBatch(symbol: s)
        b.candles = candles
        if let f = candles.map(\.start).min(), let l = candles.map(\.end).max() { b.invalidation = TimeSpan(f, l) }
        if let c = coverage { b.coverage = [CoverageRecord(dataType: "candles_1m", span: c, source: "test")] }
        _ = try await store.write(b)
    }
}
