import TradingCore
import PaperExchange

/// The per-decision look-ahead audit (backtest.md §B4.6, decision 20), switched on with `Kernel.enableVisibilityAudit()`:
/// after every decision each candle the strategy could read is closed and each trade is at or before the decision
/// time; every fill of a decided order is at or after its decision. Violations are collected, never thrown, so a
/// test sees all of them.
public final class VisibilityAudit {
    public private(set) var violations: [String] = []
    public private(set) var decisionsChecked = 0
    public private(set) var fillsChecked = 0

    /// When each strategy decided each of its orders (the latest decision: a replace is one).
    private var decided: [String: [OrderID: Timestamp]] = [:]

    public init() {}

    /// Records the decision behind the orders an exchange operation touched.
    func noteDecision(_ strategy: String, _ out: [OrderActivity], decidedAt: Timestamp) {
        for a in out {
            switch a {
            case .fill(let f): decided[strategy, default: [:]][f.orderId] = decidedAt
            case .event(let e): if let o = e.order { decided[strategy, default: [:]][o.id] = decidedAt }
            case .rejection: break
            }
        }
    }

    func decision(_ strategy: String, _ id: OrderID) -> Timestamp? { decided[strategy]?[id] }

    /// An order that no longer rests needs no decision time (the map stays as small as the open orders).
    func forget(_ strategy: String, _ id: OrderID) { decided[strategy]?[id] = nil }

    public func afterDecision(_ strategy: String, at now: Timestamp, market: any MarketView) {
        decisionsChecked += 1
        for s in market.symbols {
            for tf in Timeframe.allCases {
                // Candles are oldest first: the newest closed is the one that could be from the future.
                if let c = market.candles(tf, s).last, c.start + tf.interval > now {
                    note("\(strategy) at \(now.iso8601): \(s) \(tf) candle starting \(c.start.iso8601) closes after the decision")
                }
            }
            if let t = market.trades(s).last, t.time > now {
                note("\(strategy) at \(now.iso8601): \(s) trade at \(t.time.iso8601) is after the decision")
            }
            if let t = market.lastTrade(s), t.time > now {
                note("\(strategy) at \(now.iso8601): \(s) last trade at \(t.time.iso8601) is after the decision")
            }
        }
    }

    public func checkFill(_ fill: Fill, decidedAt: Timestamp) {
        fillsChecked += 1
        if fill.timestamp < decidedAt {
            note("\(fill.strategy) fill \(fill.fillId) at \(fill.timestamp.iso8601) precedes its decision at \(decidedAt.iso8601)")
        }
    }

    private func note(_ m: String) {
        // Enough to diagnose; a broken run would otherwise grow without bound.
        if violations.count < 1000 { violations.append(m) }
    }
}
