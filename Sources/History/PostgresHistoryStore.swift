import Foundation
import Logging
import NIOCore
import PostgresNIO
import TradingCore

/// The server store (history.md §6.2–6.3) through PostgresNIO: a pooled `PostgresClient`, migrations in one
/// transaction, trades and candles range-partitioned by time (day / ISO week) with BRIN indexes, bulk rows sent with
/// COPY into a per-transaction staging table and merged with `ON CONFLICT` (COPY alone cannot ignore duplicates).
/// Everything above the `HistoryStore` protocol is shared with the SQLite store.
public final class PostgresHistoryStore: HistoryStore {
    let client: PostgresClient
    let runTask: Task<Void, Never>
    let clock: @Sendable () -> Timestamp
    let logger: Logger
    let display: String
    private let partitions = PartitionMaker()
    /// How `trades`, `candles` and `external_indicators` are split by time: fixed when the schema is created.
    let layout: PostgresSchema.Layout
    /// Why `auto` did not use TimescaleDB although the server offers it (shown by `data schema`).
    let timescaleNote: String?
    /// Three transactions at once: the server's insert work is the bound, and it runs one backend per connection.
    public var maxBatchesInFlight: Int { 3 }

    public var kind: String {
        let how = layout == .hypertables ? "TimescaleDB hypertables" : "native range partitions"
        return "postgres (\(display)); \(how)" + (timescaleNote.map { "; \($0)" } ?? "")
    }

    /// `postgres://user[:password]@host[:port]/db[?sslmode=disable|prefer|require]`. `timescale` (history.md §6.2):
    /// `auto` makes hypertables when a new schema is created on a server that can load TimescaleDB, and falls back to
    /// native partitions (with a note) if that fails; `on` requires it; `off` never uses it.
    public init(url: String, clock: @escaping @Sendable () -> Timestamp, timescale: TimescaleMode = .auto) async throws {
        guard let c = URLComponents(string: url), let host = c.host, !host.isEmpty, let user = c.user, !user.isEmpty else {
            throw HistoryError.badURL(HistoryStoreLocation.redacted(url))
        }
        let db = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        let mode = c.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        let tls: PostgresClient.Configuration.TLS
        switch mode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(.makeClientConfiguration())
        case "require", "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        default: throw HistoryError.badURL(HistoryStoreLocation.redacted(url) + " (sslmode \(mode))")
        }
        var config = PostgresClient.Configuration(host: host, port: c.port ?? 5432, username: user, password: c.password,
                                                  database: db.isEmpty ? user : db, tls: tls)
        config.options.minimumConnections = 0
        config.options.maximumConnections = 10
        var log = Logger(label: "ws-tester.history.postgres")
        log.logLevel = .critical
        logger = log
        client = PostgresClient(configuration: config, backgroundLogger: log)
        let client = self.client
        runTask = Task { await client.run() }
        self.clock = clock
        let shown = HistoryStoreLocation.redacted(url)
        display = shown
        do {
            try await client.withConnection { conn in
                _ = try await conn.query("SELECT 1", logger: log)
            }
            (layout, timescaleNote) = try await Self.migrate(client, timescale: timescale, now: clock().nanoseconds / 1000, display: shown, log)
        } catch let e as HistoryError {
            runTask.cancel()
            throw e
        } catch {
            runTask.cancel()
            throw HistoryError.storage("\(display): \(Self.describe(error))")
        }
    }

    static func describe(_ e: Error) -> String {
        if let t = e as? PostgresTransactionError, let inner = t.closureError ?? t.beginError ?? t.commitError { return describe(inner) }
        if let p = e as? PSQLError {
            if let m = p.serverInfo?[.message] { return m }
            return "\(p.code)"
        }
        return "\(e)"
    }

    func guarded<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as HistoryError { throw e } catch { throw HistoryError.storage(Self.describe(error)) }
    }

    static func migrate(_ client: PostgresClient, timescale: TimescaleMode, now: Int64, display: String, _ log: Logger)
        async throws -> (PostgresSchema.Layout, String?) {
        let available = try await client.withConnection { conn in
            let rows = try await conn.query("SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'", logger: log)
            for try await n in rows.decode(Int64.self) { return n > 0 }
            return false
        }
        if timescale == .on, !available {
            throw HistoryError.storage("\(display): history.timescale is on, but this server has no timescaledb extension")
        }
        let wanted: PostgresSchema.Layout = timescale != .off && available ? .hypertables : .partitions
        var layout: PostgresSchema.Layout, note: String?
        do {
            layout = try await migrate(client, wanted, now: now, log)
        } catch where wanted == .hypertables && timescale == .auto {
            // Typically "timescaledb must be loaded via shared_preload_libraries", or no right to create extensions.
            note = "timescaledb is available but could not be used (\(describe(error))): native partitions instead"
            layout = try await migrate(client, .partitions, now: now, log)
        }
        if timescale == .on, layout != .hypertables {
            throw HistoryError.storage("\(display): history.timescale is on, but this database was created with native partitions (the layout is fixed when the schema is made)")
        }
        return (layout, note)
    }

    /// Applies missing migrations in one transaction; returns the layout the schema has.
    static func migrate(_ client: PostgresClient, _ wanted: PostgresSchema.Layout, now: Int64, _ log: Logger) async throws -> PostgresSchema.Layout {
        try await client.withTransaction(logger: log) { conn in
            _ = try await conn.query("SELECT pg_advisory_xact_lock(72616001)", logger: log)
            _ = try await conn.query("CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)", logger: log)
            var applied = Set<Int>()
            for try await v in try await conn.query("SELECT version FROM schema_migrations", logger: log).decode(Int.self) { applied.insert(v) }
            if !applied.contains(1) {
                var statements = PostgresSchema.v1(layout: wanted)
                if wanted == .hypertables {
                    _ = try await conn.query("CREATE EXTENSION IF NOT EXISTS timescaledb", logger: log)
                    var version = ""
                    for try await v in try await conn.query("SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'", logger: log).decode(String.self) { version = v }
                    statements += PostgresSchema.compression(version: version)
                }
                for s in statements { _ = try await conn.query(PostgresQuery(unsafeSQL: s), logger: log) }
                _ = try await conn.query("INSERT INTO schema_migrations (version, applied_at) VALUES (1, ws_ts(\(now)))", logger: log)
            }
            // The stored layout, whatever was asked: a natively partitioned `trades` is in pg_partitioned_table.
            var partitioned = false
            for try await n in try await conn.query("""
                SELECT count(*) FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
                WHERE c.relname = 'trades' AND c.relnamespace = current_schema()::regnamespace
                """, logger: log).decode(Int64.self) { partitioned = n > 0 }
            return partitioned ? .partitions : .hypertables
        }
    }

    // MARK: simple queries

    func all<each T: PostgresDecodable>(_ q: PostgresQuery, _ types: repeat (each T).Type) async throws -> [(repeat each T)] {
        let log = logger
        return try await guarded {
            var out: [(repeat each T)] = []
            for try await r in try await client.query(q, logger: log).decode((repeat each T).self) { out.append(r) }
            return out
        }
    }

    func run(_ q: PostgresQuery) async throws {
        let log = logger
        try await guarded { try await client.withConnection { conn in _ = try await conn.query(q, logger: log) } }
    }

    public func schemaVersion() async throws -> Int {
        try await all("SELECT coalesce(max(version), 0) FROM schema_migrations", Int.self).first ?? 0
    }

    public func tableNames() async throws -> [String] {
        try await all("""
            SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1
            """, String.self)
    }

    public func fixScale(_ symbol: Symbol, proposed: StorageScale) async throws -> StorageScale {
        let now = clock().nanoseconds / 1000
        try await run("""
            INSERT INTO symbols (symbol, price_decimals, quantity_decimals, first_write_at) VALUES (\(symbol.text), \(proposed.priceDecimals),
            \(proposed.quantityDecimals), ws_ts(\(now))) ON CONFLICT (symbol) DO NOTHING
            """)
        guard let stored = try await scale(of: symbol) else { throw HistoryError.unknownPrecision(symbol) }
        guard stored == proposed else { throw HistoryError.scaleMismatch(symbol, stored: stored, asked: proposed) }
        return stored
    }

    public func scale(of symbol: Symbol) async throws -> StorageScale? {
        try await all("SELECT price_decimals, quantity_decimals FROM symbols WHERE symbol = \(symbol.text)", Int.self, Int.self)
            .first.map { StorageScale(priceDecimals: $0.0, quantityDecimals: $0.1) }
    }

    public func symbols() async throws -> [Symbol] {
        try await all("SELECT symbol FROM symbols ORDER BY symbol", String.self).compactMap { Symbol($0) }
    }

    public func importLogged(sha256: String) async throws -> Bool {
        try await !all("SELECT 1 FROM import_log WHERE sha256 = \(sha256)", Int.self).isEmpty
    }

    // MARK: writing

    static func esc(_ s: String) -> String {
        guard s.contains(where: { $0 == "\\" || $0 == "\t" || $0 == "\n" || $0 == "\r" }) else { return s }
        return s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\t", with: "\\t")
            .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r")
    }

    /// Partitions for every day (trades) or week (candles) the rows touch, created (and committed) before the rows'
    /// transaction starts: a row must never land in the DEFAULT partition while its partition is being made.
    func ensurePartitions(table: String, minutes: Int, micros: [Int64]) async throws {
        guard let lo = micros.min(), let hi = micros.max() else { return }
        var b = Buckets.floor(Timestamp(nanoseconds: lo * 1000), minutes: minutes)
        let last = Timestamp(nanoseconds: hi * 1000)
        let client = self.client, log = logger
        while b <= last {
            let e = b + .minutes(Int64(minutes))
            let name = "\(table)_\(b.iso8601.prefix(10).replacingOccurrences(of: "-", with: ""))"
            let sql = "CREATE TABLE IF NOT EXISTS \(name) PARTITION OF \(table) FOR VALUES FROM ('\(b.iso8601)') TO ('\(e.iso8601)')"
            try await partitions.ensure(name) { _ = try await client.query(PostgresQuery(unsafeSQL: sql), logger: log) }
            b = e
        }
    }

    /// COPY of tab-separated lines into a staging table that lives until the transaction ends.
    func copy(_ conn: PostgresConnection, stage: String, like columns: String, lines: [String]) async throws {
        _ = try await conn.query(PostgresQuery(unsafeSQL: "CREATE TEMP TABLE IF NOT EXISTS \(stage) (\(columns)) ON COMMIT DELETE ROWS"), logger: logger)
        try await conn.copyFrom(table: stage, logger: logger) { writer in try await Self.send(lines, writer) }
    }

    static func send(_ lines: [String], _ writer: PostgresCopyFromWriter) async throws {
        var buf = ByteBuffer()
        for l in lines {
            buf.writeString(l)
            buf.writeInteger(UInt8(10))
            if buf.readableBytes > 1 << 20 { try await writer.write(buf); buf.clear() }
        }
        if buf.readableBytes > 0 { try await writer.write(buf) }
    }

    static func candleLines(_ candles: [HistoryCandle], _ scale: StorageScale) throws -> [String] {
        try candles.map { c in
            guard let o = scale.storedPrice(c.open), let h = scale.storedPrice(c.high), let l = scale.storedPrice(c.low),
                  let cl = scale.storedPrice(c.close), let v = scale.storedQuantity(c.volume) else {
                throw HistoryError.storage("candle \(c.symbol) \(c.start.iso8601) is finer than the stored scale \(scale)")
            }
            return "\(esc(c.symbol.text))\t\(c.intervalMinutes)\t\(c.start.nanoseconds / 1000)\t\(o)\t\(h)\t\(l)\t\(cl)\t\(v)\t"
                + "\(c.quoteVolume?.description ?? "\\N")\t\(c.tradeCount)\t\(c.vwap?.description ?? "\\N")\t\(c.isComplete ? "t" : "f")\t\((c.source ?? .csv).rawValue)"
        }
    }

    static let candleStage = "symbol text, interval_minutes smallint, ts_us bigint, open bigint, high bigint, low bigint, close bigint, volume bigint, "
        + "quote_volume numeric, trade_count int, vwap numeric, is_complete boolean, source text"

    func upsertCandles(_ conn: PostgresConnection, table: String, _ candles: [HistoryCandle], _ scale: StorageScale) async throws {
        try await copy(conn, stage: "candles_stage", like: Self.candleStage, lines: try Self.candleLines(candles, scale))
        _ = try await conn.query(PostgresQuery(unsafeSQL: """
            INSERT INTO \(table) (symbol, interval_minutes, ts, open, high, low, close, volume, quote_volume, trade_count, vwap, is_complete, source)
            SELECT symbol, interval_minutes, ws_ts(ts_us), open, high, low, close, volume, quote_volume, trade_count, vwap, is_complete, source FROM candles_stage
            ON CONFLICT (symbol, interval_minutes, ts) DO UPDATE SET open = excluded.open, high = excluded.high, low = excluded.low,
              close = excluded.close, volume = excluded.volume, quote_volume = excluded.quote_volume, trade_count = excluded.trade_count,
              vwap = excluded.vwap, is_complete = excluded.is_complete, source = excluded.source
            """), logger: logger)
        _ = try await conn.query("DELETE FROM candles_stage", logger: logger)
    }

    func status(_ conn: PostgresConnection, _ symbol: Symbol, _ type: String, _ oldest: Int64, _ newest: Int64, added: Int, now: Int64) async throws {
        // PostgreSQL's LEAST/GREATEST ignore NULLs: monotonic and null-safe as they stand (§4.4).
        _ = try await conn.query("""
            INSERT INTO data_sync_status (symbol, data_type, oldest_timestamp, newest_timestamp, last_sync_at, total_records)
            VALUES (\(symbol.text), \(type), ws_ts(\(oldest)), ws_ts(\(newest)), ws_ts(\(now)), \(added))
            ON CONFLICT (symbol, data_type) DO UPDATE SET
              oldest_timestamp = LEAST(data_sync_status.oldest_timestamp, excluded.oldest_timestamp),
              newest_timestamp = GREATEST(data_sync_status.newest_timestamp, excluded.newest_timestamp),
              last_sync_at = excluded.last_sync_at, total_records = data_sync_status.total_records + excluded.total_records
            """, logger: logger)
    }

    func addCoverage(_ conn: PostgresConnection, _ symbol: Symbol, _ c: CoverageRecord, now: Int64) async throws {
        var s = c.span.start.nanoseconds / 1000, e = c.span.end.nanoseconds / 1000
        guard e > s else { return }
        var source = c.source
        let (s0, e0) = (s, e)
        for try await (a, b, src) in try await conn.query("""
            SELECT ws_us(range_start), ws_us(range_end), source FROM data_coverage
            WHERE symbol = \(symbol.text) AND data_type = \(c.dataType) AND range_start <= ws_ts(\(e0)) AND range_end >= ws_ts(\(s0))
            """, logger: logger).decode((Int64, Int64, String).self) {
            s = min(s, a); e = max(e, b)
            if src != source { source = "mixed" }
        }
        _ = try await conn.query("""
            DELETE FROM data_coverage WHERE symbol = \(symbol.text) AND data_type = \(c.dataType) AND range_start <= ws_ts(\(e0)) AND range_end >= ws_ts(\(s0))
            """, logger: logger)
        _ = try await conn.query("""
            INSERT INTO data_coverage (symbol, data_type, range_start, range_end, source, verified_at)
            VALUES (\(symbol.text), \(c.dataType), ws_ts(\(s)), ws_ts(\(e)), \(source), ws_ts(\(now)))
            """, logger: logger)
    }

    public func write(_ batch: HistoryBatch) async throws -> WriteOutcome {
        let now = clock().nanoseconds / 1000
        guard let scale = try await scale(of: batch.symbol) else { throw HistoryError.unknownPrecision(batch.symbol) }
        let log = logger
        if layout == .partitions { try await guarded {
            try await ensurePartitions(table: "trades", minutes: 1440, micros: batch.trades.micros)
            try await ensurePartitions(table: "candles", minutes: 10_080, micros: batch.candles.map { $0.start.nanoseconds / 1000 })
        } }
        do { return try await write(batch, scale, now: now, direct: true) } catch HistoryError.storage(let m) where m.contains("duplicate key") {
            // A concurrent writer stored some of these rows after the check: merge through the staging table instead.
            return try await write(batch, scale, now: now, direct: false)
        }
    }

    /// `direct`: when no stored trade of the symbol falls in the batch's time range, COPY straight into `trades`
    /// (about 40 % less server work than staging + ON CONFLICT); otherwise stage and merge.
    func write(_ batch: HistoryBatch, _ scale: StorageScale, now: Int64, direct: Bool) async throws -> WriteOutcome {
        let log = logger
        return try await guarded {
            try await client.withTransaction(logger: log) { conn in
                var out = WriteOutcome()
                let sym = batch.symbol
                if !batch.trades.isEmpty {
                    let t = batch.trades
                    let symText = Self.esc(sym.text), src = t.source.rawValue
                    let lo = t.micros.min()!, hi = t.micros.max()!
                    // The earliest key at the earliest time: a batch that continues the previous one's last second
                    // (same time, later keys) is still conflict-free.
                    let firstKey = zip(t.micros, t.keys).filter { $0.0 == lo }.map(\.1).min()!
                    var empty = false
                    if direct {
                        for try await n in try await conn.query("""
                            SELECT count(*) FROM (SELECT 1 FROM trades WHERE symbol = \(sym.text)
                              AND ((ts > ws_ts(\(lo)) AND ts <= ws_ts(\(hi))) OR (ts = ws_ts(\(lo)) AND trade_key >= \(firstKey))) LIMIT 1) x
                            """, logger: log).decode(Int64.self) { empty = n == 0 }
                    }
                    // The COPY text is written straight into one buffer: no per-row strings.
                    var buf = ByteBuffer()
                    buf.reserveCapacity(t.count * 72)
                    let symBytes = Array(symText.utf8), srcBytes = Array(src.utf8)
                    for i in 0..<t.count {
                        buf.writeBytes(symBytes); buf.writeInteger(UInt8(9))
                        if empty { PGText.writeTimestamp(t.micros[i], into: &buf) } else { PGText.writeInt(t.micros[i], into: &buf) }
                        buf.writeInteger(UInt8(9)); PGText.writeInt(t.keys[i], into: &buf)
                        buf.writeInteger(UInt8(9)); PGText.writeInt(t.prices[i], into: &buf)
                        buf.writeInteger(UInt8(9)); PGText.writeInt(t.volumes[i], into: &buf)
                        buf.writeStaticString(t.sides[i] == 1 ? "\tbuy" : t.sides[i] == 2 ? "\tsell" : "\t\\N")
                        buf.writeStaticString(t.orderTypes[i] == 1 ? "\tmarket\t" : t.orderTypes[i] == 2 ? "\tlimit\t" : "\t\\N\t")
                        buf.writeBytes(srcBytes); buf.writeInteger(UInt8(10))
                    }
                    let payload = buf
                    if empty {
                        try await conn.copyFrom(table: "trades", columns: ["symbol", "ts", "trade_key", "price", "volume", "side", "order_type", "source"],
                                                logger: log) { w in try await w.write(payload) }
                        out.tradesInserted = t.count
                    } else {
                        _ = try await conn.query(PostgresQuery(unsafeSQL: "CREATE TEMP TABLE IF NOT EXISTS trades_stage (symbol text, ts_us bigint, trade_key bigint, "
                                                               + "price bigint, volume bigint, side text, order_type text, source text) ON COMMIT DELETE ROWS"), logger: log)
                        try await conn.copyFrom(table: "trades_stage", logger: log) { w in try await w.write(payload) }
                        for try await n in try await conn.query("""
                            WITH ins AS (INSERT INTO trades (symbol, ts, trade_key, price, volume, side, order_type, source)
                              SELECT symbol, ws_ts(ts_us), trade_key, price, volume, side, order_type, source FROM trades_stage
                              ON CONFLICT DO NOTHING RETURNING 1)
                            SELECT count(*) FROM ins
                            """, logger: log).decode(Int64.self) { out.tradesInserted = Int(n) }
                        _ = try await conn.query("DELETE FROM trades_stage", logger: log)
                    }
                    out.tradesDuplicate = t.count - out.tradesInserted
                }
                // Bookkeeping rows are read-modify-write: one transaction per symbol at a time from here to commit.
                _ = try await conn.query("SELECT pg_advisory_xact_lock(hashtext(\(sym.text)))", logger: log)
                if !batch.trades.isEmpty {
                    try await status(conn, sym, "trades", batch.trades.micros.min()!, batch.trades.micros.max()!, added: out.tradesInserted, now: now)
                }
                if !batch.candles.isEmpty {
                    try await upsertCandles(conn, table: "candles", batch.candles, scale)
                    out.candlesWritten += batch.candles.count
                    try await status(conn, sym, "candles_1m", batch.candles.map(\.start).min()!.nanoseconds / 1000,
                                     batch.candles.map(\.start).max()!.nanoseconds / 1000, added: 0, now: now)
                }
                if !batch.nativeCandles.isEmpty {
                    try await upsertCandles(conn, table: "candles_native", batch.nativeCandles, scale)
                    out.candlesWritten += batch.nativeCandles.count
                }
                for c in batch.coverage { try await addCoverage(conn, sym, c, now: now) }
                if let inv = batch.invalidation {
                    _ = try await conn.query("""
                        INSERT INTO rollup_invalidation (rollup, symbol, range_start, range_end)
                        VALUES ('all', \(sym.text), ws_ts(\(inv.start.nanoseconds / 1000)), ws_ts(\(inv.end.nanoseconds / 1000)))
                        """, logger: log)
                }
                if let l = batch.importLog {
                    _ = try await conn.query("""
                        INSERT INTO import_log (sha256, file_name, kind, symbol, interval_minutes, rows, imported_at)
                        VALUES (\(l.sha256), \(l.fileName), \(l.kind), \(l.symbol.text), \(l.intervalMinutes), \(Int64(l.rows)), ws_ts(\(now)))
                        ON CONFLICT (sha256) DO UPDATE SET imported_at = excluded.imported_at, rows = excluded.rows
                        """, logger: log)
                }
                return out
            }
        }
    }

    // MARK: reading

    static func us(_ t: Timestamp) -> Int64 { SQLiteHistoryStore.us(t) }
    static func ts(_ micros: Int64) -> Timestamp { Timestamp(nanoseconds: micros * 1000) }
    /// Keeps query bounds inside what TIMESTAMPTZ holds (years 1900–2199 are plenty; ws_ts would overflow far beyond).
    static func bound(_ t: Timestamp) -> Int64 { min(max(us(t), -2_208_988_800_000_000), 7_258_118_400_000_000) }

    public func trades(_ symbol: Symbol, in span: TimeSpan, limit: Int?) async throws -> [HistoricalTrade] {
        guard let scale = try await scale(of: symbol) else { return [] }
        let rows = try await all("""
            SELECT ws_us(ts), trade_key, price, volume, side, order_type, misc, source FROM trades
            WHERE symbol = \(symbol.text) AND ts >= ws_ts(\(Self.bound(span.start))) AND ts < ws_ts(\(Self.bound(span.end)))
            ORDER BY ts, trade_key LIMIT \(Int64(limit ?? Int(Int32.max)))
            """, Int64.self, Int64.self, Int64.self, Int64.self, String?.self, String?.self, String.self, String.self)
        return rows.map { r in
            HistoricalTrade(symbol: symbol, time: Self.ts(r.0), tradeKey: r.1, price: scale.price(r.2), volume: scale.quantity(r.3),
                            side: r.4.flatMap(TakerSide.init(rawValue:)), orderType: r.5.flatMap(TakerOrderType.init(rawValue:)),
                            misc: r.6, source: TradeSource(rawValue: r.7) ?? .csv)
        }
    }

    func readCandles(table: String, _ symbol: Symbol, interval: Int, rollup: Bool, extraWhere: String, span: TimeSpan, descending: Bool, limit: Int?) async throws -> [HistoryCandle] {
        guard let scale = try await scale(of: symbol) else { return [] }
        let extra = rollup ? "source_rows::text" : "source"
        let q = PostgresQuery(unsafeSQL: """
            SELECT ws_us(ts), open, high, low, close, volume::text, quote_volume::text, trade_count::bigint, vwap::text, is_complete, \(extra) FROM \(table)
            WHERE symbol = $1 \(extraWhere) AND ts >= ws_ts($2) AND ts < ws_ts($3) ORDER BY ts \(descending ? "DESC" : "ASC") LIMIT $4
            """, binds: try {
                var b = PostgresBindings()
                try b.append(symbol.text); try b.append(Self.bound(span.start)); try b.append(Self.bound(span.end)); try b.append(Int64(limit ?? Int(Int32.max)))
                return b
            }())
        let rows = try await all(q, Int64.self, Int64.self, Int64.self, Int64.self, Int64.self, String.self, String?.self, Int64.self, String?.self, Bool.self, String.self)
        let out = rows.map { r in
            HistoryCandle(symbol: symbol, intervalMinutes: interval, start: Self.ts(r.0), open: scale.price(r.1), high: scale.price(r.2),
                          low: scale.price(r.3), close: scale.price(r.4),
                          volume: rollup ? (Quantity(r.5) ?? .zero) : scale.quantity(Int64(r.5) ?? 0),
                          quoteVolume: r.6.flatMap { Money($0) }, tradeCount: Int(r.7), vwap: r.8.flatMap { Price($0) }, isComplete: r.9,
                          source: rollup ? nil : CandleSource(rawValue: r.10), sourceRows: rollup ? Int(r.10) : nil)
        }
        return descending ? out.reversed() : out
    }

    public func baseCandles(_ symbol: Symbol, in span: TimeSpan, limit: Int?, descending: Bool) async throws -> [HistoryCandle] {
        try await readCandles(table: "candles", symbol, interval: 1, rollup: false, extraWhere: "AND interval_minutes = 1", span: span, descending: descending, limit: limit)
    }

    public func rollupCandles(_ tf: Timeframe, _ symbol: Symbol, in span: TimeSpan, limit: Int?, descending: Bool) async throws -> [HistoryCandle] {
        if tf == .m1 { return try await baseCandles(symbol, in: span, limit: limit, descending: descending) }
        return try await readCandles(table: HistorySchema.table(tf), symbol, interval: tf.minutes, rollup: true, extraWhere: "", span: span,
                                     descending: descending, limit: limit)
    }

    public func nativeCandles(_ symbol: Symbol, interval: Int, in span: TimeSpan) async throws -> [HistoryCandle] {
        try await readCandles(table: "candles_native", symbol, interval: interval, rollup: false, extraWhere: "AND interval_minutes = \(interval)",
                              span: span, descending: false, limit: nil)
    }

    public func baseCandleTimes(_ symbol: Symbol, in span: TimeSpan) async throws -> [Timestamp] {
        try await all("""
            SELECT ws_us(ts) FROM candles WHERE symbol = \(symbol.text) AND interval_minutes = 1 AND is_complete
            AND ts >= ws_ts(\(Self.bound(span.start))) AND ts < ws_ts(\(Self.bound(span.end))) ORDER BY ts
            """, Int64.self).map(Self.ts)
    }

    public func coverage(_ symbol: Symbol, dataType: String, overlapping span: TimeSpan) async throws -> [TimeSpan] {
        TimeSpan.union(try await all("""
            SELECT ws_us(range_start), ws_us(range_end) FROM data_coverage WHERE symbol = \(symbol.text) AND data_type = \(dataType)
            AND range_start < ws_ts(\(Self.bound(span.end))) AND range_end > ws_ts(\(Self.bound(span.start))) ORDER BY range_start
            """, Int64.self, Int64.self).map { TimeSpan(Self.ts($0.0), Self.ts($0.1)) })
    }

    public func extent(_ symbol: Symbol) async throws -> (firstCandle: Timestamp?, lastCandle: Timestamp?, firstTrade: Timestamp?, lastTrade: Timestamp?) {
        let c = try await all("SELECT ws_us(min(ts)), ws_us(max(ts)) FROM candles WHERE symbol = \(symbol.text) AND interval_minutes = 1", Int64?.self, Int64?.self).first
        let t = try await all("SELECT ws_us(min(ts)), ws_us(max(ts)) FROM trades WHERE symbol = \(symbol.text)", Int64?.self, Int64?.self).first
        return (c?.0.map(Self.ts), c?.1.map(Self.ts), t?.0.map(Self.ts), t?.1.map(Self.ts))
    }

    public func stats(_ symbol: Symbol) async throws -> SymbolStats {
        let t = try await all("SELECT count(*), ws_us(min(ts)), ws_us(max(ts)) FROM trades WHERE symbol = \(symbol.text)", Int64.self, Int64?.self, Int64?.self).first!
        let c = try await all("""
            SELECT count(*), count(*) FILTER (WHERE is_complete), ws_us(min(ts)), ws_us(max(ts)) FROM candles WHERE symbol = \(symbol.text) AND interval_minutes = 1
            """, Int64.self, Int64.self, Int64?.self, Int64?.self).first!
        var candles: [Timeframe: Int] = [.m1: Int(c.0)], complete: [Timeframe: Int] = [.m1: Int(c.1)]
        for tf in HistorySchema.rollups {
            let r = try await all(PostgresQuery(unsafeSQL: "SELECT count(*), count(*) FILTER (WHERE is_complete) FROM \(HistorySchema.table(tf)) WHERE symbol = $1",
                                                binds: try { var b = PostgresBindings(); try b.append(symbol.text); return b }()), Int64.self, Int64.self).first!
            candles[tf] = Int(r.0); complete[tf] = Int(r.1)
        }
        let firsts = [t.1, c.2].compactMap { $0 }
        let lasts = [t.2, c.3.map { $0 + 60_000_000 - 1 }].compactMap { $0 }
        let csv = try await all("SELECT ws_us(min(ts)), ws_us(max(ts)) FROM trades WHERE symbol = \(symbol.text) AND source = 'csv'", Int64?.self, Int64?.self).first
        let csvSpan: TimeSpan? = csv.flatMap { r in r.0.flatMap { a in r.1.map { TimeSpan(Self.ts(a), Self.ts($0 + 1)) } } }
        return SymbolStats(symbol: symbol, trades: Int(t.0), first: firsts.min().map(Self.ts), last: lasts.max().map(Self.ts),
                           candles: candles, completeCandles: complete, csvTradeSpan: csvSpan)
    }

    // MARK: rollups and retention

    public func pendingInvalidations() async throws -> [Invalidation] {
        try await all("SELECT id, symbol, ws_us(range_start), ws_us(range_end) FROM rollup_invalidation ORDER BY id", Int64.self, String.self, Int64.self, Int64.self)
            .compactMap { r in Symbol(r.1).map { Invalidation(id: r.0, symbol: $0, span: TimeSpan(Self.ts(r.2), Self.ts(r.3))) } }
    }

    public func replaceRollups(_ symbol: Symbol, span: TimeSpan, rows: [Timeframe: [HistoryCandle]], processed: [Int64], carryOver: TimeSpan?) async throws {
        guard let scale = try await scale(of: symbol) else { throw HistoryError.unknownPrecision(symbol) }
        let log = logger
        let (a, b) = (Self.bound(span.start), Self.bound(span.end))
        try await guarded {
            try await client.withTransaction(logger: log) { conn in
                for tf in HistorySchema.rollups {
                    let table = HistorySchema.table(tf)
                    var del = PostgresBindings()
                    try del.append(symbol.text); try del.append(a); try del.append(b)
                    _ = try await conn.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE symbol = $1 AND ts >= ws_ts($2) AND ts < ws_ts($3)", binds: del), logger: log)
                    let list = rows[tf] ?? []
                    if !list.isEmpty {
                        let lines = try list.map { c -> String in
                            guard let o = scale.storedPrice(c.open), let h = scale.storedPrice(c.high), let l = scale.storedPrice(c.low),
                                  let cl = scale.storedPrice(c.close) else { throw HistoryError.storage("rollup price finer than the scale") }
                            return "\(Self.esc(symbol.text))\t\(c.start.nanoseconds / 1000)\t\(o)\t\(h)\t\(l)\t\(cl)\t\(c.volume)\t\(c.quoteVolume?.description ?? "\\N")\t"
                                + "\(c.tradeCount)\t\(c.vwap?.description ?? "\\N")\t\(c.sourceRows ?? 0)\t\(c.isComplete ? "t" : "f")"
                        }
                        try await copy(conn, stage: "rollup_stage", like: "symbol text, ts_us bigint, open bigint, high bigint, low bigint, close bigint, "
                                       + "volume numeric, quote_volume numeric, trade_count bigint, vwap numeric, source_rows int, is_complete boolean", lines: lines)
                        _ = try await conn.query(PostgresQuery(unsafeSQL: """
                            INSERT INTO \(table) (symbol, ts, open, high, low, close, volume, quote_volume, trade_count, vwap, source_rows, is_complete)
                            SELECT symbol, ws_ts(ts_us), open, high, low, close, volume, quote_volume, trade_count, vwap, source_rows, is_complete FROM rollup_stage
                            """), logger: log)
                        _ = try await conn.query("DELETE FROM rollup_stage", logger: log)
                    }
                    _ = try await conn.query("""
                        INSERT INTO rollup_watermark (rollup, symbol, materialized_until) VALUES (\(table), \(symbol.text), ws_ts(\(b)))
                        ON CONFLICT (rollup, symbol) DO UPDATE SET materialized_until = GREATEST(rollup_watermark.materialized_until, excluded.materialized_until)
                        """, logger: log)
                }
                for id in processed { _ = try await conn.query("DELETE FROM rollup_invalidation WHERE id = \(id)", logger: log) }
                if let c = carryOver {
                    _ = try await conn.query("""
                        INSERT INTO rollup_invalidation (rollup, symbol, range_start, range_end)
                        VALUES ('all', \(symbol.text), ws_ts(\(Self.bound(c.start))), ws_ts(\(Self.bound(c.end))))
                        """, logger: log)
                }
            }
        }
    }

    public func syncStatus(_ symbol: Symbol, dataType: String) async throws -> SyncStatus? {
        try await all("""
            SELECT ws_us(oldest_timestamp), ws_us(newest_timestamp), ws_us(last_sync_at), last_kraken_since, total_records, last_error
            FROM data_sync_status WHERE symbol = \(symbol.text) AND data_type = \(dataType)
            """, Int64?.self, Int64?.self, Int64?.self, Int64?.self, Int64.self, String?.self).first.map { r in
            SyncStatus(symbol: symbol, dataType: dataType, oldest: r.0.map(Self.ts), newest: r.1.map(Self.ts), lastSyncAt: r.2.map(Self.ts),
                       lastKrakenSince: r.3, totalRecords: r.4, lastError: r.5)
        }
    }

    public func retainedFrom(_ symbol: Symbol) async throws -> Timestamp? {
        let rows: [Int64?] = try await all("SELECT ws_us(retained_from) FROM symbols WHERE symbol = \(symbol.text)", Int64?.self)
        guard let first = rows.first, let us = first else { return nil }
        return Self.ts(us)
    }

    /// §6.3's retention: whole partitions (or TimescaleDB chunks) that end by the cut are dropped; what remains before
    /// it (a DEFAULT partition, a chunk that straddles) is deleted in batches of at most 50,000 rows, each its own
    /// transaction. Counts are taken first, so they are the rows removed.
    public func prune(before cutoff: Timestamp) async throws -> (trades: Int, candles: Int) {
        // Back to a Monday: no rollup bucket of any width is split by the cut (§5.4).
        let monday = Buckets.floor(cutoff, minutes: Timeframe.w1.minutes)
        let c = Self.bound(monday)
        // First, so a prune that stops half-way still keeps rollups from being rebuilt over the cut.
        try await run("UPDATE symbols SET retained_from = GREATEST(retained_from, ws_ts(\(c)))")
        var counts = [0, 0]
        for (i, (table, key, days)) in [("trades", "symbol, ts, trade_key", 1), ("candles", "symbol, interval_minutes, ts", 7)].enumerated() {
            counts[i] = Int(try await all(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table) WHERE ts < ws_ts(\(c))"), Int64.self).first ?? Int64(0))
            guard counts[i] > 0 else { continue }
            switch layout {
            case .hypertables:
                try await run(PostgresQuery(unsafeSQL: "SELECT drop_chunks('\(table)', older_than => ws_ts(\(c)))"))
            case .partitions:
                for name in try await all(PostgresQuery(unsafeSQL: """
                    SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = '\(table)'::regclass ORDER BY 1
                    """), String.self) {
                    // Our partitions are named table_YYYYMMDD after their first day.
                    guard let start = Self.partitionStart(name, table: table), start + .minutes(Int64(days) * 1440) <= monday else { continue }
                    try await run(PostgresQuery(unsafeSQL: "DROP TABLE \(name)"))
                    await partitions.forget(name)
                }
            }
            while true {
                let q = PostgresQuery(unsafeSQL: """
                    WITH d AS (DELETE FROM \(table) WHERE (\(key)) IN (SELECT \(key) FROM \(table) WHERE ts < ws_ts(\(c)) LIMIT 50000) RETURNING 1)
                    SELECT count(*) FROM d
                    """)
                if (try await all(q, Int64.self).first ?? 0) < 50_000 { break }
            }
        }
        return (counts[0], counts[1])
    }

    static func partitionStart(_ name: String, table: String) -> Timestamp? {
        guard name.hasPrefix(table + "_") else { return nil }
        let d = name.dropFirst(table.count + 1)
        guard d.count == 8, d.allSatisfy(\.isNumber) else { return nil }
        return Timestamp(iso8601: "\(d.prefix(4))-\(d.dropFirst(4).prefix(2))-\(d.suffix(2))T00:00:00Z")
    }

    public func close() async throws { runTask.cancel(); _ = await runTask.value }
}

/// Partitions already made, or being made: concurrent writers wait for the same creation.
actor PartitionMaker {
    private var made: [String: Task<Void, Error>] = [:]
    /// A dropped partition is made again if rows for it come back.
    func forget(_ name: String) { made[name] = nil }
    func ensure(_ name: String, _ create: @escaping @Sendable () async throws -> Void) async throws {
        if let t = made[name] { return try await t.value }
        let t = Task { try await create() }
        made[name] = t
        do { try await t.value } catch { made[name] = nil; throw error }
    }
}

/// COPY text for a µs timestamp: `2024-01-01 00:00:07.500000+00` (no float, no Foundation formatter).
enum PGText {
    static func writeInt(_ v: Int64, into buf: inout ByteBuffer) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { raw in
            var m = v.magnitude, n = 0
            repeat { raw[23 - n] = UInt8(48 + m % 10); m /= 10; n += 1 } while m > 0
            if v < 0 { raw[23 - n] = 45; n += 1 }
            buf.writeBytes(UnsafeRawBufferPointer(rebasing: raw[(24 - n)...]))
        }
    }

    static func writeTimestamp(_ micros: Int64, into buf: inout ByteBuffer) { buf.writeString(timestamp(micros)) }

    static func timestamp(_ micros: Int64) -> String {
        let secs = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let us = micros - secs * 1_000_000
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let sod = secs - days * 86_400
        // Howard Hinnant's civil-from-days (public domain), as in TradingCore's ISO-8601 text.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        return String(unsafeUninitializedCapacity: 32) { b in
            var n = 0
            func put(_ v: Int64, _ width: Int) {
                var x = v
                for k in stride(from: width - 1, through: 0, by: -1) { b[n + k] = UInt8(48 + x % 10); x /= 10 }
                n += width
            }
            func ch(_ c: UInt8) { b[n] = c; n += 1 }
            put(y, 4); ch(45); put(m, 2); ch(45); put(d, 2); ch(32)
            put(sod / 3600, 2); ch(58); put(sod % 3600 / 60, 2); ch(58); put(sod % 60, 2); ch(46); put(us, 6)
            ch(43); ch(48); ch(48)
            return n
        }
    }
}
