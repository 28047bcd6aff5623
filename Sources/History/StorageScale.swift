import TradingCore

/// How a symbol's prices and quantities are stored: integers at the symbol's instrument precision, fixed at its first
/// write (history issue, item 2), so SQLite INTEGER and PostgreSQL BIGINT hold them exactly. A value finer than the
/// scale, or too large for 64 bits, is refused (the caller counts it), never rounded.
public struct StorageScale: Hashable, Sendable, CustomStringConvertible {
    public let priceDecimals: Int
    public let quantityDecimals: Int

    public init(priceDecimals: Int, quantityDecimals: Int) {
        precondition((0...18).contains(priceDecimals) && (0...18).contains(quantityDecimals))
        self.priceDecimals = priceDecimals; self.quantityDecimals = quantityDecimals
    }
    public init(_ i: Instrument) { self.init(priceDecimals: i.priceDecimals, quantityDecimals: i.lotDecimals) }

    public var description: String { "price \(priceDecimals) dp, quantity \(quantityDecimals) dp" }

    /// The most price + quantity decimals a symbol may be stored at (see the import's check).
    public static let maxCombinedDecimals = 20

    static let divisors: [Int128] = (0...18).map { pow10Int128(18 - $0) }
    @inline(__always) static func divisor(_ decimals: Int) -> Int128 { divisors[decimals] }

    static func stored<U>(_ v: FixedPoint<U>, _ decimals: Int) -> Int64? {
        let d = divisor(decimals)
        let (q, r) = v.raw.quotientAndRemainder(dividingBy: d)
        guard r == 0, q >= Int128(Int64.min), q <= Int128(Int64.max) else { return nil }
        return Int64(q)
    }

    public func storedPrice(_ p: Price) -> Int64? { Self.stored(p, priceDecimals) }
    public func storedQuantity(_ q: Quantity) -> Int64? { Self.stored(q, quantityDecimals) }
    public func price(_ stored: Int64) -> Price { Price(raw: Int128(stored) * Self.divisor(priceDecimals)) }
    public func quantity(_ stored: Int64) -> Quantity { Quantity(raw: Int128(stored) * Self.divisor(quantityDecimals)) }
}

func pow10Int128(_ n: Int) -> Int128 {
    var v: Int128 = 1
    for _ in 0..<n { v *= 10 }
    return v
}
