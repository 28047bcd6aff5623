import TradingCore

/// One print as the flow indicators read it: base size, quote price, aggressor side.
public struct FlowTrade: Sendable, Equatable {
    public var price: Double, size: Double, side: TakerSide
    public init(price: Double, size: Double, side: TakerSide) { self.price = price; self.size = size; self.side = side }
    public init(_ t: Trade) { self.init(price: t.price.doubleValue, size: t.size.doubleValue, side: t.side) }
}

/// Buy vs sell quote notional over the last `lookback` trades (indicators.md §8.1); fewer than 5 trades or no
/// volume is `valid == false` with zero volumes (the count still says how many were seen).
public struct TradeFlow: Sendable, Equatable {
    public var buyVolume = 0.0, sellVolume = 0.0, imbalance = 0.0, totalVolume = 0.0
    public var tradeCount = 0
    public var valid = false

    public init(_ trades: some Collection<FlowTrade>, lookback: Int = 50) {
        precondition(lookback >= 1, "trade-flow lookback must be ≥ 1")
        let window = trades.suffix(lookback)
        tradeCount = window.count
        guard tradeCount >= 5 else { return }
        for t in window {
            if t.side == .buy { buyVolume += t.price * t.size } else { sellVolume += t.price * t.size }
        }
        totalVolume = buyVolume + sellVolume
        guard totalVolume > 0 else { return }
        imbalance = (buyVolume - sellVolume) / totalVolume
        valid = true
    }
}

/// The direction a signal wants the flow to support.
public enum FlowDirection: String, Sendable { case buy, short }

/// Whether the tape supports a signal (§8.2): a buy needs imbalance ≥ −threshold, a short ≤ +threshold. Fail-open:
/// a flow that is not valid (too few trades) confirms, so missing data never blocks a signal.
public func flowConfirms(_ direction: FlowDirection, imbalance: Double, threshold: Double = 0.10) -> Bool {
    switch direction {
    case .buy: imbalance >= -threshold
    case .short: imbalance <= threshold
    }
}

public func flowConfirms(_ direction: FlowDirection, flow: TradeFlow, threshold: Double = 0.10) -> Bool {
    flow.valid ? flowConfirms(direction, imbalance: flow.imbalance, threshold: threshold) : true
}
