public enum PositionSide: String, Sendable, Codable { case long, short }

/// One open position per (portfolio, symbol). Cost basis and entry fee are exact and split on partial
/// closes by subtraction; the average entry price is derived.
public struct Position: Hashable, Sendable {
    public var symbol: Symbol
    public var side: PositionSide
    public var size: Quantity
    /// Σ exec × q of the remaining size, in quote units.
    public var costBasis: Money
    public var entryTime: Timestamp
    public var stopLoss: Price?
    public var takeProfit: Price?
    public var highestPrice: Price
    public var lowestPrice: Price
    /// Fees paid (quote units) to open the remaining size.
    public var entryFee: Money

    public init(symbol: Symbol, side: PositionSide, size: Quantity, costBasis: Money, entryTime: Timestamp,
                stopLoss: Price?, takeProfit: Price?, highestPrice: Price, lowestPrice: Price, entryFee: Money) {
        self.symbol = symbol; self.side = side; self.size = size; self.costBasis = costBasis; self.entryTime = entryTime
        self.stopLoss = stopLoss; self.takeProfit = takeProfit; self.highestPrice = highestPrice
        self.lowestPrice = lowestPrice; self.entryFee = entryFee
    }

    /// Widens the high/low marks to include `price`.
    public mutating func track(_ price: Price) {
        if price > highestPrice { highestPrice = price }
        if price < lowestPrice { lowestPrice = price }
    }

    /// Volume-weighted average entry (display; accounting uses `costBasis`).
    public var entryPrice: Price {
        size.isZero ? .zero : costBasis.price(per: size)
    }

    /// Gross P&L at `price` minus the remaining entry fee (quote units).
    public func unrealizedPnl(at price: Price, exitFee: Money = .zero) -> Money {
        let value = size * price
        let gross = side == .long ? value - costBasis : costBasis - value
        return gross - entryFee - exitFee
    }

    public func unrealizedPnlPct(at price: Price) -> Double {
        guard costBasis.isPositive else { return 0 }
        let value = size * price
        let gross = side == .long ? value - costBasis : costBasis - value
        return gross.doubleValue / costBasis.doubleValue * 100
    }
}
