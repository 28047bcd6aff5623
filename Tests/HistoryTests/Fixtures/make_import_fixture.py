#!/usr/bin/env python3
"""Generates the import fixtures and their expected results, independently of the Swift code.

Writes XBTUSD_1.csv (Kraken OHLCVT, BTC/USD, price 1 dp, volume 8 dp) and XRPUSDT.csv (Kraken trade history,
XRP/USDT, price 5 dp, volume 8 dp), each with planted bad rows, plus:
  expected.json          rows kept and rejected per reason, per file
  expected_1h_btc.csv    pandas' 1h resample of the good OHLCVT rows
  expected_1h_xrp.csv    pandas' 1h resample of the good trades (minus the file's last minute, which is not known to
                         be complete), VWAP = sum(price*volume)/sum(volume) in Python decimal, half-even at 1e-18
Run:  python3 -m venv /tmp/pd && /tmp/pd/bin/pip install pandas && /tmp/pd/bin/python make_import_fixture.py
"""
import json, random
from decimal import Decimal, ROUND_HALF_EVEN, getcontext
import pandas as pd

getcontext().prec = 60
random.seed(20241201)

def canon(d):
    d = Decimal(d)
    if d == 0:
        return "0"
    s = format(d.normalize(), "f")
    return s

def iso(ts):
    return pd.Timestamp(ts, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%S.000000Z")

# --- OHLCVT 1m, BTC/USD, 2024-01-01 00:00 .. ~3 days, some minutes omitted (no trades) ---
lines, good = [], []
t = 1704067200
price = 420000  # tenths
bad = {}
n = 0
while n < 4000:
    if random.random() < 0.15:
        t += 60  # a minute without trades: omitted, as Kraken does
        continue
    o = price + random.randint(-30, 30); c = o + random.randint(-40, 40)
    h = max(o, c) + random.randint(0, 20); l = min(o, c) - random.randint(0, 20)
    vol = random.randint(1, 5 * 10**8)
    cnt = random.randint(1, 60)
    price = c
    row = [t, o, h, l, c, vol, cnt]
    text = f"{t},{o/10:.1f},{h/10:.1f},{l/10:.1f},{c/10:.1f},{Decimal(vol) / 10**8},{cnt}"
    lines.append(text); good.append(row)
    t += 60; n += 1
# Planted bad rows (each replaces nothing: inserted between good rows, at seeded places).
plants = [
    ("inconsistent_ohlc", lambda t: f"{t},42000.0,41990.0,41980.0,41985.0,1.5,3"),       # high < open
    ("negative_volume", lambda t: f"{t},42000.0,42001.0,41999.0,42000.0,-1.5,3"),
    ("unparseable", lambda t: f"{t},abc,42001.0,41999.0,42000.0,1.5,3"),
    ("wrong_column_count", lambda t: f"{t},42000.0,42001.0,41999.0,42000.0,1.5"),
    ("finer_than_scale", lambda t: f"{t},42000.05,42001.0,41999.0,42000.0,1.5,3"),
    ("misaligned", lambda t: f"{t + 30},42000.0,42001.0,41999.0,42000.0,1.5,3"),
    ("out_of_order", lambda t: f"{t - 600},42000.0,42001.0,41999.0,42000.0,1.5,3"),
]
positions = sorted(random.sample(range(100, len(lines) - 100), len(plants)))
out = []
pi = 0
for i, text in enumerate(lines):
    out.append(text)
    if pi < len(plants) and i == positions[pi]:
        reason, make = plants[pi]
        # Rows must stay after the good row before them to be judged on their own fault: use a time inside the
        # omitted-minute-free span only for out_of_order (which is meant to go back), else the next good row's time
        # would collide; so bad rows reuse this row's time + 0 (a duplicate time is out of order too) except where
        # the fault is checked first (parse, columns, values).
        out.append(make(good[i][0]))
        bad[reason] = bad.get(reason, 0) + 1
        pi += 1
open("XBTUSD_1.csv", "w").write("\n".join(out) + "\n")

df = pd.DataFrame(good, columns=["ts", "o", "h", "l", "c", "v", "n"])
df.index = pd.to_datetime(df.ts, unit="s", utc=True)
r = df.resample("1h").agg({"o": "first", "h": "max", "l": "min", "c": "last", "v": "sum", "n": "sum"}).dropna()
with open("expected_1h_btc.csv", "w") as f:
    f.write("timestamp,open,high,low,close,volume,trades,vwap\n")
    for ts, row in r.iterrows():
        f.write(f"{ts.strftime('%Y-%m-%dT%H:%M:%S.000000Z')},{canon(Decimal(int(row.o)) / 10)},{canon(Decimal(int(row.h)) / 10)},"
                f"{canon(Decimal(int(row.l)) / 10)},{canon(Decimal(int(row.c)) / 10)},{canon(Decimal(int(row.v)) / 10**8)},{int(row.n)},\n")
# Minutes a rejected row leaves unproven (the row claims data there): its own minute when its time is readable
# (floored), else from the end of the row before to the next good row. A minute is covered when a good row has it or
# it lies in the file's span and is not unproven; the internal gaps are the uncovered runs inside the span.
good_minutes = {r[0] for r in good}
unproven = set()
for reason, i in zip([p[0] for p in plants], positions):
    t_i = good[i][0]
    if reason == "wrong_column_count":
        unproven.update(range(t_i + 60, good[i + 1][0], 60))
    elif reason == "misaligned":
        unproven.add(t_i)
    elif reason == "out_of_order":
        unproven.add(t_i - 600)
    else:
        unproven.add(t_i)
span = range(good[0][0], good[-1][0] + 60, 60)
gaps, run = [], None
for m in span:
    covered = m in good_minutes or m not in unproven
    if not covered:
        run = [m, m + 60] if run is None else [run[0], m + 60]
    elif run is not None:
        gaps.append(run); run = None
if run is not None:
    gaps.append(run)
ohlcvt = {"rows_read": len(out), "rows_kept": len(good), "rejected": bad, "internal_gaps": [[iso(a), iso(b)] for a, b in gaps],
          "last_row": iso(good[-1][0])}

# --- Trades, XRP/USDT ---
tlines, trades = [], []
t = Decimal(1704067200)
p = 61500  # 1e-5 units: 0.61500
tbad = {}
for i in range(20000):
    t += random.choice([Decimal(0), Decimal(0), Decimal("0.25"), Decimal(1), Decimal(3), Decimal(7)])
    p = max(100, p + random.randint(-20, 20))
    v = random.randint(1, 10**11)
    tlines.append(f"{canon(t)},{canon(Decimal(p) / 10**5)},{canon(Decimal(v) / 10**8)}")
    trades.append((t, Decimal(p) / 10**5, Decimal(v) / 10**8))
tplants = [
    ("non_positive_price", lambda t: f"{canon(t)},0,10"),
    ("non_positive_volume", lambda t: f"{canon(t)},0.61,-1"),
    ("unparseable", lambda t: f"{canon(t)},0.61,nan"),
    ("wrong_column_count", lambda t: f"{canon(t)},0.61,1,b"),
    ("finer_than_scale", lambda t: f"{canon(t)},0.61,0.000000001"),
    ("out_of_order", lambda t: f"{canon(t - 100)},0.61,1"),
    ("time_out_of_range", lambda t: f"1000,0.61,1"),
]
tpos = sorted(random.sample(range(100, len(tlines) - 100), len(tplants)))
tout = []
pi = 0
for i, text in enumerate(tlines):
    tout.append(text)
    if pi < len(tplants) and i == tpos[pi]:
        reason, make = tplants[pi]
        tout.append(make(trades[i][0]))
        tbad[reason] = tbad.get(reason, 0) + 1
        pi += 1
open("XRPUSDT.csv", "w").write("\n".join(tout) + "\n")

last_minute = (trades[-1][0] // 60) * 60
kept = [x for x in trades if (x[0] // 60) * 60 < last_minute]
tf = pd.DataFrame({"ts": [float(x[0]) for x in kept], "p": [x[1] for x in kept], "v": [x[2] for x in kept]})
tf["pv"] = [x[1] * x[2] for x in kept]
tf.index = pd.to_datetime(tf.ts, unit="s", utc=True)
g = tf.resample("1h")
hr = pd.DataFrame({"o": g.p.first(), "h": g.p.max(), "l": g.p.min(), "c": g.p.last(), "v": g.v.sum(), "n": g.p.count(), "pv": g.pv.sum()})
hr = hr[hr.n > 0]
q = Decimal(1).scaleb(-18)
with open("expected_1h_xrp.csv", "w") as f:
    f.write("timestamp,open,high,low,close,volume,trades,vwap\n")
    for ts, row in hr.iterrows():
        vwap = (Decimal(row.pv) / Decimal(row.v)).quantize(q, rounding=ROUND_HALF_EVEN)
        f.write(f"{ts.strftime('%Y-%m-%dT%H:%M:%S.000000Z')},{canon(row.o)},{canon(row.h)},{canon(row.l)},{canon(row.c)},"
                f"{canon(row.v)},{int(row.n)},{canon(vwap)}\n")
# Hours whose every minute is proven: inside [first minute, last minute) and without a minute a rejected row claims
# (its own minute when readable; for a row without a readable time, or one out of range, the minutes from the row
# before to the row after). 
first_minute = (trades[0][0] // 60) * 60
bad_minutes = set()
for reason, i in zip([p[0] for p in tplants], tpos):
    t_i = (trades[i][0] // 60) * 60
    if reason in ("wrong_column_count", "time_out_of_range"):
        nxt = (trades[i + 1][0] // 60) * 60
        bad_minutes.update(range(int(t_i), int(nxt) + 60, 60))
    elif reason == "out_of_order":
        bad_minutes.add(int(((trades[i][0] - 100) // 60) * 60))
    else:
        bad_minutes.add(int(t_i))
complete_hours = 0
h = int((first_minute // 3600) * 3600)
while h + 3600 <= last_minute:
    if h >= first_minute and not any(h <= m < h + 3600 for m in bad_minutes):
        complete_hours += 1
    h += 3600
# Trade-coverage holes (`data gaps --trades`): the unproven minutes merged into spans; the tail after the last
# minute (still open when the file ends) is added by the test, since it runs up to now.
trade_gaps = []
for m in sorted(bad_minutes):
    if trade_gaps and trade_gaps[-1][1] == m:
        trade_gaps[-1][1] = m + 60
    else:
        trade_gaps.append([m, m + 60])
trade = {"rows_read": len(tout), "rows_kept": len(trades), "rejected": tbad, "complete_hours": complete_hours,
         "first": iso(int(trades[0][0])), "last_minute": iso(int(last_minute)),
         "trade_gaps": [[iso(a), iso(b)] for a, b in trade_gaps]}
json.dump({"XBTUSD_1.csv": ohlcvt, "XRPUSDT.csv": trade}, open("expected.json", "w"), indent=1, sort_keys=True)
print(json.dumps({"XBTUSD_1.csv": ohlcvt, "XRPUSDT.csv": trade}))
