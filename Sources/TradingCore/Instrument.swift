/// A tradable pair with its price tick and lot precision (as Kraken's AssetPairs states them).
public struct Instrument: Hashable, Sendable {
    public let symbol: Symbol
    /// Decimals of the price tick (XRP/USDT: 5 → tick 0.00001).
    public let priceDecimals: Int
    /// Decimals of the lot (8 → 0.00000001 base units).
    public let lotDecimals: Int

    public init(symbol: Symbol, priceDecimals: Int, lotDecimals: Int) {
        precondition((0...18).contains(priceDecimals) && (0...18).contains(lotDecimals))
        self.symbol = symbol
        self.priceDecimals = priceDecimals
        self.lotDecimals = lotDecimals
    }

    public var tick: Price { Price(raw: pow10(18 - priceDecimals)) }
    public var lot: Quantity { Quantity(raw: pow10(18 - lotDecimals)) }

    /// Strategy maths (`Double`) back to an exact price on the tick. Nil for NaN/∞.
    public func price(_ value: Double) -> Price? { Price(rounding: value, toDecimals: priceDecimals) }
    /// Rounds a quantity down to the lot (an order never exceeds what was asked).
    public func quantity(_ value: Double) -> Quantity? {
        guard let q = Quantity(value) else { return nil }
        return roundLot(q)
    }
    public func roundLot(_ q: Quantity) -> Quantity { q.rounded(toDecimals: lotDecimals, .down) }
}

/// The one instrument table: built-in pairs, then `instruments.<SYMBOL>` from the config,
/// then (later) live `instrument` channel updates.
public struct InstrumentRegistry: Sendable {
    public private(set) var instruments: [Symbol: Instrument]

    public init(_ list: [Instrument] = InstrumentRegistry.builtIn) {
        var m: [Symbol: Instrument] = [:]
        for i in list { m[i.symbol] = i }
        instruments = m
    }

    public subscript(_ s: Symbol) -> Instrument? { instruments[s] }

    public mutating func set(_ i: Instrument) { instruments[i.symbol] = i }

    /// Precisions from Kraken's AssetPairs (pair_decimals / lot_decimals).
    public static let builtIn: [Instrument] = [
        ("XRP/USDT", 5, 8), ("XRP/USD", 5, 8), ("BTC/USDT", 1, 8), ("BTC/USD", 1, 8),
        ("XRP/BTC", 8, 8), ("ETH/USDT", 2, 8), ("ETH/USD", 2, 8), ("ETH/BTC", 5, 8),
        ("SOL/USDT", 2, 8), ("SOL/USD", 2, 8), ("USDT/USD", 5, 8),
    ].map { Instrument(symbol: Symbol($0.0)!, priceDecimals: $0.1, lotDecimals: $0.2) }
}
