#!/usr/bin/env python3
"""Simulated-session benchmark: events/s at --speed max with every built-in strategy, and resident memory
sampled through a long (default 24 engine-hour) session to show it stays flat after warm-up.

Usage: Benchmarks/bench_session.py [--minutes 1440] [--bin .build/release/ws-tester] [--json-out FILE]
Build first: swift build -c release
"""
import argparse, json, os, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return None
    return None


def run(binary, minutes, seed, sample):
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    cmd = [binary, "--simulated", "--duration", str(minutes), "--speed", "max", "--seed", str(seed),
           "--no-dashboard", "--log-level", "error", "--config", os.path.join(ROOT, "config.yaml"), "--summary-json", out]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = []
    while p.poll() is None:
        if sample:
            r = rss_kb(p.pid)
            if r:
                samples.append((time.perf_counter() - t0, r))
        time.sleep(0.05)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"ws-tester exited {p.returncode}")
    with open(out) as f:
        summary = json.load(f)
    os.unlink(out)
    return summary, wall, samples


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release/ws-tester"))
    ap.add_argument("--minutes", type=int, default=1440, help="engine minutes of the memory run (default 24 h)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--json-out")
    a = ap.parse_args()
    if not os.access(a.bin, os.X_OK):
        sys.exit(f"missing {a.bin}: run `swift build -c release` first")

    print("Throughput (60 engine minutes, all strategies, --speed max), best of 3:")
    best = None
    for _ in range(3):
        s, wall, _ = run(a.bin, 60, a.seed, False)
        eps = s["events_per_second"]
        best = max(best or 0, eps)
        print(f"  events {s['events_processed']:,}  in-process {s['wall_seconds']:.3f} s  -> {eps:,.0f} events/s")
    print(f"  best: {best:,.0f} events/s   (goal >= 200,000)")

    print(f"\nMemory over a {a.minutes}-engine-minute session:")
    s, wall, samples = run(a.bin, a.minutes, a.seed, True)
    n = len(samples)
    marks = {}
    for frac in (0.1, 0.25, 0.5, 0.75, 1.0):
        i = min(n - 1, max(0, int(frac * n) - 1))
        marks[frac] = samples[i][1] if samples else None
        print(f"  RSS at {int(frac * 100):3d}% of the run: {marks[frac] / 1024 if marks[frac] else float('nan'):7.1f} MiB")
    peak = max((r for _, r in samples), default=0)
    growth = (marks[1.0] - marks[0.25]) / 1024 if marks[1.0] and marks[0.25] else float("nan")
    print(f"  peak {peak / 1024:.1f} MiB; growth from 25% to 100%: {growth:+.1f} MiB; "
          f"events {s['events_processed']:,}, fills {s['fills']}, wall {wall:.1f} s ({s['events_per_second']:,.0f} events/s)")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"events_per_second_best": best, "memory_minutes": a.minutes, "rss_kb_marks": {str(k): v for k, v in marks.items()},
                       "rss_kb_peak": peak, "events": s["events_processed"], "fills": s["fills"], "wall_seconds": wall}, f, indent=2)


if __name__ == "__main__":
    main()
