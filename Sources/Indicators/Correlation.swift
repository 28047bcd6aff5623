/// Rolling Pearson correlation of two series' simple returns over `window` returns (indicators.md §6.1), as TA-Lib's
/// CORREL(ROCP(a, 1), ROCP(b, 1), window); ready after `window + 1` pairs. A step where either previous value is 0
/// is skipped for both. With a series that does not move (zero variance) TA-Lib gives 0, and so do we by default;
/// the reference's "unknown" (nil) is the `zeroVarianceValue: nil` option (resolution 59). O(1) per pair.
public struct Correlation: StreamingIndicator, Sendable {
    public let window: Int
    public let zeroVarianceValue: Double?
    @usableFromInline var pa = 0.0, pb = 0.0, hasPrevious = false
    @usableFromInline var moments: SlidingCoMoments
    @usableFromInline var storedValue: Double?
    public var value: Double? { storedValue }

    public init(window: Int = 20, zeroVarianceValue: Double? = 0) {
        precondition(window >= 2, "correlation window must be ≥ 2")
        self.window = window
        self.zeroVarianceValue = zeroVarianceValue
        moments = SlidingCoMoments(capacity: window)
    }

    @inlinable @inline(__always) public mutating func update(_ pair: (Double, Double)) -> Double? {
        guard hasPrevious else { (pa, pb) = pair; hasPrevious = true; return nil }
        let (a0, b0) = (pa, pb)
        (pa, pb) = pair
        guard a0 != 0, b0 != 0 else { return storedValue }
        moments.push((pair.0 - a0) / a0, (pair.1 - b0) / b0)
        guard moments.isFull else { return nil }
        storedValue = moments.correlation() ?? zeroVarianceValue
        return storedValue
    }

    public static func series(_ a: [Double], _ b: [Double], window: Int = 20, zeroVarianceValue: Double? = 0) -> [Double?] {
        precondition(a.count == b.count, "correlation inputs must be aligned")
        var s = Correlation(window: window, zeroVarianceValue: zeroVarianceValue)
        return zip(a, b).map { s.update(($0, $1)) }
    }
}
