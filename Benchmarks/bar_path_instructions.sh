#!/usr/bin/env bash
# Counts the instructions of the bar path (BarReplayDriver.run, i.e. the run phase of a bar backtest) of one or
# two ws-tester builds with valgrind's callgrind: repeatable to the instruction, unlike wall time on a shared
# machine. Use it to check a "must not slow the bar path by more than N %" requirement against a baseline build:
#
#   Benchmarks/bar_path_instructions.sh NEW_BINARY [BASE_BINARY] [BARS]   (BARS default 20000, gen_bars.py seed 42)
#
# Build a baseline with e.g. `git worktree add /tmp/base <rev> && (cd /tmp/base && swift build -c release)`.
# Needs valgrind (apt-get install valgrind). Debug info is stripped first: callgrind rejects Swift's.
set -euo pipefail
new="$1"; base="${2:-}"; bars="${3:-20000}"
here="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 "$here/../shared/bench/gen_bars.py" "$bars" "$tmp/bars.csv" 42
count() {
    strip --strip-debug -o "$tmp/bin" "$1"
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" '--toggle-collect=$s8Backtest15BarReplayDriverO3run*' \
        "$tmp/bin" backtest --bars "$tmp/bars.csv" --symbol BTC/USD --strategy sma_cross --capital 10000000 \
        --fee-rate 0.001 --slippage-rate 0 >/dev/null 2>"$tmp/err"
    awk '/^summary:/ {print $2}' "$tmp/cg.out"
}
n=$(count "$new"); echo "new:  $n instructions in the bar path ($bars bars)"
if [[ -n "$base" ]]; then
    b=$(count "$base"); echo "base: $b instructions"
    python3 -c "print(f'change: {($n / $b - 1) * 100:+.2f} %')"
fi
