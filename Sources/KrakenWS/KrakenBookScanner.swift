import TradingCore

/// The fast path for the feed's most frequent message, a `book` snapshot or update: decoded straight from the bytes
/// (numbers from their text into fixed point, no JSON tree, no strings but the symbol and timestamp). It accepts only
/// the exact shape Kraken sends (keys in any order within each object, any JSON whitespace) and returns nil for
/// anything else, hostile or merely unusual; the full parser then decides, so the two never disagree on what is
/// valid (a test compares them on every fixture and mutation).
enum KrakenBookScanner {
    static func decode(_ b: UnsafeBufferPointer<UInt8>) -> KrakenBookMessage? {
        var s = Scanner(b: b)
        guard s.byte(UInt8(ascii: "{")) else { return nil }
        // "channel":"book" first (Kraken's order); any other first key goes to the full parser.
        guard s.key("channel"), s.literalString("book"), s.byte(UInt8(ascii: ",")) else { return nil }
        var snapshot: Bool?
        var message: KrakenBookMessage?
        while true {
            guard let k = s.keyBytes() else { return nil }
            if s.equals(k, "type") {
                guard snapshot == nil else { return nil }
                if s.literalString("snapshot") { snapshot = true } else if s.literalString("update") { snapshot = false } else { return nil }
            } else if s.equals(k, "data") {
                guard message == nil, s.byte(UInt8(ascii: "[")), let m = s.bookElement(), s.byte(UInt8(ascii: "]")) else { return nil }
                message = m
            } else {
                return nil
            }
            if s.byte(UInt8(ascii: ",")) { continue }
            guard s.byte(UInt8(ascii: "}")) else { return nil }
            break
        }
        s.skipSpace()
        guard s.i == b.count, var m = message, let snap = snapshot else { return nil }
        m.isSnapshot = snap
        return m
    }

    struct Scanner {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0

        @inline(__always) mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        @inline(__always) mutating func byte(_ c: UInt8) -> Bool {
            skipSpace()
            guard i < b.count, b[i] == c else { return false }
            i += 1
            return true
        }

        /// A string without escapes or control characters (what keys and Kraken's values are); its byte range.
        mutating func rawString() -> Range<Int>? {
            skipSpace()
            guard i < b.count, b[i] == UInt8(ascii: "\"") else { return nil }
            let start = i + 1
            var j = start
            while j < b.count {
                let c = b[j]
                if c == UInt8(ascii: "\"") { i = j + 1; return start..<j }
                if c == UInt8(ascii: "\\") || c < 0x20 { return nil }
                j += 1
            }
            return nil
        }

        func equals(_ r: Range<Int>, _ word: StaticString) -> Bool {
            guard r.count == word.utf8CodeUnitCount else { return false }
            var k = 0
            for idx in r { if b[idx] != word.utf8Start[k] { return false }; k += 1 }
            return true
        }

        mutating func keyBytes() -> Range<Int>? {
            guard let r = rawString(), byte(UInt8(ascii: ":")) else { return nil }
            return r
        }

        mutating func key(_ word: StaticString) -> Bool {
            guard let r = keyBytes() else { return false }
            return equals(r, word)
        }

        mutating func literalString(_ word: StaticString) -> Bool {
            let save = i
            guard let r = rawString(), equals(r, word) else { i = save; return false }
            return true
        }

        /// A JSON number as fixed point. The plain form Kraken sends (at most 19 digits, at most 18 of them decimals, no
        /// exponent) is converted as it is scanned, one multiplication at the end; anything else (exponents, long
        /// mantissas) goes through the grammar check and `FixedPoint(utf8:)`, which give the same value.
        mutating func fixed<U>() -> FixedPoint<U>? {
            skipSpace()
            let start = i, n = b.count
            var j = i
            var negative = false
            if j < n, b[j] == UInt8(ascii: "-") { negative = true; j += 1 }
            var m: UInt64 = 0
            let intStart = j
            while j < n, b[j] &- 48 < 10 { m = m &* 10 &+ UInt64(b[j] &- 48); j += 1 }
            let intDigits = j - intStart
            // JSON: at least one integer digit, no leading zero.
            guard intDigits > 0, intDigits == 1 || b[intStart] != UInt8(ascii: "0") else { return nil }
            var fraction = 0
            if j < n, b[j] == UInt8(ascii: ".") {
                j += 1
                let fs = j
                while j < n, b[j] &- 48 < 10 { m = m &* 10 &+ UInt64(b[j] &- 48); j += 1 }
                fraction = j - fs
                guard fraction > 0 else { return nil }
            }
            if intDigits + fraction > 19 || fraction > 18 || (j < n && (b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E"))) {
                guard let end = KrakenJSON.numberEnd(b, from: start) else { return nil }
                i = end
                return FixedPoint<U>(utf8: UnsafeBufferPointer(rebasing: b[start..<end]))
            }
            i = j
            // m < 10^19 and the scale factor ≤ 10^18: below maxMagnitude (10^38), no overflow.
            let raw = Int128(m) * Int128(BookPrecision.powersOfTen[18 - fraction])
            return FixedPoint<U>(raw: negative ? -raw : raw)
        }

        /// A JSON number that is a plain unsigned integer of at most 19 digits (the checksum).
        mutating func unsigned() -> UInt64? {
            skipSpace()
            let start = i
            var j = i, v: UInt64 = 0
            while j < b.count, b[j] &- 48 < 10 { v = v &* 10 &+ UInt64(b[j] &- 48); j += 1 }
            guard j > start, j - start <= 19, j - start == 1 || b[start] != UInt8(ascii: "0") else { return nil }
            // A fraction or exponent is not an integer here: the full parser decides.
            if j < b.count, b[j] == UInt8(ascii: ".") || b[j] == UInt8(ascii: "e") || b[j] == UInt8(ascii: "E") { return nil }
            i = j
            return v
        }

        mutating func levels() -> [BookLevel]? {
            guard byte(UInt8(ascii: "[")) else { return nil }
            var out: [BookLevel] = []
            if byte(UInt8(ascii: "]")) { return out }
            out.reserveCapacity(10)
            repeat {
                guard byte(UInt8(ascii: "{")) else { return nil }
                var price: Price?, qty: Quantity?
                repeat {
                    guard let k = keyBytes() else { return nil }
                    if equals(k, "price") {
                        guard price == nil, let p: Price = fixed(), p.isPositive else { return nil }
                        price = p
                    } else if equals(k, "qty") {
                        guard qty == nil, let q: Quantity = fixed(), !q.isNegative else { return nil }
                        qty = q
                    } else {
                        return nil
                    }
                } while byte(UInt8(ascii: ","))
                guard byte(UInt8(ascii: "}")), let p = price, let q = qty else { return nil }
                out.append(BookLevel(price: p, size: q))
            } while byte(UInt8(ascii: ","))
            guard byte(UInt8(ascii: "]")) else { return nil }
            return out
        }

        mutating func bookElement() -> KrakenBookMessage? {
            guard byte(UInt8(ascii: "{")) else { return nil }
            var symbol: Symbol?, bids: [BookLevel]?, asks: [BookLevel]?, checksum: UInt32?, timestamp: Timestamp?
            var sawTimestamp = false
            repeat {
                guard let k = keyBytes() else { return nil }
                if equals(k, "symbol") {
                    guard symbol == nil, let r = rawString(), let s = Symbol(utf8: UnsafeBufferPointer(rebasing: b[r])) else { return nil }
                    symbol = s
                } else if equals(k, "bids") {
                    guard bids == nil, let l = levels() else { return nil }
                    bids = l
                } else if equals(k, "asks") {
                    guard asks == nil, let l = levels() else { return nil }
                    asks = l
                } else if equals(k, "checksum") {
                    guard checksum == nil, let v = unsigned(), let c = UInt32(exactly: v) else { return nil }
                    checksum = c
                } else if equals(k, "timestamp") {
                    guard !sawTimestamp, let r = rawString(), let t = Timestamp(iso8601: UnsafeBufferPointer(rebasing: b[r])),
                          Timestamp.supportedRange.contains(t) else { return nil }
                    sawTimestamp = true
                    timestamp = t
                } else {
                    return nil
                }
            } while byte(UInt8(ascii: ","))
            guard byte(UInt8(ascii: "}")), let s = symbol, let bd = bids, let ak = asks, let c = checksum else { return nil }
            return KrakenBookMessage(symbol: s, isSnapshot: false, bids: bd, asks: ak, checksum: c, timestamp: timestamp)
        }
    }
}
