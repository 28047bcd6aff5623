#!/usr/bin/env python3
"""The local Kraken v2 server (issue 10): frames per second it sustains to one client and to 20 clients (one of which
never reads: it must be dropped without slowing the others or growing memory without bound), from `sim-bench`; then
the live client's arrival → applied latency (p50/p99) at about 5,000 msgs/s from this server: `ws-tester kraken sim
--speed S` (S calibrated so the session's feed runs at --rate) and `ws-tester run --ws-url …`, and whether the
session's recording replays with `backtest --events` to the same fills_sha256.

Usage: Benchmarks/bench_kraken_sim.py [--rate 5000] [--seconds 60] [--bin-dir .build/release]
Build first: swift build -c release --product ws-tester && swift build -c release --product sim-bench
"""
import argparse, json, os, re, signal, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAIRS = "BTC/USD,ETH/USD,XRP/USD"


def server(bin_dir, speed):
    p = subprocess.Popen([os.path.join(bin_dir, "ws-tester"), "kraken", "sim", "--port", "0", "--speed", str(speed), "--symbols", PAIRS,
                          "--levels", "25", "--history-days", "1", "--duration", "900"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    while True:
        line = p.stdout.readline()
        if not line:
            sys.exit("kraken sim did not start")
        m = re.search(r"ws://127\.0\.0\.1:(\d+)/v2", line)
        if m:
            return p, int(m.group(1))


def session(bin_dir, port, seconds, tmp):
    summary, rec = os.path.join(tmp, "live.json"), os.path.join(tmp, "live.jsonl")
    p = subprocess.Popen([os.path.join(bin_dir, "ws-tester"), "run", "--ws-url", f"ws://127.0.0.1:{port}/v2", "--symbols", PAIRS,
                          "--duration", "600", "--no-dashboard", "--log-level", "warning", "--record", rec, "--summary-json", summary],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(seconds)
    p.send_signal(signal.SIGINT)
    p.wait(timeout=120)
    s = json.load(open(summary))
    return s, rec


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=5000)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--bin-dir", default=os.path.join(ROOT, ".build/release"))
    ap.add_argument("--frames-one", type=int, default=500_000)
    ap.add_argument("--frames-twenty", type=int, default=4_000_000)
    ap.add_argument("--latency-only", action="store_true", help="skip sim-bench, measure only the live client's latency")
    a = ap.parse_args()
    bench = {} if a.latency_only else json.loads(subprocess.check_output([os.path.join(a.bin_dir, "sim-bench"), str(a.frames_one), str(a.frames_twenty)], text=True))
    for k, v in bench.items():
        print(f"{k}: {v['frames_per_second']:,.0f} frames/s over {v['clients']} clients ({v['never_reading']} never reading, "
              f"{v['slow_consumers_dropped']} dropped); per reader {v['per_reader_min']:,}–{v['per_reader_max']:,}; "
              f"RSS {v['rss_mb_before']:.0f} → max {v['rss_mb_max']:.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        # Calibrate the speed: the session's feed rate at speed 100, scaled to the target.
        srv, port = server(a.bin_dir, 100)
        s, _ = session(a.bin_dir, port, 15, tmp)
        srv.terminate(); srv.wait()
        rate100 = s["feed"]["messages"] / s["wall_seconds"]
        speed = round(100 * a.rate / rate100, 1)
        srv, port = server(a.bin_dir, speed)
        s, rec = session(a.bin_dir, port, a.seconds, tmp)
        srv.terminate(); srv.wait()
        f = s["feed"]
        rate = f["messages"] / s["wall_seconds"]
        subprocess.check_output([os.path.join(a.bin_dir, "ws-tester"), "backtest", "--events", rec, "--summary-json", os.path.join(tmp, "replay.json")])
        replay = json.load(open(os.path.join(tmp, "replay.json")))
        print(f"latency at {rate:,.0f} msgs/s (speed {speed}×, {f['messages']:,} messages over {s['wall_seconds']:.0f} s): "
              f"p50 {f['latency_p50_us']:.0f} µs, p99 {f['latency_p99_us']:.0f} µs; checksum failures {f['checksum_failures']}, "
              f"trade gaps {f['trade_gaps']}; fills {s.get('fills')}; replay fills_sha256 "
              f"{'same' if replay['fills_sha256'] == s['fills_sha256'] else 'DIFFERENT'}")


if __name__ == "__main__":
    main()
