import TradingCore

/// A problem in one CSV row: skipped, counted and reported with its line number.
public struct CSVRowError: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String
    public var description: String { "line \(line): \(message)" }
}

/// Bars parsed from `timestamp,open,high,low,close,volume` text.
public struct BarSeries: Sendable {
    public var symbol: Symbol
    public var timeframe: Timeframe
    public var candles: [Candle]
    public var errors: [CSVRowError]
    public var rowsRejected: Int
    /// Rows whose timestamp is not on the timeframe grid (kept as given).
    public var unalignedRows = 0
    /// Most decimals seen in prices and volumes (precision inference for unknown symbols).
    public var priceDecimals: Int
    public var volumeDecimals: Int
}

/// Parses OHLCV CSV. Timestamps may be Unix seconds, milliseconds, or ISO-8601 UTC. Rows that are
/// malformed, non-positive, inconsistent (high < low, open/close outside the range), duplicated or out
/// of order are skipped and counted; the first 20 are kept with line numbers.
public enum BarCSV {
    public static func parse(_ bytes: [UInt8], symbol: Symbol, timeframe: Timeframe = .m1) -> BarSeries {
        var out = BarSeries(symbol: symbol, timeframe: timeframe, candles: [], errors: [], rowsRejected: 0, priceDecimals: 0, volumeDecimals: 0)
        out.candles.reserveCapacity(bytes.count / 48)
        bytes.withUnsafeBufferPointer { all in
            var lineNo = 0
            var start = 0
            var cuts = [Int](repeating: 0, count: 8)
            func fail(_ m: String) {
                out.rowsRejected += 1
                if out.errors.count < 20 { out.errors.append(CSVRowError(line: lineNo, message: m)) }
            }
            while start < all.count {
                var end = start
                while end < all.count && all[end] != 10 { end += 1 }
                lineNo += 1
                var lineEnd = end
                if lineEnd > start && all[lineEnd - 1] == 13 { lineEnd -= 1 }
                let lineStart = start
                start = end + 1
                if lineEnd == lineStart { continue }
                // Field boundaries: cuts[k] is the index of the k-th comma.
                var commas = 0
                var j = lineStart
                while j < lineEnd {
                    if all[j] == 44 { if commas < 8 { cuts[commas] = j }; commas += 1 }
                    j += 1
                }
                func field(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                    let a = k == 0 ? lineStart : cuts[k - 1] + 1
                    let b = k < commas && k < 8 ? cuts[k] : lineEnd
                    return UnsafeBufferPointer(rebasing: all[a..<b])
                }
                func text(_ k: Int) -> String { String(decoding: field(k), as: UTF8.self) }
                let first = field(0)
                let ts = parseTime(first)
                if lineNo == 1, ts == nil {
                    let header = (0...min(commas, 7)).map { text($0).trimmingSpaces().lowercased() }
                    if header.prefix(6) != ["timestamp", "open", "high", "low", "close", "volume"] {
                        fail("header must be timestamp,open,high,low,close,volume")
                    }
                    continue
                }
                guard commas >= 5 else { fail("expected 6 columns, got \(commas + 1)"); continue }
                guard let ts else { fail("bad timestamp '\(text(0))'"); continue }
                guard let o = Price(utf8: field(1)), o.isPositive else { fail("bad open '\(text(1))'"); continue }
                guard let h = Price(utf8: field(2)), h.isPositive else { fail("bad high '\(text(2))'"); continue }
                guard let l = Price(utf8: field(3)), l.isPositive else { fail("bad low '\(text(3))'"); continue }
                guard let c = Price(utf8: field(4)), c.isPositive else { fail("bad close '\(text(4))'"); continue }
                guard let v = Quantity(utf8: field(5)), !v.isNegative else { fail("bad volume '\(text(5))'"); continue }
                guard h >= l, o <= h, o >= l, c <= h, c >= l else { fail("inconsistent OHLC (need low ≤ open, close ≤ high)"); continue }
                if let last = out.candles.last, ts <= last.start {
                    fail(ts == last.start ? "duplicate timestamp" : "timestamp out of order"); continue
                }
                // Off-grid timestamps are kept (synthetic data often starts mid-minute) and counted.
                if timeframe.bucket(ts) != ts { out.unalignedRows += 1 }
                for k in 1...4 { out.priceDecimals = max(out.priceDecimals, decimals(field(k))) }
                out.volumeDecimals = max(out.volumeDecimals, decimals(field(5)))
                out.candles.append(Candle(start: ts, open: o, high: h, low: l, close: c, volume: v, trades: 0, isComplete: true))
            }
        }
        return out
    }

    /// Decimals after the dot, ignoring trailing zeros.
    static func decimals(_ f: UnsafeBufferPointer<UInt8>) -> Int {
        guard let dot = f.firstIndex(of: 46) else { return 0 }
        var end = f.count
        while end > dot + 1, f[end - 1] == 48 || f[end - 1] == 32 || f[end - 1] == 13 { end -= 1 }
        return end - dot - 1
    }

    static func parseTime(_ f: UnsafeBufferPointer<UInt8>) -> Timestamp? {
        var n: Int64 = 0, digits = 0, i = 0
        while i < f.count, f[i] == 32 { i += 1 }
        var end = f.count
        while end > i, f[end - 1] == 32 { end -= 1 }
        while i < end, f[i] >= 48, f[i] <= 57, digits < 18 { n = n * 10 + Int64(f[i] - 48); digits += 1; i += 1 }
        if i == end && digits > 0 { return digits >= 13 ? Timestamp(milliseconds: n) : Timestamp(seconds: n) }
        return Timestamp(iso8601: String(decoding: f, as: UTF8.self).trimmingSpaces())
    }

}
