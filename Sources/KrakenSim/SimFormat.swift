import TradingCore

/// Kraken-style text for the server's frames: fixed-point integers (ticks, lot units) written as JSON numbers the way
/// Kraken's engine writes them, and RFC 3339 times. Everything is a pure function of its inputs (byte-identical runs).
enum SimFormat {
    /// `units` × 10^-decimals in plain decimal with exactly `decimals` fractional digits ("45283.5" for 452835, 1).
    static func fixed(_ units: Int64, _ decimals: Int) -> String {
        let neg = units < 0
        var digits = String(neg ? UInt64(bitPattern: 0 &- units) : UInt64(units))
        guard decimals > 0 else { return neg ? "-" + digits : digits }
        if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
        let cut = digits.index(digits.endIndex, offsetBy: -decimals)
        return (neg ? "-" : "") + digits[..<cut] + "." + digits[cut...]
    }

    /// The same with trailing fractional zeros removed, and the point too when nothing is left ("45284", "0.566").
    static func stripped(_ units: Int64, _ decimals: Int) -> String {
        var s = fixed(units, decimals)
        guard decimals > 0 else { return s }
        while s.last == "0" { s.removeLast() }
        if s.last == "." { s.removeLast() }
        return s
    }

    /// A price as Kraken prints it: at most the pair's precision, trailing zeros dropped; a whole price sometimes keeps
    /// one zero ("45284.0"), so clients that key books by the number's text are caught (fixture lines 6 and 7).
    static func price(_ ticks: Int64, _ decimals: Int, salt: UInt64) -> String {
        let s = stripped(ticks, decimals)
        if decimals > 0, !s.contains("."), mix(salt ^ UInt64(bitPattern: ticks)) % 2 == 0 { return s + ".0" }
        return s
    }

    /// A quantity: the pair's full precision, except that `strippedPercent` % of them lose their trailing zeros
    /// ("1.5", "45284") so precision-formatting bugs surface (market-data §4.4 point 6).
    static func quantity(_ units: Int64, _ decimals: Int, strippedPercent: Int, salt: UInt64) -> String {
        if strippedPercent > 0, Int(mix(salt ^ UInt64(bitPattern: units) &* 0x9E37_79B9) % 100) < strippedPercent {
            return stripped(units, decimals)
        }
        return fixed(units, decimals)
    }

    /// RFC 3339 UTC with `digits` fractional digits (6 for most channels, 9 for ohlc's).
    static func time(_ t: Timestamp, digits: Int = 6) -> String {
        let base = t.iso8601  // …SS.ffffffZ
        guard digits != 6 else { return base }
        let nanos = t.nanoseconds - t.seconds * 1_000_000_000
        var frac = String(nanos)
        frac = String(repeating: "0", count: 9 - frac.count) + frac
        return String(base.dropLast(8)) + "." + frac.prefix(digits) + "Z"
    }

    /// A stateless 64-bit mix (SplitMix64's finaliser): formatting choices that depend only on the value.
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A JSON string literal (requests echo client text: it is escaped, never trusted).
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += "\\u00" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
