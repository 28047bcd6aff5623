import TradingCore

/// Rolling Pearson correlation of two series' simple returns over `window` returns (indicators.md §6.1), as TA-Lib's
/// CORREL(ROCP(a, 1), ROCP(b, 1), window); ready after `window + 1` pairs. A step where either previous value is 0
/// is skipped for both. With a series that does not move (zero variance) TA-Lib gives 0, and so do we by default;
/// the reference's "unknown" (nil) is the `zeroVarianceValue: nil` option (resolution 59).
public struct Correlation: StreamingIndicator, Sendable {
    public let window: Int
    public let zeroVarianceValue: Double?
    private var previous: (Double, Double)?
    private var a: RingBuffer<Double>, b: RingBuffer<Double>
    public private(set) var value: Double?

    public init(window: Int = 20, zeroVarianceValue: Double? = 0) {
        precondition(window >= 2, "correlation window must be ≥ 2")
        self.window = window
        self.zeroVarianceValue = zeroVarianceValue
        a = RingBuffer(capacity: window); b = RingBuffer(capacity: window)
    }

    public mutating func update(_ pair: (Double, Double)) -> Double? {
        defer { previous = pair }
        guard let (pa, pb) = previous, pa != 0, pb != 0 else { return value }
        a.append((pair.0 - pa) / pa)
        b.append((pair.1 - pb) / pb)
        guard a.isFull else { return nil }
        let mx = a.mean(), my = b.mean()
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (x, y) in zip(a, b) {
            let dx = x - mx, dy = y - my
            sxy += dx * dy; sxx += dx * dx; syy += dy * dy
        }
        if sxx == 0 || syy == 0 {
            value = zeroVarianceValue
        } else {
            value = Swift.min(1, Swift.max(-1, sxy / (sxx * syy).squareRoot()))
        }
        return value
    }

    public static func series(_ a: [Double], _ b: [Double], window: Int = 20, zeroVarianceValue: Double? = 0) -> [Double?] {
        precondition(a.count == b.count, "correlation inputs must be aligned")
        var s = Correlation(window: window, zeroVarianceValue: zeroVarianceValue)
        return zip(a, b).map { s.update(($0, $1)) }
    }
}
