import Foundation
import GRDB
import GRDBSQLite
import TradingCore

/// The embedded default store (history.md §6.4): one SQLite file through GRDB, WAL mode, `synchronous=NORMAL`,
/// `busy_timeout` 5 s, created with its schema on first use. One writer (GRDB serialises writes); readers run
/// concurrently from the pool. Hot paths (bulk trade inserts, candle reads) step SQLite's statements directly so a
/// row costs a few C calls and no allocation.
public final class SQLiteHistoryStore: HistoryStore {
    public let path: String
    let pool: DatabasePool
    let clock: @Sendable () -> Timestamp

    public var kind: String { "sqlite (\(path))" }
    public var maxBatchesInFlight: Int { 1 }

    /// Opens (creating directories, file and schema as needed). `clock` stamps bookkeeping columns only.
    public init(path: String, clock: @escaping @Sendable () -> Timestamp) throws {
        self.path = path
        self.clock = clock
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        var config = Configuration()
        config.busyMode = .timeout(5)
        config.prepareDatabase { db in
            // 16 KiB pages (effective when the file is created) and a 64 MiB cache: fewer page splits on bulk import.
            try db.execute(sql: "PRAGMA page_size = 16384")
            // No auto_vacuum: it cost 10 % of the bulk import (measured); pages a prune frees are reused, and
            // `VACUUM` shrinks the file when wanted.
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try SQLiteHistoryStore.migrate(pool, now: clock())
        } catch let e as DatabaseError {
            throw HistoryError.storage("\(path): \(e.message ?? e.description)")
        }
    }

    static let migrations: [(Int, [String])] = [(1, HistorySchema.sqliteV1())]

    static func migrate(_ pool: DatabasePool, now: Timestamp) throws {
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.exclusive) {
                try db.execute(sql: "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)")
                let applied = Set(try Int.fetchAll(db, sql: "SELECT version FROM schema_migrations"))
                for (v, statements) in migrations where !applied.contains(v) {
                    for s in statements { try db.execute(sql: s) }
                    try db.execute(sql: "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", arguments: [v, now.nanoseconds / 1000])
                }
                return .commit
            }
        }
    }

    func guarded<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError {
            throw HistoryError.storage(e.message ?? e.description)
        }
    }

    public func schemaVersion() async throws -> Int {
        try guarded { try pool.read { db in try Int.fetchOne(db, sql: "SELECT max(version) FROM schema_migrations") ?? 0 } }
    }

    public func tableNames() async throws -> [String] {
        try guarded { try pool.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") } }
    }

    public func fixScale(_ symbol: Symbol, proposed: StorageScale) async throws -> StorageScale {
        let now = clock().nanoseconds / 1000
        return try guarded {
            try pool.write { db in
                if let row = try Row.fetchOne(db, sql: "SELECT price_decimals, quantity_decimals FROM symbols WHERE symbol = ?", arguments: [symbol.text]) {
                    let stored = StorageScale(priceDecimals: row[0], quantityDecimals: row[1])
                    guard stored == proposed else { throw HistoryError.scaleMismatch(symbol, stored: stored, asked: proposed) }
                    return stored
                }
                try db.execute(sql: "INSERT INTO symbols (symbol, price_decimals, quantity_decimals, first_write_at) VALUES (?, ?, ?, ?)",
                               arguments: [symbol.text, proposed.priceDecimals, proposed.quantityDecimals, now])
                return proposed
            }
        }
    }

    public func scale(of symbol: Symbol) async throws -> StorageScale? {
        try guarded {
            try pool.read { db in
                try Row.fetchOne(db, sql: "SELECT price_decimals, quantity_decimals FROM symbols WHERE symbol = ?", arguments: [symbol.text])
                    .map { StorageScale(priceDecimals: $0[0], quantityDecimals: $0[1]) }
            }
        }
    }

    public func symbols() async throws -> [Symbol] {
        try guarded { try pool.read { db in try String.fetchAll(db, sql: "SELECT symbol FROM symbols ORDER BY symbol").compactMap { Symbol($0) } } }
    }

    public func importLogged(sha256: String) async throws -> Bool {
        try guarded { try pool.read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM import_log WHERE sha256 = ?", arguments: [sha256]) ?? false } }
    }

    // MARK: writing

    public func write(_ batch: HistoryBatch) async throws -> WriteOutcome {
        let now = clock().nanoseconds / 1000
        return try guarded {
            try pool.write { db in
                guard let scale = try Row.fetchOne(db, sql: "SELECT price_decimals, quantity_decimals FROM symbols WHERE symbol = ?", arguments: [batch.symbol.text])
                    .map({ StorageScale(priceDecimals: $0[0], quantityDecimals: $0[1]) }) else {
                    throw HistoryError.unknownPrecision(batch.symbol)
                }
                var out = WriteOutcome()
                if !batch.trades.isEmpty {
                    out.tradesInserted = try insertTrades(db, batch.symbol, batch.trades)
                    out.tradesDuplicate = batch.trades.count - out.tradesInserted
                    try SQLiteHistoryStore.status(db, batch.symbol, "trades", Timestamp(nanoseconds: batch.trades.micros.min()! * 1000),
                                                  Timestamp(nanoseconds: batch.trades.micros.max()! * 1000), added: out.tradesInserted, now: now)
                }
                if !batch.candles.isEmpty {
                    try upsertCandles(db, "candles", batch.candles, scale, native: false)
                    out.candlesWritten += batch.candles.count
                    try SQLiteHistoryStore.status(db, batch.symbol, "candles_1m", batch.candles.map(\.start).min()!, batch.candles.map(\.start).max()!,
                                                  added: 0, now: now)
                }
                if !batch.nativeCandles.isEmpty {
                    try upsertCandles(db, "candles_native", batch.nativeCandles, scale, native: true)
                    out.candlesWritten += batch.nativeCandles.count
                }
                for c in batch.coverage { try addCoverage(db, batch.symbol, c, now: now) }
                if let inv = batch.invalidation {
                    try db.execute(sql: "INSERT INTO rollup_invalidation (rollup, symbol, range_start, range_end) VALUES ('all', ?, ?, ?)",
                                   arguments: [batch.symbol.text, inv.start.nanoseconds / 1000, inv.end.nanoseconds / 1000])
                }
                if let l = batch.importLog {
                    try db.execute(sql: """
                        INSERT OR REPLACE INTO import_log (sha256, file_name, kind, symbol, interval_minutes, rows, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [l.sha256, l.fileName, l.kind, l.symbol.text, l.intervalMinutes, l.rows, now])
                }
                return out
            }
        }
    }

    static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Rows per INSERT statement: one statement of 100 rows costs SQLite's VDBE far less than 100 statements (the
    /// import measured 2x faster).
    static let rowsPerInsert = 100

    static func tradeInsertSQL(_ rows: Int) -> String {
        "INSERT OR IGNORE INTO trades (symbol, ts, trade_key, price, volume, side, order_type, source) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ", ")
    }
    static let insertMany = tradeInsertSQL(rowsPerInsert)
    static let insertOne = tradeInsertSQL(1)

    /// INSERT OR IGNORE: a stored (symbol, ts, key) is a duplicate, counted by the caller.
    func insertTrades(_ db: Database, _ symbol: Symbol, _ rows: TradeRows) throws -> Int {
        let before = db.totalChangesCount
        // Texts bound without copying must outlive the statement's steps: one buffer for the whole batch.
        var symbolBytes = Array(symbol.text.utf8)
        var sourceBytes = Array(rows.source.rawValue.utf8)
        try symbolBytes.withUnsafeMutableBufferPointer { sym in
            try sourceBytes.withUnsafeMutableBufferPointer { src in
                let symPtr = UnsafeRawPointer(sym.baseAddress!).assumingMemoryBound(to: CChar.self)
                let srcPtr = UnsafeRawPointer(src.baseAddress!).assumingMemoryBound(to: CChar.self)
                var i = 0
                while i < rows.count {
                    let n = rows.count - i >= Self.rowsPerInsert ? Self.rowsPerInsert : 1
                    let s = try db.cachedStatement(sql: n == 1 ? Self.insertOne : Self.insertMany).sqliteStatement
                    for k in 0..<n {
                        let r = i + k, o = Int32(k * 8)
                        sqlite3_bind_text(s, o + 1, symPtr, Int32(sym.count), nil)
                        sqlite3_bind_int64(s, o + 2, rows.micros[r])
                        sqlite3_bind_int64(s, o + 3, rows.keys[r])
                        sqlite3_bind_int64(s, o + 4, rows.prices[r])
                        sqlite3_bind_int64(s, o + 5, rows.volumes[r])
                        switch rows.sides[r] {
                        case 1: sqlite3_bind_text(s, o + 6, "buy", 3, Self.transient)
                        case 2: sqlite3_bind_text(s, o + 6, "sell", 4, Self.transient)
                        default: sqlite3_bind_null(s, o + 6)
                        }
                        switch rows.orderTypes[r] {
                        case 1: sqlite3_bind_text(s, o + 7, "market", 6, Self.transient)
                        case 2: sqlite3_bind_text(s, o + 7, "limit", 5, Self.transient)
                        default: sqlite3_bind_null(s, o + 7)
                        }
                        sqlite3_bind_text(s, o + 8, srcPtr, Int32(src.count), nil)
                    }
                    let rc = sqlite3_step(s)
                    sqlite3_reset(s)
                    guard rc == SQLITE_DONE else { throw HistoryError.storage("trade insert: " + String(cString: sqlite3_errmsg(db.sqliteConnection))) }
                    i += n
                }
            }
        }
        return db.totalChangesCount - before
    }

    func upsertCandles(_ db: Database, _ table: String, _ candles: [HistoryCandle], _ scale: StorageScale, native: Bool) throws {
        let stmt = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO \(table) (symbol, interval_minutes, ts, open, high, low, close, volume, quote_volume, trade_count, vwap, is_complete, source)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let b = RawRow(stmt.sqliteStatement, db)
        for c in candles {
            guard let o = scale.storedPrice(c.open), let h = scale.storedPrice(c.high), let l = scale.storedPrice(c.low),
                  let cl = scale.storedPrice(c.close), let v = scale.storedQuantity(c.volume) else {
                throw HistoryError.storage("candle \(c.symbol) \(c.start.iso8601) is finer than the stored scale \(scale)")
            }
            b.text(1, c.symbol.text); b.int(2, Int64(c.intervalMinutes)); b.int(3, c.start.nanoseconds / 1000)
            b.int(4, o); b.int(5, h); b.int(6, l); b.int(7, cl); b.int(8, v); b.text(9, c.quoteVolume?.description)
            b.int(10, Int64(c.tradeCount)); b.text(11, c.vwap?.description); b.int(12, c.isComplete ? 1 : 0); b.text(13, (c.source ?? .csv).rawValue)
            try b.step()
        }
    }

    /// Null-safe monotonic status (§4.4, §6.4: `coalesce`-wrapped min/max, so a NULL never wins or erases).
    static func status(_ db: Database, _ symbol: Symbol, _ type: String, _ oldest: Timestamp, _ newest: Timestamp, added: Int, now: Int64) throws {
        try db.execute(sql: """
            INSERT INTO data_sync_status (symbol, data_type, oldest_timestamp, newest_timestamp, last_sync_at, total_records)
            VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (symbol, data_type) DO UPDATE SET
              oldest_timestamp = min(coalesce(oldest_timestamp, excluded.oldest_timestamp), coalesce(excluded.oldest_timestamp, oldest_timestamp)),
              newest_timestamp = max(coalesce(newest_timestamp, excluded.newest_timestamp), coalesce(excluded.newest_timestamp, newest_timestamp)),
              last_sync_at = excluded.last_sync_at, total_records = total_records + excluded.total_records
            """, arguments: [symbol.text, type, oldest.nanoseconds / 1000, newest.nanoseconds / 1000, now, added])
    }

    /// Coverage is kept merged per (symbol, type): the new span absorbs every stored span it touches.
    func addCoverage(_ db: Database, _ symbol: Symbol, _ c: CoverageRecord, now: Int64) throws {
        var s = c.span.start.nanoseconds / 1000, e = c.span.end.nanoseconds / 1000
        guard e > s else { return }
        let touching = try Row.fetchAll(db, sql: """
            SELECT range_start, range_end, source FROM data_coverage WHERE symbol = ? AND data_type = ? AND range_start <= ? AND range_end >= ?
            """, arguments: [symbol.text, c.dataType, e, s])
        var source = c.source
        for r in touching {
            s = min(s, r[0]); e = max(e, r[1])
            if (r[2] as String) != source { source = "mixed" }
        }
        try db.execute(sql: "DELETE FROM data_coverage WHERE symbol = ? AND data_type = ? AND range_start <= ? AND range_end >= ?",
                       arguments: [symbol.text, c.dataType, c.span.end.nanoseconds / 1000, c.span.start.nanoseconds / 1000])
        try db.execute(sql: "INSERT INTO data_coverage (symbol, data_type, range_start, range_end, source, verified_at) VALUES (?, ?, ?, ?, ?, ?)",
                       arguments: [symbol.text, c.dataType, s, e, source, now])
    }

    // MARK: reading

    static func ts(_ micros: Int64) -> Timestamp { Timestamp(nanoseconds: micros * 1000) }
    static func us(_ t: Timestamp) -> Int64 {
        // Floor to the stored microsecond, so a query bound never excludes a row it should hold.
        let q = t.nanoseconds / 1000
        return t.nanoseconds % 1000 < 0 ? q - 1 : q
    }

    func scaleOrThrow(_ db: Database, _ symbol: Symbol) throws -> StorageScale? {
        try Row.fetchOne(db, sql: "SELECT price_decimals, quantity_decimals FROM symbols WHERE symbol = ?", arguments: [symbol.text])
            .map { StorageScale(priceDecimals: $0[0], quantityDecimals: $0[1]) }
    }

    static func text(_ s: SQLiteStatement, _ i: Int32) -> String? {
        guard sqlite3_column_type(s, i) != SQLITE_NULL, let p = sqlite3_column_text(s, i) else { return nil }
        return String(cString: p)
    }

    static func decimal<U>(_ s: SQLiteStatement, _ i: Int32) -> FixedPoint<U>? {
        guard sqlite3_column_type(s, i) != SQLITE_NULL, let p = sqlite3_column_text(s, i) else { return nil }
        let n = Int(sqlite3_column_bytes(s, i))
        return p.withMemoryRebound(to: UInt8.self, capacity: n) { FixedPoint<U>(utf8: UnsafeBufferPointer(start: $0, count: n)) }
    }

    func step(_ db: Database, _ stmt: Statement, _ row: (SQLiteStatement) throws -> Void) throws {
        let s = stmt.sqliteStatement
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw HistoryError.storage(String(cString: sqlite3_errmsg(db.sqliteConnection))) }
            try row(s)
        }
    }

    public func trades(_ symbol: Symbol, in span: TimeSpan, limit: Int?) async throws -> [HistoricalTrade] {
        try guarded {
            try pool.read { db in
                guard let scale = try scaleOrThrow(db, symbol) else { return [] }
                let stmt = try db.makeStatement(sql: """
                    SELECT ts, trade_key, price, volume, side, order_type, misc, source FROM trades WHERE symbol = ? AND ts >= ? AND ts < ?
                    ORDER BY ts, trade_key LIMIT ?
                    """)
                try stmt.setArguments([symbol.text, Self.us(span.start), Self.us(span.end), limit ?? -1])
                var out: [HistoricalTrade] = []
                try step(db, stmt) { s in
                    out.append(HistoricalTrade(symbol: symbol, time: Self.ts(sqlite3_column_int64(s, 0)), tradeKey: sqlite3_column_int64(s, 1),
                                               price: scale.price(sqlite3_column_int64(s, 2)), volume: scale.quantity(sqlite3_column_int64(s, 3)),
                                               side: Self.text(s, 4).flatMap(TakerSide.init(rawValue:)),
                                               orderType: Self.text(s, 5).flatMap(TakerOrderType.init(rawValue:)),
                                               misc: Self.text(s, 6) ?? "", source: Self.text(s, 7).flatMap(TradeSource.init(rawValue:)) ?? .csv))
                }
                return out
            }
        }
    }

    func readCandles(_ db: Database, table: String, _ symbol: Symbol, interval: Int, rollup: Bool, where clause: String,
                     _ args: StatementArguments, order: String, limit: Int?) throws -> [HistoryCandle] {
        guard let scale = try scaleOrThrow(db, symbol) else { return [] }
        let extra = rollup ? "source_rows" : "source"
        let stmt = try db.makeStatement(sql: """
            SELECT ts, open, high, low, close, volume, quote_volume, trade_count, vwap, is_complete, \(extra) FROM \(table)
            WHERE \(clause) ORDER BY ts \(order) LIMIT \(limit ?? -1)
            """)
        try stmt.setArguments(args)
        var out: [HistoryCandle] = []
        try step(db, stmt) { s in
            let volume: Quantity = rollup ? (Self.decimal(s, 5) ?? .zero) : scale.quantity(sqlite3_column_int64(s, 5))
            out.append(HistoryCandle(
                symbol: symbol, intervalMinutes: interval, start: Self.ts(sqlite3_column_int64(s, 0)),
                open: scale.price(sqlite3_column_int64(s, 1)), high: scale.price(sqlite3_column_int64(s, 2)),
                low: scale.price(sqlite3_column_int64(s, 3)), close: scale.price(sqlite3_column_int64(s, 4)), volume: volume,
                quoteVolume: Self.decimal(s, 6), tradeCount: Int(sqlite3_column_int64(s, 7)), vwap: Self.decimal(s, 8),
                isComplete: sqlite3_column_int64(s, 9) != 0,
                source: rollup ? nil : Self.text(s, 10).flatMap(CandleSource.init(rawValue:)),
                sourceRows: rollup ? Int(sqlite3_column_int64(s, 10)) : nil))
        }
        return order == "DESC" ? out.reversed() : out
    }

    public func baseCandles(_ symbol: Symbol, in span: TimeSpan, limit: Int?, descending: Bool) async throws -> [HistoryCandle] {
        try guarded {
            try pool.read { db in
                try readCandles(db, table: "candles", symbol, interval: 1, rollup: false, where: "symbol = ? AND interval_minutes = 1 AND ts >= ? AND ts < ?",
                                [symbol.text, Self.us(span.start), Self.us(span.end)], order: descending ? "DESC" : "ASC", limit: limit)
            }
        }
    }

    public func rollupCandles(_ tf: Timeframe, _ symbol: Symbol, in span: TimeSpan, limit: Int?, descending: Bool) async throws -> [HistoryCandle] {
        if tf == .m1 { return try await baseCandles(symbol, in: span, limit: limit, descending: descending) }
        return try guarded {
            try pool.read { db in
                try readCandles(db, table: HistorySchema.table(tf), symbol, interval: tf.minutes, rollup: true, where: "symbol = ? AND ts >= ? AND ts < ?",
                                [symbol.text, Self.us(span.start), Self.us(span.end)], order: descending ? "DESC" : "ASC", limit: limit)
            }
        }
    }

    public func nativeCandles(_ symbol: Symbol, interval: Int, in span: TimeSpan) async throws -> [HistoryCandle] {
        try guarded {
            try pool.read { db in
                try readCandles(db, table: "candles_native", symbol, interval: interval, rollup: false,
                                where: "symbol = ? AND interval_minutes = ? AND ts >= ? AND ts < ?",
                                [symbol.text, interval, Self.us(span.start), Self.us(span.end)], order: "ASC", limit: nil)
            }
        }
    }

    public func baseCandleTimes(_ symbol: Symbol, in span: TimeSpan) async throws -> [Timestamp] {
        try guarded {
            try pool.read { db in
                let stmt = try db.makeStatement(sql: "SELECT ts FROM candles WHERE symbol = ? AND interval_minutes = 1 AND is_complete = 1 AND ts >= ? AND ts < ? ORDER BY ts")
                try stmt.setArguments([symbol.text, Self.us(span.start), Self.us(span.end)])
                var out: [Timestamp] = []
                try step(db, stmt) { s in out.append(Self.ts(sqlite3_column_int64(s, 0))) }
                return out
            }
        }
    }

    public func coverage(_ symbol: Symbol, dataType: String, overlapping span: TimeSpan) async throws -> [TimeSpan] {
        try guarded {
            try pool.read { db in
                let rows = try Row.fetchAll(db, sql: """
                    SELECT range_start, range_end FROM data_coverage WHERE symbol = ? AND data_type = ? AND range_start < ? AND range_end > ?
                    ORDER BY range_start
                    """, arguments: [symbol.text, dataType, Self.us(span.end), Self.us(span.start)])
                return TimeSpan.union(rows.map { TimeSpan(Self.ts($0[0]), Self.ts($0[1])) })
            }
        }
    }

    public func extent(_ symbol: Symbol) async throws -> (firstCandle: Timestamp?, lastCandle: Timestamp?, firstTrade: Timestamp?, lastTrade: Timestamp?) {
        try guarded {
            try pool.read { db in
                let c = try Row.fetchOne(db, sql: "SELECT min(ts), max(ts) FROM candles WHERE symbol = ? AND interval_minutes = 1", arguments: [symbol.text])
                let t = try Row.fetchOne(db, sql: "SELECT min(ts), max(ts) FROM trades WHERE symbol = ?", arguments: [symbol.text])
                func v(_ r: Row?, _ i: Int) -> Timestamp? { (r?[i] as Int64?).map(Self.ts) }
                return (v(c, 0), v(c, 1), v(t, 0), v(t, 1))
            }
        }
    }

    public func stats(_ symbol: Symbol) async throws -> SymbolStats {
        try guarded {
            try pool.read { db in
                let t = try Row.fetchOne(db, sql: "SELECT count(*), min(ts), max(ts) FROM trades WHERE symbol = ?", arguments: [symbol.text])!
                let c = try Row.fetchOne(db, sql: "SELECT count(*), sum(is_complete), min(ts), max(ts) FROM candles WHERE symbol = ? AND interval_minutes = 1",
                                         arguments: [symbol.text])!
                var candles: [Timeframe: Int] = [.m1: c[0]], complete: [Timeframe: Int] = [.m1: (c[1] as Int?) ?? 0]
                for tf in HistorySchema.rollups {
                    let r = try Row.fetchOne(db, sql: "SELECT count(*), sum(is_complete) FROM \(HistorySchema.table(tf)) WHERE symbol = ?", arguments: [symbol.text])!
                    candles[tf] = r[0]; complete[tf] = (r[1] as Int?) ?? 0
                }
                let firsts = [(t[1] as Int64?), (c[2] as Int64?)].compactMap { $0 }
                let lasts = [(t[2] as Int64?), (c[3] as Int64?).map { $0 + 60_000_000 - 1 }].compactMap { $0 }
                let csv = try Row.fetchOne(db, sql: "SELECT min(ts), max(ts) FROM trades WHERE symbol = ? AND source = 'csv'", arguments: [symbol.text])
                let csvSpan: TimeSpan? = (csv?[0] as Int64?).flatMap { a in (csv?[1] as Int64?).map { TimeSpan(Self.ts(a), Self.ts($0 + 1)) } }
                return SymbolStats(symbol: symbol, trades: t[0], first: firsts.min().map(Self.ts), last: lasts.max().map(Self.ts),
                                   candles: candles, completeCandles: complete, csvTradeSpan: csvSpan)
            }
        }
    }

    // MARK: rollups and retention

    public func pendingInvalidations() async throws -> [Invalidation] {
        try guarded {
            try pool.read { db in
                try Row.fetchAll(db, sql: "SELECT id, symbol, range_start, range_end FROM rollup_invalidation ORDER BY id").compactMap { r in
                    Symbol(r[1] as String).map { Invalidation(id: r[0], symbol: $0, span: TimeSpan(Self.ts(r[2]), Self.ts(r[3]))) }
                }
            }
        }
    }

    public func replaceRollups(_ symbol: Symbol, span: TimeSpan, rows: [Timeframe: [HistoryCandle]], processed: [Int64], carryOver: TimeSpan?) async throws {
        try guarded {
            try pool.write { db in
                guard let scale = try scaleOrThrow(db, symbol) else { throw HistoryError.unknownPrecision(symbol) }
                for tf in HistorySchema.rollups {
                    let table = HistorySchema.table(tf)
                    try db.execute(sql: "DELETE FROM \(table) WHERE symbol = ? AND ts >= ? AND ts < ?",
                                   arguments: [symbol.text, Self.us(span.start), Self.us(span.end)])
                    let stmt = try db.cachedStatement(sql: """
                        INSERT INTO \(table) (symbol, ts, open, high, low, close, volume, quote_volume, trade_count, vwap, source_rows, is_complete)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                    let b = RawRow(stmt.sqliteStatement, db)
                    for c in rows[tf] ?? [] {
                        guard let o = scale.storedPrice(c.open), let h = scale.storedPrice(c.high), let l = scale.storedPrice(c.low),
                              let cl = scale.storedPrice(c.close) else { throw HistoryError.storage("rollup price finer than the scale") }
                        b.text(1, symbol.text); b.int(2, c.start.nanoseconds / 1000); b.int(3, o); b.int(4, h); b.int(5, l); b.int(6, cl)
                        b.text(7, c.volume.description); b.text(8, c.quoteVolume?.description); b.int(9, Int64(c.tradeCount))
                        b.text(10, c.vwap?.description); b.int(11, Int64(c.sourceRows ?? 0)); b.int(12, c.isComplete ? 1 : 0)
                        try b.step()
                    }
                    try db.execute(sql: """
                        INSERT INTO rollup_watermark (rollup, symbol, materialized_until) VALUES (?, ?, ?)
                        ON CONFLICT (rollup, symbol) DO UPDATE SET materialized_until = max(materialized_until, excluded.materialized_until)
                        """, arguments: [table, symbol.text, Self.us(span.end)])
                }
                for id in processed { try db.execute(sql: "DELETE FROM rollup_invalidation WHERE id = ?", arguments: [id]) }
                if let c = carryOver {
                    try db.execute(sql: "INSERT INTO rollup_invalidation (rollup, symbol, range_start, range_end) VALUES ('all', ?, ?, ?)",
                                   arguments: [symbol.text, Self.us(c.start), Self.us(c.end)])
                }
            }
        }
    }

    public func syncStatus(_ symbol: Symbol, dataType: String) async throws -> SyncStatus? {
        try guarded {
            try pool.read { db in
                try Row.fetchOne(db, sql: """
                    SELECT oldest_timestamp, newest_timestamp, last_sync_at, last_kraken_since, total_records, last_error
                    FROM data_sync_status WHERE symbol = ? AND data_type = ?
                    """, arguments: [symbol.text, dataType]).map { r in
                    SyncStatus(symbol: symbol, dataType: dataType, oldest: (r[0] as Int64?).map(Self.ts), newest: (r[1] as Int64?).map(Self.ts),
                               lastSyncAt: (r[2] as Int64?).map(Self.ts), lastKrakenSince: r[3], totalRecords: r[4], lastError: r[5])
                }
            }
        }
    }

    public func retainedFrom(_ symbol: Symbol) async throws -> Timestamp? {
        try guarded {
            try pool.read { db in try (Int64.fetchOne(db, sql: "SELECT retained_from FROM symbols WHERE symbol = ?", arguments: [symbol.text])).map(Self.ts) }
        }
    }

    /// §6.3: batches of at most 50,000 rows, each its own transaction (freed pages are reused; no auto-vacuum).
    public func prune(before cutoff: Timestamp) async throws -> (trades: Int, candles: Int) {
        // Back to a Monday: no rollup bucket of any width is split by the cut (§5.4).
        let c = Self.us(Buckets.floor(cutoff, minutes: Timeframe.w1.minutes))
        var trades = 0, candles = 0
        try guarded {
            try pool.write { db in
                try db.execute(sql: "UPDATE symbols SET retained_from = max(coalesce(retained_from, ?), ?)", arguments: [c, c])
            }
            // WITHOUT ROWID tables: batches are picked by primary key.
            for (table, key) in [("trades", "symbol, ts, trade_key"), ("candles", "symbol, interval_minutes, ts")] {
                while true {
                    let n = try pool.write { db -> Int in
                        try db.execute(sql: """
                            DELETE FROM \(table) WHERE (\(key)) IN (SELECT \(key) FROM \(table) WHERE ts < ? LIMIT 50000)
                            """, arguments: [c])
                        return db.changesCount
                    }
                    if table == "trades" { trades += n } else { candles += n }
                    if n < 50_000 { break }
                }
            }
        }
        return (trades, candles)
    }

    public func close() async throws { try pool.close() }
}

/// Binds one row's values straight into a prepared statement and steps it: no argument arrays, no boxing (the
/// candle and rollup writes were spending more time in argument handling than in SQLite).
struct RawRow {
    let s: SQLiteStatement
    let db: Database
    init(_ s: SQLiteStatement, _ db: Database) { self.s = s; self.db = db; sqlite3_reset(s) }
    func int(_ i: Int32, _ v: Int64) { sqlite3_bind_int64(s, i, v) }
    func text(_ i: Int32, _ v: String?) {
        if let v { sqlite3_bind_text(s, i, v, -1, SQLiteHistoryStore.transient) } else { sqlite3_bind_null(s, i) }
    }
    func step() throws {
        let rc = sqlite3_step(s)
        sqlite3_reset(s)
        guard rc == SQLITE_DONE else { throw HistoryError.storage(String(cString: sqlite3_errmsg(db.sqliteConnection))) }
    }
}
