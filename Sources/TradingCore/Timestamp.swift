/// An instant in UTC as nanoseconds since the Unix epoch. Every time inside the kernel is one of these,
/// and it only ever comes from the injected `TradingClock` or from event data.
@frozen
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    @inlinable public init(seconds: Int64) { self.nanoseconds = seconds * 1_000_000_000 }
    @inlinable public init(milliseconds: Int64) { self.nanoseconds = milliseconds * 1_000_000 }

    @inlinable public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: Self, d: Interval) -> Self { Self(nanoseconds: a.nanoseconds + d.nanoseconds) }
    @inlinable public static func - (a: Self, d: Interval) -> Self { Self(nanoseconds: a.nanoseconds - d.nanoseconds) }
    @inlinable public static func - (a: Self, b: Self) -> Interval { Interval(nanoseconds: a.nanoseconds - b.nanoseconds) }

    @inlinable public var seconds: Int64 { nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000 }

    /// Floors to a multiple of `interval` since the epoch (candle buckets).
    @inlinable public func floored(to interval: Interval) -> Timestamp {
        let n = interval.nanoseconds
        let r = nanoseconds % n
        return Timestamp(nanoseconds: nanoseconds - (r < 0 ? r + n : r))
    }

    /// ISO-8601 with microseconds and `Z`, the one output format of logs and reports.
    public var description: String { iso8601 }

    public var iso8601: String {
        let secs = seconds
        let nanos = nanoseconds - secs * 1_000_000_000
        let days = secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400
        let sod = secs - days * 86_400
        let (y, m, d) = Timestamp.civil(fromDays: days)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let micros = nanos / 1_000
        var frac = String(micros)
        frac = String(repeating: "0", count: 6 - frac.count) + frac
        return "\(y)-\(two(m))-\(two(d))T\(two(sod / 3600)):\(two(sod % 3600 / 60)):\(two(sod % 60)).\(frac)Z"
    }

    /// Parses ISO-8601 in the forms data files use: `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fraction]]` with `T` or a
    /// space, and no zone (UTC), `Z`, or an offset `±HH:MM` / `±HHMM`. Nil on anything else, on impossible dates,
    /// and outside the years 1900–2199 (so no arithmetic below can overflow).
    public init?(iso8601 text: String) {
        var t = text
        guard let v = t.withUTF8({ Timestamp(iso8601: $0) }) else { return nil }
        self = v
    }

    /// The same, from UTF-8 bytes without a string (the feed's hot path).
    public init?(iso8601 b: UnsafeBufferPointer<UInt8>) {
        func num(_ from: Int, _ len: Int) -> Int64? {
            guard from + len <= b.count else { return nil }
            var v: Int64 = 0
            for i in from..<(from + len) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int64(b[i] - 48)
            }
            return v
        }
        guard b.count >= 10, let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
              (1900...2199).contains(y), (1...12).contains(mo), d >= 1, d <= Timestamp.daysInMonth(y, mo) else { return nil }
        var h: Int64 = 0, mi: Int64 = 0, sec: Int64 = 0, nanos: Int64 = 0
        var i = 10
        if b.count > 10 {
            guard b[10] == 84 || b[10] == 32 || b[10] == 116, let hh = num(11, 2), b.count > 13, b[13] == 58, let mm = num(14, 2),
                  hh < 24, mm < 60 else { return nil }
            h = hh; mi = mm; i = 16
            if i < b.count, b[i] == 58 {
                guard let ss = num(17, 2), ss < 61 else { return nil }
                sec = ss; i = 19
                if i < b.count, b[i] == 46 || b[i] == 44 {
                    i += 1
                    var digits = 0
                    while i < b.count, b[i] >= 48, b[i] <= 57 {
                        if digits < 9 { nanos = nanos * 10 + Int64(b[i] - 48) }
                        digits += 1; i += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in 0..<max(0, 9 - digits) { nanos *= 10 }
                }
            }
        }
        var offsetSeconds: Int64 = 0
        if i < b.count {
            if (b[i] == 90 || b[i] == 122) && i + 1 == b.count {
                // Z
            } else if b[i] == 43 || b[i] == 45 {
                let sign: Int64 = b[i] == 45 ? -1 : 1
                guard let oh = num(i + 1, 2), oh < 24 else { return nil }
                var j = i + 3
                if j < b.count, b[j] == 58 { j += 1 }
                guard let om = num(j, 2), om < 60, j + 2 == b.count else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        let days = Timestamp.days(fromCivil: y, mo, d)
        self.nanoseconds = ((days * 86_400) + h * 3600 + mi * 60 + sec - offsetSeconds) * 1_000_000_000 + nanos
    }

    static func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
        switch m {
        case 2: return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's civil-calendar algorithms (public domain).
    static func days(fromCivil y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (m <= 2 ? y + 1 : y, m, d)
    }
}

/// A signed span of engine time in nanoseconds.
@frozen
public struct Interval: Hashable, Comparable, Sendable {
    public var nanoseconds: Int64
    @inlinable public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    @inlinable public static func seconds(_ s: Int64) -> Interval { Interval(nanoseconds: s * 1_000_000_000) }
    @inlinable public static func milliseconds(_ ms: Int64) -> Interval { Interval(nanoseconds: ms * 1_000_000) }
    @inlinable public static func minutes(_ m: Int64) -> Interval { Interval(nanoseconds: m * 60_000_000_000) }
    @inlinable public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }
    @inlinable public static func + (a: Self, b: Self) -> Self { Self(nanoseconds: a.nanoseconds &+ b.nanoseconds) }
    public static let zero = Interval(nanoseconds: 0)
    @inlinable public var seconds: Double { Double(nanoseconds) / 1e9 }
}

/// The only source of "now" for the kernel. Live drivers sample the wall clock at the edge and
/// hand it in; backtests and the simulator advance it from event times.
public protocol TradingClock: AnyObject {
    var now: Timestamp { get }
}

/// A clock that is set from outside: the kernel advances it to each event's time.
public final class ManualClock: TradingClock {
    public private(set) var now: Timestamp
    public init(_ start: Timestamp = Timestamp(nanoseconds: 0)) { self.now = start }
    /// Moves forward; never backwards (a late event does not rewind time).
    public func advance(to t: Timestamp) { if t > now { now = t } }
}
