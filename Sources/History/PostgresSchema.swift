import TradingCore

/// PostgreSQL version 1 of the logical schema (history.md §6.1/§6.3): TIMESTAMPTZ times, BIGINT prices and quantities
/// at the symbol's scale, NUMERIC(38,18) sums and money. `trades` is range-partitioned by day and `candles` by ISO week
/// (native partitioning; partitions are created before rows arrive, a DEFAULT partition catches nothing in normal
/// use), each with a BRIN index on time. Times cross the wire as µs integers through two SQL functions, so no value
/// goes through a binary float (µs up to year 2255 are exact in the interval arithmetic).
///
/// With TimescaleDB (`layout == .hypertables`) the same tables are hypertables (chunks of 1 day, 7 days, 30 days, as
/// the reference) instead of native partitions; everything else is identical. The rollups stay ordinary tables kept
/// by the rollup refresher in every mode: their completeness depends on `data_coverage` (a covered minute without
/// trades is not a hole), which a continuous aggregate cannot read, so a continuous aggregate would call complete
/// hours incomplete and give a different answer on Timescale than everywhere else.
enum PostgresSchema {
    enum Layout: String, Sendable { case partitions, hypertables }

    static func v1(layout: Layout = .partitions) -> [String] {
        let partitioned = layout == .partitions ? " PARTITION BY RANGE (ts)" : ""
        var s = [
            """
            CREATE FUNCTION ws_ts(bigint) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE
              AS $$ SELECT timestamptz '1970-01-01 00:00:00+00' + $1 * interval '1 microsecond' $$
            """,
            "CREATE FUNCTION ws_us(timestamptz) RETURNS bigint LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT (extract(epoch FROM $1) * 1000000)::bigint $$",
            """
            CREATE TABLE symbols (symbol TEXT PRIMARY KEY, price_decimals INT NOT NULL, quantity_decimals INT NOT NULL,
              retained_from TIMESTAMPTZ, first_write_at TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE TABLE trades (symbol TEXT NOT NULL, ts TIMESTAMPTZ NOT NULL, trade_key BIGINT NOT NULL, price BIGINT NOT NULL,
              volume BIGINT NOT NULL, side TEXT, order_type TEXT, misc TEXT NOT NULL DEFAULT '', source TEXT NOT NULL,
              PRIMARY KEY (symbol, ts, trade_key))\(partitioned)
            """,
            """
            CREATE TABLE candles (symbol TEXT NOT NULL, interval_minutes SMALLINT NOT NULL DEFAULT 1 CHECK (interval_minutes = 1),
              ts TIMESTAMPTZ NOT NULL, open BIGINT NOT NULL, high BIGINT NOT NULL, low BIGINT NOT NULL, close BIGINT NOT NULL,
              volume BIGINT NOT NULL, quote_volume NUMERIC(38, 18), trade_count INT NOT NULL DEFAULT 0, vwap NUMERIC(38, 18),
              is_complete BOOLEAN NOT NULL DEFAULT true, source TEXT NOT NULL,
              PRIMARY KEY (symbol, interval_minutes, ts))\(partitioned)
            """,
            """
            CREATE TABLE candles_native (symbol TEXT NOT NULL, interval_minutes SMALLINT NOT NULL, ts TIMESTAMPTZ NOT NULL,
              open BIGINT NOT NULL, high BIGINT NOT NULL, low BIGINT NOT NULL, close BIGINT NOT NULL, volume BIGINT NOT NULL,
              quote_volume NUMERIC(38, 18), trade_count INT NOT NULL DEFAULT 0, vwap NUMERIC(38, 18), is_complete BOOLEAN NOT NULL DEFAULT true,
              source TEXT NOT NULL, PRIMARY KEY (symbol, interval_minutes, ts))
            """,
        ]
        switch layout {
        case .partitions:
            s += ["CREATE TABLE trades_default PARTITION OF trades DEFAULT", "CREATE INDEX trades_ts_brin ON trades USING brin (ts)",
                  "CREATE TABLE candles_default PARTITION OF candles DEFAULT", "CREATE INDEX candles_ts_brin ON candles USING brin (ts)"]
        case .hypertables:
            s += ["SELECT create_hypertable('trades', 'ts', chunk_time_interval => interval '1 day')",
                  "SELECT create_hypertable('candles', 'ts', chunk_time_interval => interval '7 days')"]
        }
        for tf in HistorySchema.rollups {
            s.append("""
            CREATE TABLE \(HistorySchema.table(tf)) (symbol TEXT NOT NULL, ts TIMESTAMPTZ NOT NULL, open BIGINT NOT NULL, high BIGINT NOT NULL,
              low BIGINT NOT NULL, close BIGINT NOT NULL, volume NUMERIC(38, 18) NOT NULL, quote_volume NUMERIC(38, 18), trade_count BIGINT NOT NULL,
              vwap NUMERIC(38, 18), source_rows INT NOT NULL, is_complete BOOLEAN NOT NULL, PRIMARY KEY (symbol, ts))
            """)
        }
        s += [
            """
            CREATE TABLE external_indicators (ts TIMESTAMPTZ NOT NULL, indicator_name TEXT NOT NULL, value NUMERIC(38, 18) NOT NULL, source TEXT,
              PRIMARY KEY (ts, indicator_name))
            """,
            "CREATE INDEX idx_external_indicator_name_ts ON external_indicators (indicator_name, ts DESC)",
        ]
        if layout == .hypertables {
            s.append("SELECT create_hypertable('external_indicators', 'ts', chunk_time_interval => interval '30 days')")
        }
        s += [
            """
            CREATE TABLE data_sync_status (symbol TEXT NOT NULL, data_type TEXT NOT NULL, oldest_timestamp TIMESTAMPTZ, newest_timestamp TIMESTAMPTZ,
              last_sync_at TIMESTAMPTZ, last_kraken_since BIGINT, total_records BIGINT NOT NULL DEFAULT 0, last_error TEXT,
              PRIMARY KEY (symbol, data_type))
            """,
            """
            CREATE TABLE data_coverage (symbol TEXT NOT NULL, data_type TEXT NOT NULL, range_start TIMESTAMPTZ NOT NULL,
              range_end TIMESTAMPTZ NOT NULL, source TEXT NOT NULL, verified_at TIMESTAMPTZ NOT NULL, PRIMARY KEY (symbol, data_type, range_start))
            """,
            "CREATE TABLE rollup_watermark (rollup TEXT NOT NULL, symbol TEXT NOT NULL, materialized_until TIMESTAMPTZ NOT NULL, PRIMARY KEY (rollup, symbol))",
            """
            CREATE TABLE rollup_invalidation (id BIGSERIAL PRIMARY KEY, rollup TEXT NOT NULL, symbol TEXT NOT NULL,
              range_start TIMESTAMPTZ NOT NULL, range_end TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE TABLE import_log (sha256 TEXT PRIMARY KEY, file_name TEXT NOT NULL, kind TEXT NOT NULL, symbol TEXT NOT NULL,
              interval_minutes INT, rows BIGINT NOT NULL, imported_at TIMESTAMPTZ NOT NULL)
            """,
            """
            CREATE TABLE backtest_runs (id UUID PRIMARY KEY DEFAULT gen_random_uuid(), strategy_name TEXT NOT NULL, symbols TEXT[] NOT NULL,
              start_time TIMESTAMPTZ NOT NULL, end_time TIMESTAMPTZ NOT NULL, parameters JSONB NOT NULL, metrics JSONB NOT NULL,
              trades JSONB, equity_curve JSONB, created_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """,
            "CREATE INDEX idx_backtest_strategy ON backtest_runs (strategy_name, created_at DESC)",
            """
            CREATE TABLE sessions (id TEXT PRIMARY KEY, started_at TIMESTAMPTZ NOT NULL, ended_at TIMESTAMPTZ, mode TEXT NOT NULL,
              status TEXT NOT NULL, version TEXT NOT NULL, spec TEXT NOT NULL, fills_sha256 TEXT)
            """,
            """
            CREATE TABLE fill_journal (session_id TEXT NOT NULL REFERENCES sessions (id), seq BIGINT NOT NULL, ts TIMESTAMPTZ NOT NULL,
              fill_id TEXT NOT NULL, strategy TEXT NOT NULL, symbol TEXT NOT NULL, side TEXT NOT NULL, price NUMERIC(38, 18) NOT NULL,
              quantity NUMERIC(38, 18) NOT NULL, fee NUMERIC(38, 18) NOT NULL, canonical TEXT NOT NULL, PRIMARY KEY (session_id, seq))
            """,
        ]
        return s
    }

    /// TimescaleDB's compression (§4.7: trades after 7 days, candles after 30), only from 2.11, the first version that
    /// accepts inserts and upserts into compressed chunks: an import of old data must still merge.
    static func compression(version: String) -> [String] {
        let parts = version.split(separator: ".").compactMap { Int($0.prefix(while: \.isNumber)) }
        guard parts.count >= 2, (parts[0], parts[1]) >= (2, 11) else { return [] }
        return [
            "ALTER TABLE trades SET (timescaledb.compress, timescaledb.compress_segmentby = 'symbol', timescaledb.compress_orderby = 'ts DESC, trade_key')",
            "SELECT add_compression_policy('trades', interval '7 days')",
            "ALTER TABLE candles SET (timescaledb.compress, timescaledb.compress_segmentby = 'symbol, interval_minutes', timescaledb.compress_orderby = 'ts DESC')",
            "SELECT add_compression_policy('candles', interval '30 days')",
        ]
    }
}
