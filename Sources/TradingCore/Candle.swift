/// Candle periods. Everything above 1m is aggregated from closed 1m candles.
public enum Timeframe: Int, CaseIterable, Hashable, Sendable, Comparable, CustomStringConvertible {
    case m1 = 1, m5 = 5, m15 = 15, m30 = 30, h1 = 60, h4 = 240, h12 = 720, d1 = 1440, w1 = 10080

    public var minutes: Int { rawValue }
    public var interval: Interval { .minutes(Int64(rawValue)) }
    public var description: String {
        switch self {
        case .m1: "1m"; case .m5: "5m"; case .m15: "15m"; case .m30: "30m"; case .h1: "1h"
        case .h4: "4h"; case .h12: "12h"; case .d1: "1d"; case .w1: "1w"
        }
    }
    public init?(text: String) {
        guard let t = Timeframe.allCases.first(where: { $0.description == text }) else { return nil }
        self = t
    }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Bucket start. Weeks are aligned to Monday 00:00 UTC (the epoch was a Thursday).
    public func bucket(_ t: Timestamp) -> Timestamp {
        if self == .w1 {
            // The epoch was a Thursday; Monday 1969-12-29 is three days before it.
            let threeDays = Interval.minutes(3 * 1440)
            return (t + threeDays).floored(to: interval) - threeDays
        }
        return t.floored(to: interval)
    }
}

/// OHLCV over one period; `start` is the bucket start. Only closed candles are shown to strategies.
public struct Candle: Hashable, Sendable {
    public var start: Timestamp
    public var open: Price
    public var high: Price
    public var low: Price
    public var close: Price
    public var volume: Quantity
    public var trades: Int
    /// False when the candle may have missed trades of its bucket (first after start-up or a gap).
    public var isComplete: Bool

    public init(start: Timestamp, open: Price, high: Price, low: Price, close: Price, volume: Quantity, trades: Int = 0, isComplete: Bool = true) {
        self.start = start; self.open = open; self.high = high; self.low = low; self.close = close
        self.volume = volume; self.trades = trades; self.isComplete = isComplete
    }

    public var bodySize: Price { (close - open).magnitude }
    public var range: Price { high - low }
    /// Strictly: a doji is not bullish.
    public var isBullish: Bool { close > open }
}
