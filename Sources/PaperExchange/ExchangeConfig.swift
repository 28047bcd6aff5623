import TradingCore

/// How a market order is priced.
public enum FillModel: String, Sendable, CaseIterable {
    /// Whole order at best bid/ask ± slippage (reference parity).
    case topOfBook = "top_of_book"
    /// VWAP through the visible levels; slippage only on the part beyond the visible depth.
    case bookWalk = "book_walk"
}

/// Execution parameters (engine §2.1), validated once.
public struct ExchangeConfig: Sendable, Equatable {
    /// Kraken Pro's entry tier (decision 26; docs/user-guide.md cites the schedule and its date).
    public var makerFeeRate: Rate = Rate("0.0025")!
    public var takerFeeRate: Rate = Rate("0.004")!
    /// Milliseconds from a decision to the matching engine (0: at once, the reference's behaviour).
    public var latencyMs: Int = 0
    public var slippageRate: Rate = Rate("0.0005")!
    public var maxLongLeverage: Rate = Rate("1.5")!
    public var maxShortLeverage: Rate = Rate("2")!
    public var maintenanceMarginRatio: Rate = Rate("0.25")!
    public var maxFillsHistory: Int = 1000
    public var validateProtectiveLevels = true
    public var fillModel: FillModel = .bookWalk
    public var startingCapital: Money = Money(100)
    public var startingAssets: [String: Quantity] = [:]

    public init() {}

    /// `execution.fee_rate`: the taker rate (the reference's one fee).
    public var feeRate: Rate {
        get { takerFeeRate }
        set { takerFeeRate = newValue }
    }

    public func feeRate(_ liquidity: Liquidity) -> Rate { liquidity == .maker ? makerFeeRate : takerFeeRate }

    /// Nil when valid, else a message naming the key.
    public func validationError() -> String? {
        if takerFeeRate.isNegative || takerFeeRate >= .one { return "execution.taker_fee_rate must be in [0, 1)" }
        if makerFeeRate.isNegative || makerFeeRate >= .one { return "execution.maker_fee_rate must be in [0, 1)" }
        if !(0...600_000).contains(latencyMs) { return "execution.latency_ms must be in 0…600000" }
        if slippageRate.isNegative || slippageRate >= .one { return "execution.slippage_rate must be in [0, 1)" }
        if maxLongLeverage < .one { return "execution.max_long_leverage must be ≥ 1" }
        if maxShortLeverage < .one { return "execution.max_short_leverage must be ≥ 1" }
        if !maintenanceMarginRatio.isPositive || maintenanceMarginRatio >= .one { return "execution.maintenance_margin_ratio must be in (0, 1)" }
        if maxFillsHistory < 1 { return "execution.max_fills_history must be ≥ 1" }
        if !startingCapital.isPositive { return "general.starting_capital must be > 0" }
        return nil
    }
}
