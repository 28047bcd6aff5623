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
    /// True when the timeframe was inferred from the data's most common spacing (decision 38).
    public var timeframeInferred = false
    public var candles: [Candle]
    /// The first 20 rejected rows, with line numbers.
    public var errors: [CSVRowError]
    public var rowsRejected: Int
    /// Data rows seen (accepted + rejected; the header and blank lines are not rows).
    public var rows = 0
    /// Rows whose timestamp is not on the timeframe grid (kept as given).
    public var unalignedRows = 0
    /// Most decimals seen in prices and volumes (precision inference for unknown symbols).
    public var priceDecimals: Int
    public var volumeDecimals: Int
}

/// Why a bar file cannot be used at all (exit 1).
public struct BarFileError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Parses OHLCV CSV. Timestamps may be Unix seconds, milliseconds, microseconds or nanoseconds (told by magnitude)
/// or ISO-8601 (with `T` or a space, with or without `Z`); numbers may use exponents. Rows that are malformed,
/// non-positive, inconsistent (high < low, open/close outside the range), out of range, or that do not start at or
/// after the previous bar's end (duplicates, disorder, overlaps) are skipped and counted; the first 20 are kept with
/// line numbers. A UTF-8 byte-order mark and CRLF line ends are accepted.
public enum BarCSV {
    /// The bars of a file, or an error when it cannot be used: no valid bars, a spacing that is no supported
    /// timeframe, or more than half of its rows rejected (decision 28).
    public static func load(_ bytes: [UInt8], symbol: Symbol, timeframe: Timeframe? = nil) throws(BarFileError) -> BarSeries {
        let rows = scan(bytes)
        let tf: Timeframe
        var inferred = false
        if let timeframe {
            tf = timeframe
            // Bars spaced more tightly than they claim to last overlap one another (30-second bars declared 1m).
            if let spacing = modeSpacing(rows.rows), spacing < timeframe.interval.nanoseconds {
                throw BarFileError(message: "the bars are \(describe(spacing)) apart (the most common spacing), shorter than the declared \(timeframe): consecutive bars would overlap; give the right --timeframe or resample the data")
            }
        } else {
            switch inferTimeframe(rows.rows) {
            case .success(let t): tf = t; inferred = true
            case .failure(let e): throw e
            }
        }
        var series = sequence(rows, symbol: symbol, timeframe: tf)
        series.timeframeInferred = inferred
        let reasons = series.errors.prefix(5).map { "  \($0)" }.joined(separator: "\n")
        if series.candles.isEmpty {
            throw BarFileError(message: "no valid bars" + (reasons.isEmpty ? "" : "; first problems:\n" + reasons))
        }
        if series.rowsRejected * 2 > series.rows {
            throw BarFileError(message: "\(series.rowsRejected) of \(series.rows) rows rejected (more than half), so the file is not used; first problems:\n" + reasons)
        }
        return series
    }

    /// The most common spacing of accepted bars (to warn when a declared timeframe is shorter than the data's).
    public static func inferTimeframe(_ series: BarSeries) -> Result<Timeframe, BarFileError> {
        inferTimeframe(series.candles.map { Row(line: 0, start: $0.start, candle: $0, priceDecimals: 0, volumeDecimals: 0) })
    }

    /// Lenient form for callers that want every row's verdict and decide themselves (tests, tools).
    public static func parse(_ bytes: [UInt8], symbol: Symbol, timeframe: Timeframe = .m1) -> BarSeries {
        sequence(scan(bytes), symbol: symbol, timeframe: timeframe)
    }

    /// The most common positive spacing between consecutive rows; ties go to the shorter spacing, so the answer
    /// never depends on dictionary order.
    static func modeSpacing(_ rows: [Row]) -> Int64? {
        var counts: [Int64: Int] = [:]
        var k = 1
        while k < rows.count {
            let d = rows[k].start.nanoseconds - rows[k - 1].start.nanoseconds
            if d > 0 { counts[d, default: 0] += 1 }
            k += 1
        }
        return counts.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key })?.key
    }

    /// The most common positive spacing between consecutive rows, as a timeframe.
    static func inferTimeframe(_ rows: [Row]) -> Result<Timeframe, BarFileError> {
        guard let spacing = modeSpacing(rows) else {
            if rows.count == 1 { return .success(.m1) }
            return .failure(BarFileError(message: "cannot infer the timeframe: fewer than two rows with increasing timestamps; give --timeframe"))
        }
        if let tf = Timeframe.allCases.first(where: { $0.interval.nanoseconds == spacing }) { return .success(tf) }
        let supported = Timeframe.allCases.map(\.description).joined(separator: " ")
        return .failure(BarFileError(message: "the bars are \(describe(spacing)) apart (the most common spacing), which is not a supported timeframe (\(supported)); resample the data or give --timeframe"))
    }

    static func describe(_ ns: Int64) -> String {
        if ns % 60_000_000_000 == 0 { return "\(ns / 60_000_000_000) min" }
        if ns % 1_000_000_000 == 0 { return "\(ns / 1_000_000_000) s" }
        return "\(Double(ns) / 1e9) s"
    }

    struct Row {
        var line: Int
        var start: Timestamp
        var candle: Candle
        var priceDecimals: Int
        var volumeDecimals: Int
    }

    struct Scan {
        var rows: [Row] = []
        var rejected: [CSVRowError] = []
        var rejectedCount = 0
        var dataRows = 0
    }

    /// Pass 1: every line into a well-formed row or a rejection.
    static func scan(_ bytes: [UInt8]) -> Scan {
        var out = Scan()
        out.rows.reserveCapacity(bytes.count / 48)
        bytes.withUnsafeBufferPointer { all in
            var lineNo = 0
            var start = 0
            // A UTF-8 byte-order mark (spreadsheet exports).
            if all.count >= 3, all[0] == 0xEF, all[1] == 0xBB, all[2] == 0xBF { start = 3 }
            var cuts = [Int](repeating: 0, count: 8)
            var headerSeen = false
            func fail(_ m: String) {
                out.rejectedCount += 1
                if out.rejected.count < 20 { out.rejected.append(CSVRowError(line: lineNo, message: m)) }
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
                func text(_ k: Int) -> String { printable(field(k)) }
                let ts = parseTime(field(0))
                if !headerSeen, out.rows.isEmpty, out.dataRows == 0, case .failure = ts, isHeader(field(0)) {
                    headerSeen = true
                    let header = (0...min(commas, 7)).map { text($0).trimmingSpaces().lowercased() }
                    if header.count < 6 || header[1...5] != ["open", "high", "low", "close", "volume"] {
                        out.rejected.append(CSVRowError(line: lineNo, message: "header should be timestamp,open,high,low,close,volume; columns are read in that order"))
                    }
                    continue
                }
                out.dataRows += 1
                guard commas >= 5 else { fail("expected 6 columns, got \(commas + 1)"); continue }
                let t: Timestamp
                switch ts {
                case .success(let v): t = v
                case .failure(let e): fail(e.description); continue
                }
                guard let o = Price(utf8: field(1)), o.isPositive else { fail("bad open '\(text(1))'"); continue }
                guard let h = Price(utf8: field(2)), h.isPositive else { fail("bad high '\(text(2))'"); continue }
                guard let l = Price(utf8: field(3)), l.isPositive else { fail("bad low '\(text(3))'"); continue }
                guard let c = Price(utf8: field(4)), c.isPositive else { fail("bad close '\(text(4))'"); continue }
                guard let v = Quantity(utf8: field(5)), !v.isNegative else { fail("bad volume '\(text(5))'"); continue }
                guard h >= l, o <= h, o >= l, c <= h, c >= l else { fail("inconsistent OHLC (need low ≤ open, close ≤ high)"); continue }
                guard h <= maxPrice, v <= maxVolume else { fail("price or volume out of range (price ≤ 1e12, volume ≤ 1e15)"); continue }
                var pd = 0
                for k in 1...4 { pd = max(pd, decimals(field(k))) }
                out.rows.append(Row(line: lineNo, start: t,
                                    candle: Candle(start: t, open: o, high: h, low: l, close: c, volume: v, trades: 0, isComplete: true),
                                    priceDecimals: pd, volumeDecimals: decimals(field(5))))
            }
        }
        return out
    }

    static let maxPrice = Price("1000000000000")!
    static let maxVolume = Quantity("1000000000000000")!

    /// Pass 2: each bar must start at or after the previous bar's end on the timeframe.
    static func sequence(_ scan: Scan, symbol: Symbol, timeframe: Timeframe) -> BarSeries {
        var out = BarSeries(symbol: symbol, timeframe: timeframe, candles: [], errors: [], rowsRejected: scan.rejectedCount,
                            rows: scan.dataRows, priceDecimals: 0, volumeDecimals: 0)
        out.candles.reserveCapacity(scan.rows.count)
        var late: [CSVRowError] = []
        var lateCount = 0
        for r in scan.rows {
            if let last = out.candles.last {
                var why: String?
                if r.start == last.start { why = "duplicate timestamp" }
                else if r.start < last.start { why = "timestamp out of order" }
                else if r.start < last.start + timeframe.interval {
                    why = "starts \(describe((r.start - last.start).nanoseconds)) after the previous bar, inside its \(timeframe) range (overlapping bars)"
                }
                if let why {
                    lateCount += 1
                    if late.count < 20 { late.append(CSVRowError(line: r.line, message: why)) }
                    continue
                }
            }
            // Off-grid timestamps are kept (synthetic data often starts mid-minute) and counted.
            if timeframe.bucket(r.start) != r.start { out.unalignedRows += 1 }
            out.priceDecimals = max(out.priceDecimals, r.priceDecimals)
            out.volumeDecimals = max(out.volumeDecimals, r.volumeDecimals)
            out.candles.append(r.candle)
        }
        out.rowsRejected += lateCount
        // Report in line order.
        out.errors = Array((scan.rejected + late).sorted { $0.line < $1.line }.prefix(20))
        return out
    }

    static func isHeader(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        let t = printable(f).trimmingSpaces().lowercased()
        return ["timestamp", "time", "date", "datetime", "ts", "open_time", "unix"].contains(t)
    }

    /// Field text for messages: at most 40 characters, control bytes shown as '?'.
    static func printable(_ f: UnsafeBufferPointer<UInt8>) -> String {
        let bytes = f.prefix(40).map { ($0 >= 32 && $0 < 127) ? $0 : 63 }
        return String(decoding: bytes, as: UTF8.self) + (f.count > 40 ? "…" : "")
    }

    /// Decimals after the dot, ignoring trailing zeros.
    static func decimals(_ f: UnsafeBufferPointer<UInt8>) -> Int {
        guard let dot = f.firstIndex(of: 46) else { return 0 }
        var end = f.count
        while end > dot + 1, f[end - 1] == 48 || f[end - 1] == 32 || f[end - 1] == 13 { end -= 1 }
        // An exponent belongs to no precision (1.5e-05 has 6 decimals, not "5e-05").
        if let e = f[dot...].firstIndex(where: { $0 == 101 || $0 == 69 }) {
            let mantissa = e - dot - 1
            var exp = 0, neg = false, k = e + 1
            if k < f.count, f[k] == 45 || f[k] == 43 { neg = f[k] == 45; k += 1 }
            while k < f.count, f[k] >= 48, f[k] <= 57, exp < 100 { exp = exp * 10 + Int(f[k] - 48); k += 1 }
            return min(18, max(0, mantissa + (neg ? exp : -exp)))
        }
        return min(18, end - dot - 1)
    }

    /// Plain Unix seconds parse without allocating (the common case); everything else goes through `Timestamp.parse`.
    static func parseTime(_ f: UnsafeBufferPointer<UInt8>) -> Result<Timestamp, TimestampError> {
        var i = 0, end = f.count
        while i < end, f[i] == 32 || f[i] == 34 { i += 1 }
        while end > i, f[end - 1] == 32 || f[end - 1] == 34 { end -= 1 }
        var n: Int64 = 0, digits = 0, k = i
        while k < end, f[k] >= 48, f[k] <= 57, digits < 11 { n = n * 10 + Int64(f[k] - 48); digits += 1; k += 1 }
        if k == end, digits > 0, digits <= 10 {
            // At most 10 digits: seconds; checked before multiplying (9,999,999,999 s would overflow as ns).
            guard n < Timestamp.supportedRange.upperBound.nanoseconds / 1_000_000_000 else { return .failure(.outOfRange(String(n))) }
            return .success(Timestamp(nanoseconds: n * 1_000_000_000))
        }
        return Timestamp.parse(String(decoding: UnsafeBufferPointer(rebasing: f[i..<end]), as: UTF8.self))
    }
}
