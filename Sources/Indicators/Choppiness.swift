import Foundation
import TradingCore

/// Choppiness index (indicators.md §4, E. W. Dreiss): `100 · log10(ΣTR / (max high − min low)) / log10(period)` over
/// the last `period` bars, each bar's true range taken against its own previous close; ready at index `period`.
/// A window with no range (a flat market) reads 50; values are clamped to 0…100 (an old gap can push ΣTR past the
/// range). Equal to the formula built from TA-Lib's SUM(TRANGE), MAX and MIN.
public struct Choppiness: StreamingIndicator, Sendable {
    public let period: Int
    private let logPeriod: Double
    private var previousClose: Double?
    private var ranges: RingBuffer<Double>, highs: RingBuffer<Double>, lows: RingBuffer<Double>
    private var sum = 0.0
    public private(set) var value: Double?

    public init(period: Int = 14) {
        precondition(period >= 2, "choppiness period must be ≥ 2 (log10(1) = 0)")
        self.period = period
        logPeriod = log10(Double(period))
        ranges = RingBuffer(capacity: period); highs = RingBuffer(capacity: period); lows = RingBuffer(capacity: period)
    }

    public mutating func update(_ bar: HLC) -> Double? {
        defer { previousClose = bar.close }
        guard let c = previousClose else { return nil }
        if ranges.isFull { sum -= ranges[0] }
        let tr = ATR.trueRange(bar, previousClose: c)
        ranges.append(tr); highs.append(bar.high); lows.append(bar.low)
        sum += tr
        guard ranges.isFull else { return nil }
        // The running sum drifts by an ulp or two; a window's exact sum keeps the value equal to the batch formula.
        let total = ranges.reduce(0, +)
        let range = highs.max()! - lows.min()!
        guard range > 0 else { value = 50; return value }
        let v = 100 * log10(total / range) / logPeriod
        value = v.isFinite ? Swift.min(100, Swift.max(0, v)) : 50
        return value
    }

    public static func series(_ bars: [HLC], period: Int = 14) -> [Double?] { batch(Choppiness(period: period), bars) }
}

/// Where a choppiness reading sits against the 61.8 / 38.2 bands; the bands themselves are transitional.
public enum ChoppinessState: String, Sendable, CaseIterable {
    case choppy = "CHOPPY", transitional = "TRANSITIONAL", trending = "TRENDING"

    public init(_ chop: Double, choppyAbove: Double = 61.8, trendingBelow: Double = 38.2) {
        self = chop > choppyAbove ? .choppy : chop < trendingBelow ? .trending : .transitional
    }
}
