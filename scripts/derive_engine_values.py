#!/usr/bin/env python3
"""Re-derives the acceptance values of engine.md §8 under our rounding rules (spec decision 11),
independently of the Swift code, with Python's decimal module:

* filled quantity = notional / exec price, rounded DOWN to the instrument lot (XRP: 8 decimals);
* exec price = best ask × (1 + s) or best bid × (1 − s) (top_of_book), kept exact;
* cost = q × exec and fee = cost × f, exact;
* pro-rated entry cost and fee on partial closes, and any product with more than 18 decimals
  (a BTC fee, its USD value): half-even at 1e-18;
* a USD notional converted to a non-USD quote: rounded down at 1e-18.

The Swift tests (Tests/PaperExchangeTests) assert these numbers exactly. Run: python3 scripts/derive_engine_values.py
"""
from decimal import Decimal as D, getcontext, ROUND_DOWN, ROUND_HALF_EVEN

getcontext().prec = 80
E18 = D("1e-18")


def lot(x, decimals=8):
    return x.quantize(D(1).scaleb(-decimals), rounding=ROUND_DOWN)


def he18(x):
    return x.quantize(E18, rounding=ROUND_HALF_EVEN)


def down18(x):
    return x.quantize(E18, rounding=ROUND_DOWN)


def norm(x):
    s = format(x.normalize(), "f")
    return s


f, s = D("0.001"), D("0.0005")
out = {}

# Scenario 4: buy $50 at book 2.35.
exec4 = D("2.351") * (1 + s)
q4 = lot(down18(D(50) / exec4))
cost4 = q4 * exec4
fee4 = cost4 * f
cash4 = D(100) - cost4 - fee4
out["s4.exec"] = exec4
out["s4.q"] = q4
out["s4.cost"] = cost4
out["s4.fee"] = fee4
out["s4.cash"] = cash4
out["s4.equity_at_2.35"] = cash4 + q4 * D("2.35")
out["s4.unrealized_at_2.35"] = q4 * D("2.35") - cost4 - fee4

# Scenario 5: then sell $50 at book 2.40 (partial close by USD size).
exec5 = D("2.399") * (1 - s)
q5 = min(lot(down18(D(50) / exec5)), q4)
cost5 = q5 * exec5
fee5 = cost5 * f
basis_part = he18(cost4 * q5 / q4)
fee_part = he18(fee4 * q5 / q4)
pnl5 = cost5 - basis_part - fee5 - fee_part
out["s5.exec"] = exec5
out["s5.q"] = q5
out["s5.fee"] = fee5
out["s5.pnl"] = pnl5
out["s5.cash"] = cash4 + cost5 - fee5
out["s5.remaining"] = q4 - q5
out["s5.remaining_entry_fee"] = fee4 - fee_part
full_cost = q4 * exec5
out["s5.full_close_pnl"] = full_cost - cost4 - full_cost * f - fee4

# Scenario 6: long cap then cumulative cap.
q6 = lot(down18(D(150) / exec4))
cost6 = q6 * exec4
fee6 = cost6 * f
cash6 = D(100) - cost6 - fee6
e6 = cash6 + q6 * D("2.35")
out["s6.q"] = q6
out["s6.fee"] = fee6
out["s6.cash"] = cash6
out["s6.equity"] = e6
out["s6.headroom"] = D("1.5") * e6 - q6 * D("2.35")

# Scenario 7: short $150 at 2.35.
exec7 = D("2.349") * (1 - s)
q7 = lot(down18(D(150) / exec7))
cost7 = q7 * exec7
fee7 = cost7 * f
cash7 = D(100) + cost7 - fee7
out["s7.exec"] = exec7
out["s7.q"] = q7
out["s7.fee"] = fee7
out["s7.cash"] = cash7
out["s7.equity"] = cash7 - q7 * D("2.35")

# Scenario 8: short cap then cumulative short cap.
q8 = lot(down18(D(200) / exec7))
cost8 = q8 * exec7
fee8 = cost8 * f
cash8 = D(100) + cost8 - fee8
e8 = cash8 - q8 * D("2.35")
out["s8.q"] = q8
out["s8.fee"] = fee8
out["s8.cash"] = cash8
out["s8.headroom"] = 2 * e8 - q8 * D("2.35")

# Scenario 9: short round trip, zero fee and slippage.
q9 = lot(down18(D(40) / D("1.999")))
cash9 = D(100) + q9 * D("1.999")
out["s9.q"] = q9
out["s9.cash_after_short"] = cash9
out["s9.pnl"] = (D("1.999") - D("1.81")) * q9
out["s9.cash"] = cash9 - q9 * D("1.81")

# Scenario 10: averaging in after scenario 4.
exec10 = D("2.451") * (1 + s)
q10 = lot(down18(D(30) / exec10))
cost10 = q10 * exec10
fee10 = cost10 * f
out["s10.q"] = q10
out["s10.size"] = q4 + q10
out["s10.entry"] = he18((cost4 + cost10) / (q4 + q10))
out["s10.entry_fee"] = fee4 + fee10
out["s10.cash"] = cash4 - cost10 - fee10

# Scenario 12: no book, signal price 2.5.
out["s12.exec"] = D("2.5") * (1 + s)
out["s12.q"] = lot(down18(D(10) / (D("2.5") * (1 + s))))

# Scenario 14: stop-loss after scenario 4, book at 2.29.
exec14 = D("2.289") * (1 - s)
cost14 = q4 * exec14
fee14 = cost14 * f
pnl14 = cost14 - cost4 - fee14 - fee4
cash14 = cash4 + cost14 - fee14
out["s14.exit_size_usd"] = q4 * D("2.29")
out["s14.exec"] = exec14
out["s14.fee"] = fee14
out["s14.pnl"] = pnl14
out["s14.cash"] = cash14
out["s14.max_drawdown"] = (D(100) - cash14) / D(100)

# Scenario 16: short stop-loss closes completely.
exec16 = D("2.349") * (1 - s)
q16 = lot(down18(D(50) / exec16))
cost16 = q16 * exec16
fee16 = cost16 * f
cash16 = D(100) + cost16 - fee16
exec16b = D("2.411") * (1 + s)
cost16b = q16 * exec16b
fee16b = cost16b * f
out["s16.q"] = q16
out["s16.cash_after_short"] = cash16
out["s16.exit_exec"] = exec16b
out["s16.exit_fee"] = fee16b
out["s16.pnl"] = cost16 - cost16b - fee16b - fee16
out["s16.cash"] = cash16 - cost16b - fee16b

# Scenarios 17 and 18: margin call threshold (L = 2, f = s = 0).
q17 = lot(down18(D(180) / D("2.351")))
cash17 = D(100) - q17 * D("2.351")
out["s17.q"] = q17
out["s17.cash"] = cash17
for p in ("1.394", "1.393"):
    eq = cash17 + q17 * D(p)
    out[f"s17.equity_at_{p}"] = eq
    out[f"s17.requirement_at_{p}"] = D("0.25") * q17 * D(p)
out["s17.threshold"] = -cash17 / (D("0.75") * q17)
out["s18.pnl"] = q17 * D("1.299") - q17 * D("2.351")
out["s18.cash"] = cash17 + q17 * D("1.299")

# Scenario 26: cross-quoted buy on XRP/BTC.
exec26 = D("0.0000226") * (1 + s)
quote_notional = down18(D(20) / D(104500))
q26 = lot(down18(quote_notional / exec26))
cost26 = q26 * exec26
fee26 = he18(cost26 * f)  # 21 decimals before rounding: half-even at 1e-18
out["s26.exec"] = exec26
out["s26.q"] = q26
out["s26.fee_btc"] = fee26
out["s26.fee_usd"] = he18(fee26 * D(104500))
out["s26.btc_balance"] = -(cost26 + fee26)

for k, v in out.items():
    print(f"{k} = {norm(v)}")
