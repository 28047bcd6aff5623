/// Least-squares slope of `ys` against 0, 1, …, n−1 (indicators.md §0.4, TA-Lib's LINEARREG_SLOPE); nil below 2 values.
public func leastSquaresSlope(_ ys: some Collection<Double>) -> Double? {
    let n = Double(ys.count)
    guard ys.count >= 2 else { return nil }
    var sxy = 0.0, sy = 0.0
    for (i, y) in ys.enumerated() { sxy += Double(i) * y; sy += y }
    let sx = n * (n - 1) / 2, sxx = n * (n - 1) * (2 * n - 1) / 6
    return (n * sxy - sx * sy) / (n * sxx - sx * sx)
}

/// Slope of the last `period` closes as a percent of their mean per bar (§9.1; LINEARREG_SLOPE / SMA × 100). Nil
/// without `period` closes (the reference's `(0, true)` for a flat series and `(0, false)` for too little data made
/// "flat" and "unknown" look alike); 0 when the mean is not positive.
public func trendSlope(_ closes: some Collection<Double>, period: Int = 20) -> Double? {
    precondition(period >= 2, "trend-slope period must be ≥ 2")
    guard closes.count >= period else { return nil }
    let w = closes.suffix(period)
    let mean = w.reduce(0, +) / Double(period)
    guard mean > 0, let s = leastSquaresSlope(w) else { return 0 }
    return s / mean * 100
}

/// How consistently the last `lookback` steps moved one way (§9.2): unchanged steps are ignored; a share of up (or
/// down) steps at or above `threshold` is a trend.
public struct DirectionalConsistency: Sendable, Equatable {
    public enum Direction: String, Sendable { case up, down, neutral }
    public var isTrending: Bool
    public var direction: Direction
    /// The winning share of moving steps, 0…1.
    public var strength: Double

    public init(isTrending: Bool, direction: Direction, strength: Double) {
        self.isTrending = isTrending; self.direction = direction; self.strength = strength
    }

    /// Nil with fewer than `lookback + 1` closes.
    public init?(_ closes: some Collection<Double>, lookback: Int = 10, threshold: Double = 0.7) {
        precondition(lookback >= 1, "lookback must be ≥ 1")
        guard closes.count >= lookback + 1 else { return nil }
        let w = Array(closes.suffix(lookback + 1))
        var up = 0, down = 0
        for (a, b) in zip(w, w.dropFirst()) { if b > a { up += 1 } else if b < a { down += 1 } }
        guard up + down > 0 else { self.init(isTrending: false, direction: .neutral, strength: 0); return }
        let u = Double(up) / Double(up + down), d = Double(down) / Double(up + down)
        if u >= threshold { self.init(isTrending: true, direction: .up, strength: u) }
        else if d >= threshold { self.init(isTrending: true, direction: .down, strength: d) }
        else { self.init(isTrending: false, direction: .neutral, strength: max(u, d)) }
    }
}

/// The drift of a correlation history (§6.2): least-squares slope of the last `lookback` values; below −0.01 is
/// declining, above +0.01 improving. Nil with fewer than `lookback` values.
public struct CorrelationTrend: Sendable, Equatable {
    public enum Direction: String, Sendable { case declining, stable, improving }
    public var slope: Double
    public var direction: Direction

    public init?(_ history: some Collection<Double>, lookback: Int = 10) {
        precondition(lookback >= 2, "correlation-trend lookback must be ≥ 2")
        guard history.count >= lookback, let s = leastSquaresSlope(history.suffix(lookback)) else { return nil }
        slope = s
        direction = s < -0.01 ? .declining : s > 0.01 ? .improving : .stable
    }
}
