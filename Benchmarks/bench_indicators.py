#!/usr/bin/env python3
"""Streaming indicator cost per update vs TA-Lib's C batch functions, on the same 1,000,000 bars, same run.

Ours: .build/release/indicator-bench (Benchmarks/IndicatorBench), one `update` per bar over the whole series,
best of --repeat; it writes the bars it used so TA-Lib sees exactly the same input.
TA-Lib: PyPI ta-lib 0.8.2 (the C library it bundles), best of --repeat, timing only the call on numpy arrays
(Python's overhead is once per call, not per value). Indicators TA-Lib has no single function for are built
from its functions as indicators.md says (choppiness from SUM(TRANGE), MAX, MIN; volatility from
STDDEV(ROCP) × 100; correlation from CORREL(ROCP, ROCP)); the volume ratio has no TA-Lib counterpart.
Goal: within 2x of TA-Lib per value.

  swift build -c release --product indicator-bench
  Benchmarks/bench_indicators.py [--bars 1000000] [--repeat 5] [--json-out FILE]

TA-Lib comes from a throwaway venv (WS_TALIB_VENV, default /tmp/talib-venv); the script re-execs itself
under it, creating it when missing.
"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.environ.get("WS_TALIB_VENV", "/tmp/talib-venv")
GOAL = 2.0


def ensure_venv():
    py = os.path.join(VENV, "bin", "python")
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "-q", "ta-lib==0.8.2", "numpy"])
    os.execv(py, [py] + sys.argv)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release/indicator-bench"))
    ap.add_argument("--json-out")
    a = ap.parse_args()
    ensure_venv()
    import numpy as np
    import talib

    dump = tempfile.NamedTemporaryFile(suffix=".f64", delete=False).name
    out = subprocess.run([a.bin, "--bars", str(a.bars), "--repeat", str(a.repeat), "--dump", dump],
                         check=True, capture_output=True, text=True).stdout
    ours = {j["indicator"]: j for j in map(json.loads, out.splitlines())}
    raw = np.fromfile(dump, dtype=np.float64).reshape(4, a.bars)
    os.unlink(dump)
    close, high, low, volume = (np.ascontiguousarray(r) for r in raw)

    def chop(p=14):
        rng = talib.MAX(high, p) - talib.MIN(low, p)
        return 100 * np.log10(talib.SUM(talib.TRANGE(high, low, close), p) / rng) / np.log10(p)

    peers = {
        "sma_20": lambda: talib.SMA(close, 20),
        "ema_20": lambda: talib.EMA(close, 20),
        "rsi_14": lambda: talib.RSI(close, 14),
        "atr_14": lambda: talib.ATR(high, low, close, 14),
        "adx_14": lambda: talib.ADX(high, low, close, 14),
        "macd_12_26_9": lambda: talib.MACD(close, 12, 26, 9),
        "bollinger_20_2": lambda: talib.BBANDS(close, 20, 2.0, 2.0, 0),
        "choppiness_14": chop,
        "volatility_20": lambda: talib.STDDEV(talib.ROCP(close, 1), 20, 1) * 100,
        "correlation_20": lambda: talib.CORREL(talib.ROCP(close, 1), talib.ROCP(high, 1), 20),
    }
    rows = []
    print(f"{a.bars:,} bars, best of {a.repeat}; ns per value (ours: one streaming update; TA-Lib: its C batch call / bars)")
    print(f"{'indicator':<18}{'ours ns':>10}{'TA-Lib ns':>11}{'ours/TA-Lib':>13}  goal ≤ {GOAL}x")
    for name, o in ours.items():
        t = None
        if name in peers:
            best = float("inf")
            for _ in range(a.repeat):
                t0 = time.perf_counter(); peers[name](); best = min(best, time.perf_counter() - t0)
            t = best / a.bars * 1e9
        ratio = o["ns_per_update"] / t if t else None
        rows.append({"indicator": name, "ours_ns": o["ns_per_update"], "talib_ns": t, "ratio": ratio})
        print(f"{name:<18}{o['ns_per_update']:>10.2f}{(f'{t:.2f}' if t else '—'):>11}{(f'{ratio:.2f}x' if ratio else '—'):>13}"
              f"  {'' if ratio is None else ('ok' if ratio <= GOAL else 'SLOWER than goal')}")
    print(f"TA-Lib {talib.__version__}, numpy {np.__version__}")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"bars": a.bars, "repeat": a.repeat, "rows": rows, "talib": talib.__version__}, f, indent=2)


if __name__ == "__main__":
    main()
