#!/usr/bin/env python3
"""A Kraken client that no one here wrote, against the local Kraken v2 server (issue 10).

Starts `ws-tester kraken sim` on a free loopback port, points python-kraken-sdk's order-book client at it (its
WebSocket URL and its REST look-ups of the pairs' decimals), subscribes to three books and counts the updates and the
checksum failures the SDK itself detects. Not part of CI (spec decision 18): it needs the SDK from PyPI.

    python3 -m venv /tmp/ksdk && /tmp/ksdk/bin/pip install python-kraken-sdk
    /tmp/ksdk/bin/python scripts/kraken_sdk_check.py [--binary .build/release/ws-tester] [--seconds 20]

Prints one JSON object; exit 0 when every book got at least 50 updates and the SDK found no checksum failure.
"""
import argparse
import asyncio
import json
import re
import subprocess
import sys
import time

PAIRS = ["BTC/USD", "ETH/USD", "XRP/USD"]


def start_server(binary, seconds, seed, faults):
    proc = subprocess.Popen([binary, "kraken", "sim", "--port", "0", "--seed", str(seed), "--symbols", ",".join(PAIRS),
                             "--duration", str(seconds + 15), "--history-days", "1"] + [f"--fault={f}" for f in faults],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"ws://127\.0\.0\.1:(\d+)/v2", line)
        if m:
            return proc, int(m.group(1))
    proc.kill()
    sys.exit("the server did not start")


async def run(port, seconds):
    from kraken.spot import Market, SpotOrderBookClient
    from kraken.spot.websocket import SpotWSClientBase
    # The SDK reads both URLs from class attributes: point them at the local server.
    SpotWSClientBase.WS_URL = f"ws://127.0.0.1:{port}"
    Market.URL = f"http://127.0.0.1:{port}"
    updates = {p: 0 for p in PAIRS}
    failures = {p: 0 for p in PAIRS}

    async def on_update(pair, message):
        if "error" in message:
            failures[pair] = failures.get(pair, 0) + 1
        elif message.get("type") == "update":
            updates[pair] = updates.get(pair, 0) + 1

    client = SpotOrderBookClient(depth=10, callback=on_update)
    await client.start()
    await client.add_book(pairs=PAIRS)
    await asyncio.sleep(seconds)
    await client.close()
    return updates, failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=".build/release/ws-tester")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--fault", action="append", default=[],
                    help="a server fault (e.g. checksumCorrupt:BTC/USD@t=10) to see the SDK catch it: the check then fails")
    a = ap.parse_args()
    proc, port = start_server(a.binary, a.seconds, a.seed, a.fault)
    try:
        updates, failures = asyncio.run(run(port, a.seconds))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    import importlib.metadata
    ok = all(updates[p] >= 50 for p in PAIRS) and sum(failures.values()) == 0
    print(json.dumps({"sdk": "python-kraken-sdk " + importlib.metadata.version("python-kraken-sdk"), "seconds": a.seconds, "books": len(PAIRS), "faults": a.fault,
                      "updates": updates, "checksum_failures": failures, "ok": ok}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
