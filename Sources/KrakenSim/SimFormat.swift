import TradingCore

/// Kraken-style text for the server's frames: fixed-point integers (ticks, lot units) written as JSON numbers the way
/// Kraken's engine writes them, and RFC 3339 times. Everything is a pure function of its inputs (byte-identical runs).
enum SimFormat {
    /// `units` × 10^-decimals in plain decimal with exactly `decimals` fractional digits ("45283.5" for 452835, 1).
    static func fixed(_ units: Int64, _ decimals: Int) -> String {
        String(decoding: fixedBytes(units, decimals, strip: false), as: UTF8.self)
    }

    /// The same with trailing fractional zeros removed, and the point too when nothing is left ("45284", "0.566").
    static func stripped(_ units: Int64, _ decimals: Int) -> String {
        String(decoding: fixedBytes(units, decimals, strip: true), as: UTF8.self)
    }

    /// The text's bytes without String index arithmetic (the server's hot path).
    @inline(__always) static func fixedBytes(_ units: Int64, _ decimals: Int, strip: Bool) -> [UInt8] {
        // Digits least significant first, at least one before the point.
        var d: [UInt8] = []
        d.reserveCapacity(24)
        var v = units.magnitude
        repeat { d.append(48 + UInt8(v % 10)); v /= 10 } while v > 0
        while d.count < decimals + 1 { d.append(48) }
        var out: [UInt8] = []
        out.reserveCapacity(d.count + 2)
        if units < 0 { out.append(UInt8(ascii: "-")) }
        for k in stride(from: d.count - 1, through: decimals, by: -1) { out.append(d[k]) }
        var first = 0
        if strip { while first < decimals && d[first] == 48 { first += 1 } }
        if first < decimals {
            out.append(UInt8(ascii: "."))
            for k in stride(from: decimals - 1, through: first, by: -1) { out.append(d[k]) }
        }
        return out
    }

    /// A price as Kraken prints it: at most the pair's precision, trailing zeros dropped; a whole price sometimes keeps
    /// one zero ("45284.0"), so clients that key books by the number's text are caught (fixture lines 6 and 7).
    static func price(_ ticks: Int64, _ decimals: Int, salt: UInt64) -> String {
        let s = stripped(ticks, decimals)
        if decimals > 0, !s.utf8.contains(UInt8(ascii: ".")), mix(salt ^ UInt64(bitPattern: ticks)) % 2 == 0 { return s + ".0" }
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
