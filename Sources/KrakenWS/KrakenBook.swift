import TradingCore

/// Prices and quantities of one pair as integer counts of its increments (market-data §1.5's integer shortcut): the
/// checksum token of a value is then just the decimal digits of its count, and a level is keyed by its exact value, so
/// `45284` and `45284.0` are one level.
public struct BookPrecision: Hashable, Sendable {
    /// 10^0 … 10^18.
    static let powersOfTen: [UInt64] = (0...18).map { k in (0..<k).reduce(1) { v, _ in v * 10 } }

    public let price: Int
    public let quantity: Int
    public init(price: Int, quantity: Int) { self.price = price; self.quantity = quantity }

    /// `value` (18 fractional digits) as a count of 10^-decimals: nil when it does not fit; `exact` false when it is not
    /// a whole count (rounded half-even, and counted as a precision violation by the caller).
    static func count<U>(_ value: FixedPoint<U>, _ decimals: Int) -> (count: Int64, exact: Bool)? {
        guard (0...18).contains(decimals) else { return nil }
        // Fast path, every level of a real feed: a non-negative value whose count fits 64 bits is one 128-by-64-bit
        // division (quotient and remainder together) instead of two Int128 library divisions.
        let divisor64 = powersOfTen[18 - decimals]
        if value.raw >= 0 {
            let m = UInt128(value.raw)
            let high = UInt64(truncatingIfNeeded: m >> 64), low = UInt64(truncatingIfNeeded: m)
            if high < divisor64 {
                var (q, r) = divisor64.dividingFullWidth((high, low))
                // Beyond Int64 it does not fit either way (the slow path says so).
                if q < UInt64(Int64.max) {
                    let exact = r == 0
                    if !exact {
                        r &*= 2   // r < 10^18, so 2r fits
                        if r > divisor64 || (r == divisor64 && q & 1 == 1) { q += 1 }
                    }
                    return (Int64(q), exact)
                }
            }
        }
        var divisor: Int128 = 1
        for _ in 0..<(18 - decimals) { divisor *= 10 }
        let raw = value.raw
        var q = raw / divisor
        let r = raw % divisor
        let exact = r == 0
        if !exact {
            let twice = r.magnitude * 2
            if twice > divisor.magnitude || (twice == divisor.magnitude && q & 1 == 1) { q += raw < 0 ? -1 : 1 }
        }
        guard let c = Int64(exactly: q) else { return nil }
        return (c, exact)
    }
}

/// One pair's book as Kraken maintains it (market-data §1.4.8): a snapshot replaces it, an update's levels are applied
/// in order (quantity 0 deletes), each side is kept to the subscribed depth, then the CRC32 of the top 10 levels per
/// side is compared with the message's.
///
/// Depth is kept as the changes happen: a new level inside the depth pushes the worst level out at once (Kraken sends
/// no delete for it), except a level that arrives beyond the worst of a full side: that is the refill of a deletion
/// later in the same message (the spec's rule 5: do not depend on the deletion coming first), so it stays until the
/// message ends, and only then is each side cut to the depth. Truncating only at the end would instead keep levels a
/// new level pushed out before a deletion made room; truncating strictly per level would drop a refill that precedes
/// its deletion. This rule is right for both orders (the fixtures, Kraken's captures and gen_book_stream.py).
public struct KrakenBook: Sendable {
    public struct Level: Hashable, Sendable {
        public var price: Int64
        public var quantity: Int64
        /// The level's checksum token (price digits then quantity digits), made when the level changes, so a checksum
        /// of 20 levels is CRC over stored bytes, not 40 number-to-text conversions.
        var token: Token

        init(price: Int64, quantity: Int64) {
            self.price = price
            self.quantity = quantity
            token = Token(price, quantity)
        }

        public static func == (a: Level, b: Level) -> Bool { a.price == b.price && a.quantity == b.quantity }
        public func hash(into h: inout Hasher) { h.combine(price); h.combine(quantity) }
    }

    /// Up to 40 ASCII digits inline (two positive Int64s have at most 19 digits each).
    struct Token: Sendable {
        var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
        var count: UInt8 = 0

        init(_ a: Int64, _ b: Int64) {
            withUnsafeMutableBytes(of: &bytes) { p in
                var n = 0
                @inline(__always) func digits(_ v: Int64) {
                    var x = UInt64(v.magnitude)
                    let start = n
                    repeat { p[n] = UInt8(48 + x % 10); x /= 10; n += 1 } while x > 0
                    // Digits came out least significant first: reverse them in place.
                    var i = start, j = n - 1
                    while i < j { let t = p[i]; p[i] = p[j]; p[j] = t; i += 1; j -= 1 }
                }
                digits(a)
                digits(b)
                count = UInt8(n)
            }
        }

    }

    public let symbol: Symbol
    public let depth: Int
    public let precision: BookPrecision
    /// Best first: bids by price descending, asks ascending.
    public private(set) var bids: [Level] = []
    public private(set) var asks: [Level] = []

    public init(symbol: Symbol, depth: Int, precision: BookPrecision) {
        self.symbol = symbol
        self.depth = max(1, depth)
        self.precision = precision
    }

    public enum ApplyError: Error, Equatable { case outOfRange }

    /// Applies a message's levels; returns how many values were not whole increments (precision violations).
    public mutating func apply(snapshot: Bool, bids newBids: [BookLevel], asks newAsks: [BookLevel]) throws(ApplyError) -> Int {
        if snapshot { bids.removeAll(keepingCapacity: true); asks.removeAll(keepingCapacity: true) }
        var violations = 0
        var refills: [Int64] = []
        for l in newBids { violations += try set(&bids, l, descending: true, keepDepth: !snapshot, refills: &refills) }
        refills.removeAll()
        for l in newAsks { violations += try set(&asks, l, descending: false, keepDepth: !snapshot, refills: &refills) }
        if bids.count > depth { bids.removeLast(bids.count - depth) }
        if asks.count > depth { asks.removeLast(asks.count - depth) }
        return violations
    }

    private func set(_ side: inout [Level], _ l: BookLevel, descending: Bool, keepDepth: Bool, refills: inout [Int64]) throws(ApplyError) -> Int {
        guard let p = BookPrecision.count(l.price, precision.price), let q = BookPrecision.count(l.size, precision.quantity),
              p.count > 0, q.count >= 0 else { throw .outOfRange }
        // Binary search for the price (sides stay sorted, best first).
        var lo = 0, hi = side.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let better = descending ? side[mid].price > p.count : side[mid].price < p.count
            if better { lo = mid + 1 } else { hi = mid }
        }
        if lo < side.count, side[lo].price == p.count {
            if q.count == 0 { side.remove(at: lo) } else if side[lo].quantity != q.count { side[lo] = Level(price: p.count, quantity: q.count) }
        } else if q.count > 0 {
            let refill = keepDepth && side.count >= depth && lo == side.count
            if refill { refills.append(p.count) }
            side.insert(Level(price: p.count, quantity: q.count), at: lo)
            if keepDepth && !refill && side.count > depth {
                // The worst level that is not a refill waiting for its deletion leaves now.
                if let w = side.lastIndex(where: { !refills.contains($0.price) }) { side.remove(at: w) }
            }
        }
        return (p.exact ? 0 : 1) + (q.exact ? 0 : 1)
    }

    /// CRC32 of the top 10 asks then the top 10 bids, each level as its price count's digits then its quantity count's.
    public var checksum: UInt32 {
        // This runs on every book message. The 20 tokens are laid end to end in one stack buffer (each written as its
        // five whole words; the next token overwrites the unused tail), so the CRC runs slicing-by-8 over one
        // contiguous string, about 280 bytes, with only its last few bytes taken one by one.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 21 * 5) { words in
            let buf = UnsafeMutableRawPointer(words.baseAddress!)
            var n = 0
            @inline(__always) func put(_ l: Level) {
                buf.storeBytes(of: l.token.bytes, toByteOffset: n, as: (UInt64, UInt64, UInt64, UInt64, UInt64).self)
                n += Int(l.token.count)
            }
            for k in 0..<Swift.min(10, asks.count) { put(asks[k]) }
            for k in 0..<Swift.min(10, bids.count) { put(bids[k]) }
            return CRC32.slices.withUnsafeBufferPointer { t in
                var c: UInt32 = 0xFFFF_FFFF
                var i = 0
                while i + 8 <= n {
                    c = CRC32.update(c, word: UInt64(littleEndian: buf.loadUnaligned(fromByteOffset: i, as: UInt64.self)), t)
                    i += 8
                }
                while i < n {
                    c = t[Int((c ^ UInt32(buf.load(fromByteOffset: i, as: UInt8.self))) & 0xFF)] ^ (c >> 8)
                    i += 1
                }
                return c ^ 0xFFFF_FFFF
            }
        }
    }

    func price(_ l: Level) -> Price { Price(raw: Int128(l.price) * Self.pow10(18 - precision.price)) }
    func quantity(_ l: Level) -> Quantity { Quantity(raw: Int128(l.quantity) * Self.pow10(18 - precision.quantity)) }

    /// The book as the kernel's levels (best first).
    public var levels: (bids: [BookLevel], asks: [BookLevel]) {
        (bids.map { BookLevel(price: price($0), size: quantity($0)) }, asks.map { BookLevel(price: price($0), size: quantity($0)) })
    }

    static func pow10(_ n: Int) -> Int128 {
        var v: Int128 = 1
        for _ in 0..<n { v *= 10 }
        return v
    }
}
