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
        var lineNo = 0
        var start = 0
        var fields: [Substring] = []
        fields.reserveCapacity(8)
        func fail(_ m: String) {
            out.rowsRejected += 1
            if out.errors.count < 20 { out.errors.append(CSVRowError(line: lineNo, message: m)) }
        }
        func decimals(_ s: Substring) -> Int {
            guard let dot = s.firstIndex(of: ".") else { return 0 }
            var d = s[s.index(after: dot)...]
            while d.last == "0" { d = d.dropLast() }
            return d.count
        }
        while start < bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            lineNo += 1
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 13 { lineEnd -= 1 }
            let line = String(decoding: bytes[start..<lineEnd], as: UTF8.self)
            start = end + 1
            if line.isEmpty { continue }
            fields = line.split(separator: ",", omittingEmptySubsequences: false)
            if lineNo == 1, let f = fields.first, Int64(f.trimmingSpacesSub()) == nil, Timestamp(iso8601: String(f)) == nil {
                let header = fields.map { $0.trimmingSpacesSub().lowercased() }
                if header.prefix(6) != ["timestamp", "open", "high", "low", "close", "volume"] {
                    fail("header must be timestamp,open,high,low,close,volume")
                }
                continue
            }
            guard fields.count >= 6 else { fail("expected 6 columns, got \(fields.count)"); continue }
            guard let ts = parseTime(fields[0].trimmingSpacesSub()) else { fail("bad timestamp '\(fields[0])'"); continue }
            var vals: [Price] = []
            var ok = true
            for k in 1...4 {
                guard let p = Price(fields[k]), p.isPositive else { fail("bad price '\(fields[k])' in column \(k + 1)"); ok = false; break }
                vals.append(p)
            }
            guard ok else { continue }
            guard let v = Quantity(fields[5]), !v.isNegative else { fail("bad volume '\(fields[5])'"); continue }
            let (o, h, l, c) = (vals[0], vals[1], vals[2], vals[3])
            guard h >= l, o <= h, o >= l, c <= h, c >= l else { fail("inconsistent OHLC (need low ≤ open, close ≤ high)"); continue }
            let bucket = timeframe.bucket(ts)
            guard bucket == ts else { fail("timestamp not aligned to \(timeframe)"); continue }
            if let last = out.candles.last, ts <= last.start {
                fail(ts == last.start ? "duplicate timestamp" : "timestamp out of order"); continue
            }
            for k in 1...4 { out.priceDecimals = max(out.priceDecimals, decimals(fields[k])) }
            out.volumeDecimals = max(out.volumeDecimals, decimals(fields[5]))
            out.candles.append(Candle(start: ts, open: o, high: h, low: l, close: c, volume: v, trades: 0, isComplete: true))
        }
        return out
    }

    /// Unix seconds (≤ 11 digits), milliseconds (13 digits), or ISO-8601.
    static func parseTime(_ s: String) -> Timestamp? {
        if let n = Int64(s) {
            return s.count >= 13 ? Timestamp(milliseconds: n) : Timestamp(seconds: n)
        }
        return Timestamp(iso8601: s)
    }
}

extension Substring {
    func trimmingSpacesSub() -> String { String(self).trimmingSpaces() }
}
