#!/usr/bin/env python3
"""Cross-check the canonical SMA-cross backtest (shared/bench/README.md) three ways.

For every dataset (bars from shared/bench/gen_bars.py) the canonical result is computed by

  a. backtrader 1.9.78.123  -- CrossOver(SMA(10), SMA(30)), buy(size=1) / close(), commission 0.1 %,
                               market orders filled at the next bar's open, cash 10,000,000;
  b. plain                  -- an independent restatement in exact decimal.Decimal arithmetic;
  c. ours                   -- `ws-tester backtest ... --summary-json OUT.json`.

Closed-trade counts must agree across all three; ours' final equity must equal backtrader's and the
plain restatement's to the cent (|diff| < 0.005). Exit status: 0 all agree, 1 mismatch,
2 ws-tester binary missing (use --peers-only to compare only backtrader and the restatement).

Environment:
  WS_SHARED        shared material (default <repo>/../shared)
  WS_TESTER_BIN    our binary (default <repo>/.build/release/ws-tester)
  WS_PEERS_VENV    peers venv (see scripts/peers_env.sh); the script re-execs itself under it
                   when backtrader is not importable.

Examples:
  scripts/crosscheck_sma.py                         # default datasets, all three engines
  scripts/crosscheck_sma.py --peers-only --sizes 2000 --seeds 1,2
  scripts/crosscheck_sma.py --json-out Tests/Fixtures/sma_cross_golden.json
  scripts/crosscheck_sma.py --ties    # + synthetic integer-price bars with exact fast == slow ties
"""
from __future__ import annotations

import argparse
import decimal
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# Canonical parameters (shared/bench/README.md).
FAST, SLOW = 10, 30
QTY = 1
CASH = 10_000_000
FEE_RATE = "0.001"
CENT = 0.005
DEFAULT_DATASETS = [(20000, 1), (20000, 2), (20000, 3), (20000, 42), (5000, 7)]


# --------------------------------------------------------------------------- environment

def ensure_peers(modules=("backtrader",)):
    """Re-exec this script under the peers venv (scripts/peers_env.sh) if a module is missing."""
    try:
        for m in modules:
            __import__(m)
        return
    except ImportError:
        pass
    if os.environ.get("WS_PEERS_REEXEC"):
        sys.exit(f"error: {', '.join(modules)} not importable even under {sys.executable}")
    print("note: peers not importable here; preparing venv via scripts/peers_env.sh", file=sys.stderr)
    py = subprocess.run([str(REPO / "scripts" / "peers_env.sh")], check=True,
                        stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
    os.environ["WS_PEERS_REEXEC"] = "1"
    os.execv(py, [py, sys.argv[0], *sys.argv[1:]])


def shared_dir() -> Path:
    return Path(os.environ.get("WS_SHARED", REPO.parent / "shared")).resolve()


def tester_bin() -> Path:
    return Path(os.environ.get("WS_TESTER_BIN", REPO / ".build" / "release" / "ws-tester"))


def gen_bars(n: int, seed: int, out_dir: Path) -> Path:
    """Generate (or reuse) bars_N_SEED.csv with shared/bench/gen_bars.py (needs numpy)."""
    path = out_dir / f"bars_{n}_{seed}.csv"
    if not path.exists():
        gen = shared_dir() / "bench" / "gen_bars.py"
        if not gen.exists():
            sys.exit(f"error: {gen} not found (set WS_SHARED)")
        tmp = path.with_suffix(".tmp")
        subprocess.run([sys.executable, str(gen), str(n), str(tmp), str(seed)], check=True)
        tmp.rename(path)
    return path


def gen_tie_bars(n: int, seed: int, out_dir: Path) -> Path:
    """Synthetic bars with integer prices (random walk of -1/0/+1 steps), so fast == slow happens
    often and exactly (also in floats): exercises the zero-difference carry of CrossOver."""
    import random
    path = out_dir / f"ties_{n}_{seed}.csv"
    rng = random.Random(seed)
    price, ts = 100, 1_700_000_000
    with open(path, "w") as f:
        f.write("timestamp,open,high,low,close,volume\n")
        for i in range(n):
            o = price
            price = max(1, price + rng.choice((-1, 0, 0, 1)))
            f.write(f"{ts + 60 * i},{o}.00,{max(o, price) + 1}.00,{min(o, price) - 1}.00,{price}.00,1.000000\n")
    return path


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- a. backtrader

def make_bt_strategy():
    import backtrader as bt

    class SmaCross(bt.Strategy):
        def __init__(self):
            fast = bt.ind.SMA(self.data.close, period=FAST)
            slow = bt.ind.SMA(self.data.close, period=SLOW)
            self.crossover = bt.ind.CrossOver(fast, slow)
            self.closed_trades = 0
            self.fills = []  # (bar index, side, price) for divergence reports

        def next(self):
            if self.crossover > 0 and not self.position:
                self.buy(size=QTY)
            elif self.crossover < 0 and self.position:
                self.close()

        def notify_order(self, order):
            if order.status == order.Completed:
                side = "buy" if order.isbuy() else "sell"
                self.fills.append((len(self.data) - 1, side, order.executed.price))

        def notify_trade(self, trade):
            if trade.isclosed:
                self.closed_trades += 1

    return SmaCross


def run_backtrader(feed, stdstats=True):
    """Run the canonical strategy on a backtrader feed; return (result dict, seconds in cerebro.run())."""
    import backtrader as bt
    cerebro = bt.Cerebro(stdstats=stdstats)
    cerebro.adddata(feed)
    cerebro.addstrategy(make_bt_strategy())
    cerebro.broker.setcash(CASH)
    cerebro.broker.setcommission(commission=float(FEE_RATE))  # percabs=True: 0.001 == 0.1 %
    t0 = time.perf_counter()
    strat = cerebro.run()[0]
    secs = time.perf_counter() - t0
    return {"closed_trades": strat.closed_trades, "final_equity": cerebro.broker.getvalue(),
            "fills": strat.fills}, secs


def backtrader_csv(path: Path):
    import backtrader as bt
    feed = bt.feeds.GenericCSVData(
        dataname=str(path), headers=True, dtformat=1,  # dtformat=1: Unix seconds (int)
        datetime=0, open=1, high=2, low=3, close=4, volume=5, openinterest=-1,
        timeframe=bt.TimeFrame.Minutes, compression=1)
    return run_backtrader(feed)[0]


# --------------------------------------------------------------------------- b. plain Decimal restatement

def plain_decimal(path: Path) -> dict:
    """Independent restatement; money in exact Decimal, prices straight from the CSV text.

    fast - slow = S10/10 - S30/30 = (3*S10 - S30)/30, so the crossover decision uses the sign of the
    exact quantity 3*S10 - S30 (a multiple of 0.01) (no rounding at all). Crossover follows backtrader:
    a zero difference carries the previous non-zero difference forward (NonZeroDifference), the
    first difference (bar SLOW-1) seeds it, and crosses are evaluated from bar SLOW on.
    """
    decimal.getcontext().prec = 60
    opens, closes = [], []
    with open(path) as f:
        next(f)  # header
        for line in f:
            _ts, o, _h, _l, c, _v = line.rstrip("\n").split(",")
            opens.append(Decimal(o))
            closes.append(Decimal(c))
    n = len(closes)
    fee_rate = Decimal(FEE_RATE)
    ratio = SLOW // FAST
    assert ratio * FAST == SLOW, "exact-sign trick assumes SLOW is a multiple of FAST"

    cash, pos = Decimal(CASH), 0
    pending = None  # order decided at a bar's close, filled at the next bar's open
    closed, fills = 0, []
    s_fast = s_slow = Decimal(0)
    nzd_prev = None   # last non-zero difference (backtrader's NonZeroDifference)
    min_gap = None    # smallest |fast - slow| seen (diagnostic for float ties)
    zero_diffs = 0    # bars with fast == slow exactly (where the carry rule matters)
    for t in range(n):
        # 1. fill the pending market order at this bar's open
        if pending is not None:
            px = opens[t]
            if pending == "buy":
                cash -= px * QTY + fee_rate * px * QTY
                pos += QTY
            else:  # close the whole position
                cash += px * pos - fee_rate * px * pos
                pos = 0
                closed += 1
            fills.append((t, pending, px))
            pending = None
        # 2. indicators at this bar's close
        s_fast += closes[t]
        s_slow += closes[t]
        if t >= FAST:
            s_fast -= closes[t - FAST]
        if t >= SLOW:
            s_slow -= closes[t - SLOW]
        if t < SLOW - 1:
            continue
        diff = ratio * s_fast - s_slow  # = 30 * (fast - slow), exact
        gap = abs(diff) / SLOW
        min_gap = gap if min_gap is None else min(min_gap, gap)
        zero_diffs += diff == 0
        if t == SLOW - 1:
            nzd_prev = diff  # seed value
            continue
        up = nzd_prev < 0 and diff > 0
        down = nzd_prev > 0 and diff < 0
        if diff != 0:
            nzd_prev = diff
        # 3. strategy decision at the close
        if up and pos == 0:
            pending = "buy"
        elif down and pos != 0:
            pending = "sell"
    equity = cash + pos * closes[-1]
    return {"closed_trades": closed, "final_equity": equity, "fills": fills,
            "open_position": pos, "min_sma_gap": min_gap, "zero_diffs": zero_diffs, "bars": n}


# --------------------------------------------------------------------------- c. ours

def run_ours(path: Path, out_json: Path, binary: Path | None = None) -> dict:
    binary = binary or tester_bin()
    cmd = [str(binary), "backtest", "--bars", str(path), "--symbol", "BTC/USD",
           "--strategy", "sma_cross", "--param", f"fast={FAST}", "--param", f"slow={SLOW}",
           "--param", f"quantity={QTY}", "--capital", str(CASH), "--fee-rate", FEE_RATE,
           "--slippage-rate", "0", "--summary-json", str(out_json)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"ws-tester exited {proc.returncode}\ncmd: {' '.join(cmd)}\n"
                           f"stderr:\n{proc.stderr[-4000:]}")
    summary = json.loads(out_json.read_text())
    s0 = summary["strategies"][0]
    return {"final_equity": Decimal(str(s0["final_equity"])),
            "closed_trades": int(s0["closed_trades"]),
            "fills": int(s0["fills"]),
            "run_seconds": float(summary["run_seconds"]),
            "events_processed": summary.get("events_processed"),
            "wall_seconds": wall}


# --------------------------------------------------------------------------- comparison

@dataclass
class Outcome:
    n: int
    seed: int
    ok: bool = True
    problems: list = field(default_factory=list)


def first_divergence(a, b):
    for i, (x, y) in enumerate(zip(a, b)):
        if x[0] != y[0] or x[1] != y[1]:
            return i, x, y
    if len(a) != len(b):
        i = min(len(a), len(b))
        return i, a[i] if i < len(a) else None, b[i] if i < len(b) else None
    return None


def check_dataset(n, seed, path: Path, work: Path, peers_only: bool):
    out = Outcome(n, seed)
    plain = plain_decimal(path)
    btr = backtrader_csv(path)
    ours = None if peers_only else run_ours(path, work / f"summary_{path.stem}.json")

    def fail(msg):
        out.ok = False
        out.problems.append(msg)

    # trade counts
    counts = {"plain": plain["closed_trades"], "backtrader": btr["closed_trades"]}
    if ours:
        counts["ours"] = ours["closed_trades"]
    if len(set(counts.values())) != 1:
        fail(f"closed trades differ: {counts}")
    # equities
    pe, be = plain["final_equity"], btr["final_equity"]
    if abs(float(pe) - be) >= CENT:
        fail(f"backtrader vs plain equity differ: {be:.6f} vs {pe}")
    if ours:
        oe = ours["final_equity"]
        if abs(float(oe) - be) >= CENT:
            fail(f"ours vs backtrader equity differ: {oe} vs {be:.6f}")
        if abs(oe - pe) >= Decimal(str(CENT)):
            fail(f"ours vs plain equity differ: {oe} vs {pe}")
        if ours["fills"] != len(plain["fills"]):
            fail(f"fills differ: ours {ours['fills']} vs plain {len(plain['fills'])}")
    # trade-list divergence between the peers (diagnostic only; bar index + side)
    div = first_divergence(plain["fills"], btr["fills"])
    if div:
        fail(f"fill lists diverge at fill #{div[0]}: plain {div[1]} vs backtrader {div[2]}")

    # table
    print(f"\n== N={n} seed={seed}  ({path.name}, sha256 {sha256_file(path)[:12]})")
    print(f"   {'engine':<11} {'closed':>7} {'fills':>6} {'final equity':>22}  note")
    print(f"   {'plain':<11} {plain['closed_trades']:>7} {len(plain['fills']):>6} {str(pe):>22}"
          f"  open pos {plain['open_position']}, min |fast-slow| {plain['min_sma_gap']:.6f},"
          f" bars with fast==slow {plain['zero_diffs']}")
    print(f"   {'backtrader':<11} {btr['closed_trades']:>7} {len(btr['fills']):>6} {be:>22.6f}"
          f"  diff vs plain {float(pe) - be:+.3e}")
    if ours:
        exact = "exact" if ours["final_equity"] == pe else f"diff vs plain {ours['final_equity'] - pe}"
        bps = plain["bars"] / ours["run_seconds"] if ours["run_seconds"] > 0 else float("inf")
        print(f"   {'ours':<11} {ours['closed_trades']:>7} {ours['fills']:>6} {str(ours['final_equity']):>22}"
              f"  {exact}; run {ours['run_seconds']:.4f}s ({bps:,.0f} bars/s), "
              f"events {ours['events_processed']}, wall {ours['wall_seconds']:.3f}s")
    print("   " + ("OK" if out.ok else "MISMATCH: " + "; ".join(out.problems)))
    golden = {"n": n, "seed": seed, "csv_sha256": sha256_file(path),
              "closed_trades": plain["closed_trades"], "fills": len(plain["fills"]),
              "open_position": plain["open_position"],
              "final_equity": format(pe, "f"), "backtrader_value": be}
    return out, golden


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", help="comma-separated bar counts (default: the canonical dataset list)")
    ap.add_argument("--seeds", help="comma-separated seeds (with --sizes/--seeds: cartesian product)")
    ap.add_argument("--peers-only", action="store_true", help="compare backtrader vs plain only")
    ap.add_argument("--data-dir", help="keep generated CSVs / summaries here (default: temp dir)")
    ap.add_argument("--json-out", help="write canonical (golden) results as JSON")
    ap.add_argument("--ties", action="store_true",
                    help="also run a synthetic integer-price dataset (N=5000, seed 1) with exact SMA ties")
    args = ap.parse_args(argv)

    if args.sizes or args.seeds:
        sizes = [int(x) for x in (args.sizes or "20000").split(",")]
        seeds = [int(x) for x in (args.seeds or "42").split(",")]
        datasets = [(n, s) for n in sizes for s in seeds]
    else:
        datasets = DEFAULT_DATASETS

    if not args.peers_only and not tester_bin().exists():
        print(f"error: ws-tester binary not found at {tester_bin()}\n"
              f"       build it (swift build -c release) or set WS_TESTER_BIN; "
              f"or run with --peers-only", file=sys.stderr)
        return 2
    ensure_peers(("backtrader", "numpy"))

    tmp = None
    if args.data_dir:
        work = Path(args.data_dir)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="ws-sma-xcheck-")
        work = Path(tmp.name)

    outcomes, golden = [], []
    jobs = [(n, seed, "gen_bars") for n, seed in datasets]
    if args.ties:
        jobs.append((5000, 1, "ties"))
    for n, seed, kind in jobs:
        path = gen_bars(n, seed, work) if kind == "gen_bars" else gen_tie_bars(n, seed, work)
        o, g = check_dataset(n, seed, path, work, args.peers_only)
        g["generator"] = kind
        outcomes.append(o)
        golden.append(g)

    if args.json_out:
        doc = {"strategy": "sma_cross",
               "params": {"fast": FAST, "slow": SLOW, "quantity": QTY, "capital": CASH,
                          "fee_rate": FEE_RATE, "slippage_rate": "0", "fill": "next-open"},
               "generator": "shared/bench/gen_bars.py N OUT.csv SEED",
               "final_equity_source": "exact Decimal restatement (scripts/crosscheck_sma.py)",
               "datasets": golden}
        Path(args.json_out).write_text(json.dumps(doc, indent=2) + "\n")
        print(f"\nwrote {args.json_out}")

    bad = [o for o in outcomes if not o.ok]
    what = "backtrader vs plain" if args.peers_only else "ours vs backtrader vs plain"
    print(f"\n{len(outcomes) - len(bad)}/{len(outcomes)} datasets agree ({what})")
    if tmp:
        tmp.cleanup()
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
