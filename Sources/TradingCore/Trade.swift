/// The aggressor (taker) side of a print, or the direction of an order.
public enum TakerSide: String, Sendable, Codable {
    case buy, sell
}

/// One print from the tape.
public struct Trade: Hashable, Sendable {
    public var symbol: Symbol
    /// Engine time: when the edge received the print (resolution 8); the tape and prices follow it.
    public var time: Timestamp
    /// When the exchange says it traded: candles bucket on it. `time` where the source has no
    /// separate clock (simulator, bars, older recordings).
    public var exchangeTime: Timestamp
    public var price: Price
    public var size: Quantity
    public var side: TakerSide
    public var tradeId: UInt64?

    public init(symbol: Symbol, time: Timestamp, exchangeTime: Timestamp? = nil, price: Price, size: Quantity, side: TakerSide, tradeId: UInt64? = nil) {
        self.symbol = symbol; self.time = time; self.exchangeTime = exchangeTime ?? time; self.price = price; self.size = size; self.side = side; self.tradeId = tradeId
    }

    /// Quote units.
    public var value: Money { price * size }
}
