/// CRC-32 as zlib computes it (IEEE 802.3: reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF), the
/// checksum of Kraken's book messages (market-data §1.5). `KrakenBook` runs the table over its levels' stored tokens.
public struct CRC32: Sendable {
    static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
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
