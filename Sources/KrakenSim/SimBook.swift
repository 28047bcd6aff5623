/// One price level of the server's book: price in ticks (10^-price_precision), quantity in lots (10^-qty_precision).
struct SimLevel: Equatable, Sendable {
    var price: Int64
    var qty: Int64
}

/// The server's full book of one pair (bids best first, descending; asks best first, ascending), with the diff and
/// checksum Kraken's clients see. The checksum is computed here from the definition (market-data §1.5), with its
/// own CRC: the server is an independent check of the client's books, not a copy of them.
struct SimBook: Sendable {
    var bids: [SimLevel] = []
    var asks: [SimLevel] = []

    /// The update a subscriber at depth `depth` needs to go from `old`'s view to this book's view, per side: levels
    /// deleted from the book first (qty 0), then every level of the new view that is new or changed, in book order.
    /// Levels that merely fall out of the view are not sent (Kraken never does; the client truncates).
    func update(from old: SimBook, depth: Int) -> (bids: [SimLevel], asks: [SimLevel]) {
        (Self.side(old: old.bids.prefix(depth), new: bids, depth: depth, descending: true),
         Self.side(old: old.asks.prefix(depth), new: asks, depth: depth, descending: false))
    }

    private static func side(old: ArraySlice<SimLevel>, new: [SimLevel], depth: Int, descending: Bool) -> [SimLevel] {
        var out: [SimLevel] = []
        for o in old where !contains(new, o.price, descending: descending) { out.append(SimLevel(price: o.price, qty: 0)) }
        let view = new.prefix(depth)
        var j = old.startIndex
        for n in view {
            // Both sides are sorted the same way: walk the old view alongside.
            while j < old.endIndex, descending ? old[j].price > n.price : old[j].price < n.price { j += 1 }
            if j < old.endIndex, old[j].price == n.price, old[j].qty == n.qty { continue }
            out.append(n)
        }
        return out
    }

    private static func contains(_ levels: [SimLevel], _ price: Int64, descending: Bool) -> Bool {
        var lo = 0, hi = levels.count
        while lo < hi {
            let mid = (lo + hi) / 2
            let p = levels[mid].price
            if p == price { return true }
            if descending ? p > price : p < price { lo = mid + 1 } else { hi = mid }
        }
        return false
    }

    /// Kraken's checksum of the top ten levels: asks ascending then bids descending, each level the decimal digits of
    /// its price and quantity at the pair's precisions without the point and leading zeros, CRC-32 of the string.
    /// With integer ticks and lots that token is just the integers' decimal text.
    var checksum: UInt32 {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(400)
        func digits(_ v: Int64) {
            var x = v.magnitude, tmp: [UInt8] = []
            repeat { tmp.append(48 + UInt8(x % 10)); x /= 10 } while x > 0
            bytes.append(contentsOf: tmp.reversed())
        }
        for l in asks.prefix(10) { digits(l.price); digits(l.qty) }
        for l in bids.prefix(10) { digits(l.price); digits(l.qty) }
        return SimCRC32.of(bytes)
    }
}

/// CRC-32 (IEEE 802.3, as zlib), bit by bit from the polynomial: slow and obviously right.
enum SimCRC32 {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
    static func of(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
