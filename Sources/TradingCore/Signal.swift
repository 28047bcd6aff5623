/// What a strategy asks for.
public enum SignalAction: String, Sendable, Codable, CaseIterable {
    /// Open or add to a long.
    case buy
    /// Reduce or close a long (or sell held inventory).
    case sell
    /// Open or add to a short.
    case short
    /// Reduce or close a short.
    case cover

    /// Whether the order adds exposure (and so is leverage-checked and may be gated).
    public var isOpening: Bool { self == .buy || self == .short }
    /// Taker direction: buy and cover lift the ask, sell and short hit the bid.
    public var takerSide: TakerSide { self == .buy || self == .cover ? .buy : .sell }
}

public enum OrderType: String, Sendable, Codable { case market, limit }

/// The unit of `Signal.size`.
public enum SizeUnit: String, Sendable, Codable {
    /// USD notional (the default, converted for non-USD quotes).
    case usd
    /// Base units (e.g. `sma_cross` buys 1 BTC).
    case base
}

public enum SignalError: Error, Equatable, CustomStringConvertible {
    case invalidSize(String)
    case limitWithoutPrice
    case badLimitPrice(String)
    /// Post-only and good-till-time describe resting orders: a market order has neither.
    case restingOptionOnMarketOrder
    public var description: String {
        switch self {
        case .invalidSize(let s): "signal size must be finite and > 0 (got \(s))"
        case .limitWithoutPrice: "a limit order needs a limit price"
        case .badLimitPrice(let p): "a limit price must be > 0 (got \(p))"
        case .restingOptionOnMarketOrder: "post-only and good-till-time apply to limit orders only"
        }
    }
}

/// A strategy's request to trade, validated at construction.
public struct Signal: Hashable, Sendable {
    public var action: SignalAction
    public var symbol: Symbol
    public var size: Money
    public var sizeUnit: SizeUnit
    /// Reference price: logging, protective-level checks, and the execution base when there is no book.
    public var price: Price
    public var reason: String
    public var orderType: OrderType
    public var limitPrice: Price?
    public var stopLoss: Price?
    public var takeProfit: Price?
    public var metadata: [String: String]
    /// For sell/cover: ignore `size`, close the whole position.
    public var closeFullPosition: Bool
    /// Post-only, time in force and tag, boxed: most signals are plain market orders and an optional signal is passed
    /// around on every tick, so these cost one pointer there (nil = the defaults).
    private var options: OrderOptions?

    /// A limit order that must rest: refused (`post_only_would_cross`) if it would take liquidity on arrival.
    public var postOnly: Bool {
        get { options?.postOnly ?? false }
        set { options = OrderOptions.make(postOnly: newValue, timeInForce: timeInForce, clientTag: clientTag) }
    }
    public var timeInForce: TimeInForce {
        get { options?.timeInForce ?? .goodTillCancel }
        set { options = OrderOptions.make(postOnly: postOnly, timeInForce: newValue, clientTag: clientTag) }
    }
    /// The strategy's own label, carried by the open order and its fills (e.g. a grid level's name).
    public var clientTag: String? {
        get { options?.clientTag }
        set { options = OrderOptions.make(postOnly: postOnly, timeInForce: timeInForce, clientTag: newValue) }
    }

    public init(action: SignalAction, symbol: Symbol, size: Money, sizeUnit: SizeUnit = .usd, price: Price, reason: String,
                orderType: OrderType = .market, limitPrice: Price? = nil, stopLoss: Price? = nil, takeProfit: Price? = nil,
                metadata: [String: String] = [:], closeFullPosition: Bool = false, postOnly: Bool = false,
                timeInForce: TimeInForce = .goodTillCancel, clientTag: String? = nil) throws {
        // A full close ignores size, so size 0 is allowed there.
        if !(closeFullPosition && (action == .sell || action == .cover)) {
            guard size.isPositive else { throw SignalError.invalidSize(size.description) }
        }
        if orderType == .limit {
            guard let lp = limitPrice else { throw SignalError.limitWithoutPrice }
            guard lp.isPositive else { throw SignalError.badLimitPrice(lp.description) }
        } else if postOnly || timeInForce != .goodTillCancel {
            throw SignalError.restingOptionOnMarketOrder
        }
        options = OrderOptions.make(postOnly: postOnly, timeInForce: timeInForce, clientTag: clientTag)
        self.action = action; self.symbol = symbol; self.size = size; self.sizeUnit = sizeUnit; self.price = price
        self.reason = reason; self.orderType = orderType; self.limitPrice = limitPrice; self.stopLoss = stopLoss
        self.takeProfit = takeProfit; self.metadata = metadata; self.closeFullPosition = closeFullPosition
    }

    /// Builds a USD-sized signal from strategy maths. Throws on NaN/∞/≤ 0 sizes.
    public init(action: SignalAction, symbol: Symbol, sizeUSD: Double, price: Price, reason: String,
                stopLoss: Price? = nil, takeProfit: Price? = nil, metadata: [String: String] = [:]) throws {
        guard sizeUSD.isFinite, sizeUSD > 0, let m = Money(rounding: sizeUSD, toDecimals: 12) else {
            throw SignalError.invalidSize("\(sizeUSD)")
        }
        try self.init(action: action, symbol: symbol, size: m, price: price, reason: reason,
                      stopLoss: stopLoss, takeProfit: takeProfit, metadata: metadata)
    }
}

extension Signal {
    /// A limit order (post-only if asked), sized in `sizeUnit`.
    public static func limit(_ action: SignalAction, _ symbol: Symbol, size: Money, sizeUnit: SizeUnit = .usd, at limitPrice: Price,
                             reason: String, postOnly: Bool = false, timeInForce: TimeInForce = .goodTillCancel, clientTag: String? = nil,
                             stopLoss: Price? = nil, takeProfit: Price? = nil) throws -> Signal {
        try Signal(action: action, symbol: symbol, size: size, sizeUnit: sizeUnit, price: limitPrice, reason: reason, orderType: .limit,
                   limitPrice: limitPrice, stopLoss: stopLoss, takeProfit: takeProfit, postOnly: postOnly, timeInForce: timeInForce,
                   clientTag: clientTag)
    }

    /// True for an order that can rest (limit, post-only limit).
    public var isLimit: Bool { orderType == .limit }
}

/// The options of an order beyond a market order's (see `Signal.options`).
final class OrderOptions: Hashable, Sendable {
    let postOnly: Bool
    let timeInForce: TimeInForce
    let clientTag: String?

    private init(postOnly: Bool, timeInForce: TimeInForce, clientTag: String?) {
        self.postOnly = postOnly; self.timeInForce = timeInForce; self.clientTag = clientTag
    }

    /// nil for the defaults, so equal signals compare equal however they were built.
    static func make(postOnly: Bool, timeInForce: TimeInForce, clientTag: String?) -> OrderOptions? {
        if !postOnly && timeInForce == .goodTillCancel && clientTag == nil { return nil }
        return OrderOptions(postOnly: postOnly, timeInForce: timeInForce, clientTag: clientTag)
    }

    static func == (a: OrderOptions, b: OrderOptions) -> Bool {
        a.postOnly == b.postOnly && a.timeInForce == b.timeInForce && a.clientTag == b.clientTag
    }
    func hash(into h: inout Hasher) { h.combine(postOnly); h.combine(timeInForce); h.combine(clientTag) }
}
