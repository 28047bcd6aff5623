#!/usr/bin/env python3
"""Does a heavy REST request stall the local Kraken server's WebSocket feed?

Starts `ws-tester kraken sim` with a year of history, subscribes one book, and during the feed asks REST for the
year's 21,600-minute OHLC (the heaviest request: every history trade summarised). Prints how long that request took
and the largest gap between book frames while it ran (the feed steps every 100 ms, so ~0.1 s means no stall).

Usage: /tmp/ksdk/bin/python Benchmarks/bench_kraken_sim_rest_stall.py [--binary .build/release/ws-tester] [--days 365]
Needs the `websockets` package (python-kraken-sdk's virtual environment has it: python3 -m venv /tmp/ksdk &&
/tmp/ksdk/bin/pip install python-kraken-sdk). Not run in CI.
"""
import argparse, asyncio, json, re, subprocess, threading, time, urllib.request

import websockets


async def measure(port: int) -> None:
    gaps = []
    async with websockets.connect(f"ws://127.0.0.1:{port}/v2", max_size=None) as ws:
        await ws.send(json.dumps({"method": "subscribe", "params": {"channel": "book", "symbol": ["BTC/USDT"]}, "req_id": 1}))
        span = [None, None]

        def rest():
            span[0] = time.time()
            urllib.request.urlopen(f"http://127.0.0.1:{port}/0/public/OHLC?pair=XBTUSDT&interval=21600").read()
            span[1] = time.time()

        last = start = time.time()
        worker = None
        while worker is None or worker.is_alive() or time.time() - span[1] < 1:
            message = await asyncio.wait_for(ws.recv(), 30)
            now = time.time()
            if '"channel":"book"' in message:
                gaps.append((now - last, now))
                last = now
            if worker is None and now - start > 2:
                worker = threading.Thread(target=rest)
                worker.start()
        during = [g for g, t in gaps if span[0] < t < span[1] + 0.2]
        print(f"REST OHLC 21600: {span[1] - span[0]:.2f} s; book frames meanwhile {len(during)}, "
              f"largest gap {max(during) if during else float('nan'):.3f} s (the feed steps every 0.1 s)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=".build/release/ws-tester")
    ap.add_argument("--days", type=int, default=365)
    a = ap.parse_args()
    p = subprocess.Popen([a.binary, "kraken", "sim", "--port", "0", "--history-days", str(a.days), "--duration", "300"],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = p.stdout.readline()
        port = int(re.search(r"ws://127\.0\.0\.1:(\d+)/v2", line).group(1))
        asyncio.run(measure(port))
    finally:
        p.terminate()


if __name__ == "__main__":
    main()
