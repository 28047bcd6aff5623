#!/usr/bin/env python3
"""Reference values for the intrabar (bar backtest) exit tests, computed independently of the Swift code
with Python's decimal module under our rounding rules (spec decision 11):

* a bar position's margin call happens where maintenance margin is breached on the way from the bar's open to
  its adverse extreme: for one long, equity = cash + q*p and the requirement m*q*p, so p* = -cash / (q*(1-m)),
  rounded DOWN (against the long) at 1e-18; a short's p* = cash / (q*(1+m)), rounded UP;
* fills at a reference level pay adverse slippage: exec = level * (1 -/+ s), half-even at 1e-18;
* cost = q * exec (half-even at 1e-18), fee = cost * f (half-even at 1e-18);
* realized P&L of a full close = proceeds - basis - fee - entry fee (long), basis - cost - fee - entry fee (short).

Run: python3 scripts/derive_intrabar_values.py  (Tests/TradingEngineTests/IntrabarTests.swift asserts these).
"""
from decimal import Decimal as D, getcontext, ROUND_HALF_EVEN, ROUND_FLOOR, ROUND_CEILING

getcontext().prec = 80
E18 = D("1e-18")
he = lambda x: x.quantize(E18, rounding=ROUND_HALF_EVEN)
f, s, m = D("0.001"), D("0.0005"), D("0.25")


def show(name, v):
    print(f"{name} = {format(v.normalize(), 'f')}")


# A. Long 60 XRP bought at the next bar's open 2.35; that bar trades down to 0.90 and closes at 2.36.
q = D(60)
entry = he(D("2.35") * (1 + s))
basis = he(q * entry)
entry_fee = he(basis * f)
cash = D(100) - basis - entry_fee
liq = (-cash / (q * (1 - m))).quantize(E18, rounding=ROUND_FLOOR)
exec_ = he(liq * (1 - s))
proceeds = he(q * exec_)
fee = he(proceeds * f)
show("A.entry", entry); show("A.cash_after_entry", cash); show("A.liquidation", liq)
show("A.exec", exec_); show("A.fee", fee); show("A.pnl", proceeds - basis - fee - entry_fee)
show("A.cash_after", cash + proceeds - fee)

# B. Short 40 XRP sold at the next bar's open 2.35; that bar trades up to 5.00 and closes at 2.30.
q = D(40)
entry = he(D("2.35") * (1 - s))
basis = he(q * entry)
entry_fee = he(basis * f)
cash = D(100) + basis - entry_fee
liq = (cash / (q * (1 + m))).quantize(E18, rounding=ROUND_CEILING)
exec_ = he(liq * (1 + s))
cost = he(q * exec_)
fee = he(cost * f)
show("B.entry", entry); show("B.cash_after_entry", cash); show("B.liquidation", liq)
show("B.exec", exec_); show("B.fee", fee); show("B.pnl", basis - cost - fee - entry_fee)

# C. Drawdown from an intrabar low: 10 XRP bought at 2.35 (no leverage), the next bar's low 1.90, close 2.40.
q = D(10)
entry = he(D("2.35") * (1 + s))
basis = he(q * entry)
entry_fee = he(basis * f)
cash = D(100) - basis - entry_fee
peak = D(100)                      # the baseline: cash only before the entry
equity_low = cash + q * D("1.90")
show("C.max_drawdown", (peak - equity_low) / peak)
