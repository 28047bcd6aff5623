/// Why the paper exchange refused an order. Checks run in this order; the first failure wins.
public enum RejectionReason: String, Sendable, Codable, CaseIterable, Comparable {
    case unknownStrategy = "unknown_strategy"
    case invalidSize = "invalid_size"
    case unsupportedOrderType = "unsupported_order_type"
    case unknownSymbol = "unknown_symbol"
    /// The pair cannot trade now: its book is invalid, it or the feed is not online, or its data is stale (resolution 19).
    case marketUnavailable = "market_unavailable"
    case invalidProtectiveLevels = "invalid_protective_levels"
    case oppositePositionOpen = "opposite_position_open"
    case noHoldings = "no_holdings"
    case noPosition = "no_position"
    case noPrice = "no_price"
    /// A post-only order would have taken liquidity on arrival (decision 26).
    case postOnlyWouldCross = "post_only_would_cross"
    case noUSDConversion = "no_usd_conversion"
    case leverageLimit = "leverage_limit"
    /// The lot-rounded quantity is zero.
    case belowMinimumSize = "below_minimum_size"
    /// A cancel or replace named an order that is not open.
    case unknownOrder = "unknown_order"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

public struct ExecutionRejection: Error, Hashable, Sendable {
    public var reason: RejectionReason
    public var strategy: String
    public var signal: Signal
    public var timestamp: Timestamp
    public var detail: String?
    public init(reason: RejectionReason, strategy: String, signal: Signal, timestamp: Timestamp, detail: String? = nil) {
        self.reason = reason; self.strategy = strategy; self.signal = signal; self.timestamp = timestamp; self.detail = detail
    }
}
