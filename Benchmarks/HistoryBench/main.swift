import Foundation
import GRDB
import GRDBSQLite
import History
import TradingCore

// history-bench raw            a GRDB insert loop of three integers (the ceiling the import is measured against)
// history-bench schema         the trades-table layouts tried for the import (why the store looks as it does)
// history-bench read DB SYMBOL one year of 1m candles and of its 1h rollup read through the store

// Rows/s of prepared-statement insert loops, 10,000 rows per transaction.
func wall() -> Double { var t = timespec(); clock_gettime(CLOCK_MONOTONIC, &t); return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9 }
let n = 1_000_000
nonisolated(unsafe) let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

func run(_ name: String, _ ddl: String, _ sql: String, perStatement: Int = 1, pragmas: [String] = [], _ bind: (OpaquePointer, Int, Int32) -> Void) throws {
    let path = "/tmp/hb-\(name).sqlite"
    for s in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + s) }
    var c = Configuration()
    c.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL"); for p in pragmas { try db.execute(sql: p) } }
    let pool = try DatabasePool(path: path, configuration: c)
    try pool.write { db in try db.execute(sql: ddl) }
    let t0 = wall()
    var i = 0
    while i < n {
        try pool.write { db in
            let st = try db.cachedStatement(sql: sql).sqliteStatement
            for _ in 0..<(10_000 / perStatement) {
                for k in 0..<perStatement { bind(st, i, Int32(k)); i += 1 }
                guard sqlite3_step(st) == SQLITE_DONE else { fatalError(String(cString: sqlite3_errmsg(db.sqliteConnection))) }
                sqlite3_reset(st)
            }
        }
    }
    let dt = wall() - t0
    print(String(format: "%-28@ %9.0f rows/s", name as NSString, Double(n) / dt))
}

func raw() throws {
try run("three-integers", "CREATE TABLE t (a INTEGER, b INTEGER, c INTEGER)", "INSERT INTO t VALUES (?, ?, ?)") { s, i, _ in
    sqlite3_bind_int64(s, 1, Int64(i)); sqlite3_bind_int64(s, 2, Int64(i) * 3); sqlite3_bind_int64(s, 3, 7)
}
}

func schema() throws {
try run("trades-text-symbol", """
    CREATE TABLE trades (symbol TEXT NOT NULL, ts INTEGER NOT NULL, trade_key INTEGER NOT NULL, price INTEGER NOT NULL, volume INTEGER NOT NULL,
    side TEXT, order_type TEXT, misc TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, PRIMARY KEY (symbol, ts, trade_key)) WITHOUT ROWID
    """, "INSERT OR IGNORE INTO trades (symbol, ts, trade_key, price, volume, side, order_type, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)") { s, i, _ in
    sqlite3_bind_text(s, 1, "BTC/USD", -1, transient); sqlite3_bind_int64(s, 2, 1_704_067_200_000_000 + Int64(i) * 500_000); sqlite3_bind_int64(s, 3, -1)
    sqlite3_bind_int64(s, 4, 420_000 + Int64(i % 1000)); sqlite3_bind_int64(s, 5, Int64(i % 100_000) + 1); sqlite3_bind_null(s, 6); sqlite3_bind_null(s, 7)
    sqlite3_bind_text(s, 8, "csv", -1, transient)
}
try run("trades-int-symbol", """
    CREATE TABLE trades (symbol_id INTEGER NOT NULL, ts INTEGER NOT NULL, trade_key INTEGER NOT NULL, price INTEGER NOT NULL, volume INTEGER NOT NULL,
    side INTEGER, order_type INTEGER, misc TEXT, source INTEGER NOT NULL, PRIMARY KEY (symbol_id, ts, trade_key)) WITHOUT ROWID
    """, "INSERT OR IGNORE INTO trades (symbol_id, ts, trade_key, price, volume, side, order_type, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)") { s, i, _ in
    sqlite3_bind_int64(s, 1, 1); sqlite3_bind_int64(s, 2, 1_704_067_200_000_000 + Int64(i) * 500_000); sqlite3_bind_int64(s, 3, -1)
    sqlite3_bind_int64(s, 4, 420_000 + Int64(i % 1000)); sqlite3_bind_int64(s, 5, Int64(i % 100_000) + 1); sqlite3_bind_null(s, 6); sqlite3_bind_null(s, 7)
    sqlite3_bind_int64(s, 8, 3)
}
try run("trades-int-5col", """
    CREATE TABLE trades (symbol_id INTEGER NOT NULL, ts INTEGER NOT NULL, trade_key INTEGER NOT NULL, price INTEGER NOT NULL, volume INTEGER NOT NULL,
    PRIMARY KEY (symbol_id, ts, trade_key)) WITHOUT ROWID
    """, "INSERT OR IGNORE INTO trades VALUES (?, ?, ?, ?, ?)") { s, i, _ in
    sqlite3_bind_int64(s, 1, 1); sqlite3_bind_int64(s, 2, 1_704_067_200_000_000 + Int64(i) * 500_000); sqlite3_bind_int64(s, 3, -1)
    sqlite3_bind_int64(s, 4, 420_000 + Int64(i % 1000)); sqlite3_bind_int64(s, 5, Int64(i % 100_000) + 1)
}

let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: 100).joined(separator: ", ")
for (name, pragmas, per) in [("int-symbol-page16k", ["PRAGMA page_size = 16384"], 1), ("int-symbol-multirow100", [], 100),
                             ("int-symbol-multirow100-16k", ["PRAGMA page_size = 16384", "PRAGMA cache_size = -65536"], 100)] {
    try run(name, """
        CREATE TABLE trades (symbol_id INTEGER NOT NULL, ts INTEGER NOT NULL, trade_key INTEGER NOT NULL, price INTEGER NOT NULL, volume INTEGER NOT NULL,
        side INTEGER, order_type INTEGER, misc TEXT, source INTEGER NOT NULL, PRIMARY KEY (symbol_id, ts, trade_key)) WITHOUT ROWID
        """, "INSERT OR IGNORE INTO trades (symbol_id, ts, trade_key, price, volume, side, order_type, source) VALUES " + (per == 1 ? "(?, ?, ?, ?, ?, ?, ?, ?)" : values),
        perStatement: per, pragmas: pragmas) { s, i, k in
        let o = k * 8
        sqlite3_bind_int64(s, o + 1, 1); sqlite3_bind_int64(s, o + 2, 1_704_067_200_000_000 + Int64(i) * 500_000); sqlite3_bind_int64(s, o + 3, -1)
        sqlite3_bind_int64(s, o + 4, 420_000 + Int64(i % 1000)); sqlite3_bind_int64(s, o + 5, Int64(i % 100_000) + 1); sqlite3_bind_null(s, o + 6)
        sqlite3_bind_null(s, o + 7); sqlite3_bind_int64(s, o + 8, 3)
    }
}
try run("text-symbol-multirow100-16k", """
    CREATE TABLE trades (symbol TEXT NOT NULL, ts INTEGER NOT NULL, trade_key INTEGER NOT NULL, price INTEGER NOT NULL, volume INTEGER NOT NULL,
    side TEXT, order_type TEXT, misc TEXT NOT NULL DEFAULT '', source TEXT NOT NULL, PRIMARY KEY (symbol, ts, trade_key)) WITHOUT ROWID
    """, "INSERT OR IGNORE INTO trades (symbol, ts, trade_key, price, volume, side, order_type, source) VALUES " + values,
    perStatement: 100, pragmas: ["PRAGMA page_size = 16384", "PRAGMA cache_size = -65536"]) { s, i, k in
    let o = k * 8
    sqlite3_bind_text(s, o + 1, "BTC/USD", 7, nil); sqlite3_bind_int64(s, o + 2, 1_704_067_200_000_000 + Int64(i) * 500_000); sqlite3_bind_int64(s, o + 3, -1)
    sqlite3_bind_int64(s, o + 4, 420_000 + Int64(i % 1000)); sqlite3_bind_int64(s, o + 5, Int64(i % 100_000) + 1); sqlite3_bind_null(s, o + 6)
    sqlite3_bind_null(s, o + 7); sqlite3_bind_text(s, o + 8, "csv", 3, nil)
}
try run("text-multirow-checks", """
    CREATE TABLE trades (symbol TEXT NOT NULL, ts INTEGER NOT NULL, trade_key INTEGER NOT NULL,
      price INTEGER NOT NULL CHECK (price > 0), volume INTEGER NOT NULL CHECK (volume > 0),
      side TEXT CHECK (side IN ('buy', 'sell')), order_type TEXT CHECK (order_type IN ('market', 'limit')),
      misc TEXT NOT NULL DEFAULT '', source TEXT NOT NULL CHECK (source IN ('rest', 'ws', 'csv')),
      CHECK (side IS NOT NULL OR source = 'csv'),
      PRIMARY KEY (symbol, ts, trade_key)) WITHOUT ROWID
    """, "INSERT OR IGNORE INTO trades (symbol, ts, trade_key, price, volume, side, order_type, source) VALUES " + values,
    perStatement: 100, pragmas: ["PRAGMA page_size = 16384", "PRAGMA cache_size = -65536"]) { s, i, k in
    let o = k * 8
    sqlite3_bind_text(s, o + 1, "BTC/USD", 7, nil); sqlite3_bind_int64(s, o + 2, 1_704_067_200_000_000 + Int64(i) * 500_000); sqlite3_bind_int64(s, o + 3, -1)
    sqlite3_bind_int64(s, o + 4, 420_000 + Int64(i % 1000)); sqlite3_bind_int64(s, o + 5, Int64(i % 100_000) + 1); sqlite3_bind_null(s, o + 6)
    sqlite3_bind_null(s, o + 7); sqlite3_bind_text(s, o + 8, "csv", 3, nil)
}
}

func read(_ db: String, _ symbol: Symbol) async throws {
    let store = try SQLiteHistoryStore(path: db, clock: { Timestamp(seconds: 2_000_000_000) })
    try await RollupRefresher(store: store, now: Timestamp(seconds: 2_000_000_000)).refreshPending()
    let year = TimeSpan(Timestamp(seconds: 1_704_067_200), Timestamp(seconds: 1_704_067_200 + 366 * 86_400))
    for (tf, label) in [(Timeframe.m1, "1m"), (.h1, "1h")] {
        var best = Double.infinity, n = 0
        for _ in 0..<3 {
            let t0 = wall()
            n = try await store.rollupCandles(tf, symbol, in: year, limit: nil, descending: false).count
            best = min(best, wall() - t0)
        }
        print(String(format: "read one year of %@ candles: %d rows in %.3f s (best of 3)", label, n, best))
    }
}

let args = CommandLine.arguments
switch args.count > 1 ? args[1] : "raw" {
case "raw": try raw()
case "schema": try schema()
case "read" where args.count == 4: try await read(args[2], Symbol(args[3])!)
default: print("usage: history-bench raw | schema | read DB SYMBOL"); exit(1)
}
