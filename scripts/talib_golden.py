#!/usr/bin/env python3
"""Golden vectors for the Indicators tests, produced by TA-Lib (PyPI ta-lib 0.8.2) over seeded series.
Run by hand in a throwaway venv (decision 18: peers stay out of CI):

    python3 -m venv /tmp/talib && /tmp/talib/bin/pip install ta-lib numpy
    /tmp/talib/bin/python scripts/talib_golden.py > Tests/IndicatorsTests/Fixtures/talib_golden.json

Series: a seeded random walk, a flat series, a strong trend, tiny prices (1e-8), large prices (1e9), and a
choppy series with gaps. NaN (not ready) is written as null.
"""
import json, math, sys
import numpy as np
import talib

rng = np.random.default_rng(20261201)
n = 300

def walk(start, sigma):
    r = rng.normal(0, sigma, n)
    return start * np.exp(np.cumsum(r))

def bars(closes, spread):
    hi = closes * (1 + np.abs(rng.normal(0, spread, n)))
    lo = closes * (1 - np.abs(rng.normal(0, spread, n)))
    return hi, lo

series = {}
c = walk(100.0, 0.01); series["random_walk"] = (c, *bars(c, 0.004))
c = np.full(n, 2.35); series["flat"] = (c, c.copy(), c.copy())
c = 50.0 + np.arange(n) * 0.75; series["trend"] = (c, *bars(c, 0.001))
c = walk(2.2e-8, 0.02); series["tiny"] = (c, *bars(c, 0.01))
c = walk(1.5e9, 0.005); series["large"] = (c, *bars(c, 0.002))
c = walk(10.0, 0.03); c[100:140] = c[99]; series["gappy"] = (c, *bars(c, 0.02))

def clean(a):
    return [None if math.isnan(x) else float(x) for x in a]

out = {"source": f"TA-Lib {talib.__version__} via the ta-lib Python package", "series": {}}
for name, (close, high, low) in series.items():
    high = np.maximum(high, close); low = np.minimum(low, close)
    e = {"close": close.tolist(), "high": high.tolist(), "low": low.tolist(), "outputs": {}}
    for p in (1, 5, 30):
        e["outputs"][f"sma_{p}"] = clean(talib.SMA(close, p))
    for p in (2, 10, 50):
        e["outputs"][f"ema_{p}"] = clean(talib.EMA(close, p))
    for p in (2, 7, 14):
        e["outputs"][f"rsi_{p}"] = clean(talib.RSI(close, p))
    for p in (1, 14):
        e["outputs"][f"atr_{p}"] = clean(talib.ATR(high, low, close, p))
    for (f, sl, sg) in ((12, 26, 9), (3, 7, 4)):
        m, sig, h = talib.MACD(close, f, sl, sg)
        e["outputs"][f"macd_{f}_{sl}_{sg}"] = clean(m)
        e["outputs"][f"macdsignal_{f}_{sl}_{sg}"] = clean(sig)
        e["outputs"][f"macdhist_{f}_{sl}_{sg}"] = clean(h)
    for p in (5, 20):
        e["outputs"][f"volatility_{p}"] = clean(talib.STDDEV(talib.ROCP(close, 1), p, 1) * 100)
        e["outputs"][f"correl_{p}"] = clean(talib.CORREL(talib.ROCP(close, 1), talib.ROCP(high, 1), p))
    for p in (5, 14):
        e["outputs"][f"adx_{p}"] = clean(talib.ADX(high, low, close, p))
        e["outputs"][f"plusdi_{p}"] = clean(talib.PLUS_DI(high, low, close, p))
        e["outputs"][f"minusdi_{p}"] = clean(talib.MINUS_DI(high, low, close, p))
    for p in (5, 20):
        u, m, l = talib.BBANDS(close, p, 2.0, 2.0, 0)
        e["outputs"][f"bbupper_{p}"] = clean(u)
        e["outputs"][f"bbmiddle_{p}"] = clean(m)
        e["outputs"][f"bblower_{p}"] = clean(l)
    # NATR(1) in TA-Lib returns the raw TRANGE, not normalised (its period-1 shortcut); ours divides by the close
    # at every period, so period 1 is checked by hand in the tests instead.
    for p in (2, 14):
        e["outputs"][f"natr_{p}"] = clean(talib.NATR(high, low, close, p))
    for p in (2, 14):
        # Choppiness is no TA-Lib function; built from TA-Lib's pieces as indicators.md §4 states.
        rng_ = talib.MAX(high, p) - talib.MIN(low, p)
        with np.errstate(divide="ignore", invalid="ignore"):
            chop = 100 * np.log10(talib.SUM(talib.TRANGE(high, low, close), p) / rng_) / np.log10(p)
        chop = np.where(rng_ == 0, 50.0, np.clip(chop, 0, 100))
        chop[: p] = np.nan
        e["outputs"][f"chop_{p}"] = clean(chop)
    for p in (2, 20):
        e["outputs"][f"trendslope_{p}"] = clean(talib.LINEARREG_SLOPE(close, p) / talib.SMA(close, p) * 100)
    out["series"][name] = e
json.dump(out, sys.stdout, separators=(",", ":"))
