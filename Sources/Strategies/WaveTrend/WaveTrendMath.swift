/// WaveTrend and its readings (wavetrend.md §5), in `Double` (indicator maths; tests compare to 1e-6).
enum WaveTrendMath {
    struct Values: Equatable {
        var wt1, wt2, prevWT1, prevWT2: Double
        /// WT1, aligned with WT2, ending at the latest candle.
        var series: [Double]
    }

    enum Zone: String { case extremeOverbought = "extreme_overbought", overbought, neutral, oversold, extremeOversold = "extreme_oversold" }
    enum Cross: String { case bullish, bearish, none }
    enum Divergence: String { case bullish, bearish, none }

    /// The SMA-seeded EMA series of §5.1: output j is aligned with input p−1+j; empty when m < p.
    static func emaSeries(_ x: [Double], _ p: Int) -> [Double] {
        guard p >= 1, x.count >= p else { return [] }
        var out = [Double]()
        out.reserveCapacity(x.count - p + 1)
        var e = x[0..<p].reduce(0, +) / Double(p)
        out.append(e)
        let a = 2 / Double(p + 1)
        for k in p..<x.count {
            e = a * x[k] + (1 - a) * e
            out.append(e)
        }
        return out
    }

    /// Rolling means: output j is the mean of x[j..<j+p].
    static func smaSeries(_ x: [Double], _ p: Int) -> [Double] {
        guard p >= 1, x.count >= p else { return [] }
        var out = [Double]()
        out.reserveCapacity(x.count - p + 1)
        for j in 0...(x.count - p) { out.append(x[j..<(j + p)].reduce(0, +) / Double(p)) }
        return out
    }

    /// The first candle count at which WaveTrend is available (43 with the defaults).
    static func minimumCandles(_ lc: Int, _ la: Int, _ lm: Int) -> Int { max(2 * (lc - 1) + (la - 1) + lm + 1, max(lc, la) + lm + 5) }

    /// §5.1 steps 1–8; nil when not available.
    static func compute(high: [Double], low: [Double], close: [Double], lc: Int, la: Int, lm: Int) -> Values? {
        let n = close.count
        guard n >= max(lc, la) + lm + 5 else { return nil }
        var tp = [Double](repeating: 0, count: n)
        for k in 0..<n { tp[k] = (high[k] + low[k] + close[k]) / 3 }
        let esa = emaSeries(tp, lc)
        guard !esa.isEmpty else { return nil }
        let dev = esa.indices.map { abs(tp[lc - 1 + $0] - esa[$0]) }
        let d = emaSeries(dev, lc)
        let ci = d.indices.map { i in (tp[2 * (lc - 1) + i] - esa[lc - 1 + i]) / (0.015 * d[i] + 1e-10) }
        guard ci.count >= la else { return nil }
        let raw = emaSeries(ci, la)
        guard raw.count >= lm + 1 else { return nil }
        let wt2 = smaSeries(raw, lm)
        let wt1 = Array(raw.dropFirst(lm - 1))
        guard wt2.count >= 2 else { return nil }
        return Values(wt1: wt1[wt1.count - 1], wt2: wt2[wt2.count - 1], prevWT1: wt1[wt1.count - 2], prevWT2: wt2[wt2.count - 2], series: wt1)
    }

    /// §5.3, thresholds inclusive, checked in this order.
    static func zone(_ wt1: Double, ob: Double, os: Double, xob: Double, xos: Double) -> Zone {
        if wt1 >= xob { return .extremeOverbought }
        if wt1 >= ob { return .overbought }
        if wt1 <= xos { return .extremeOversold }
        if wt1 <= os { return .oversold }
        return .neutral
    }

    /// §5.4.
    static func crossover(wt1: Double, wt2: Double, prevWT1: Double?, prevWT2: Double?) -> Cross {
        guard let p1 = prevWT1, let p2 = prevWT2 else { return .none }
        if wt1 > wt2 && p1 <= p2 { return .bullish }
        if wt1 < wt2 && p1 >= p2 { return .bearish }
        return .none
    }

    /// §5.2: the last N against the N before them, closes and WT1 aligned at the latest candle.
    static func divergence(closes: [Double], wt1Series: [Double], n: Int, oversold: Double, overbought: Double, wt1: Double) -> Divergence {
        guard n >= 1, closes.count >= 2 * n + 5, wt1Series.count >= 2 * n + 5 else { return .none }
        let rc = closes.suffix(n), pc = closes.dropLast(n).suffix(n)
        let rw = wt1Series.suffix(n), pw = wt1Series.dropLast(n).suffix(n)
        if rc.min()! < pc.min()! && rw.min()! > pw.min()! && wt1 < oversold { return .bullish }
        if rc.max()! > pc.max()! && rw.max()! < pw.max()! && wt1 > overbought { return .bearish }
        return .none
    }
}

extension WaveTrendMath.Zone {
    var isOversold: Bool { self == .oversold || self == .extremeOversold }
    var isOverbought: Bool { self == .overbought || self == .extremeOverbought }
    var isExtreme: Bool { self == .extremeOversold || self == .extremeOverbought }
}
