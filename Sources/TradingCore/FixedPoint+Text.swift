/// Parsing and printing of exact decimals. Values from JSON, YAML and CSV come in as text and stay exact.
extension FixedPoint: CustomStringConvertible, LosslessStringConvertible {
    /// Parses `-12.345`, `+3`, `.5`, `2.25e-05`. Nil on anything else, on more than 18 significant
    /// fractional digits that are not zeros, or beyond `maxMagnitude`.
    public init?(_ text: some StringProtocol) {
        var bytes = Array(text.utf8)
        // Trim ASCII spaces.
        while let f = bytes.first, f == 32 || f == 9 { bytes.removeFirst() }
        while let l = bytes.last, l == 32 || l == 9 { bytes.removeLast() }
        guard !bytes.isEmpty else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-"); i = 1
        }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var seenDot = false
        var seenDigit = false
        while i < bytes.count {
            let c = bytes[i]
            if c >= 48 && c <= 57 {
                seenDigit = true
                if !(digits.isEmpty && c == 48) { digits.append(c - 48) }
                if seenDot { fractionDigits += 1 }
            } else if c == UInt8(ascii: ".") && !seenDot {
                seenDot = true
            } else if c == UInt8(ascii: "_") {
                // YAML allows 1_000; accept it.
            } else {
                break
            }
            i += 1
        }
        guard seenDigit else { return nil }
        var exponent = 0
        if i < bytes.count {
            guard bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") else { return nil }
            i += 1
            var expNeg = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") {
                expNeg = bytes[i] == UInt8(ascii: "-"); i += 1
            }
            var e = 0
            var any = false
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 {
                e = e * 10 + Int(bytes[i] - 48); any = true; i += 1
                if e > 100 { return nil }
            }
            guard any, i == bytes.count else { return nil }
            exponent = expNeg ? -e : e
        }
        // value = digits × 10^(exponent − fractionDigits); we need raw = value × 10^18.
        var shift = 18 + exponent - fractionDigits
        // Drop trailing zeros that would fall below 1e-18.
        while shift < 0, let last = digits.last, last == 0 { digits.removeLast(); shift += 1 }
        guard shift >= 0 else { return nil }
        guard digits.count + shift <= 38 else { return nil }
        var raw: Int128 = 0
        for d in digits { raw = raw * 10 + Int128(d) }
        for _ in 0..<shift { raw *= 10 }
        guard raw <= Self.maxMagnitude else { return nil }
        self.raw = negative ? -raw : raw
    }

    /// Plain decimal notation, no exponent, no trailing zeros: `2.3521755`, `-0.05`, `104500`.
    public var description: String {
        let neg = raw < 0
        let m = raw.magnitude
        let s = UInt128(Self.scale)
        let intPart = m / s
        var frac = m % s
        var out = neg ? "-" : ""
        out += String(intPart)
        if frac != 0 {
            var digits = 18
            while frac % 10 == 0 { frac /= 10; digits -= 1 }
            let f = String(frac)
            out += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return out
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
