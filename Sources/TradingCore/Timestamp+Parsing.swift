/// Why a time from outside (a CSV cell, a flag, a config value) was refused.
public enum TimestampError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformed(String)
    case outOfRange(String)

    public var description: String {
        switch self {
        case .malformed(let t): "bad timestamp '\(t)' (expected Unix seconds, ms, µs or ns, or ISO-8601 like 2025-01-01 00:00:00)"
        case .outOfRange(let t): "timestamp '\(t)' is outside 1970-01-01 … 2199-12-31"
        }
    }
}

extension Timestamp {
    /// Times accepted from outside: 1970-01-01 up to (not including) 2200-01-01, so every later arithmetic on
    /// them (buckets, durations, nanoseconds) stays far inside Int64.
    public static let supportedRange = Timestamp(nanoseconds: 0)..<Timestamp(nanoseconds: 7_258_118_400 * 1_000_000_000)

    /// Parses a time from outside. Numbers (exponents and fractions allowed) are Unix time whose unit is told by
    /// magnitude: below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
    /// Anything else is read as ISO-8601 (`Timestamp(iso8601:)`).
    public static func parse(_ text: some StringProtocol) -> Result<Timestamp, TimestampError> {
        let t = String(text).trimmingSpaces()
        guard let first = t.utf8.first else { return .failure(.malformed(t)) }
        let numeric = (first >= 48 && first <= 57) || first == 43 || first == 45 || first == 46
        if numeric, !t.utf8.contains(58), !isDateLike(t) {
            guard let v = Money(t) else { return .failure(.malformed(t)) }
            if v.isNegative { return .failure(.outOfRange(t)) }
            // raw = value × 1e18; nanoseconds = value × (1e9, 1e6, 1e3 or 1) = raw / (1e9, 1e12, 1e15 or 1e18).
            let raw = v.raw
            let divisor: Int128
            if raw < 100_000_000_000 * Money.scale { divisor = 1_000_000_000 }
            else if raw < 100_000_000_000_000 * Money.scale { divisor = 1_000_000_000_000 }
            else if raw < 100_000_000_000_000_000 * Money.scale { divisor = 1_000_000_000_000_000 }
            else { divisor = Money.scale }
            let ns = raw / divisor
            guard ns < Int128(supportedRange.upperBound.nanoseconds) else { return .failure(.outOfRange(t)) }
            return .success(Timestamp(nanoseconds: Int64(ns)))
        }
        guard let ts = Timestamp(iso8601: t) else {
            // A well-formed date in a far year is out of range, not malformed.
            if isDateLike(t), let y = Int(t.prefix(4)), !(1900...2199).contains(y) { return .failure(.outOfRange(t)) }
            return .failure(.malformed(t))
        }
        guard supportedRange.contains(ts) else { return .failure(.outOfRange(t)) }
        return .success(ts)
    }

    /// `DDDD-` at the start: an ISO date, not a number.
    private static func isDateLike(_ t: String) -> Bool {
        let u = Array(t.utf8.prefix(5))
        return u.count == 5 && u[0...3].allSatisfy { $0 >= 48 && $0 <= 57 } && u[4] == 45
    }
}
