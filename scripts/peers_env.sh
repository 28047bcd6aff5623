#!/usr/bin/env bash
# Create (idempotently) a throwaway virtualenv with the Python peer backtesters used by
# scripts/crosscheck_sma.py and Benchmarks/bench_sma.py, and print its python path.
#
#   WS_PEERS_VENV   venv location (default /tmp/ws-tester-peers-venv, deliberately outside the repo)
#   PYTHON          interpreter used to create the venv (default python3)
#
# The last line on stdout is the venv's python executable; all other output goes to stderr, so
#   PY=$(scripts/peers_env.sh | tail -n1)
# works.
set -euo pipefail

VENV="${WS_PEERS_VENV:-/tmp/ws-tester-peers-venv}"
PYTHON="${PYTHON:-python3}"
PACKAGES=(numpy pandas "backtesting==0.6.6" "backtrader==1.9.78.123")

if [[ ! -x "$VENV/bin/python" ]]; then
    echo "peers_env: creating virtualenv at $VENV" >&2
    "$PYTHON" -m venv "$VENV" >&2
fi
PY="$VENV/bin/python"

# Skip pip entirely when every pinned package is already importable at the right version.
if ! "$PY" - <<'EOF' >/dev/null 2>&1
import importlib.metadata as md
import numpy, pandas, backtesting, backtrader  # noqa: F401
assert md.version("backtesting") == "0.6.6"
assert md.version("backtrader") == "1.9.78.123"
EOF
then
    echo "peers_env: installing ${PACKAGES[*]} (quiet)" >&2
    "$PY" -m pip install --quiet --disable-pip-version-check "${PACKAGES[@]}" >&2
fi

echo "$PY"
