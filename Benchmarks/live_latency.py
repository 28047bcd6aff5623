#!/usr/bin/env python3
"""Live path, end to end: the real `ws-tester run` binary against a local Kraken v2 WebSocket server (Python
`websockets`, in a throwaway virtual environment) that streams BTC/USD book updates with valid checksums at a fixed
rate (default 5,000 msgs/s). Prints the time from a message's arrival to the kernel having applied it (p50, p99, from
the session's --summary-json), the feed counters, and checks that the session's recording replays with
`backtest --events` to the same fills_sha256.

Usage: Benchmarks/live_latency.py [--rate 5000] [--minutes 1] [--bin .build/release/ws-tester] [--venv /tmp/ws-live-venv]
Build first: swift build -c release --product ws-tester
"""
import argparse, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SERVER = r'''
import asyncio, json, re, sys, time
from datetime import datetime, timezone
import websockets

stream_path, instrument_path, rate, port_file = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
lines = open(stream_path).read().splitlines()
instrument = open(instrument_path).read().splitlines()[2]
stamp = re.compile(r'"timestamp":"[^"]*"')

def now():
    return datetime.now(timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%fZ')

async def pump(ws):
    # Snapshot, then updates paced at `rate` per second, each stamped with the current time (so lag is real lag).
    await ws.send(lines[0])
    start = time.perf_counter()
    i = 1
    while True:
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await ws.send(stamp.sub('"timestamp":"%s"' % now(), lines[1 + (i - 1) % (len(lines) - 1)], count=1))
        if i % 50 == 0:
            # A print every 50 messages (100/s at 5,000 msgs/s), mostly buyers, so the flow strategy trades.
            tid = i // 50
            side = "sell" if tid % 4 == 0 else "buy"
            await ws.send(json.dumps({"channel": "trade", "type": "update", "data": [{"symbol": "BTC/USD", "side": side,
                "price": 45000.0 + (tid % 7) * 0.1, "qty": 0.01, "ord_type": "market", "trade_id": tid, "timestamp": now()}]}))
        i += 1
        if i >= len(lines):
            return   # the stream ran out: keep the connection with heartbeats only

async def heartbeats(ws):
    while True:
        await asyncio.sleep(1)
        await ws.send('{"channel":"heartbeat"}')

async def handler(ws):
    await ws.send('{"channel":"status","data":[{"api_version":"v2","connection_id":1,"system":"online","version":"2.0.0"}],"type":"update"}')
    tasks = [asyncio.create_task(heartbeats(ws))]
    try:
        async for text in ws:
            r = json.loads(text)
            rid, method = r.get("req_id", 0), r.get("method")
            if method == "ping":
                await ws.send(json.dumps({"method": "pong", "req_id": rid}))
                continue
            p = r.get("params", {})
            ch = p.get("channel")
            if ch == "instrument":
                await ws.send(json.dumps({"method": method, "req_id": rid, "result": {"channel": "instrument", "snapshot": True}, "success": True}))
                await ws.send(instrument)
                continue
            for s in p.get("symbol", []):
                await ws.send(json.dumps({"method": method, "req_id": rid, "result": {"channel": ch, "symbol": s}, "success": True}))
            if ch == "book" and method == "subscribe":
                tasks.append(asyncio.create_task(pump(ws)))
    except websockets.ConnectionClosed:
        pass
    finally:
        for t in tasks:
            t.cancel()

async def main():
    async with websockets.serve(handler, "127.0.0.1", 0, max_size=None, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        open(port_file, "w").write(str(port))
        await asyncio.Future()

asyncio.run(main())
'''


def venv_python(venv):
    py = os.path.join(venv, "bin", "python")
    if not os.access(py, os.X_OK):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True, stdout=sys.stderr)
    if subprocess.run([py, "-c", "import websockets"], capture_output=True).returncode != 0:
        subprocess.run([py, "-m", "pip", "install", "-q", "websockets==13.1"], check=True, stdout=sys.stderr)
    return py


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rate", type=float, default=5000)
    ap.add_argument("--minutes", type=int, default=1)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release/ws-tester"))
    ap.add_argument("--venv", default="/tmp/ws-live-venv")
    a = ap.parse_args()
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"missing {a.bin}: run `swift build -c release --product ws-tester` first")
    py = venv_python(a.venv)
    tmp = tempfile.mkdtemp(prefix="ws-live-")
    stream = os.path.join(tmp, "book.jsonl")
    # Enough updates for the whole run at the rate (the generator's stream keeps every checksum valid in order).
    n = int(a.rate * 60 * a.minutes * 1.1) + 1000
    subprocess.run([sys.executable, os.path.join(ROOT, "..", "shared", "bench", "gen_book_stream.py"), str(n), stream, "42"], check=True)
    server_py = os.path.join(tmp, "server.py")
    open(server_py, "w").write(SERVER)
    port_file = os.path.join(tmp, "port")
    instrument = os.path.join(ROOT, "Tests", "KrakenWSTests", "Fixtures", "control.jsonl")
    server = subprocess.Popen([py, server_py, stream, instrument, str(a.rate), port_file])
    try:
        for _ in range(200):
            if os.path.exists(port_file) and open(port_file).read():
                break
            subprocess.run(["sleep", "0.05"])
        port = open(port_file).read()
        summary, rec, replay = (os.path.join(tmp, f) for f in ("summary.json", "rec.jsonl", "replay.json"))
        cfg = os.path.join(tmp, "empty.yaml")
        open(cfg, "w").write("{}\n")
        run = subprocess.run([a.bin, "run", "--config", cfg, "--ws-url", f"ws://127.0.0.1:{port}/v2", "--symbols", "BTC/USD",
                              "--strategies", "flow_momentum", "--duration", str(a.minutes), "--no-dashboard", "--log-level", "warning",
                              "--record", rec, "--summary-json", summary], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"ws-tester run failed ({run.returncode}):\n{run.stdout}\n{run.stderr}")
        s = json.load(open(summary))
        f = s["feed"]
        back = subprocess.run([a.bin, "backtest", "--events", rec, "--summary-json", replay], capture_output=True, text=True)
        r = json.load(open(replay)) if back.returncode == 0 else {}
        print(json.dumps({
            "rate_msgs_per_s": a.rate, "minutes": a.minutes, "messages": f["messages"], "checksum_failures": f["checksum_failures"],
            "parse_errors": f["parse_errors"], "resyncs": f["resyncs"], "connects": f["connects"],
            "latency_p50_us": f["latency_p50_us"], "latency_p99_us": f["latency_p99_us"],
            "buffer_high_water": f["buffer_high_water"], "buffer_producer_waits": f["buffer_producer_waits"],
            "events_processed": s["events_processed"], "fills": s["fills"],
            "fills_sha256": s["fills_sha256"], "replay_fills_sha256": r.get("fills_sha256"),
            "replay_matches": r.get("fills_sha256") == s["fills_sha256"] and r.get("events_processed") == s["events_processed"],
        }, indent=2))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
