/// The aggressor (taker) side of a print, or the direction of an order.
public enum TakerSide: String, Sendable, Codable {
    case buy, sell
}

/// One print from the tape.
public struct Trade: Hashable, Sendable {
    public var symbol: Symbol
    public var time: Timestamp
    public var price: Price
    public var size: Quantity
    public var side: TakerSide
    public var tradeId: UInt64?

    public init(symbol: Symbol, time: Timestamp, price: Price, size: Quantity, side: TakerSide, tradeId: UInt64? = nil) {
        self.symbol = symbol; self.time = time; self.price = price; self.size = size; self.side = side; self.tradeId = tradeId
    }

    /// Quote units.
    public var value: Money { price * size }
}
