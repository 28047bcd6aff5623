#!/usr/bin/env python3
"""Simulated session events/s with the market-regime detector read by one strategy vs by none.

Both runs: `ws-tester --simulated --speed max` with sma_cross only, the same seed and duration, external
sentiment off (no network), best of --repeat. "read" sets sma_cross regime_filter=true (the strategy reads the
regime, so the detector runs once per closed 1m candle per symbol); "none" leaves it false (the detector is
never built). Prints events/s for each and the ratio.

  swift build -c release --product ws-tester
  Benchmarks/bench_regime.py [--minutes 1440] [--repeat 3] [--bin .build/release/ws-tester] [--json-out FILE]
"""
import argparse, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(binary, minutes, seed, read):
    cfg = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
    cfg.write("strategies:\n  enabled: [sma_cross]\nstrategy_overrides:\n  sma_cross:\n"
              f"    regime_filter: {'true' if read else 'false'}\nregime_detection:\n  external_enabled: false\n")
    cfg.close()
    out = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    try:
        subprocess.run([binary, "--simulated", "--duration", str(minutes), "--speed", "max", "--seed", str(seed),
                        "--no-dashboard", "--log-level", "error", "--config", cfg.name, "--summary-json", out],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(out) as f:
            return json.load(f)
    finally:
        os.unlink(cfg.name); os.unlink(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build/release/ws-tester"))
    ap.add_argument("--minutes", type=int, default=1440)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json-out")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"{a.bin} missing: swift build -c release --product ws-tester")
    res = {}
    for read in (False, True):
        best = None
        for _ in range(a.repeat):
            s = run(a.bin, a.minutes, a.seed, read)
            if best is None or s["events_per_second"] > best["events_per_second"]:
                best = s
        res["read" if read else "none"] = best
    n, r = res["none"], res["read"]
    print(f"{a.minutes} engine minutes, seed {a.seed}, best of {a.repeat}; events {n['events_processed']:,}")
    print(f"  regime read by none:  {n['events_per_second']:>12,.0f} events/s  ({n['wall_seconds']:.2f} s)")
    print(f"  regime read by one:   {r['events_per_second']:>12,.0f} events/s  ({r['wall_seconds']:.2f} s)   "
          f"ratio {r['events_per_second'] / n['events_per_second']:.3f}")
    reg = r.get("regime") or {}
    print(f"  last reading: {reg.get('summary', 'none')}")
    if a.json_out:
        with open(a.json_out, "w") as f:
            json.dump({"minutes": a.minutes, "seed": a.seed, "none": n["events_per_second"], "read": r["events_per_second"],
                       "summary": reg.get("summary")}, f, indent=2)


if __name__ == "__main__":
    main()
