/// Marks what a fixed-point number measures, so a price cannot be added to a quantity.
public protocol FixedPointUnit: Sendable {}
public enum PriceUnit: FixedPointUnit {}
public enum QuantityUnit: FixedPointUnit {}
public enum MoneyUnit: FixedPointUnit {}
public enum RateUnit: FixedPointUnit {}

/// A price in quote units per base unit (execution prices may sit off the tick, so they keep 18 decimals).
public typealias Price = FixedPoint<PriceUnit>
/// An amount of a base asset.
public typealias Quantity = FixedPoint<QuantityUnit>
/// An amount of money in some currency (quote units, or USD where the name says so).
public typealias Money = FixedPoint<MoneyUnit>
/// A dimensionless ratio: fee rate, slippage, leverage.
public typealias Rate = FixedPoint<RateUnit>

/// Exact decimal with 18 fractional digits held in an `Int128`.
///
/// Why 18: Kraken prices have at most 10 decimals and lots 8; exec = price × (1 ± s) adds 4 more and
/// fees another 3, so products of real inputs stay exact. Why Int128: notionals up to 1e13 at 1e-18
/// need 1e31 raw, and Int128 holds 1.7e38. Inputs are range-checked where they are parsed
/// (`maxMagnitude`), so arithmetic inside the engine cannot overflow for realistic values.
@frozen
public struct FixedPoint<Unit: FixedPointUnit>: Hashable, Comparable, Sendable {
    public var raw: Int128

    public static var decimals: Int { 18 }
    @inlinable public static var scale: Int128 { 1_000_000_000_000_000_000 }
    /// Largest magnitude accepted from outside (1e20): prices ≤ 1e9, quantities and notionals ≤ 1e13 fit easily.
    @inlinable public static var maxMagnitude: Int128 { 100 * scale * 1_000_000_000_000_000_000 }

    @inlinable public init(raw: Int128) { self.raw = raw }
    @inlinable public init(_ value: Int) { self.raw = Int128(value) * Self.scale }
    @inlinable public static var zero: Self { Self(raw: 0) }
    @inlinable public static var one: Self { Self(raw: scale) }

    @inlinable public static func < (a: Self, b: Self) -> Bool { a.raw < b.raw }
    @inlinable public static func + (a: Self, b: Self) -> Self { Self(raw: a.raw + b.raw) }
    @inlinable public static func - (a: Self, b: Self) -> Self { Self(raw: a.raw - b.raw) }
    @inlinable public static prefix func - (a: Self) -> Self { Self(raw: -a.raw) }
    @inlinable public static func += (a: inout Self, b: Self) { a.raw += b.raw }
    @inlinable public static func -= (a: inout Self, b: Self) { a.raw -= b.raw }
    @inlinable public static func * (a: Self, n: Int) -> Self { Self(raw: a.raw * Int128(n)) }

    @inlinable public var isZero: Bool { raw == 0 }
    @inlinable public var isPositive: Bool { raw > 0 }
    @inlinable public var isNegative: Bool { raw < 0 }
    @inlinable public var magnitude: Self { Self(raw: raw < 0 ? -raw : raw) }

    /// The nearest `Double` (for indicators and statistics only, never for accounting).
    @inlinable public var doubleValue: Double {
        // Int128 → Double goes through a slow generic path, and a division by 1e18 is a library call:
        // combine the two 64-bit halves instead (the result is a Double either way).
        if let small = Int64(exactly: raw) { return Double(small) / 1e18 }
        let hi = Double(Int64(truncatingIfNeeded: raw >> 64))
        let lo = Double(UInt64(truncatingIfNeeded: raw))
        return (hi * 18446744073709551616.0 + lo) / 1e18
    }

    /// Converts a `Double` by its shortest round-trip text, so 2.35 becomes exactly 2.35 (not 2.3500000000000000888);
    /// digits beyond the 18th decimal are rounded half-even. Nil for NaN, infinities and values beyond `maxMagnitude`.
    public init?(_ double: Double) {
        guard double.isFinite else { return nil }
        var text = "\(double)"
        guard let raw = text.withUTF8({ Self.parseRaw($0, roundExcessDigits: true) }) else { return nil }
        self.raw = raw
    }

    /// Rounds a `Double` to `decimals` places (half to even) — the path from strategy maths back to
    /// exact values (`Instrument.price(_:)`). Nil for non-finite or out-of-range input.
    public init?(rounding double: Double, toDecimals decimals: Int) {
        precondition(decimals >= 0 && decimals <= 18)
        guard double.isFinite else { return nil }
        let scaled = (double * pow10Double(decimals)).rounded(.toNearestOrEven)
        guard abs(scaled) < 9.0e18 else {
            guard let v = Self(double) else { return nil }
            self = v.rounded(toDecimals: decimals, .halfEven)
            return
        }
        self.raw = Int128(Int64(scaled)) * pow10(18 - decimals)
    }
}

/// 10ⁿ for n in 0…38 (every scale conversion and rounding asks for one: a table of constants, not a loop).
@inlinable func pow10(_ n: Int) -> Int128 {
    switch n {
    case 0: return 1
    case 1: return 10
    case 2: return 100
    case 3: return 1000
    case 4: return 10000
    case 5: return 100000
    case 6: return 1000000
    case 7: return 10000000
    case 8: return 100000000
    case 9: return 1000000000
    case 10: return 10000000000
    case 11: return 100000000000
    case 12: return 1000000000000
    case 13: return 10000000000000
    case 14: return 100000000000000
    case 15: return 1000000000000000
    case 16: return 10000000000000000
    case 17: return 100000000000000000
    case 18: return 1000000000000000000
    case 19: return 10000000000000000000
    case 20: return 100000000000000000000
    case 21: return 1000000000000000000000
    case 22: return 10000000000000000000000
    case 23: return 100000000000000000000000
    case 24: return 1000000000000000000000000
    case 25: return 10000000000000000000000000
    case 26: return 100000000000000000000000000
    case 27: return 1000000000000000000000000000
    case 28: return 10000000000000000000000000000
    case 29: return 100000000000000000000000000000
    case 30: return 1000000000000000000000000000000
    case 31: return 10000000000000000000000000000000
    case 32: return 100000000000000000000000000000000
    case 33: return 1000000000000000000000000000000000
    case 34: return 10000000000000000000000000000000000
    case 35: return 100000000000000000000000000000000000
    case 36: return 1000000000000000000000000000000000000
    case 37: return 10000000000000000000000000000000000000
    case 38: return 100000000000000000000000000000000000000
    default:
        var r: Int128 = 1
        for _ in 0..<n { r *= 10 }
        return r
    }
}

/// 10ⁿ as a Double, exact for n in 0…22 (the same values the repeated product gives).
@usableFromInline func pow10Double(_ n: Int) -> Double {
    switch n {
    case 0: return 1e0
    case 1: return 1e1
    case 2: return 1e2
    case 3: return 1e3
    case 4: return 1e4
    case 5: return 1e5
    case 6: return 1e6
    case 7: return 1e7
    case 8: return 1e8
    case 9: return 1e9
    case 10: return 1e10
    case 11: return 1e11
    case 12: return 1e12
    case 13: return 1e13
    case 14: return 1e14
    case 15: return 1e15
    case 16: return 1e16
    case 17: return 1e17
    case 18: return 1e18
    case 19: return 1e19
    case 20: return 1e20
    case 21: return 1e21
    case 22: return 1e22
    default:
        var r = 1.0
        for _ in 0..<n { r *= 10 }
        return r
    }
}

/// How a result that does not fit the target precision is rounded.
public enum RoundingRule: Sendable {
    /// Toward negative infinity (lots: never buy more than paid for).
    case down
    /// Toward positive infinity.
    case up
    case towardZero
    case halfEven
}

extension FixedPoint {
    /// Divides a raw value by a positive divisor with the given rounding.
    @inlinable static func divide(_ n: Int128, by d: Int128, _ rule: RoundingRule) -> Int128 {
        let (q, r) = n.quotientAndRemainder(dividingBy: d)
        return adjust(q, r, d, rule)
    }

    @inlinable static func adjust(_ q: Int128, _ r: Int128, _ d: Int128, _ rule: RoundingRule) -> Int128 {
        if r == 0 { return q }
        // Signs: d > 0 always here; r carries the sign of the numerator.
        let negative = (r < 0) != (d < 0)
        switch rule {
        case .towardZero: return q
        case .down: return negative ? q - 1 : q
        case .up: return negative ? q : q + 1
        case .halfEven:
            let twice = r.magnitude * 2
            let dm = d.magnitude
            if twice < dm { return q }
            if twice > dm || q % 2 != 0 { return negative ? q - 1 : q + 1 }
            return q
        }
    }

    /// `a × b / 10^18` with the full 256-bit intermediate, so no precision is lost before rounding.
    /// Results beyond ±2^118 raw (about 3e17 in value, far past any order the exchange accepts, but reachable
    /// by valuing a large holding after an absurd price jump) saturate at ±2^120 instead of trapping, so a
    /// hundred of them still add up without overflow.
    @inlinable static func mulScaled(_ a: Int128, _ b: Int128, _ rule: RoundingRule) -> Int128 {
        let p = a.multipliedFullWidth(by: b)
        if p.high >= (1 << 50) || p.high < -(1 << 50) { return p.high < 0 ? -(1 << 120) : (1 << 120) }
        let (q, r) = scale.dividingFullWidth(p)
        return adjust(q, r, scale, rule)
    }

    /// `a × 10^18 / b` with the full intermediate.
    @inlinable static func divScaled(_ a: Int128, _ b: Int128, _ rule: RoundingRule) -> Int128 {
        precondition(b != 0, "division by zero in fixed-point arithmetic")
        let p = a.multipliedFullWidth(by: scale)
        let (q, r) = b.dividingFullWidth(p)
        return adjust(q, r, b, rule)
    }

    /// `a × 10^18 / b`, or nil when the quotient does not fit (absurd sizes must be refused, never trap).
    @inlinable static func divScaledChecked(_ a: Int128, _ b: Int128, _ rule: RoundingRule) -> Int128? {
        guard b != 0 else { return nil }
        return mulDivChecked(a.magnitude, UInt128(scale), b.magnitude, negative: (a < 0) != (b < 0), rule)
    }

    /// `x × y / d` on magnitudes with one rounding of the signed result; nil when the quotient does not fit.
    @inlinable static func mulDivChecked(_ x: UInt128, _ y: UInt128, _ d: UInt128, negative: Bool, _ rule: RoundingRule) -> Int128? {
        let p = x.multipliedFullWidth(by: y)
        guard p.high < d else { return nil }
        let (q, r) = d.dividingFullWidth(p)
        guard q < UInt128(Int128.max) else { return nil }
        var m = Int128(q)
        if r != 0 {
            switch rule {
            case .towardZero: break
            case .down: if negative { m += 1 }
            case .up: if !negative { m += 1 }
            case .halfEven:
                let twice = r.multipliedReportingOverflow(by: 2)
                if twice.overflow || twice.partialValue > d || (twice.partialValue == d && m % 2 != 0) { m += 1 }
            }
        }
        return negative ? -m : m
    }

    /// `self × num / den` with one rounding and a full-width intermediate; nil when `den ≤ 0` or the result
    /// does not fit (a ratio of two money amounts applied to a price, e.g. a point inside a bar).
    @inlinable public func scaled(byRatio num: Int128, over den: Int128, _ rule: RoundingRule) -> Self? {
        guard den > 0 else { return nil }
        return Self.mulDivChecked(raw.magnitude, num.magnitude, UInt128(den), negative: (raw < 0) != (num < 0), rule).map { Self(raw: $0) }
    }

    /// Rounds to `decimals` fractional digits.
    @inlinable public func rounded(toDecimals decimals: Int, _ rule: RoundingRule = .halfEven) -> Self {
        precondition(decimals >= 0 && decimals <= 18)
        if decimals == 18 { return self }
        let unit = pow10(18 - decimals)
        return Self(raw: Self.divide(raw, by: unit, rule) * unit)
    }

    /// Same-unit product, e.g. rate × rate.
    @inlinable public func multiplied(by other: Self, _ rule: RoundingRule = .halfEven) -> Self {
        Self(raw: Self.mulScaled(raw, other.raw, rule))
    }

    /// Multiplies by a dimensionless rate (fee, slippage, leverage). Exact whenever the result has ≤ 18 decimals.
    @inlinable public func scaled(by rate: Rate, _ rule: RoundingRule = .halfEven) -> Self {
        Self(raw: Self.mulScaled(raw, rate.raw, rule))
    }

    /// Divides by a same-unit value, giving a dimensionless rate.
    @inlinable public func ratio(to other: Self, _ rule: RoundingRule = .halfEven) -> Rate {
        Rate(raw: Self.divScaled(raw, other.raw, rule))
    }

    @inlinable public func divided(by n: Int, _ rule: RoundingRule = .halfEven) -> Self {
        Self(raw: Self.divide(raw, by: Int128(n), rule))
    }

    @inlinable public static func min(_ a: Self, _ b: Self) -> Self { a < b ? a : b }
    @inlinable public static func max(_ a: Self, _ b: Self) -> Self { a > b ? a : b }
}
