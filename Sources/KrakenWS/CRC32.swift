/// CRC-32 as zlib computes it (IEEE 802.3: reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF), the
/// checksum of Kraken's book messages (market-data §1.5). `KrakenBook` runs the table over its levels' stored tokens.
public struct CRC32: Sendable {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// Slicing-by-8: eight tables, flattened (table k at k × 256), so eight bytes cost eight lookups and no shifts
    /// through the state per byte. Table 0 is `table`.
    static let slices: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 { t[n] = table[n] }
        for k in 1..<8 { for n in 0..<256 { let p = t[(k - 1) * 256 + n]; t[k * 256 + n] = (p >> 8) ^ t[Int(p & 0xFF)] } }
        return t
    }()

    /// `crc` (pre-inverted state) advanced over the eight bytes of `word`, least significant byte first.
    @inline(__always) static func update(_ crc: UInt32, word: UInt64, _ t: UnsafeBufferPointer<UInt32>) -> UInt32 {
        let one = UInt32(truncatingIfNeeded: word) ^ crc
        let two = UInt32(truncatingIfNeeded: word >> 32)
        return t[7 * 256 + Int(one & 0xFF)] ^ t[6 * 256 + Int((one >> 8) & 0xFF)] ^ t[5 * 256 + Int((one >> 16) & 0xFF)] ^ t[4 * 256 + Int(one >> 24)]
             ^ t[3 * 256 + Int(two & 0xFF)] ^ t[2 * 256 + Int((two >> 8) & 0xFF)] ^ t[256 + Int((two >> 16) & 0xFF)] ^ t[Int(two >> 24)]
    }

    public private(set) var state: UInt32 = 0xFFFF_FFFF
    public init() {}

    @inline(__always) public mutating func update(_ byte: UInt8) {
        state = CRC32.table[Int((state ^ UInt32(byte)) & 0xFF)] ^ (state >> 8)
    }

    public mutating func update(_ bytes: some Sequence<UInt8>) { for b in bytes { update(b) } }

    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c = CRC32()
        c.update(bytes)
        return c.value
    }
}
