/// Parsing and printing of exact decimals. Values from JSON, YAML and CSV come in as text and stay exact.
extension FixedPoint: CustomStringConvertible, LosslessStringConvertible {
    /// Parses `-12.345`, `+3`, `.5`, `2.25e-05`. Nil on anything else, on more than 18 significant
    /// fractional digits that are not zeros, or beyond `maxMagnitude`.
    public init?(_ text: some StringProtocol) {
        var t = String(text)
        guard let raw = t.withUTF8({ Self.parseRaw($0) }) else { return nil }
        self.raw = raw
    }

    /// Parses ASCII bytes without allocating (CSV and JSON hot paths).
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let raw = Self.parseRaw(bytes) else { return nil }
        self.raw = raw
    }

    /// `roundExcessDigits`: digits below 1e-18 are rounded half-even instead of refusing the text
    /// (for `Double` input, whose shortest text can carry 20 decimals).
    @usableFromInline static func parseRaw(_ b: UnsafeBufferPointer<UInt8>, roundExcessDigits: Bool = false) -> Int128? {
        var i = 0, n = b.count
        while i < n, b[i] == 32 || b[i] == 9 { i += 1 }
        while n > i, b[n - 1] == 32 || b[n - 1] == 9 || b[n - 1] == 13 { n -= 1 }
        guard i < n else { return nil }
        var negative = false
        if b[i] == 45 || b[i] == 43 { negative = b[i] == 45; i += 1 }
        var mantissa: Int128 = 0
        var significant = 0        // digits in the mantissa
        var pendingZeros = 0       // zeros not yet multiplied in (so trailing zeros never overflow)
        var fractionDigits = 0
        var seenDot = false, seenDigit = false
        while i < n {
            let c = b[i]
            if c >= 48 && c <= 57 {
                seenDigit = true
                if seenDot { fractionDigits += 1 }
                if c == 48 {
                    if significant > 0 { pendingZeros += 1 }
                } else {
                    significant += pendingZeros + 1
                    guard significant <= 38 else { return nil }
                    for _ in 0..<pendingZeros { mantissa &*= 10 }
                    pendingZeros = 0
                    mantissa = mantissa &* 10 &+ Int128(c - 48)
                }
            } else if c == 46 && !seenDot {
                seenDot = true
            } else if c == 95 {
                // YAML allows 1_000.
            } else {
                break
            }
            i += 1
        }
        guard seenDigit else { return nil }
        var exponent = 0
        if i < n {
            guard b[i] == 101 || b[i] == 69 else { return nil }
            i += 1
            var expNeg = false
            if i < n, b[i] == 45 || b[i] == 43 { expNeg = b[i] == 45; i += 1 }
            var e = 0, any = false
            while i < n, b[i] >= 48, b[i] <= 57 {
                e = e * 10 + Int(b[i] - 48); any = true; i += 1
                if e > 100 { return nil }
            }
            guard any, i == n else { return nil }
            exponent = expNeg ? -e : e
        }
        // value = mantissa × 10^(pendingZeros + exponent − fractionDigits); raw = value × 10^18.
        var shift = pendingZeros + 18 + exponent - fractionDigits
        if mantissa == 0 { return 0 }
        if shift < 0 {
            guard roundExcessDigits else { return nil }
            if -shift > 38 { return 0 }
            mantissa = divide(mantissa, by: pow10(-shift), .halfEven)
            shift = 0
            if mantissa == 0 { return 0 }
        }
        guard significant + shift <= 39 else { return nil }
        var raw = mantissa
        for _ in 0..<shift {
            let (r, o) = raw.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            raw = r
        }
        guard raw <= maxMagnitude else { return nil }
        return negative ? -raw : raw
    }

    /// Plain decimal notation, no exponent, no trailing zeros: `2.3521755`, `-0.05`, `104500`.
    public var description: String {
        let neg = raw < 0
        let (q, r) = raw.magnitude.quotientAndRemainder(dividingBy: UInt128(Self.scale))
        // The fraction is below 1e18 and fits a UInt64; so does the integer part of any accepted value.
        var frac = UInt64(truncatingIfNeeded: r)
        // Fill lines are hashed for every fill: build the text in one small buffer, no intermediate strings.
        return String(unsafeUninitializedCapacity: 64) { buf in
            var n = 0
            if neg { buf[n] = 45; n += 1 }
            if let ip = UInt64(exactly: q) {
                n += writeDigits(ip, into: buf, at: n)
            } else {
                for b in String(q).utf8 { buf[n] = b; n += 1 }
            }
            if frac != 0 {
                var digits = 18
                while frac % 10 == 0 { frac /= 10; digits -= 1 }
                buf[n] = 46; n += 1
                var k = digits - 1
                while k >= 0 { buf[n + k] = UInt8(48 + frac % 10); frac /= 10; k -= 1 }
                n += digits
            }
            return n
        }
    }

    /// Fixed number of decimals (half-even), for display.
    public func formatted(decimals: Int) -> String {
        let r = rounded(toDecimals: decimals, .halfEven)
        let neg = r.raw < 0
        let m = r.raw.magnitude
        let s = UInt128(Self.scale)
        var out = neg ? "-" : ""
        out += String(m / s)
        if decimals > 0 {
            let frac = (m % s) / UInt128(pow10(18 - decimals))
            let f = String(frac)
            out += "." + String(repeating: "0", count: decimals - f.count) + f
        }
        return out
    }
}

/// Writes the decimal digits of `v` at `at`; returns how many.
@inline(__always)
func writeDigits(_ v: UInt64, into buf: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
    if v == 0 { buf[at] = 48; return 1 }
    var x = v, len = 0
    while x > 0 { x /= 10; len += 1 }
    x = v
    var k = at + len - 1
    while x > 0 { buf[k] = UInt8(48 + x % 10); x /= 10; k -= 1 }
    return len
}
