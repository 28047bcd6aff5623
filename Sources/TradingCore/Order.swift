/// An order's id: `O<sequence>` per strategy portfolio, from a counter (never the wall clock), so a replay gives
/// every order the id it had.
public struct OrderID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let value: UInt64
    public init(_ value: UInt64) { self.value = value }
    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { "O\(value)" }
}

/// How long a resting order lives.
public enum TimeInForce: Hashable, Sendable {
    /// Good till cancelled.
    case goodTillCancel
    /// Good till this engine-clock time (exclusive: at it the order has expired).
    case goodTillTime(Timestamp)
}

/// Whether a fill took liquidity (market orders, the crossing part of a limit order, a marketable limit's first fill)
/// or provided it (a resting order).
public enum Liquidity: String, Sendable, Codable {
    case maker, taker
}

/// A resting order as a strategy reads it from its portfolio view.
public struct OpenOrder: Hashable, Sendable {
    public var id: OrderID
    public var symbol: Symbol
    public var action: SignalAction
    public var limitPrice: Price
    /// Base units still to fill.
    public var remaining: Quantity
    /// Base units filled so far.
    public var filled: Quantity
    public var postOnly: Bool
    public var timeInForce: TimeInForce
    /// The strategy's own label from the placing signal (e.g. a grid level), if it gave one.
    public var clientTag: String?
    /// When the order reached the matching engine (its queue priority).
    public var placedAt: Timestamp
    /// Displayed size ahead of it at its price when it was placed, less what has traded there since; nil when no
    /// book showed its price level (then only trades strictly through its price fill it).
    public var queueAhead: Quantity?

    public init(id: OrderID, symbol: Symbol, action: SignalAction, limitPrice: Price, remaining: Quantity, filled: Quantity,
                postOnly: Bool, timeInForce: TimeInForce, clientTag: String?, placedAt: Timestamp, queueAhead: Quantity?) {
        self.id = id; self.symbol = symbol; self.action = action; self.limitPrice = limitPrice; self.remaining = remaining
        self.filled = filled; self.postOnly = postOnly; self.timeInForce = timeInForce; self.clientTag = clientTag
        self.placedAt = placedAt; self.queueAhead = queueAhead
    }
}

/// What a strategy's decision asks of its portfolio's orders. Several per decision, applied in order.
public enum OrderIntent: Hashable, Sendable {
    /// A market order, or a limit / post-only limit order (`signal.orderType`, `limitPrice`, `postOnly`, `timeInForce`).
    case place(Signal)
    /// Cancels a resting order by the id it was given.
    case cancel(OrderID)
    /// New limit price and/or size (in the order's size unit): the order keeps its id and loses its queue position.
    case replace(OrderID, price: Price?, size: Money?)
    /// Cancels every resting order of the strategy on a symbol.
    case cancelAll(Symbol)
}

/// Why an order left the book without filling completely.
public enum OrderEndReason: String, Sendable, Codable {
    case cancelled
    case expired
    /// It could no longer fill (its position closed, leverage gone): cancelled by the engine.
    case unfillable
}

/// What happened to a strategy's order, reported to it (`Strategy.onOrderEvent`) and to observers.
public enum OrderEvent: Hashable, Sendable {
    /// A limit order now rests (after any part that crossed at once).
    case accepted(OpenOrder)
    /// A replace took effect; the order keeps its id, with a new queue position.
    case replaced(OpenOrder)
    /// The order left the book; `detail` says why for an engine cancel.
    case ended(OpenOrder, OrderEndReason, detail: String?)
    /// A cancel or replace named an order that is not open (already filled, cancelled, or never existed).
    case unknownOrder(OrderID)

    public var order: OpenOrder? {
        switch self {
        case .accepted(let o), .replaced(let o), .ended(let o, _, _): o
        case .unknownOrder: nil
        }
    }
}
