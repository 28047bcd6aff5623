/// Why the engine (not the strategy) closed a position.
public enum ExitTrigger: String, Sendable, Codable, CaseIterable {
    case stopLoss = "stop_loss"
    case takeProfit = "take_profit"
    case marginCall = "margin_call"
    case shutdown
}

/// A successful execution.
public struct Fill: Hashable, Sendable {
    /// `F<sequence>` per strategy portfolio; unique within a session, never from the wall clock.
    public var fillId: String
    public var timestamp: Timestamp
    public var symbol: Symbol
    public var side: SignalAction
    public var size: Quantity
    /// Execution price in quote units (exact, may sit off the tick).
    public var price: Price
    /// Fee in quote units.
    public var fee: Money
    public var feeUSD: Money
    /// Realized P&L of this fill in USD (0 for opening fills).
    public var pnl: Money
    public var strategy: String
    public var signalReason: String
    public var trigger: ExitTrigger?
    public var requestedNotionalUSD: Money
    /// True when a leverage cap reduced the size.
    public var capped: Bool
    /// True when part of the order lay beyond the visible book depth and was priced with slippage.
    public var beyondVisibleDepth: Bool
    /// USD per quote unit at the fill (1 for USD/USDT quotes).
    public var quoteUSD: Price
    /// Whether this fill closed (part of) a position, i.e. counts as a closing trade.
    public var isClosing: Bool
    /// The order it fills (engine exits are orders too).
    public var orderId: OrderID
    /// Maker for a resting order's fills, taker otherwise (fees differ; not part of the canonical line).
    public var liquidity: Liquidity
    /// The placing signal's `clientTag`.
    public var clientTag: String?

    public init(fillId: String, timestamp: Timestamp, symbol: Symbol, side: SignalAction, size: Quantity, price: Price,
                fee: Money, feeUSD: Money, pnl: Money, strategy: String, signalReason: String, trigger: ExitTrigger?,
                requestedNotionalUSD: Money, capped: Bool, beyondVisibleDepth: Bool, quoteUSD: Price, isClosing: Bool,
                orderId: OrderID = OrderID(0), liquidity: Liquidity = .taker, clientTag: String? = nil) {
        self.orderId = orderId; self.liquidity = liquidity; self.clientTag = clientTag
        self.fillId = fillId; self.timestamp = timestamp; self.symbol = symbol; self.side = side; self.size = size
        self.price = price; self.fee = fee; self.feeUSD = feeUSD; self.pnl = pnl; self.strategy = strategy
        self.signalReason = signalReason; self.trigger = trigger; self.requestedNotionalUSD = requestedNotionalUSD
        self.capped = capped; self.beyondVisibleDepth = beyondVisibleDepth; self.quoteUSD = quoteUSD; self.isClosing = isClosing
    }

    /// Quote units.
    public var value: Money { size * price }
    public var valueUSD: Money { value.converted(at: quoteUSD) }

    /// The canonical line hashed into `fills_sha256`:
    /// `strategy|symbol|side|timestamp_ns|quantity|price|fee|realized_pnl|trigger` with exact decimals.
    public var canonicalLine: String {
        var s = strategy
        s.reserveCapacity(128)
        s += "|"; s += symbol.text; s += "|"; s += side.rawValue; s += "|"; s += String(timestamp.nanoseconds)
        s += "|"; s += size.description; s += "|"; s += price.description; s += "|"; s += fee.description
        s += "|"; s += pnl.description; s += "|"; s += trigger?.rawValue ?? ""
        return s
    }
}
