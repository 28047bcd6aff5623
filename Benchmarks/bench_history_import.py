#!/usr/bin/env python3
"""History store figures (issue 9), measured in one run:

  1. `ws-tester data import` of 1,000,000 Kraken trade-history rows into a fresh SQLite store (best of 3), next to
     a raw GRDB insert loop of three integers on the same machine in the same run (history-bench raw): the ratio.
  2. One year of 1m candles (525,600 rows from a Kraken OHLCVT file) and its 1h rollup read through the store.

  3. With a PostgreSQL server (WSTEST_POSTGRES_URL, as scripts/with_postgres.sh sets it): the same import into a
     fresh database through COPY (best of 3).

Build first:  swift build -c release --product ws-tester --product history-bench
Run:          scripts/with_postgres.sh Benchmarks/bench_history_import.py
"""
import json, os, random, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, ".build/release/ws-tester")
BENCH = os.path.join(ROOT, ".build/release/history-bench")


def trade_file(path, n):
    rng = random.Random(7)
    t, p = 1704067200.0, 420000
    with open(path, "w") as f:
        for _ in range(n):
            t += rng.choice([0, 0, 0, 0.5, 1, 2])
            p = max(10000, p + rng.randint(-50, 50))
            f.write(f"{t:.4f},{p / 10:.1f},{rng.randint(1, 10**7) / 10**8:.8f}\n")


def ohlcvt_year(path):
    rng = random.Random(8)
    t, p = 1704067200, 420000
    with open(path, "w") as f:
        for _ in range(525_600):
            o = p; c = o + rng.randint(-40, 40); h = max(o, c) + rng.randint(0, 20); l = min(o, c) - rng.randint(0, 20)
            p = c
            f.write(f"{t},{o / 10:.1f},{h / 10:.1f},{l / 10:.1f},{c / 10:.1f},{rng.randint(1, 10**9) / 10**8:.8f},{rng.randint(1, 50)}\n")
            t += 60


def main():
    for b in (BIN, BENCH):
        if not os.access(b, os.X_OK):
            sys.exit(f"missing {b}: run `swift build -c release --product ws-tester --product history-bench` first")
    tmp = tempfile.mkdtemp(prefix="ws-history-bench-")
    trades = os.path.join(tmp, "XBTUSD.csv")
    trade_file(trades, 1_000_000)
    raw_rate = max(float(subprocess.run([BENCH, "raw"], capture_output=True, text=True, check=True).stdout.split()[-2]) for _ in range(3))
    best = None
    for i in range(3):
        db = os.path.join(tmp, f"import-{i}.sqlite")
        r = subprocess.run([BIN, "data", "import", trades, "--database-url", "sqlite://" + db, "--json"], capture_output=True, text=True)
        o = json.loads(r.stdout)
        if r.returncode != 0 or o["rows_kept"] != 1_000_000:
            sys.exit(f"import failed: {r.stderr}")
        if best is None or o["rows_per_second"] > best["rows_per_second"]:
            best = o
    print(f"raw GRDB loop, three integers:   {raw_rate:,.0f} rows/s (best of 3)")
    print(f"data import, 1,000,000 trades:   {best['rows_per_second']:,.0f} rows/s into SQLite ({best['seconds']:.2f} s, "
          f"1m candles built and rollups refreshed), {best['rows_per_second'] / raw_rate:.2f}x the raw loop   (goal: >= 800,000 rows/s)")
    pg = os.environ.get("WSTEST_POSTGRES_URL")
    if pg:
        best_pg = None
        for i in range(3):
            name = f"bench_{os.getpid()}_{i}"
            subprocess.run(["psql", pg, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
            url = pg.rsplit("/", 1)[0] + "/" + name
            r = subprocess.run([BIN, "data", "import", trades, "--database-url", url, "--json"], capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit(f"postgres import failed: {r.stderr}")
            o = json.loads(r.stdout)
            if best_pg is None or o["rows_per_second"] > best_pg["rows_per_second"]:
                best_pg = o
        print(f"data import, 1,000,000 trades:   {best_pg['rows_per_second']:,.0f} rows/s into PostgreSQL (COPY, {best_pg['seconds']:.2f} s)"
              f"   (goal: >= 300,000 rows/s)")
    else:
        print("PostgreSQL: not measured (run through scripts/with_postgres.sh)")
    year = os.path.join(tmp, "XBTUSD_1.csv")
    ohlcvt_year(year)
    db = os.path.join(tmp, "year.sqlite")
    r = subprocess.run([BIN, "data", "import", year, "--database-url", "sqlite://" + db, "--json"], capture_output=True, text=True)
    o = json.loads(r.stdout)
    print(f"import of one year of 1m OHLCVT: {o['rows_kept']:,} rows in {o['seconds']:.2f} s ({o['rows_per_second']:,.0f} rows/s), "
          f"{o['rollup_rows']:,} rollup rows built")
    print(subprocess.run([BENCH, "read", db, "BTC/USD"], capture_output=True, text=True, check=True).stdout, end="")


if __name__ == "__main__":
    main()
