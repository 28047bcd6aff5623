import Foundation
import Testing
import TradingCore
@testable import History

/// What only the server store has: whole-partition retention and the TimescaleDB mode switch (history.md §6.2–6.3).
@Suite struct PostgresStoreTests {
    /// `psql -At` on the test server: one line per row.
    static func psql(_ url: String, _ sql: String) throws -> [String] {
        let p = Process(), out = Pipe()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        p.arguments = [url, "-At", "-c", sql]
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw HistoryError.storage("psql failed: \(sql)") }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func partitions(_ url: String, _ table: String) throws -> [String] {
        try psql(url, "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = '\(table)'::regclass ORDER BY 1")
    }

    @Test func pruneDropsWholePartitionsAndCountsTheRows() async throws {
        let url = try H.freshPostgresDatabase()
        let store = try await PostgresHistoryStore(url: url, clock: { H.t("2030-01-01") }, timescale: .auto)
        #expect(store.kind.contains("native range partitions"))
        // One trade at noon on each of 2024-01-01 … 2024-01-20, and ten minutes of candles on each of those days.
        let scale = try await store.fixScale(H.xrp, proposed: StorageScale(InstrumentRegistry()[H.xrp]!))
        var b = HistoryBatch(symbol: H.xrp)
        var candles: [HistoryCandle] = []
        for day in 1...20 {
            let noon = H.t(String(format: "2024-01-%02dT12:00:00Z", day))
            b.trades.append(micros: noon.nanoseconds / 1000, key: Int64(day), price: scale.storedPrice(H.p("2.5"))!, volume: scale.storedQuantity(H.q("10"))!)
            for m in 0..<10 {
                let s = noon + .minutes(Int64(m))
                candles.append(HistoryCandle(symbol: H.xrp, intervalMinutes: 1, start: s, open: H.p("2.5"), high: H.p("2.5"), low: H.p("2.5"),
                                             close: H.p("2.5"), volume: H.q("1"), tradeCount: 1, vwap: H.p("2.5"), isComplete: true, source: .trades))
            }
        }
        b.candles = candles
        b.invalidation = TimeSpan(H.t("2024-01-01"), H.t("2024-01-21"))
        _ = try await store.write(b)
        #expect(try Self.partitions(url, "trades").count == 21)   // 20 days + DEFAULT
        #expect(try Self.partitions(url, "candles") == ["candles_20240101", "candles_20240108", "candles_20240115", "candles_default"])

        // The cut goes back to Monday 2024-01-15: days 1–14 go, as whole partitions.
        let pruned = try await store.prune(before: H.t("2024-01-17T06:00:00Z"))
        #expect(pruned.trades == 14 && pruned.candles == 140)
        #expect(try Self.partitions(url, "candles") == ["candles_20240115", "candles_default"])
        #expect(try Self.partitions(url, "trades") == (15...20).map { "trades_202401\($0)" } + ["trades_default"])
        #expect(try Self.psql(url, "SELECT count(*) FROM trades") == ["6"])
        #expect(try Self.psql(url, "SELECT count(*) FROM candles") == ["60"])
        #expect(try await store.retainedFrom(H.xrp) == H.t("2024-01-15"))

        // A later prune never moves the retained start back; rows written again for a dropped day get a new partition,
        // not the DEFAULT one.
        _ = try await store.prune(before: H.t("2024-01-02"))
        #expect(try await store.retainedFrom(H.xrp) == H.t("2024-01-15"))
        var again = HistoryBatch(symbol: H.xrp)
        again.trades.append(micros: H.t("2024-01-03T09:00:00Z").nanoseconds / 1000, key: 99, price: scale.storedPrice(H.p("2.5"))!,
                            volume: scale.storedQuantity(H.q("1"))!)
        _ = try await store.write(again)
        #expect(try Self.psql(url, "SELECT count(*) FROM trades_20240103") == ["1"])
        #expect(try Self.psql(url, "SELECT count(*) FROM trades_default") == ["0"])
        try await store.close()
    }

    @Test func timescaleOnWithoutTheExtensionIsAClearError() async throws {
        let url = try H.freshPostgresDatabase()
        // This server is Debian's PostgreSQL 15, which has no timescaledb: `on` must refuse, `auto` and `off` use partitions.
        #expect(try Self.psql(url, "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'") == ["0"])
        await #expect(throws: HistoryError.self) { _ = try await PostgresHistoryStore(url: url, clock: { H.t("2030-01-01") }, timescale: .on) }
        do {
            _ = try await PostgresHistoryStore(url: url, clock: { H.t("2030-01-01") }, timescale: .on)
        } catch let e as HistoryError {
            #expect(e.description.contains("history.timescale is on, but this server has no timescaledb extension"))
        }
        let off = try await PostgresHistoryStore(url: url, clock: { H.t("2030-01-01") }, timescale: .off)
        #expect(off.kind.contains("native range partitions"))
        try await off.close()
    }
}
