import TradingCore

/// The logical schema (history.md §6.1, resolution 51), shared by both stores: the same table names and columns.
/// Migrations are append-only and never drop a table that holds data (§6.6).
public enum HistorySchema {
    /// Rollup tables in refresh order (§6.3 step 5).
    public static let rollups: [Timeframe] = [.m5, .m15, .m30, .h1, .h4, .h12, .d1, .w1]
    public static func table(_ tf: Timeframe) -> String { tf == .m1 ? "candles" : "candles_\(tf)" }
    /// `candles_native` intervals a Kraken OHLCVT file may have (§13.3).
    public static let nativeIntervals: Set<Int> = [5, 15, 30, 60, 240, 720, 1440]

    public static let tables = [
        "schema_migrations", "symbols", "trades", "candles", "candles_native",
    ] + rollups.map(table) + [
        "external_indicators", "data_sync_status", "data_coverage", "rollup_watermark", "rollup_invalidation",
        "import_log", "backtest_runs", "sessions", "fill_journal",
    ]

    /// Version 1 for SQLite: integers for prices and quantities at the symbol's scale, µs timestamps, decimal text for
    /// sums and money (never aggregated in SQL: §6.4), `WITHOUT ROWID` tables keyed for the queries they answer.
    /// `trades` has no CHECK constraints: they halved the bulk insert rate (measured, Benchmarks/HistoryBench), and every
    /// row is validated by `HistoryValidation` before any write (side NULL only from CSV, price and volume > 0).
    static func sqliteV1() -> [String] {
        var s = [
            """
            CREATE TABLE symbols (symbol TEXT PRIMARY KEY, price_decimals INTEGER NOT NULL, quantity_decimals INTEGER NOT NULL,
              retained_from INTEGER, first_write_at INTEGER NOT NULL)
            """,
            """
            CREATE TABLE trades (symbol TEXT NOT NULL, ts INTEGER NOT NULL, trade_key INTEGER NOT NULL,
              price INTEGER NOT NULL, volume INTEGER NOT NULL, side TEXT, order_type TEXT,
              misc TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,
              PRIMARY KEY (symbol, ts, trade_key)) WITHOUT ROWID
            """,
            """
            CREATE TABLE candles (symbol TEXT NOT NULL, interval_minutes INTEGER NOT NULL DEFAULT 1 CHECK (interval_minutes = 1),
              ts INTEGER NOT NULL, open INTEGER NOT NULL, high INTEGER NOT NULL, low INTEGER NOT NULL, close INTEGER NOT NULL,
              volume INTEGER NOT NULL, quote_volume TEXT, trade_count INTEGER NOT NULL DEFAULT 0, vwap TEXT,
              is_complete INTEGER NOT NULL DEFAULT 1, source TEXT NOT NULL CHECK (source IN ('ws', 'rest_ohlc', 'trades', 'csv')),
              PRIMARY KEY (symbol, interval_minutes, ts)) WITHOUT ROWID
            """,
            """
            CREATE TABLE candles_native (symbol TEXT NOT NULL, interval_minutes INTEGER NOT NULL, ts INTEGER NOT NULL,
              open INTEGER NOT NULL, high INTEGER NOT NULL, low INTEGER NOT NULL, close INTEGER NOT NULL, volume INTEGER NOT NULL,
              quote_volume TEXT, trade_count INTEGER NOT NULL DEFAULT 0, vwap TEXT, is_complete INTEGER NOT NULL DEFAULT 1,
              source TEXT NOT NULL, PRIMARY KEY (symbol, interval_minutes, ts)) WITHOUT ROWID
            """,
        ]
        for tf in rollups {
            s.append("""
            CREATE TABLE \(table(tf)) (symbol TEXT NOT NULL, ts INTEGER NOT NULL, open INTEGER NOT NULL, high INTEGER NOT NULL,
              low INTEGER NOT NULL, close INTEGER NOT NULL, volume TEXT NOT NULL, quote_volume TEXT, trade_count INTEGER NOT NULL,
              vwap TEXT, source_rows INTEGER NOT NULL, is_complete INTEGER NOT NULL, PRIMARY KEY (symbol, ts)) WITHOUT ROWID
            """)
        }
        s += [
            """
            CREATE TABLE external_indicators (ts INTEGER NOT NULL, indicator_name TEXT NOT NULL, value TEXT NOT NULL, source TEXT,
              PRIMARY KEY (ts, indicator_name))
            """,
            "CREATE INDEX idx_external_indicator_name_ts ON external_indicators (indicator_name, ts DESC)",
            """
            CREATE TABLE data_sync_status (symbol TEXT NOT NULL, data_type TEXT NOT NULL, oldest_timestamp INTEGER,
              newest_timestamp INTEGER, last_sync_at INTEGER, last_kraken_since INTEGER, total_records INTEGER NOT NULL DEFAULT 0,
              last_error TEXT, PRIMARY KEY (symbol, data_type))
            """,
            """
            CREATE TABLE data_coverage (symbol TEXT NOT NULL, data_type TEXT NOT NULL, range_start INTEGER NOT NULL,
              range_end INTEGER NOT NULL, source TEXT NOT NULL, verified_at INTEGER NOT NULL,
              PRIMARY KEY (symbol, data_type, range_start)) WITHOUT ROWID
            """,
            "CREATE TABLE rollup_watermark (rollup TEXT NOT NULL, symbol TEXT NOT NULL, materialized_until INTEGER NOT NULL, PRIMARY KEY (rollup, symbol))",
            """
            CREATE TABLE rollup_invalidation (id INTEGER PRIMARY KEY, rollup TEXT NOT NULL, symbol TEXT NOT NULL,
              range_start INTEGER NOT NULL, range_end INTEGER NOT NULL)
            """,
            """
            CREATE TABLE import_log (sha256 TEXT PRIMARY KEY, file_name TEXT NOT NULL, kind TEXT NOT NULL, symbol TEXT NOT NULL,
              interval_minutes INTEGER, rows INTEGER NOT NULL, imported_at INTEGER NOT NULL)
            """,
            """
            CREATE TABLE backtest_runs (id TEXT PRIMARY KEY, strategy_name TEXT NOT NULL, symbols TEXT NOT NULL,
              start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, parameters TEXT NOT NULL, metrics TEXT NOT NULL,
              trades TEXT, equity_curve TEXT, created_at INTEGER NOT NULL)
            """,
            "CREATE INDEX idx_backtest_strategy ON backtest_runs (strategy_name, created_at DESC)",
            // Resolution 51: the fill journal (the logging issue writes it).
            """
            CREATE TABLE sessions (id TEXT PRIMARY KEY, started_at INTEGER NOT NULL, ended_at INTEGER, mode TEXT NOT NULL,
              status TEXT NOT NULL, version TEXT NOT NULL, spec TEXT NOT NULL, fills_sha256 TEXT)
            """,
            """
            CREATE TABLE fill_journal (session_id TEXT NOT NULL REFERENCES sessions (id), seq INTEGER NOT NULL, ts INTEGER NOT NULL,
              fill_id TEXT NOT NULL, strategy TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, price TEXT NOT NULL,
              quantity TEXT NOT NULL, fee TEXT NOT NULL, canonical TEXT NOT NULL, PRIMARY KEY (session_id, seq))
            """,
        ]
        return s
    }
}
