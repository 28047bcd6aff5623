import TradingCore

/// A half-open time range `[start, end)`: every query and every coverage record in the store uses this form.
public struct TimeSpan: Hashable, Sendable, CustomStringConvertible {
    public var start: Timestamp
    public var end: Timestamp

    public init(_ start: Timestamp, _ end: Timestamp) { self.start = start; self.end = end }

    public var isEmpty: Bool { end <= start }
    public var duration: Interval { end - start }
    public func contains(_ t: Timestamp) -> Bool { t >= start && t < end }
    public func intersection(_ o: TimeSpan) -> TimeSpan? {
        let s = max(start, o.start), e = min(end, o.end)
        return e > s ? TimeSpan(s, e) : nil
    }
    public var description: String { "[\(start.iso8601), \(end.iso8601))" }

    /// Sorted, merged (touching spans join): the canonical form coverage is kept in.
    public static func union(_ spans: [TimeSpan]) -> [TimeSpan] {
        var out: [TimeSpan] = []
        for s in spans.filter({ !$0.isEmpty }).sorted(by: { $0.start < $1.start }) {
            if let last = out.last, s.start <= last.end {
                out[out.count - 1].end = max(last.end, s.end)
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// `self` minus the (sorted, merged) `covered` spans.
    public func subtracting(_ covered: [TimeSpan]) -> [TimeSpan] {
        var out: [TimeSpan] = []
        var cursor = start
        for c in covered where c.end > cursor && c.start < end {
            if c.start > cursor { out.append(TimeSpan(cursor, c.start)) }
            cursor = max(cursor, c.end)
            if cursor >= end { break }
        }
        if cursor < end { out.append(TimeSpan(cursor, end)) }
        return out
    }
}

/// Bucket arithmetic of history.md §6.5 for any width in minutes: epoch-aligned, except widths that are whole weeks,
/// which start on Monday 00:00 UTC (1970-01-05 is a Monday). Mathematical floor, so times before 1970 work too.
public enum Buckets {
    static let minuteNs: Int64 = 60_000_000_000
    static let weekMinutes: Int64 = 10_080
    static let mondayOffsetNs: Int64 = 345_600 * 1_000_000_000

    public static func floor(_ t: Timestamp, minutes: Int) -> Timestamp {
        let w = Int64(minutes) * minuteNs
        let shift = Int64(minutes) % weekMinutes == 0 ? mondayOffsetNs : 0
        let x = t.nanoseconds - shift
        let q = x >= 0 ? x / w : -((-x + w - 1) / w)
        return Timestamp(nanoseconds: q * w + shift)
    }

    /// The first bucket start at or after `t`.
    public static func ceil(_ t: Timestamp, minutes: Int) -> Timestamp {
        let f = floor(t, minutes: minutes)
        return f == t ? f : f + .minutes(Int64(minutes))
    }

    /// `span` widened outwards to whole buckets.
    public static func widen(_ span: TimeSpan, minutes: Int) -> TimeSpan {
        TimeSpan(floor(span.start, minutes: minutes), ceil(span.end, minutes: minutes))
    }
}
