// Per-update cost of each streaming indicator over N bars (default 1,000,000), best of --repeat runs.
// Writes the bars it used (float64 close, high, low, volume, each N values) to --dump so
// Benchmarks/bench_indicators.py times TA-Lib on exactly the same input in the same run.
import Foundation
import TradingCore
import Indicators

func benchMain() {
    var n = 1_000_000, repeatCount = 5, seed: UInt64 = 42
    var dump: String?
    var args = CommandLine.arguments.dropFirst()
    while let a = args.popFirst() {
        switch a {
        case "--bars": n = Int(args.popFirst() ?? "") ?? n
        case "--repeat": repeatCount = Int(args.popFirst() ?? "") ?? repeatCount
        case "--seed": seed = UInt64(args.popFirst() ?? "") ?? seed
        case "--dump": dump = args.popFirst()
        default: FileHandle.standardError.write(Data("usage: indicator-bench [--bars N] [--repeat R] [--seed S] [--dump FILE]\n".utf8)); exit(2)
        }
    }

    // A seeded log-normal walk with bar ranges and volumes.
    var rng = SplitMix64(seed: seed)
    var close = [Double](repeating: 0, count: n), high = close, low = close, volume = close
    var p = 100.0
    for i in 0..<n {
        p *= (1 + 0.01 * rng.normal())
        close[i] = p
        high[i] = p * (1 + abs(0.004 * rng.normal()))
        low[i] = p * (1 - abs(0.004 * rng.normal()))
        volume[i] = 1000 * (0.5 + rng.uniform())
    }
    let bars = (0..<n).map { HLC(high: high[$0], low: low[$0], close: close[$0]) }
    if let dump {
        var data = Data()
        for a in [close, high, low, volume] { a.withUnsafeBytes { data.append(contentsOf: $0) } }
        FileManager.default.createFile(atPath: dump, contents: data)
    }

    let clock = ContinuousClock()
    /// Best time of `repeatCount` runs of `body`; the sum it returns keeps the work observable.
    func time(_ name: String, _ body: () -> Double) {
        var best = Double.infinity, sink = 0.0
        for _ in 0..<repeatCount {
            let t0 = clock.now
            sink += body()
            let d = clock.now - t0
            best = min(best, Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
        }
        let line: [String: Any] = ["indicator": name, "bars": n, "seconds": best, "ns_per_update": best / Double(n) * 1e9, "checksum": sink]
        let json = try! JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    time("baseline_loop") { var acc = 0.0; for x in close { acc += x }; return acc }
    time("sma_20") { var s = SMA(period: 20), acc = 0.0; for x in close { acc += s.update(x) ?? 0 }; return acc }
    time("ema_20") { var s = EMA(period: 20), acc = 0.0; for x in close { acc += s.update(x) ?? 0 }; return acc }
    time("rsi_14") { var s = RSI(period: 14), acc = 0.0; for x in close { acc += s.update(x) ?? 0 }; return acc }
    time("atr_14") { var s = ATR(period: 14), acc = 0.0; for b in bars { acc += s.update(b) ?? 0 }; return acc }
    time("adx_14") { var s = ADX(period: 14), acc = 0.0; for b in bars { acc += s.update(b)?.adx ?? 0 }; return acc }
    time("macd_12_26_9") { var s = MACD(), acc = 0.0; for x in close { acc += s.update(x)?.histogram ?? 0 }; return acc }
    time("bollinger_20_2") { var s = Bollinger(period: 20, stddev: 2), acc = 0.0; for x in close { acc += s.update(x)?.upper ?? 0 }; return acc }
    time("choppiness_14") { var s = Choppiness(period: 14), acc = 0.0; for b in bars { acc += s.update(b) ?? 0 }; return acc }
    time("volatility_20") { var s = Volatility(lookback: 20), acc = 0.0; for x in close { acc += s.update(x) ?? 0 }; return acc }
    time("correlation_20") { var s = Correlation(window: 20), acc = 0.0; for i in 0..<n { acc += s.update((close[i], high[i])) ?? 0 }; return acc }
    time("volume_ratio_20") { var s = VolumeRatio(lookback: 20), acc = 0.0; for v in volume { acc += s.update(v) ?? 0 }; return acc }
}

benchMain()
