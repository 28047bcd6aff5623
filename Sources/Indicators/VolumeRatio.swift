import TradingCore

/// The current volume over the mean volume (indicators.md §7.1). By default the mean is over the last `lookback`
/// volumes *including* the current one, as the reference computes it (strategy thresholds were tuned on that; it
/// can never exceed `lookback`), ready at index `lookback − 1`; `excludeCurrent` averages the `lookback` volumes
/// before it instead (ready one bar later). Nil while not ready or when the mean is not positive (the reference's
/// neutral 1.0 is a strategy's own mapping, resolution 59). Volumes are an explicit input, so a caller cannot pass
/// prices and silently get 1.0 (§7.1 weakness 2).
public struct VolumeRatio: StreamingIndicator, Sendable {
    public let lookback: Int
    public let excludeCurrent: Bool
    @usableFromInline let n: Double
    /// The `lookback` volumes the mean is over: up to this bar, or (excludeCurrent) up to the bar before.
    @usableFromInline var window: SlidingSum
    @usableFromInline var previous: Double?
    /// Non-zero volumes in the window: a stretch of zero volume is "no volume" exactly (nil), not rounding residue.
    @usableFromInline var nonZero = 0
    @usableFromInline var storedValue: Double?
    public var value: Double? { storedValue }

    public init(lookback: Int = 20, excludeCurrent: Bool = false) {
        precondition(lookback >= 1, "volume-ratio lookback must be ≥ 1")
        self.lookback = lookback
        self.excludeCurrent = excludeCurrent
        n = Double(lookback)
        window = SlidingSum(capacity: lookback)
    }

    @inlinable @inline(__always) public mutating func update(_ volume: Double) -> Double? {
        let entering: Double
        if excludeCurrent {
            defer { previous = volume }
            guard let p = previous else { return nil }
            entering = p
        } else {
            entering = volume
        }
        if entering != 0 { nonZero += 1 }
        if let old = window.push(entering), old != 0 { nonZero -= 1 }
        if nonZero == 0 { window.settleZero() }
        guard window.isFull else { return nil }
        let mean = window.sum / n
        storedValue = mean > 0 ? volume / mean : nil
        return storedValue
    }

    public static func series(_ volumes: [Double], lookback: Int = 20, excludeCurrent: Bool = false) -> [Double?] {
        batch(VolumeRatio(lookback: lookback, excludeCurrent: excludeCurrent), volumes)
    }
}

/// Mean of the last `recent` volumes over the mean of the `lookback` volumes before them (§7.2); nil with fewer than
/// `lookback + recent` volumes or a base that is not positive.
public func volumeSpike(_ volumes: [Double], lookback: Int = 20, recent: Int = 3) -> Double? {
    precondition(lookback >= 1 && recent >= 1, "volume spike needs lookback ≥ 1 and recent ≥ 1")
    guard volumes.count >= lookback + recent else { return nil }
    let tail = volumes.suffix(recent), base = volumes.dropLast(recent).suffix(lookback)
    let b = base.reduce(0, +) / Double(lookback)
    return b > 0 ? tail.reduce(0, +) / Double(recent) / b : nil
}
