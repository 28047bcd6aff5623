#!/usr/bin/env bash
# Regenerates the golden-statistics fixture of "Strategies I" (Tests/WSTesterCLITests/Fixtures/strategies): a seeded
# simulated hour of the four strategies recorded with `run --record`, and golden.json, the figures of that live run's
# own summary. StrategyGoldenTests replays the recording with `backtest --events` and must get the same figures.
# Run it only when a change is meant to alter fills; say why in the commit.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-.build/debug/ws-tester}
dir=Tests/WSTesterCLITests/Fixtures/strategies
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" run --simulated --config "$dir/session.yaml" --seed 11 --duration 60 --speed max --no-dashboard --log-level error \
  --strategies mean_reversion,order_flow,market_making,ratio_trading --audit \
  --record "$tmp/session.jsonl" --summary-json "$tmp/summary.json" >/dev/null
gzip -9 -n -c "$tmp/session.jsonl" > "$dir/session_seed11.jsonl.gz"
python3 - "$tmp/summary.json" "$dir/golden.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
keys = ["fills", "fills_maker", "fills_taker", "closed_trades", "round_trips", "wins", "losses", "open_positions",
        "open_orders", "final_equity", "realized_pnl", "unrealized_pnl", "fees", "baseline_equity"]
out = {"source": "scripts/make_strategy_golden.sh: the summary of the recorded run (run --simulated --seed 11 --duration 60)",
       "fills_sha256": s["fills_sha256"], "events_processed": s["events_processed"], "fills": s["fills"],
       "audit_violations": s["audit"]["violations"],
       "strategies": {x["name"]: {k: x[k] for k in keys} for x in s["strategies"]}}
json.dump(out, open(sys.argv[2], "w"), indent=1, sort_keys=True)
open(sys.argv[2], "a").write("\n")
PY
echo "wrote $dir/session_seed11.jsonl.gz and $dir/golden.json (fills_sha256 $(python3 -c "import json;print(json.load(open('$dir/golden.json'))['fills_sha256'])"))"
